-- The sync server's schema, version 10: the running totals of version 7, kept by lighter
-- triggers.
--
-- Version 7's triggers worked out whether a response counts (final, not deleted, not
-- rejected) once per column, for every response written, counted or not. These test it once,
-- in the trigger's WHEN, and add plain values; a response that does not count but still
-- holds a conflict (a draft) moves only `conflicted`, in a trigger of its own. What the
-- figures mean is unchanged. In a burst of 40 000 new responses the old triggers cost about
-- as much as writing the rows themselves; these cost less than half of that.
--
-- The follower replaces a response by deleting and inserting it; nothing updates one in
-- place today, and should anything start to, its figures follow as a removal and an addition.

DROP TRIGGER unit_totals_add;
DROP TRIGGER unit_totals_remove;
DROP TRIGGER unit_totals_update;

CREATE TRIGGER unit_totals_add AFTER INSERT ON responses
WHEN NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected'
BEGIN
    INSERT INTO unit_totals (unit, period, method, n, waiting, conflicted,
        t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6, t7, a7,
        t8, a8, t9, a9, t10, a10, t11, a11, t12, a12, t13, a13, t14, a14)
    VALUES (NEW.unit, NEW.period, NEW.method, 1, NEW.review = 'received', NEW.conflicts > 0,
        COALESCE(NEW.s1, 0), NEW.s1 IS NOT NULL, COALESCE(NEW.s2, 0), NEW.s2 IS NOT NULL, COALESCE(NEW.s3, 0), NEW.s3 IS NOT NULL, COALESCE(NEW.s4, 0), NEW.s4 IS NOT NULL,
        COALESCE(NEW.s5, 0), NEW.s5 IS NOT NULL, COALESCE(NEW.s6, 0), NEW.s6 IS NOT NULL, COALESCE(NEW.s7, 0), NEW.s7 IS NOT NULL, COALESCE(NEW.s8, 0), NEW.s8 IS NOT NULL,
        COALESCE(NEW.s9, 0), NEW.s9 IS NOT NULL, COALESCE(NEW.s10, 0), NEW.s10 IS NOT NULL, COALESCE(NEW.s11, 0), NEW.s11 IS NOT NULL, COALESCE(NEW.s12, 0), NEW.s12 IS NOT NULL,
        COALESCE(NEW.s13, 0), NEW.s13 IS NOT NULL, COALESCE(NEW.s14, 0), NEW.s14 IS NOT NULL)
    ON CONFLICT (unit, period, method) DO UPDATE SET
        n = n + 1,
        waiting = waiting + (NEW.review = 'received'),
        conflicted = conflicted + (NEW.conflicts > 0),
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
    INSERT INTO unit_days (unit, period, day, n)
    VALUES (NEW.unit, NEW.period, date(NEW.created_at / 1000, 'unixepoch', 'localtime'), 1)
    ON CONFLICT (unit, period, day) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER unit_conflicts_add AFTER INSERT ON responses
WHEN NEW.status != 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected' AND NEW.conflicts > 0
BEGIN
    INSERT INTO unit_totals (unit, period, method, conflicted)
    VALUES (NEW.unit, NEW.period, NEW.method, 1)
    ON CONFLICT (unit, period, method) DO UPDATE SET conflicted = conflicted + 1;
END;

CREATE TRIGGER unit_totals_remove AFTER DELETE ON responses
WHEN OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected'
BEGIN
    UPDATE unit_totals SET
        n = n - 1,
        waiting = waiting - (OLD.review = 'received'),
        conflicted = conflicted - (OLD.conflicts > 0),
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
    UPDATE unit_days SET n = n - 1
    WHERE unit = OLD.unit AND period = OLD.period
      AND day = date(OLD.created_at / 1000, 'unixepoch', 'localtime');
END;

CREATE TRIGGER unit_conflicts_remove AFTER DELETE ON responses
WHEN OLD.status != 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected' AND OLD.conflicts > 0
BEGIN
    UPDATE unit_totals SET conflicted = conflicted - 1
    WHERE unit = OLD.unit AND period = OLD.period AND method = OLD.method;
END;

CREATE TRIGGER unit_totals_update_old AFTER UPDATE ON responses
WHEN OLD.status = 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected'
BEGIN
    UPDATE unit_totals SET
        n = n - 1,
        waiting = waiting - (OLD.review = 'received'),
        conflicted = conflicted - (OLD.conflicts > 0),
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
    UPDATE unit_days SET n = n - 1
    WHERE unit = OLD.unit AND period = OLD.period
      AND day = date(OLD.created_at / 1000, 'unixepoch', 'localtime');
END;

CREATE TRIGGER unit_conflicts_update_old AFTER UPDATE ON responses
WHEN OLD.status != 'final' AND OLD.deleted = 0 AND OLD.review != 'rejected' AND OLD.conflicts > 0
BEGIN
    UPDATE unit_totals SET conflicted = conflicted - 1
    WHERE unit = OLD.unit AND period = OLD.period AND method = OLD.method;
END;

CREATE TRIGGER unit_totals_update_new AFTER UPDATE ON responses
WHEN NEW.status = 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected'
BEGIN
    INSERT INTO unit_totals (unit, period, method, n, waiting, conflicted,
        t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6, t7, a7,
        t8, a8, t9, a9, t10, a10, t11, a11, t12, a12, t13, a13, t14, a14)
    VALUES (NEW.unit, NEW.period, NEW.method, 1, NEW.review = 'received', NEW.conflicts > 0,
        COALESCE(NEW.s1, 0), NEW.s1 IS NOT NULL, COALESCE(NEW.s2, 0), NEW.s2 IS NOT NULL, COALESCE(NEW.s3, 0), NEW.s3 IS NOT NULL, COALESCE(NEW.s4, 0), NEW.s4 IS NOT NULL,
        COALESCE(NEW.s5, 0), NEW.s5 IS NOT NULL, COALESCE(NEW.s6, 0), NEW.s6 IS NOT NULL, COALESCE(NEW.s7, 0), NEW.s7 IS NOT NULL, COALESCE(NEW.s8, 0), NEW.s8 IS NOT NULL,
        COALESCE(NEW.s9, 0), NEW.s9 IS NOT NULL, COALESCE(NEW.s10, 0), NEW.s10 IS NOT NULL, COALESCE(NEW.s11, 0), NEW.s11 IS NOT NULL, COALESCE(NEW.s12, 0), NEW.s12 IS NOT NULL,
        COALESCE(NEW.s13, 0), NEW.s13 IS NOT NULL, COALESCE(NEW.s14, 0), NEW.s14 IS NOT NULL)
    ON CONFLICT (unit, period, method) DO UPDATE SET
        n = n + 1,
        waiting = waiting + (NEW.review = 'received'),
        conflicted = conflicted + (NEW.conflicts > 0),
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
    INSERT INTO unit_days (unit, period, day, n)
    VALUES (NEW.unit, NEW.period, date(NEW.created_at / 1000, 'unixepoch', 'localtime'), 1)
    ON CONFLICT (unit, period, day) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER unit_conflicts_update_new AFTER UPDATE ON responses
WHEN NEW.status != 'final' AND NEW.deleted = 0 AND NEW.review != 'rejected' AND NEW.conflicts > 0
BEGIN
    INSERT INTO unit_totals (unit, period, method, conflicted)
    VALUES (NEW.unit, NEW.period, NEW.method, 1)
    ON CONFLICT (unit, period, method) DO UPDATE SET conflicted = conflicted + 1;
END;
