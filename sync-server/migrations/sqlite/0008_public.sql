-- The sync server's schema, version 8: a unit's results page for the public.
--
-- PermenPANRB 14/2017 asks units to publish their IKM. Whether a unit's page at
-- `/publik/UNIT` shows it is the unit's choice (a supervisor of the unit or an admin), off
-- until someone turns it on.
ALTER TABLE units ADD COLUMN public INTEGER NOT NULL DEFAULT 0;
