-- The sync server's schema, version 2: which unit each document belongs to.
--
-- A document belongs to the unit written by the change that starts it, for good. Pushes
-- check every change against it in the transaction that stores the change, so a change is
-- never filed, nor counted as already held, under another unit than its document's.

CREATE TABLE documents (
    doc   TEXT PRIMARY KEY,
    unit  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Documents stored before: each belongs to the unit its first change was filed under.
INSERT INTO documents (doc, unit)
SELECT doc, unit FROM changes
WHERE seq IN (SELECT MIN(seq) FROM changes GROUP BY doc);
