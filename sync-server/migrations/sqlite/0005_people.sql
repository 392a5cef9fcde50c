-- The sync server's schema, version 5: the people who use the server's web — admins,
-- supervisors and viewers — their sessions, and failed sign-ins, all in the database so that
-- several server processes can share them.

CREATE TABLE people (
    name          TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'viewer')),
    -- What a supervisor or viewer sees: every unit of an instansi, or the units listed in
    -- person_units. An admin sees everything.
    instansi      TEXT,
    -- Argon2id, in the PHC string format.
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
) STRICT;

CREATE TABLE person_units (
    person  TEXT NOT NULL REFERENCES people (name),
    unit    TEXT NOT NULL REFERENCES units (code),
    PRIMARY KEY (person, unit)
) STRICT, WITHOUT ROWID;

-- A signed-in browser. Only the token's SHA-256 is kept: a copy of the database signs no one in.
CREATE TABLE sessions (
    token_hash  BLOB PRIMARY KEY,
    person      TEXT NOT NULL REFERENCES people (name),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sessions_by_person ON sessions (person);

-- Failed sign-ins, by account (`account:NAME`) and by address (`address:IP`), pruned as
-- they age out of the throttling window.
CREATE TABLE sign_in_failures (
    key  TEXT NOT NULL,
    at   INTEGER NOT NULL
) STRICT;

CREATE INDEX sign_in_failures_by_key ON sign_in_failures (key, at);
