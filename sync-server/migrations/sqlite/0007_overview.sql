-- The sync server's schema, version 7: what the supervisors' overview reads, kept up to date
-- as responses are materialised, so that it costs the same for ten responses or a million.
--
-- `unit_totals`: per unit, period and method, the responses a report counts (final, not
-- deleted, not rejected) with per score slot the sum of its scores (t) and how many answered
-- it (a); of those, how many wait for a supervisor's review; and how many responses still
-- hold a conflict (not deleted, not rejected, whatever their status). `unit_days`: counted
-- responses per day of capture, on this machine's calendar.
--
-- Triggers on the materialised responses keep both, so no writer can forget them: the
-- follower replaces a response by deleting and inserting it, and each of the two moves the
-- figures. Reports with any other filter (service, channel, enumerator, days) still read the
-- responses themselves.

CREATE TABLE unit_totals (
    unit        TEXT NOT NULL,
    period      TEXT NOT NULL,
    method      TEXT NOT NULL,
    n           INTEGER NOT NULL DEFAULT 0,
    waiting     INTEGER NOT NULL DEFAULT 0,
    conflicted  INTEGER NOT NULL DEFAULT 0,
    t1 INTEGER NOT NULL DEFAULT 0, a1 INTEGER NOT NULL DEFAULT 0,
    t2 INTEGER NOT NULL DEFAULT 0, a2 INTEGER NOT NULL DEFAULT 0,
    t3 INTEGER NOT NULL DEFAULT 0, a3 INTEGER NOT NULL DEFAULT 0,
    t4 INTEGER NOT NULL DEFAULT 0, a4 INTEGER NOT NULL DEFAULT 0,
    t5 INTEGER NOT NULL DEFAULT 0, a5 INTEGER NOT NULL DEFAULT 0,
    t6 INTEGER NOT NULL DEFAULT 0, a6 INTEGER NOT NULL DEFAULT 0,
    t7 INTEGER NOT NULL DEFAULT 0, a7 INTEGER NOT NULL DEFAULT 0,
    t8 INTEGER NOT NULL DEFAULT 0, a8 INTEGER NOT NULL DEFAULT 0,
    t9 INTEGER NOT NULL DEFAULT 0, a9 INTEGER NOT NULL DEFAULT 0,
    t10 INTEGER NOT NULL DEFAULT 0, a10 INTEGER NOT NULL DEFAULT 0,
    t11 INTEGER NOT NULL DEFAULT 0, a11 INTEGER NOT NULL DEFAULT 0,
    t12 INTEGER NOT NULL DEFAULT 0, a12 INTEGER NOT NULL DEFAULT 0,
    t13 INTEGER NOT NULL DEFAULT 0, a13 INTEGER NOT NULL DEFAULT 0,
    t14 INTEGER NOT NULL DEFAULT 0, a14 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit, period, method)
) STRICT, WITHOUT ROWID;

INSERT INTO unit_totals (unit, period, method, n, waiting, conflicted, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6, t7, a7, t8, a8, t9, a9, t10, a10, t11, a11, t12, a12, t13, a13, t14, a14)
SELECT r.unit, r.period, r.method, SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected')), SUM(((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') AND r.review = 'received')), SUM((r.deleted = 0 AND r.review != 'rejected' AND r.conflicts > 0)), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') * COALESCE(r.s1, 0)), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') AND r.s1 IS NOT NULL), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') * COALESCE(r.s2, 0)), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') AND r.s2 IS NOT NULL), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') * COALESCE(r.s3, 0)), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') AND r.s3 IS NOT NULL), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') * COALESCE(r.s4, 0)), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') AND r.s4 IS NOT NULL), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') * COALESCE(r.s5, 0)), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') AND r.s5 IS NOT NULL), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') * COALESCE(r.s6, 0)), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') AND r.s6 IS NOT NULL), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') * COALESCE(r.s7, 0)), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') AND r.s7 IS NOT NULL), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') * COALESCE(r.s8, 0)), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') AND r.s8 IS NOT NULL), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') * COALESCE(r.s9, 0)), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') AND r.s9 IS NOT NULL), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') * COALESCE(r.s10, 0)), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') AND r.s10 IS NOT NULL), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') * COALESCE(r.s11, 0)), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') AND r.s11 IS NOT NULL), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') * COALESCE(r.s12, 0)), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') AND r.s12 IS NOT NULL), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') * COALESCE(r.s13, 0)), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') AND r.s13 IS NOT NULL), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') * COALESCE(r.s14, 0)), SUM((r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected') AND r.s14 IS NOT NULL)
FROM responses r
GROUP BY r.unit, r.period, r.method;

CREATE TABLE unit_days (
    unit    TEXT NOT NULL,
    period  TEXT NOT NULL,
    day     TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (unit, period, day)
) STRICT, WITHOUT ROWID;

