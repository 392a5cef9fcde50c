-- The sync server's schema, version 11: survey links, the electronic channel.
--
-- A link lets respondents answer on their own phone: a unit's, optionally fixed to one service
-- and period. Its token is printed on posters and paper sheets, so it is stored as it is (a
-- link is public; closing it is what stops it).
CREATE TABLE links (
    token       TEXT PRIMARY KEY,
    unit        TEXT NOT NULL REFERENCES units (code),
    service     TEXT,
    period      TEXT,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    closed_at   INTEGER
) STRICT;

CREATE INDEX links_unit ON links (unit);

-- Every answer set a respondent's browser sent, by the id the browser made for it: a retry
-- of one already stored is recognised and stores nothing. `response` is the document the
-- server wrote for it.
CREATE TABLE web_answers (
    id          TEXT PRIMARY KEY,
    token       TEXT NOT NULL REFERENCES links (token),
    response    TEXT NOT NULL,
    received_at INTEGER NOT NULL
) STRICT;

CREATE INDEX web_answers_token ON web_answers (token);

-- Answer sets per link, client address and hour, for the per-address limit. Kept in the
-- database, not in one process, so that several server processes count together; hours
-- before the previous one are pruned as new ones are written.
CREATE TABLE link_uses (
    token   TEXT NOT NULL,
    address TEXT NOT NULL,
    hour    INTEGER NOT NULL,
    answers INTEGER NOT NULL,
    PRIMARY KEY (token, address, hour)
) STRICT, WITHOUT ROWID;
