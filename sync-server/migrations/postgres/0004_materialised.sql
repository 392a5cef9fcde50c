-- The PostgreSQL schema, version 4: the tables the follower materialises from the change log
-- and the running totals the supervisors' overview reads, as SQLite's migrations 3, 4, 7 and
-- 10 left them. Everything up to `materialised.watermark` is in them.
--
-- Response ids are uuid; `created_at` and `updated_at` stay milliseconds since the epoch from
-- the authors' clocks, as reports filter them. Answers and conflicting values are jsonb.

CREATE TABLE responses (
    id          UUID PRIMARY KEY,
    unit        TEXT NOT NULL,
    period      TEXT NOT NULL,
    form        TEXT NOT NULL,
    method      TEXT NOT NULL,
    channel     TEXT NOT NULL,
    serial      TEXT,
    service     TEXT,
    -- Who captured it: the author of its header change (an enumerator, a device, a person).
    enumerator  TEXT,
    status      TEXT NOT NULL,
    deleted     BOOLEAN NOT NULL,
    -- A supervisor's review: received, has-issues, approved or rejected (with a note).
    review      TEXT NOT NULL,
    review_note TEXT,
    conflicts   INTEGER NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    s1 INTEGER, s2 INTEGER, s3 INTEGER, s4 INTEGER, s5 INTEGER, s6 INTEGER, s7 INTEGER, s8 INTEGER, s9 INTEGER, s10 INTEGER, s11 INTEGER, s12 INTEGER, s13 INTEGER, s14 INTEGER
);

-- A report reads one unit's period; an export and the review queue, one unit by time.
CREATE INDEX responses_by_unit ON responses (unit, period);
CREATE INDEX responses_by_time ON responses (unit, created_at, id);

-- Every answer of a response as one object {item: value-or-null}.
CREATE TABLE answers (
    response  UUID PRIMARY KEY,
    items     JSONB NOT NULL
);

-- A field holding several values: [{value, by, at}, …].
CREATE TABLE conflicts (
    response  UUID NOT NULL,
    field     TEXT NOT NULL,
    vals      JSONB NOT NULL,
    PRIMARY KEY (response, field)
);

-- Which devices sent changes of a unit's responses of a period: "devices" in a report
-- across units, without reading the change log.
CREATE TABLE unit_devices (
    unit    TEXT NOT NULL,
    period  TEXT NOT NULL,
    device  TEXT NOT NULL,
    PRIMARY KEY (unit, period, device)
);

CREATE TABLE materialised (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    watermark  BIGINT NOT NULL
);

INSERT INTO materialised (id, watermark) VALUES (1, 0);

-- Per unit, period and method, the responses a report counts (final, not deleted, not
-- rejected) with per score slot the sum of its scores (t) and how many answered it (a); of
-- those, how many wait for a supervisor's review; and how many responses still hold a
-- conflict (not deleted, not rejected, whatever their status).
CREATE TABLE unit_totals (
    unit        TEXT NOT NULL,
    period      TEXT NOT NULL,
    method      TEXT NOT NULL,
    n           BIGINT NOT NULL DEFAULT 0,
    waiting     BIGINT NOT NULL DEFAULT 0,
    conflicted  BIGINT NOT NULL DEFAULT 0,
    t1 BIGINT NOT NULL DEFAULT 0, a1 BIGINT NOT NULL DEFAULT 0,
    t2 BIGINT NOT NULL DEFAULT 0, a2 BIGINT NOT NULL DEFAULT 0,
    t3 BIGINT NOT NULL DEFAULT 0, a3 BIGINT NOT NULL DEFAULT 0,
    t4 BIGINT NOT NULL DEFAULT 0, a4 BIGINT NOT NULL DEFAULT 0,
    t5 BIGINT NOT NULL DEFAULT 0, a5 BIGINT NOT NULL DEFAULT 0,
    t6 BIGINT NOT NULL DEFAULT 0, a6 BIGINT NOT NULL DEFAULT 0,
    t7 BIGINT NOT NULL DEFAULT 0, a7 BIGINT NOT NULL DEFAULT 0,
    t8 BIGINT NOT NULL DEFAULT 0, a8 BIGINT NOT NULL DEFAULT 0,
    t9 BIGINT NOT NULL DEFAULT 0, a9 BIGINT NOT NULL DEFAULT 0,
    t10 BIGINT NOT NULL DEFAULT 0, a10 BIGINT NOT NULL DEFAULT 0,
    t11 BIGINT NOT NULL DEFAULT 0, a11 BIGINT NOT NULL DEFAULT 0,
    t12 BIGINT NOT NULL DEFAULT 0, a12 BIGINT NOT NULL DEFAULT 0,
    t13 BIGINT NOT NULL DEFAULT 0, a13 BIGINT NOT NULL DEFAULT 0,
    t14 BIGINT NOT NULL DEFAULT 0, a14 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit, period, method)
);

-- Counted responses per day of capture, on the calendar of the session's time zone: every
-- node sets its connections' to its own (see `PostgresStorage::connect`), as SQLite reads
-- the machine's.
CREATE TABLE unit_days (
    unit    TEXT NOT NULL,
    period  TEXT NOT NULL,
    day     DATE NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (unit, period, day)
);

