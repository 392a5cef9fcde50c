-- Simpul replica schema, version 5: who captured each response (the author of its header),
-- so lists and reports filter by enumerator as the server's do.
--
-- Rows materialised before this version lack it; the `rematerialise` row asks the replica to
-- read every document again at its next writable open (Replica::open), in one transaction.

ALTER TABLE responses ADD COLUMN enumerator TEXT;
CREATE INDEX responses_enumerator ON responses (enumerator) WHERE enumerator IS NOT NULL;

CREATE TABLE rematerialise (id INTEGER PRIMARY KEY CHECK (id = 1));
INSERT INTO rematerialise (id) VALUES (1);
