-- Disks; the size check came later, NOT VALID so that adding it did not scan the table.
CREATE TABLE IF NOT EXISTS disks (
    disk_name TEXT PRIMARY KEY,
    size_gb   INTEGER NOT NULL
);

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'disks_size_gb_positive' AND conrelid = 'disks'::regclass) THEN
        ALTER TABLE disks ADD CONSTRAINT disks_size_gb_positive CHECK (size_gb > 0) NOT VALID;
    END IF;
END $$;
