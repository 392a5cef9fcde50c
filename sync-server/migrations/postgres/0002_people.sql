-- The PostgreSQL schema, version 2: people, their units, sessions and failed sign-ins, as
-- SQLite's migration 5 made them. They live in the database so that every node honours a
-- session another node opened and counts the failed sign-ins all nodes saw.

CREATE TABLE people (
    name           TEXT PRIMARY KEY,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'viewer')),
    instansi       TEXT,
    password_hash  TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    disabled_at    TIMESTAMPTZ
);

CREATE TABLE person_units (
    person  TEXT NOT NULL REFERENCES people (name),
    unit    TEXT NOT NULL REFERENCES units (code),
    PRIMARY KEY (person, unit)
);

CREATE TABLE sessions (
    token_hash  BYTEA PRIMARY KEY,
    person      TEXT NOT NULL REFERENCES people (name),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX sessions_by_person ON sessions (person);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE sign_in_failures (
    key  TEXT NOT NULL,
    at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX sign_in_failures_by_key ON sign_in_failures (key, at);
CREATE INDEX sign_in_failures_by_time ON sign_in_failures (at);
