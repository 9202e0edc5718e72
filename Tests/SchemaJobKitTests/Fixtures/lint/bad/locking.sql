-- Statements that hold a lock every API query waits behind, for as long as they read
-- or rewrite a table that already has rows (disks is created by another file).
ALTER TABLE disks ALTER COLUMN size_gb TYPE bigint; -- expect: alter-column-type, release-type-change
ALTER TABLE disks ALTER size_gb SET DATA TYPE bigint; -- expect: alter-column-type, release-type-change
ALTER TABLE disks ADD COLUMN IF NOT EXISTS token uuid DEFAULT gen_random_uuid(); -- expect: volatile-default
ALTER TABLE disks ADD COLUMN IF NOT EXISTS seen_at timestamptz DEFAULT clock_timestamp(); -- expect: volatile-default
ALTER TABLE disks ALTER COLUMN disk_name SET NOT NULL; -- expect: set-not-null, release-not-null
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'disks_reservation_fk' AND conrelid = 'disks'::regclass) THEN
        ALTER TABLE disks ADD CONSTRAINT disks_reservation_fk FOREIGN KEY (reservation_id) REFERENCES reservations (reservation_id); -- expect: constraint-not-valid
    END IF;
END
$$;
DROP TRIGGER IF EXISTS trg_disks_touch ON disks;
CREATE TRIGGER trg_disks_touch BEFORE UPDATE ON disks FOR EACH ROW EXECUTE FUNCTION touch(); -- expect: replace-trigger
