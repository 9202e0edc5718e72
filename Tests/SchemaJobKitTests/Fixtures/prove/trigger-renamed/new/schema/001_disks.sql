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

-- Renamed to follow the trg_ convention; the old name is still on every
-- database that ran the earlier version, so those now fire it twice.
DROP TRIGGER IF EXISTS trg_disks_last_updated ON disks;
CREATE TRIGGER trg_disks_last_updated
    BEFORE UPDATE ON disks
    FOR EACH ROW EXECUTE FUNCTION touch_last_updated();