-- Adds what response `r` contributes to the running totals (`sign` 1) or takes it away
-- (`sign` -1). A response that does not count but still holds a conflict (a draft) moves
-- only `conflicted`.
CREATE FUNCTION unit_totals_move(r responses, sign BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF r.deleted OR r.review = 'rejected' THEN
        RETURN;
    END IF;
    IF r.status = 'final' THEN
        INSERT INTO unit_totals (unit, period, method, n, waiting, conflicted,
            t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6, t7, a7, t8, a8, t9, a9, t10, a10, t11, a11, t12, a12, t13, a13, t14, a14)
        VALUES (r.unit, r.period, r.method, sign,
            sign * (r.review = 'received')::INTEGER, sign * (r.conflicts > 0)::INTEGER,
            sign * COALESCE(r.s1, 0), sign * (r.s1 IS NOT NULL)::INTEGER,
            sign * COALESCE(r.s2, 0), sign * (r.s2 IS NOT NULL)::INTEGER,
            sign * COALESCE(r.s3, 0), sign * (r.s3 IS NOT NULL)::INTEGER,
            sign * COALESCE(r.s4, 0), sign * (r.s4 IS NOT NULL)::INTEGER,
            sign * COALESCE(r.s5, 0), sign * (r.s5 IS NOT NULL)::INTEGER,
            sign * COALESCE(r.s6, 0), sign * (r.s6 IS NOT NULL)::INTEGER,
            sign * COALESCE(r.s7, 0), sign * (r.s7 IS NOT NULL)::INTEGER,
            sign * COALESCE(r.s8, 0), sign * (r.s8 IS NOT NULL)::INTEGER,
            sign * COALESCE(r.s9, 0), sign * (r.s9 IS NOT NULL)::INTEGER,
            sign * COALESCE(r.s10, 0), sign * (r.s10 IS NOT NULL)::INTEGER,
            sign * COALESCE(r.s11, 0), sign * (r.s11 IS NOT NULL)::INTEGER,
            sign * COALESCE(r.s12, 0), sign * (r.s12 IS NOT NULL)::INTEGER,
            sign * COALESCE(r.s13, 0), sign * (r.s13 IS NOT NULL)::INTEGER,
            sign * COALESCE(r.s14, 0), sign * (r.s14 IS NOT NULL)::INTEGER)
        ON CONFLICT (unit, period, method) DO UPDATE SET
            n = unit_totals.n + excluded.n,
            waiting = unit_totals.waiting + excluded.waiting,
            conflicted = unit_totals.conflicted + excluded.conflicted,
            t1 = unit_totals.t1 + excluded.t1, a1 = unit_totals.a1 + excluded.a1,
            t2 = unit_totals.t2 + excluded.t2, a2 = unit_totals.a2 + excluded.a2,
            t3 = unit_totals.t3 + excluded.t3, a3 = unit_totals.a3 + excluded.a3,
            t4 = unit_totals.t4 + excluded.t4, a4 = unit_totals.a4 + excluded.a4,
            t5 = unit_totals.t5 + excluded.t5, a5 = unit_totals.a5 + excluded.a5,
            t6 = unit_totals.t6 + excluded.t6, a6 = unit_totals.a6 + excluded.a6,
            t7 = unit_totals.t7 + excluded.t7, a7 = unit_totals.a7 + excluded.a7,
            t8 = unit_totals.t8 + excluded.t8, a8 = unit_totals.a8 + excluded.a8,
            t9 = unit_totals.t9 + excluded.t9, a9 = unit_totals.a9 + excluded.a9,
            t10 = unit_totals.t10 + excluded.t10, a10 = unit_totals.a10 + excluded.a10,
            t11 = unit_totals.t11 + excluded.t11, a11 = unit_totals.a11 + excluded.a11,
            t12 = unit_totals.t12 + excluded.t12, a12 = unit_totals.a12 + excluded.a12,
            t13 = unit_totals.t13 + excluded.t13, a13 = unit_totals.a13 + excluded.a13,
            t14 = unit_totals.t14 + excluded.t14, a14 = unit_totals.a14 + excluded.a14;
        INSERT INTO unit_days (unit, period, day, n)
        VALUES (r.unit, r.period, to_timestamp(r.created_at / 1000.0)::date, sign)
        ON CONFLICT (unit, period, day) DO UPDATE SET n = unit_days.n + excluded.n;
    ELSIF r.conflicts > 0 THEN
        INSERT INTO unit_totals (unit, period, method, conflicted)
        VALUES (r.unit, r.period, r.method, sign)
        ON CONFLICT (unit, period, method) DO UPDATE SET
            conflicted = unit_totals.conflicted + excluded.conflicted;
    END IF;
END;
$$;

-- The follower replaces a response by deleting and inserting it; an update in place moves
-- the figures as a removal and an addition.
CREATE FUNCTION responses_keep_totals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM unit_totals_move(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM unit_totals_move(NEW, 1);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER responses_keep_totals AFTER INSERT OR UPDATE OR DELETE ON responses
FOR EACH ROW EXECUTE FUNCTION responses_keep_totals();
