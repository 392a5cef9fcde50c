-- Simpul replica schema, version 2: units' configuration documents, written by the server
-- and materialised here instead of as responses.
CREATE TABLE units (
    code       TEXT PRIMARY KEY,
    doc        TEXT NOT NULL UNIQUE,
    name       TEXT,
    period     TEXT,
    population INTEGER,
    form       TEXT
) WITHOUT ROWID;
