-- The PostgreSQL schema, version 5: follow-up plans (RTL) and the report's narrative per
-- unit and period, and what a unit did about each suggestion, as SQLite's migrations 6 and 9
-- made them. Periods compare byte by byte ("the latest period before this one"), whatever
-- the database's locale.

CREATE TABLE plans (
    unit        TEXT NOT NULL REFERENCES units (code),
    period      TEXT COLLATE "C" NOT NULL,
    fkp_date    DATE,
    updated_by  TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (unit, period)
);

CREATE TABLE plan_items (
    unit         TEXT NOT NULL,
    period       TEXT COLLATE "C" NOT NULL,
    no           INTEGER NOT NULL,
    unsur        TEXT NOT NULL,
    program      TEXT NOT NULL,
    -- Quarter codes joined by commas: "TW1,TW3".
    quarters     TEXT NOT NULL,
    responsible  TEXT NOT NULL,
    PRIMARY KEY (unit, period, no),
    FOREIGN KEY (unit, period) REFERENCES plans (unit, period)
);

CREATE TABLE plan_follow_ups (
    unit         TEXT NOT NULL,
    period       TEXT COLLATE "C" NOT NULL,
    no           INTEGER NOT NULL,
    done         BOOLEAN NOT NULL,
    description  TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (unit, period, no)
);

CREATE TABLE narratives (
    unit        TEXT NOT NULL REFERENCES units (code),
    period      TEXT COLLATE "C" NOT NULL,
    field       TEXT NOT NULL,
    text        TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (unit, period, field)
);

CREATE TABLE saran_marks (
    response     UUID PRIMARY KEY,
    unit         TEXT NOT NULL REFERENCES units (code),
    followed_up  BOOLEAN NOT NULL,
    rtl_item     BIGINT CHECK (rtl_item >= 1),
    updated_by   TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX saran_marks_unit ON saran_marks (unit);
