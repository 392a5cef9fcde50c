-- The sync server's schema, version 6: what a unit writes beside its results for the
-- official report — the follow-up plan (RTL) of a period, what became of each item of it,
-- and the report's narrative — each row naming the person who last changed it.

-- One plan per unit and period. Periods compare as their codes sort.
CREATE TABLE plans (
    unit        TEXT NOT NULL REFERENCES units (code),
    period      TEXT NOT NULL,
    -- The day of the Forum Konsultasi Publik, YYYY-MM-DD.
    fkp_date    TEXT,
    updated_by  TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (unit, period)
) STRICT, WITHOUT ROWID;

-- The plan's rows, numbered from 1; a change of the plan replaces them all.
CREATE TABLE plan_items (
    unit         TEXT NOT NULL,
    period       TEXT NOT NULL,
    no           INTEGER NOT NULL,
    unsur        TEXT NOT NULL,
    program      TEXT NOT NULL,
    -- Quarters as "I,III".
    quarters     TEXT NOT NULL,
    responsible  TEXT NOT NULL,
    PRIMARY KEY (unit, period, no),
    FOREIGN KEY (unit, period) REFERENCES plans (unit, period)
) STRICT, WITHOUT ROWID;

-- What became of item `no` of the plan of (unit, period), written with the next period's
-- plan. Kept by number, so rewording an item keeps its follow-up.
CREATE TABLE plan_follow_ups (
    unit         TEXT NOT NULL,
    period       TEXT NOT NULL,
    no           INTEGER NOT NULL,
    done         INTEGER NOT NULL CHECK (done IN (0, 1)),
    description  TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (unit, period, no)
) STRICT, WITHOUT ROWID;

-- A part of the report a unit rewrote; a part without a row has its generated default.
CREATE TABLE narratives (
    unit        TEXT NOT NULL REFERENCES units (code),
    period      TEXT NOT NULL,
    field       TEXT NOT NULL,
    text        TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (unit, period, field)
) STRICT, WITHOUT ROWID;
