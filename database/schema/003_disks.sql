-- Persistent disks (EBS volumes) that users keep between reservations.
-- A disk name is unique per user, not globally.

CREATE TABLE IF NOT EXISTS disks (
    -- gen_random_uuid() is built into PostgreSQL 13 and later; no extension needed.
    disk_id                    UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    disk_name                  TEXT NOT NULL,
    user_id                    TEXT NOT NULL,
    size_gb                    INTEGER,
    -- Human-readable space in use, e.g. '1.2G'.
    disk_size                  TEXT,
    created_at                 TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    last_used                  TIMESTAMP WITH TIME ZONE,
    in_use                     BOOLEAN DEFAULT false,
    -- A disk outlives the reservation it was attached to.
    reservation_id             VARCHAR(255) REFERENCES reservations (reservation_id) ON DELETE SET NULL,
    is_backing_up              BOOLEAN DEFAULT false,
    is_deleted                 BOOLEAN DEFAULT false,
    delete_date                DATE,
    snapshot_count             INTEGER DEFAULT 0,
    pending_snapshot_count     INTEGER DEFAULT 0,
    ebs_volume_id              TEXT,
    last_snapshot_at           TIMESTAMP WITH TIME ZONE,
    operation_id               UUID,
    operation_status           TEXT,
    operation_error            TEXT,
    latest_snapshot_content_s3 TEXT,
    -- Kept current by trg_disks_last_updated below.
    last_updated               TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    UNIQUE (user_id, disk_name)
);

CREATE INDEX IF NOT EXISTS idx_disks_user_id ON disks (user_id);
CREATE INDEX IF NOT EXISTS idx_disks_in_use ON disks (in_use);
CREATE INDEX IF NOT EXISTS idx_disks_is_deleted ON disks (is_deleted);
CREATE INDEX IF NOT EXISTS idx_disks_operation_id ON disks (operation_id);
CREATE INDEX IF NOT EXISTS idx_disks_reservation_id ON disks (reservation_id);
-- Soft-deleted disks are purged once their delete_date has passed.
CREATE INDEX IF NOT EXISTS idx_disks_delete_date ON disks (delete_date);

-- disks names its timestamp last_updated, so it needs its own function
-- rather than set_updated_at() from 002.
CREATE OR REPLACE FUNCTION set_last_updated()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.last_updated := NOW();
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS trg_disks_last_updated ON disks;
CREATE TRIGGER trg_disks_last_updated
    BEFORE UPDATE ON disks
    FOR EACH ROW
    EXECUTE FUNCTION set_last_updated();
