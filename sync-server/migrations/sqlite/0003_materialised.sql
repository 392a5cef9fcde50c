-- The sync server's schema, version 3: the server as a full replica.
--
-- A follower reads every stored change into its document and keeps these tables, as a
-- device keeps its own, so that reports and reviews never load Automerge. It works behind
-- the change log: everything up to `materialised.watermark` is in them.

CREATE TABLE responses (
    id          TEXT PRIMARY KEY,
    unit        TEXT NOT NULL,
    form        TEXT NOT NULL,
    method      TEXT NOT NULL,
    period      TEXT NOT NULL,
    channel     TEXT NOT NULL,
    serial      TEXT,
    service     TEXT,
    status      TEXT NOT NULL,
    deleted     INTEGER NOT NULL,
    -- A supervisor's review: received, has-issues, approved or rejected (with a note).
    review      TEXT NOT NULL,
    review_note TEXT,
    conflicts   INTEGER NOT NULL,
    -- Milliseconds since the epoch, from the authors' clocks: the first and last change.
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    s1 INTEGER, s2 INTEGER, s3 INTEGER, s4 INTEGER, s5 INTEGER, s6 INTEGER, s7 INTEGER,
    s8 INTEGER, s9 INTEGER, s10 INTEGER, s11 INTEGER, s12 INTEGER, s13 INTEGER, s14 INTEGER
) STRICT;

CREATE INDEX responses_by_unit ON responses (unit, period);

CREATE TABLE answers (
    response  TEXT NOT NULL,
    item      TEXT NOT NULL,
    value     TEXT,
    PRIMARY KEY (response, item)
) STRICT, WITHOUT ROWID;

-- A field holding several values: JSON [{value, by, at}, …].
CREATE TABLE conflicts (
    response  TEXT NOT NULL,
    field     TEXT NOT NULL,
    vals      TEXT NOT NULL,
    PRIMARY KEY (response, field)
) STRICT, WITHOUT ROWID;

CREATE TABLE materialised (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    watermark  INTEGER NOT NULL
) STRICT;

INSERT INTO materialised (id, watermark) VALUES (1, 0);

-- Loading one document's changes.
CREATE INDEX changes_by_doc ON changes (doc, seq);
