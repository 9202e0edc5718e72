-- Disks, with last_updated kept current by a trigger.
CREATE TABLE IF NOT EXISTS disks (
    disk_name    TEXT PRIMARY KEY,
    in_use       BOOLEAN NOT NULL DEFAULT false,
    last_updated TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE OR REPLACE FUNCTION touch_last_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.last_updated := NOW();
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS disks_touch ON disks;
CREATE TRIGGER disks_touch
    BEFORE UPDATE ON disks
    FOR EACH ROW EXECUTE FUNCTION touch_last_updated();
