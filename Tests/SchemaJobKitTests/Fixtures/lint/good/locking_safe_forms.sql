-- The same changes, in forms that hold no lock for a whole-table read or rewrite.
ALTER TABLE disks ADD COLUMN IF NOT EXISTS seen_at timestamptz DEFAULT now();
ALTER TABLE disks ADD COLUMN IF NOT EXISTS tier text DEFAULT 'standard';
ALTER TABLE disks ALTER COLUMN tier SET DEFAULT 'fast';
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'disks_name_not_null' AND conrelid = 'disks'::regclass) THEN
        ALTER TABLE disks ADD CONSTRAINT disks_name_not_null CHECK (disk_name IS NOT NULL) NOT VALID;
    END IF;
END
$$;
ALTER TABLE disks VALIDATE CONSTRAINT disks_name_not_null;
ALTER TABLE disks ALTER COLUMN disk_name SET NOT NULL; -- schemajob:allow release-not-null: every release writes it
CREATE OR REPLACE TRIGGER trg_disks_touch BEFORE UPDATE ON disks FOR EACH ROW EXECUTE FUNCTION touch();
-- A table this file creates has no rows yet.
CREATE TABLE IF NOT EXISTS disk_labels (disk_id uuid, label text);
ALTER TABLE disk_labels ALTER COLUMN label TYPE varchar(64);
CREATE INDEX IF NOT EXISTS idx_disk_labels_label ON disk_labels (label);
