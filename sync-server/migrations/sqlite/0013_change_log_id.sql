-- The sync server's schema, version 13: the change log's identity.
--
-- Devices keep it beside their cursor. A database restored from a backup gets a new one
-- (`simpul-server restore-backup`): its positions may then name other changes than the ones
-- a device already pulled, and it lacks whatever it acknowledged after the backup. A device
-- that sees the identity change pulls again from the start and offers every change it holds,
-- so nothing it or the server ever acknowledged stays lost.
CREATE TABLE change_log (
    id TEXT NOT NULL
) STRICT;

INSERT INTO change_log (id) VALUES (lower(hex(randomblob(16))));