INSERT INTO unit_days (unit, period, day, n)
SELECT r.unit, r.period, date(r.created_at / 1000, 'unixepoch', 'localtime'), COUNT(*) FROM responses r WHERE (r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected')
GROUP BY 1, 2, 3;

CREATE TRIGGER unit_totals_add AFTER INSERT ON responses
BEGIN
    INSERT INTO unit_totals (unit, period, method, n, waiting, conflicted, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6, t7, a7, t8, a8, t9, a9, t10, a10, t11, a11, t12, a12, t13, a13, t14, a14)
    VALUES (NEW.unit, NEW.period, NEW.method, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected'), ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.review = 'received'), (NEW.deleted = 0 AND NEW.review != 'rejected' AND NEW.conflicts > 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s1, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s1 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s2, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s2 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s3, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s3 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s4, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s4 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s5, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s5 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s6, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s6 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s7, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s7 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s8, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s8 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s9, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s9 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s10, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s10 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s11, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s11 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s12, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s12 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s13, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s13 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s14, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s14 IS NOT NULL)
    ON CONFLICT (unit, period, method) DO UPDATE SET
        n = n + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected'),
        waiting = waiting + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.review = 'received'),
        conflicted = conflicted + (NEW.deleted = 0 AND NEW.review != 'rejected' AND NEW.conflicts > 0),
        t1 = t1 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s1, 0), a1 = a1 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s1 IS NOT NULL),
        t2 = t2 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s2, 0), a2 = a2 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s2 IS NOT NULL),
        t3 = t3 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s3, 0), a3 = a3 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s3 IS NOT NULL),
        t4 = t4 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s4, 0), a4 = a4 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s4 IS NOT NULL),
        t5 = t5 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s5, 0), a5 = a5 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s5 IS NOT NULL),
        t6 = t6 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s6, 0), a6 = a6 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s6 IS NOT NULL),
        t7 = t7 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s7, 0), a7 = a7 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s7 IS NOT NULL),
        t8 = t8 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s8, 0), a8 = a8 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s8 IS NOT NULL),
        t9 = t9 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s9, 0), a9 = a9 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s9 IS NOT NULL),
        t10 = t10 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s10, 0), a10 = a10 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s10 IS NOT NULL),
        t11 = t11 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s11, 0), a11 = a11 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s11 IS NOT NULL),
        t12 = t12 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s12, 0), a12 = a12 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s12 IS NOT NULL),
        t13 = t13 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s13, 0), a13 = a13 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s13 IS NOT NULL),
        t14 = t14 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s14, 0), a14 = a14 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s14 IS NOT NULL);
    INSERT INTO unit_days (unit, period, day, n)
    SELECT NEW.unit, NEW.period, date(NEW.created_at / 1000, 'unixepoch', 'localtime'), 1 WHERE (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected')
    ON CONFLICT (unit, period, day) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER unit_totals_remove AFTER DELETE ON responses
BEGIN
    UPDATE unit_totals SET
        n = n - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected'),
        waiting = waiting - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.review = 'received'),
        conflicted = conflicted - (OLD.deleted = 0 AND OLD.review != 'rejected' AND OLD.conflicts > 0),
        t1 = t1 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s1, 0), a1 = a1 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s1 IS NOT NULL),
        t2 = t2 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s2, 0), a2 = a2 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s2 IS NOT NULL),
        t3 = t3 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s3, 0), a3 = a3 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s3 IS NOT NULL),
        t4 = t4 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s4, 0), a4 = a4 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s4 IS NOT NULL),
        t5 = t5 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s5, 0), a5 = a5 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s5 IS NOT NULL),
        t6 = t6 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s6, 0), a6 = a6 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s6 IS NOT NULL),
        t7 = t7 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s7, 0), a7 = a7 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s7 IS NOT NULL),
        t8 = t8 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s8, 0), a8 = a8 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s8 IS NOT NULL),
        t9 = t9 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s9, 0), a9 = a9 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s9 IS NOT NULL),
        t10 = t10 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s10, 0), a10 = a10 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s10 IS NOT NULL),
        t11 = t11 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s11, 0), a11 = a11 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s11 IS NOT NULL),
        t12 = t12 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s12, 0), a12 = a12 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s12 IS NOT NULL),
        t13 = t13 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s13, 0), a13 = a13 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s13 IS NOT NULL),
        t14 = t14 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s14, 0), a14 = a14 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s14 IS NOT NULL)
    WHERE unit = OLD.unit AND period = OLD.period AND method = OLD.method;
    UPDATE unit_days SET n = n - 1
    WHERE (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected')
      AND unit = OLD.unit AND period = OLD.period AND day = date(OLD.created_at / 1000, 'unixepoch', 'localtime');
END;

-- Nothing updates a materialised response in place today; should anything start to, the
-- figures follow it all the same.
CREATE TRIGGER unit_totals_update AFTER UPDATE ON responses
BEGIN
    UPDATE unit_totals SET
        n = n - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected'),
        waiting = waiting - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.review = 'received'),
        conflicted = conflicted - (OLD.deleted = 0 AND OLD.review != 'rejected' AND OLD.conflicts > 0),
        t1 = t1 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s1, 0), a1 = a1 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s1 IS NOT NULL),
        t2 = t2 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s2, 0), a2 = a2 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s2 IS NOT NULL),
        t3 = t3 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s3, 0), a3 = a3 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s3 IS NOT NULL),
        t4 = t4 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s4, 0), a4 = a4 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s4 IS NOT NULL),
        t5 = t5 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s5, 0), a5 = a5 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s5 IS NOT NULL),
        t6 = t6 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s6, 0), a6 = a6 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s6 IS NOT NULL),
        t7 = t7 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s7, 0), a7 = a7 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s7 IS NOT NULL),
        t8 = t8 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s8, 0), a8 = a8 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s8 IS NOT NULL),
        t9 = t9 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s9, 0), a9 = a9 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s9 IS NOT NULL),
        t10 = t10 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s10, 0), a10 = a10 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s10 IS NOT NULL),
        t11 = t11 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s11, 0), a11 = a11 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s11 IS NOT NULL),
        t12 = t12 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s12, 0), a12 = a12 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s12 IS NOT NULL),
        t13 = t13 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s13, 0), a13 = a13 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s13 IS NOT NULL),
        t14 = t14 - (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') * COALESCE(OLD.s14, 0), a14 = a14 - ((OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected') AND OLD.s14 IS NOT NULL)
    WHERE unit = OLD.unit AND period = OLD.period AND method = OLD.method;
    UPDATE unit_days SET n = n - 1
    WHERE (OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected')
      AND unit = OLD.unit AND period = OLD.period AND day = date(OLD.created_at / 1000, 'unixepoch', 'localtime');
    INSERT INTO unit_totals (unit, period, method, n, waiting, conflicted, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6, t7, a7, t8, a8, t9, a9, t10, a10, t11, a11, t12, a12, t13, a13, t14, a14)
    VALUES (NEW.unit, NEW.period, NEW.method, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected'), ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.review = 'received'), (NEW.deleted = 0 AND NEW.review != 'rejected' AND NEW.conflicts > 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s1, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s1 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s2, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s2 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s3, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s3 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s4, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s4 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s5, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s5 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s6, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s6 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s7, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s7 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s8, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s8 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s9, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s9 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s10, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s10 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s11, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s11 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s12, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s12 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s13, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s13 IS NOT NULL, (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s14, 0), (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s14 IS NOT NULL)
    ON CONFLICT (unit, period, method) DO UPDATE SET
        n = n + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected'),
        waiting = waiting + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.review = 'received'),
        conflicted = conflicted + (NEW.deleted = 0 AND NEW.review != 'rejected' AND NEW.conflicts > 0),
        t1 = t1 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s1, 0), a1 = a1 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s1 IS NOT NULL),
        t2 = t2 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s2, 0), a2 = a2 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s2 IS NOT NULL),
        t3 = t3 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s3, 0), a3 = a3 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s3 IS NOT NULL),
        t4 = t4 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s4, 0), a4 = a4 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s4 IS NOT NULL),
        t5 = t5 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s5, 0), a5 = a5 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s5 IS NOT NULL),
        t6 = t6 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s6, 0), a6 = a6 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s6 IS NOT NULL),
        t7 = t7 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s7, 0), a7 = a7 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s7 IS NOT NULL),
        t8 = t8 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s8, 0), a8 = a8 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s8 IS NOT NULL),
        t9 = t9 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s9, 0), a9 = a9 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s9 IS NOT NULL),
        t10 = t10 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s10, 0), a10 = a10 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s10 IS NOT NULL),
        t11 = t11 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s11, 0), a11 = a11 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s11 IS NOT NULL),
        t12 = t12 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s12, 0), a12 = a12 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s12 IS NOT NULL),
        t13 = t13 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s13, 0), a13 = a13 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s13 IS NOT NULL),
        t14 = t14 + (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') * COALESCE(NEW.s14, 0), a14 = a14 + ((NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected') AND NEW.s14 IS NOT NULL);
    INSERT INTO unit_days (unit, period, day, n)
    SELECT NEW.unit, NEW.period, date(NEW.created_at / 1000, 'unixepoch', 'localtime'), 1 WHERE (NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected')
    ON CONFLICT (unit, period, day) DO UPDATE SET n = n + 1;
END;

-- When a device last synced with this server: the overview marks one silent for more than
-- seven days. Written at most every few minutes per device (see `routes/sync.rs`).
ALTER TABLE devices ADD COLUMN last_sync_at TEXT;
