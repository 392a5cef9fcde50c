-- The sync server's schema, version 9: what a unit did with its respondents' suggestions.
--
-- A suggestion is the text of a response's `saran` answer; the response document keeps it.
-- What the unit did about it is the unit's own bookkeeping, not a respondent's answer, so it
-- lives here and not in the document: followed up or not, and the number of the item of the
-- response period's follow-up plan (RTL) that answers it, if any. Each row names its writer.
CREATE TABLE saran_marks (
    response    TEXT PRIMARY KEY,
    unit        TEXT NOT NULL REFERENCES units (code),
    followed_up INTEGER NOT NULL CHECK (followed_up IN (0, 1)),
    rtl_item    INTEGER CHECK (rtl_item >= 1),
    updated_by  TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX saran_marks_unit ON saran_marks (unit);
