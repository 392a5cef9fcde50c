-- The sync server's schema, version 1.
--
-- Times are UTC RFC 3339 text. Secrets (enrolment codes, device tokens) are stored only as
-- SHA-256 hashes: a copy of this file lets no one enrol or sync.

-- A public-service unit. Devices belong to exactly one; changes are shared within one.
CREATE TABLE units (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

-- One-time enrolment codes handed out by an administrator.
CREATE TABLE enrolment_codes (
    code_hash   BLOB PRIMARY KEY,
    unit        TEXT NOT NULL REFERENCES units (code),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    -- Set when the code is exchanged for a device token.
    used_at     TEXT,
    device_id   TEXT
) STRICT;

CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    unit         TEXT NOT NULL REFERENCES units (code),
    name         TEXT NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE,
    enrolled_at  TEXT NOT NULL,
    revoked_at   TEXT
) STRICT;

-- Every Automerge change the server holds, keyed by its hash. `seq` is the server order the
-- pull cursor walks: AUTOINCREMENT so that a number, once used, is never handed out again.
CREATE TABLE changes (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    hash         BLOB NOT NULL UNIQUE,
    doc          TEXT NOT NULL,
    unit         TEXT NOT NULL,
    device       TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    received_at  TEXT NOT NULL
) STRICT;

-- The pull query: one unit's changes after a cursor, in order.
CREATE INDEX changes_by_unit ON changes (unit, seq);

-- What a push under an idempotency key stored, so a retry reports the same count.
CREATE TABLE pushes (
    device           TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    stored           INTEGER NOT NULL,
    received_at      TEXT NOT NULL,
    PRIMARY KEY (device, idempotency_key)
) STRICT, WITHOUT ROWID;
