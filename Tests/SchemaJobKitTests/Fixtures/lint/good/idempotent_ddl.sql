-- The patterns database/README.md recommends, each safe to run again.
CREATE TABLE IF NOT EXISTS disk_tags (
    disk_id    UUID NOT NULL,
    tag        VARCHAR(64) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    PRIMARY KEY (disk_id, tag)
);

CREATE INDEX IF NOT EXISTS idx_disk_tags_tag ON disk_tags (tag);
CREATE UNIQUE INDEX IF NOT EXISTS idx_disk_tags_unique ON disk_tags (disk_id, tag);

CREATE OR REPLACE FUNCTION set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := NOW();
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS trg_disk_tags_updated_at ON disk_tags;
CREATE TRIGGER trg_disk_tags_updated_at -- schemajob:allow replace-trigger (a PostgreSQL 13 database)
    BEFORE UPDATE ON disk_tags
    FOR EACH ROW
    EXECUTE FUNCTION set_updated_at();

-- A schema-qualified table in one statement and not the other is the same table.
DROP TRIGGER IF EXISTS trg_public_tags ON public.disk_tags;
CREATE TRIGGER trg_public_tags BEFORE INSERT ON disk_tags FOR EACH ROW EXECUTE FUNCTION set_updated_at(); -- schemajob:allow replace-trigger

ALTER TABLE disks ADD COLUMN IF NOT EXISTS encrypted BOOLEAN DEFAULT false;
ALTER TABLE disks ADD IF NOT EXISTS tier TEXT, ADD COLUMN IF NOT EXISTS zone TEXT;
ALTER TABLE disks ALTER COLUMN tier SET DEFAULT 'standard', ALTER COLUMN zone DROP DEFAULT;
ALTER TABLE IF EXISTS disks DROP CONSTRAINT IF EXISTS disks_old_check;

COMMENT ON COLUMN disks.encrypted IS 'Whether the volume is encrypted at rest';
DROP INDEX IF EXISTS idx_disks_old;
DROP FUNCTION IF EXISTS old_function(integer); -- schemajob:allow release-drop: nothing calls it
DROP VIEW IF EXISTS old_view; -- schemajob:contract no release reads old_view since 1.2
SELECT 1;
