-- Disks; the size check is now part of the table, valid from the start on a new
-- database. Databases that ran the earlier file keep it NOT VALID.
CREATE TABLE IF NOT EXISTS disks (
    disk_name TEXT PRIMARY KEY,
    size_gb   INTEGER NOT NULL,
    CONSTRAINT disks_size_gb_positive CHECK (size_gb > 0)
);

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'disks_size_gb_positive' AND conrelid = 'disks'::regclass) THEN
        ALTER TABLE disks ADD CONSTRAINT disks_size_gb_positive CHECK (size_gb > 0) NOT VALID;
    END IF;
END $$;
