-- Simpul replica schema, version 4: a supervisor's review, materialised from the response
-- document like every other field (received until a supervisor writes one).

ALTER TABLE responses ADD COLUMN review TEXT NOT NULL DEFAULT 'received';
ALTER TABLE responses ADD COLUMN review_note TEXT;
