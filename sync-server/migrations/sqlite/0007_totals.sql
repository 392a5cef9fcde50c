-- The sync server's schema, version 7: running totals per unit, period and method.
--
-- A report across every unit reads one row per unit here instead of summing a million
-- responses. The totals hold exactly what a report counts (final, not deleted, not rejected)
-- and are kept by triggers on the materialised responses, so no writer can forget them: the
-- follower replaces a response by deleting and inserting it, and each of the two moves the
-- totals. Reports with any other filter (service, channel, enumerator, days) still read the
-- responses themselves.

CREATE TABLE unit_totals (
    unit    TEXT NOT NULL,
    period  TEXT NOT NULL,
    method  TEXT NOT NULL,
    -- Counted responses; per score slot i, the sum of its scores (t) and how many answered it (a).
    n       INTEGER NOT NULL DEFAULT 0,
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

INSERT INTO unit_totals (unit, period, method, n, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6, t7, a7, t8, a8, t9, a9, t10, a10, t11, a11, t12, a12, t13, a13, t14, a14)
SELECT unit, period, method, COUNT(*), SUM(COALESCE(s1, 0)), COUNT(s1), SUM(COALESCE(s2, 0)), COUNT(s2), SUM(COALESCE(s3, 0)), COUNT(s3), SUM(COALESCE(s4, 0)), COUNT(s4), SUM(COALESCE(s5, 0)), COUNT(s5), SUM(COALESCE(s6, 0)), COUNT(s6), SUM(COALESCE(s7, 0)), COUNT(s7), SUM(COALESCE(s8, 0)), COUNT(s8), SUM(COALESCE(s9, 0)), COUNT(s9), SUM(COALESCE(s10, 0)), COUNT(s10), SUM(COALESCE(s11, 0)), COUNT(s11), SUM(COALESCE(s12, 0)), COUNT(s12), SUM(COALESCE(s13, 0)), COUNT(s13), SUM(COALESCE(s14, 0)), COUNT(s14)
FROM responses WHERE status = 'final' AND deleted = 0 AND review != 'rejected'
GROUP BY unit, period, method;

CREATE TRIGGER unit_totals_add AFTER INSERT ON responses
WHEN NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected'
BEGIN
    INSERT INTO unit_totals (unit, period, method, n, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6, t7, a7, t8, a8, t9, a9, t10, a10, t11, a11, t12, a12, t13, a13, t14, a14)
    VALUES (NEW.unit, NEW.period, NEW.method, 1, COALESCE(NEW.s1, 0), NEW.s1 IS NOT NULL, COALESCE(NEW.s2, 0), NEW.s2 IS NOT NULL, COALESCE(NEW.s3, 0), NEW.s3 IS NOT NULL, COALESCE(NEW.s4, 0), NEW.s4 IS NOT NULL, COALESCE(NEW.s5, 0), NEW.s5 IS NOT NULL, COALESCE(NEW.s6, 0), NEW.s6 IS NOT NULL, COALESCE(NEW.s7, 0), NEW.s7 IS NOT NULL, COALESCE(NEW.s8, 0), NEW.s8 IS NOT NULL, COALESCE(NEW.s9, 0), NEW.s9 IS NOT NULL, COALESCE(NEW.s10, 0), NEW.s10 IS NOT NULL, COALESCE(NEW.s11, 0), NEW.s11 IS NOT NULL, COALESCE(NEW.s12, 0), NEW.s12 IS NOT NULL, COALESCE(NEW.s13, 0), NEW.s13 IS NOT NULL, COALESCE(NEW.s14, 0), NEW.s14 IS NOT NULL)
    ON CONFLICT (unit, period, method) DO UPDATE SET n = n + 1,
        t1 = t1 + COALESCE(NEW.s1, 0), a1 = a1 + (NEW.s1 IS NOT NULL),
        t2 = t2 + COALESCE(NEW.s2, 0), a2 = a2 + (NEW.s2 IS NOT NULL),
        t3 = t3 + COALESCE(NEW.s3, 0), a3 = a3 + (NEW.s3 IS NOT NULL),
        t4 = t4 + COALESCE(NEW.s4, 0), a4 = a4 + (NEW.s4 IS NOT NULL),
        t5 = t5 + COALESCE(NEW.s5, 0), a5 = a5 + (NEW.s5 IS NOT NULL),
        t6 = t6 + COALESCE(NEW.s6, 0), a6 = a6 + (NEW.s6 IS NOT NULL),
        t7 = t7 + COALESCE(NEW.s7, 0), a7 = a7 + (NEW.s7 IS NOT NULL),
        t8 = t8 + COALESCE(NEW.s8, 0), a8 = a8 + (NEW.s8 IS NOT NULL),
        t9 = t9 + COALESCE(NEW.s9, 0), a9 = a9 + (NEW.s9 IS NOT NULL),
        t10 = t10 + COALESCE(NEW.s10, 0), a10 = a10 + (NEW.s10 IS NOT NULL),
        t11 = t11 + COALESCE(NEW.s11, 0), a11 = a11 + (NEW.s11 IS NOT NULL),
        t12 = t12 + COALESCE(NEW.s12, 0), a12 = a12 + (NEW.s12 IS NOT NULL),
        t13 = t13 + COALESCE(NEW.s13, 0), a13 = a13 + (NEW.s13 IS NOT NULL),
        t14 = t14 + COALESCE(NEW.s14, 0), a14 = a14 + (NEW.s14 IS NOT NULL);
END;

CREATE TRIGGER unit_totals_remove AFTER DELETE ON responses
WHEN OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected'
BEGIN
    UPDATE unit_totals SET n = n - 1,
        t1 = t1 - COALESCE(OLD.s1, 0), a1 = a1 - (OLD.s1 IS NOT NULL),
        t2 = t2 - COALESCE(OLD.s2, 0), a2 = a2 - (OLD.s2 IS NOT NULL),
        t3 = t3 - COALESCE(OLD.s3, 0), a3 = a3 - (OLD.s3 IS NOT NULL),
        t4 = t4 - COALESCE(OLD.s4, 0), a4 = a4 - (OLD.s4 IS NOT NULL),
        t5 = t5 - COALESCE(OLD.s5, 0), a5 = a5 - (OLD.s5 IS NOT NULL),
        t6 = t6 - COALESCE(OLD.s6, 0), a6 = a6 - (OLD.s6 IS NOT NULL),
        t7 = t7 - COALESCE(OLD.s7, 0), a7 = a7 - (OLD.s7 IS NOT NULL),
        t8 = t8 - COALESCE(OLD.s8, 0), a8 = a8 - (OLD.s8 IS NOT NULL),
        t9 = t9 - COALESCE(OLD.s9, 0), a9 = a9 - (OLD.s9 IS NOT NULL),
        t10 = t10 - COALESCE(OLD.s10, 0), a10 = a10 - (OLD.s10 IS NOT NULL),
        t11 = t11 - COALESCE(OLD.s11, 0), a11 = a11 - (OLD.s11 IS NOT NULL),
        t12 = t12 - COALESCE(OLD.s12, 0), a12 = a12 - (OLD.s12 IS NOT NULL),
        t13 = t13 - COALESCE(OLD.s13, 0), a13 = a13 - (OLD.s13 IS NOT NULL),
        t14 = t14 - COALESCE(OLD.s14, 0), a14 = a14 - (OLD.s14 IS NOT NULL)
    WHERE unit = OLD.unit AND period = OLD.period AND method = OLD.method;
END;

-- Nothing updates a materialised response in place today; should anything start to, the
-- totals follow it all the same.
CREATE TRIGGER unit_totals_update AFTER UPDATE ON responses
BEGIN
    UPDATE unit_totals SET n = n - 1,
        t1 = t1 - COALESCE(OLD.s1, 0), a1 = a1 - (OLD.s1 IS NOT NULL),
        t2 = t2 - COALESCE(OLD.s2, 0), a2 = a2 - (OLD.s2 IS NOT NULL),
        t3 = t3 - COALESCE(OLD.s3, 0), a3 = a3 - (OLD.s3 IS NOT NULL),
        t4 = t4 - COALESCE(OLD.s4, 0), a4 = a4 - (OLD.s4 IS NOT NULL),
        t5 = t5 - COALESCE(OLD.s5, 0), a5 = a5 - (OLD.s5 IS NOT NULL),
        t6 = t6 - COALESCE(OLD.s6, 0), a6 = a6 - (OLD.s6 IS NOT NULL),
        t7 = t7 - COALESCE(OLD.s7, 0), a7 = a7 - (OLD.s7 IS NOT NULL),
        t8 = t8 - COALESCE(OLD.s8, 0), a8 = a8 - (OLD.s8 IS NOT NULL),
        t9 = t9 - COALESCE(OLD.s9, 0), a9 = a9 - (OLD.s9 IS NOT NULL),
        t10 = t10 - COALESCE(OLD.s10, 0), a10 = a10 - (OLD.s10 IS NOT NULL),
        t11 = t11 - COALESCE(OLD.s11, 0), a11 = a11 - (OLD.s11 IS NOT NULL),
        t12 = t12 - COALESCE(OLD.s12, 0), a12 = a12 - (OLD.s12 IS NOT NULL),
        t13 = t13 - COALESCE(OLD.s13, 0), a13 = a13 - (OLD.s13 IS NOT NULL),
        t14 = t14 - COALESCE(OLD.s14, 0), a14 = a14 - (OLD.s14 IS NOT NULL)
    WHERE OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected'
      AND unit = OLD.unit AND period = OLD.period AND method = OLD.method;
    INSERT INTO unit_totals (unit, period, method, n, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6, t7, a7, t8, a8, t9, a9, t10, a10, t11, a11, t12, a12, t13, a13, t14, a14)
    SELECT NEW.unit, NEW.period, NEW.method, 1, COALESCE(NEW.s1, 0), NEW.s1 IS NOT NULL, COALESCE(NEW.s2, 0), NEW.s2 IS NOT NULL, COALESCE(NEW.s3, 0), NEW.s3 IS NOT NULL, COALESCE(NEW.s4, 0), NEW.s4 IS NOT NULL, COALESCE(NEW.s5, 0), NEW.s5 IS NOT NULL, COALESCE(NEW.s6, 0), NEW.s6 IS NOT NULL, COALESCE(NEW.s7, 0), NEW.s7 IS NOT NULL, COALESCE(NEW.s8, 0), NEW.s8 IS NOT NULL, COALESCE(NEW.s9, 0), NEW.s9 IS NOT NULL, COALESCE(NEW.s10, 0), NEW.s10 IS NOT NULL, COALESCE(NEW.s11, 0), NEW.s11 IS NOT NULL, COALESCE(NEW.s12, 0), NEW.s12 IS NOT NULL, COALESCE(NEW.s13, 0), NEW.s13 IS NOT NULL, COALESCE(NEW.s14, 0), NEW.s14 IS NOT NULL
    WHERE NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected'
    ON CONFLICT (unit, period, method) DO UPDATE SET n = n + 1,
        t1 = t1 + COALESCE(NEW.s1, 0), a1 = a1 + (NEW.s1 IS NOT NULL),
        t2 = t2 + COALESCE(NEW.s2, 0), a2 = a2 + (NEW.s2 IS NOT NULL),
        t3 = t3 + COALESCE(NEW.s3, 0), a3 = a3 + (NEW.s3 IS NOT NULL),
        t4 = t4 + COALESCE(NEW.s4, 0), a4 = a4 + (NEW.s4 IS NOT NULL),
        t5 = t5 + COALESCE(NEW.s5, 0), a5 = a5 + (NEW.s5 IS NOT NULL),
        t6 = t6 + COALESCE(NEW.s6, 0), a6 = a6 + (NEW.s6 IS NOT NULL),
        t7 = t7 + COALESCE(NEW.s7, 0), a7 = a7 + (NEW.s7 IS NOT NULL),
        t8 = t8 + COALESCE(NEW.s8, 0), a8 = a8 + (NEW.s8 IS NOT NULL),
        t9 = t9 + COALESCE(NEW.s9, 0), a9 = a9 + (NEW.s9 IS NOT NULL),
        t10 = t10 + COALESCE(NEW.s10, 0), a10 = a10 + (NEW.s10 IS NOT NULL),
        t11 = t11 + COALESCE(NEW.s11, 0), a11 = a11 + (NEW.s11 IS NOT NULL),
        t12 = t12 + COALESCE(NEW.s12, 0), a12 = a12 + (NEW.s12 IS NOT NULL),
        t13 = t13 + COALESCE(NEW.s13, 0), a13 = a13 + (NEW.s13 IS NOT NULL),
        t14 = t14 + COALESCE(NEW.s14, 0), a14 = a14 + (NEW.s14 IS NOT NULL);
END;
