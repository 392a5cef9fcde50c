-- Simpul replica schema, version 3: what belongs to this device alone and never syncs —
-- the people who capture on it, its local settings, and unfinished questionnaires.

-- Enumerators who sign in on this device. The PIN is kept only as a salted hash (PHC string).
CREATE TABLE enumerators (
    id         TEXT PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    pin_hash   TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Device-local settings (language, the unit's name and population typed at setup, the kiosk
-- PIN hash). Kept apart from `meta`, which holds what the replica itself runs on.
CREATE TABLE local_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Interviews and kiosk sessions still being filled in, saved after every answer. A draft's
-- id becomes its response's id, and it is deleted in the transaction that writes the
-- response, so a draft is never submitted twice.
CREATE TABLE drafts (
    id         TEXT PRIMARY KEY,
    channel    TEXT    NOT NULL,
    answers    TEXT    NOT NULL,  -- JSON object: item id → raw answer
    step       INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX drafts_channel ON drafts (channel, updated_at);
