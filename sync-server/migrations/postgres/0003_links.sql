-- The PostgreSQL schema, version 3: survey links, the answer sets that came through them,
-- each address's use of a link per hour, and invitations, as SQLite's migrations 11 and 12
-- made them. The per-hour counts live here so that every node counts the same uses.

CREATE TABLE links (
    token       TEXT PRIMARY KEY,
    unit        TEXT NOT NULL REFERENCES units (code),
    service     TEXT,
    period      TEXT,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    closed_at   TIMESTAMPTZ,
    -- An invitation's link takes one answer set.
    single_use  BOOLEAN NOT NULL DEFAULT FALSE,
    answers     BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX links_unit ON links (unit);

CREATE TABLE web_answers (
    id           UUID PRIMARY KEY,
    token        TEXT NOT NULL REFERENCES links (token),
    response     UUID NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX web_answers_token ON web_answers (token);

CREATE TABLE link_uses (
    token    TEXT NOT NULL,
    address  TEXT NOT NULL,
    hour     BIGINT NOT NULL,
    answers  BIGINT NOT NULL,
    PRIMARY KEY (token, address, hour)
);

CREATE INDEX link_uses_hour ON link_uses (hour);

CREATE TABLE invitations (
    token         TEXT PRIMARY KEY REFERENCES links (token),
    -- The order recipients were imported in.
    added         BIGINT GENERATED ALWAYS AS IDENTITY,
    name          TEXT NOT NULL,
    phone         TEXT,
    email         TEXT,
    service_date  DATE,
    sent_at       TIMESTAMPTZ,
    reminded_at   TIMESTAMPTZ,
    opened_at     TIMESTAMPTZ,
    opted_out_at  TIMESTAMPTZ
);
