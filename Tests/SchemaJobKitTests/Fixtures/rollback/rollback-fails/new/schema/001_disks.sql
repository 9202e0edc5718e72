-- The release after it renames the column: an upgrade is fine, but the earlier view
-- names a column that no longer exists, so a rollback's migration fails.
CREATE TABLE IF NOT EXISTS disks (
    disk_id  INTEGER PRIMARY KEY,
    size_gib INTEGER
);

DO $$
BEGIN
    IF EXISTS (SELECT FROM information_schema.columns
                WHERE table_name = 'disks' AND column_name = 'size_gb') THEN
        ALTER TABLE disks RENAME COLUMN size_gb TO size_gib;
    END IF;
END
$$;

DROP VIEW IF EXISTS disk_sizes;
CREATE OR REPLACE VIEW disk_sizes AS
    SELECT disk_id, size_gib FROM disks;
