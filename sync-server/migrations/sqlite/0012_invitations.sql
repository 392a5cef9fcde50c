-- The sync server's schema, version 12: invitations, each a single-use survey link.
--
-- An invitation's link takes one answer set (`single_use`); the invitation keeps who was
-- invited and what became of it: sent (by e-mail, or handed to a gateway in an outbox),
-- reminded once, opened, opted out. "Answered" is read from `web_answers`.
ALTER TABLE links ADD COLUMN single_use INTEGER NOT NULL DEFAULT 0 CHECK (single_use IN (0, 1));

-- Answer sets stored through each link, kept as they are stored: every answer reads its
-- link, and counting `web_answers` there would grow with every answer before it.
ALTER TABLE links ADD COLUMN answers INTEGER NOT NULL DEFAULT 0;
UPDATE links SET answers = (SELECT COUNT(*) FROM web_answers WHERE web_answers.token = links.token);

CREATE TABLE invitations (
    token        TEXT PRIMARY KEY REFERENCES links (token),
    name         TEXT NOT NULL,
    phone        TEXT,
    email        TEXT,
    service_date TEXT,
    sent_at      INTEGER,
    reminded_at  INTEGER,
    opened_at    INTEGER,
    opted_out_at INTEGER
) STRICT;
