-- The PostgreSQL schema, version 1: the change log, as SQLite's migrations 1, 2, 4 (the
-- unit's columns), 7 (a device's last sync), 8 (public pages) and 13 (the log's identity)
-- left it. Times are timestamptz, hashes and changes bytea, document ids uuid.

CREATE TABLE units (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    instansi    TEXT,
    -- What the unit's configuration document says, as last materialised.
    period      TEXT,
    population  BIGINT,
    form        TEXT,
    public      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX units_by_instansi ON units (instansi, code);

CREATE TABLE enrolment_codes (
    code_hash   BYTEA PRIMARY KEY,
    unit        TEXT NOT NULL REFERENCES units (code),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ,
    device_id   TEXT
);

CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    unit          TEXT NOT NULL REFERENCES units (code),
    name          TEXT NOT NULL,
    token_hash    BYTEA NOT NULL UNIQUE,
    enrolled_at   TIMESTAMPTZ NOT NULL,
    revoked_at    TIMESTAMPTZ,
    last_sync_at  TIMESTAMPTZ
);

-- Positions are drawn only while the change log's lock is held, and that lock is held until
-- commit (see `storage/postgres.rs`), so they become visible in order. A rolled-back
-- transaction leaves a gap that no later change ever fills.
CREATE TABLE changes (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hash         BYTEA NOT NULL UNIQUE,
    doc          UUID NOT NULL,
    unit         TEXT NOT NULL,
    device       TEXT NOT NULL,
    bytes        BYTEA NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX changes_by_unit ON changes (unit, seq);
CREATE INDEX changes_by_doc ON changes (doc, seq);

CREATE TABLE pushes (
    device           TEXT NOT NULL,
    idempotency_key  UUID NOT NULL,
    stored           BIGINT NOT NULL,
    received_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (device, idempotency_key)
);

-- The unit each document belongs to, claimed by the change that created it.
CREATE TABLE documents (
    doc   UUID PRIMARY KEY,
    unit  TEXT NOT NULL
);

-- The log's identity, sent with every sync answer; a restore gives it a new one.
CREATE TABLE change_log (
    id TEXT NOT NULL
);

INSERT INTO change_log (id) VALUES (replace(gen_random_uuid()::text, '-', ''));
