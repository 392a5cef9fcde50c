-- Simpul replica schema, version 1.
--
-- The change log and the documents are the truth; `responses`, `answers` and `conflicts`
-- are materialised from a document in the same transaction as every change to it, so that
-- lists and the IKM never have to load Automerge.

-- Device settings: actor id, active unit, period and form.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Every Automerge change this replica holds, in the order it was applied here. `seq` is the
-- local log position that bundles and uploads resume from.
CREATE TABLE changes (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    hash     BLOB    NOT NULL UNIQUE,
    doc      TEXT    NOT NULL,
    bytes    BLOB    NOT NULL,
    time     INTEGER NOT NULL,           -- capture time in ms since the epoch, from the change
    local    INTEGER NOT NULL,           -- 1 when authored on this device
    uploaded INTEGER NOT NULL DEFAULT 0  -- 1 once a server acknowledged it
);
CREATE INDEX changes_doc ON changes (doc);
CREATE INDEX changes_unuploaded ON changes (seq) WHERE uploaded = 0;

-- Changes received before the changes they depend on; applied as soon as those arrive.
CREATE TABLE pending (
    hash        BLOB PRIMARY KEY,
    doc         TEXT    NOT NULL,
    bytes       BLOB    NOT NULL,
    from_server INTEGER NOT NULL  -- 1 when pulled from the server, which need not get it back
) WITHOUT ROWID;

-- The saved Automerge document of every response.
CREATE TABLE documents (
    id    TEXT PRIMARY KEY,
    bytes BLOB NOT NULL
) WITHOUT ROWID;

-- One row per response. Scores sit in slots s1..s14 by the unsur's position in its method,
-- so the IKM over any filter is one scan with no join.
CREATE TABLE responses (
    id         TEXT PRIMARY KEY,
    form       TEXT    NOT NULL,
    method     TEXT    NOT NULL,
    unit       TEXT    NOT NULL,
    period     TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    serial     TEXT,
    service    TEXT,
    status     TEXT    NOT NULL,
    deleted    INTEGER NOT NULL,
    conflicts  INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    s1 INTEGER, s2 INTEGER, s3 INTEGER, s4 INTEGER, s5 INTEGER, s6 INTEGER, s7 INTEGER,
    s8 INTEGER, s9 INTEGER, s10 INTEGER, s11 INTEGER, s12 INTEGER, s13 INTEGER, s14 INTEGER
) WITHOUT ROWID;
CREATE INDEX responses_scope ON responses (period, unit);
CREATE INDEX responses_serial ON responses (serial) WHERE serial IS NOT NULL;

-- Every answered or explicitly unanswered item of a response, as canonical text.
CREATE TABLE answers (
    response TEXT NOT NULL,
    item     TEXT NOT NULL,
    value    TEXT,
    PRIMARY KEY (response, item)
) WITHOUT ROWID;

-- Fields that hold several concurrent values: `vals` is a JSON list of {value, by, at}.
CREATE TABLE conflicts (
    response TEXT NOT NULL,
    field    TEXT NOT NULL,
    vals     TEXT NOT NULL,
    PRIMARY KEY (response, field)
) WITHOUT ROWID;
