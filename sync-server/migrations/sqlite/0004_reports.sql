-- The sync server's schema, version 4: units grouped by instansi, who captured each
-- response, and reports across units.
--
-- The materialised tables are derived from the change log, so they are rebuilt here in a
-- leaner shape rather than altered: the follower starts again from watermark 0 and fills
-- them (and the new columns) from every stored change.

-- The district or agency a unit belongs to, set by an administrator; NULL when none.
ALTER TABLE units ADD COLUMN instansi TEXT;
-- The unit's active period, population and form, as its configuration document last read
-- (kept by the follower): what a report across units needs without loading documents.
ALTER TABLE units ADD COLUMN period TEXT;
ALTER TABLE units ADD COLUMN population INTEGER;
ALTER TABLE units ADD COLUMN form TEXT;

CREATE INDEX units_by_instansi ON units (instansi, code);

DROP TABLE answers;
DROP TABLE conflicts;
DROP TABLE responses;

-- Clustered by unit and period: a report reads one range of the table, never looking a row
-- up by id; the id index serves the follower's replacements and the joins by id.
CREATE TABLE responses (
    unit        TEXT NOT NULL,
    period      TEXT NOT NULL,
    id          TEXT NOT NULL,
    form        TEXT NOT NULL,
    method      TEXT NOT NULL,
    channel     TEXT NOT NULL,
    serial      TEXT,
    service     TEXT,
    -- Who captured it: the author of its header change (an enumerator, a device, a person).
    enumerator  TEXT,
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
    s8 INTEGER, s9 INTEGER, s10 INTEGER, s11 INTEGER, s12 INTEGER, s13 INTEGER, s14 INTEGER,
    PRIMARY KEY (unit, period, id)
) STRICT, WITHOUT ROWID;

CREATE UNIQUE INDEX responses_by_id ON responses (id);

-- Every answer of a response as one JSON object {item: value-or-null}: read only by exports,
-- so one row per response instead of one per answer (which repeated the id fifteen times).
CREATE TABLE answers (
    response  TEXT PRIMARY KEY,
    items     TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- A field holding several values: JSON [{value, by, at}, …].
CREATE TABLE conflicts (
    response  TEXT NOT NULL,
    field     TEXT NOT NULL,
    vals      TEXT NOT NULL,
    PRIMARY KEY (response, field)
) STRICT, WITHOUT ROWID;

-- Which devices sent changes of a unit's responses of a period: "devices" in a report
-- across units, without reading the change log.
CREATE TABLE unit_devices (
    unit    TEXT NOT NULL,
    period  TEXT NOT NULL,
    device  TEXT NOT NULL,
    PRIMARY KEY (unit, period, device)
) STRICT, WITHOUT ROWID;

UPDATE materialised SET watermark = 0;
