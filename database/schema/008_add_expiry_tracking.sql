-- Reservation columns for out-of-memory tracking, expiry warnings and how a
-- reservation ended, and the time a disk was soft-deleted. They are added
-- here because 002 and 003 were already deployed (schema files are
-- append-only).

ALTER TABLE reservations ADD COLUMN IF NOT EXISTS oom_count INTEGER DEFAULT 0;
ALTER TABLE reservations ADD COLUMN IF NOT EXISTS last_oom_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE reservations ADD COLUMN IF NOT EXISTS oom_container VARCHAR(255);
-- Which expiry warnings were already sent, so none is sent twice.
ALTER TABLE reservations ADD COLUMN IF NOT EXISTS warnings_sent JSONB DEFAULT '{}'::jsonb;
-- Unix time (seconds) of the last warning.
ALTER TABLE reservations ADD COLUMN IF NOT EXISTS last_warning_time BIGINT;
ALTER TABLE reservations ADD COLUMN IF NOT EXISTS failed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE reservations ADD COLUMN IF NOT EXISTS cancelled_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE reservations ADD COLUMN IF NOT EXISTS reservation_ended TIMESTAMP WITH TIME ZONE;

-- Partial indexes: most rows have these unset, and the checkers only ever look
-- for rows where they are set. The expires_at one needs its own name because
-- 002 already has a full index called idx_reservations_expires_at.
CREATE INDEX IF NOT EXISTS idx_reservations_expires_at_not_null
    ON reservations (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_reservations_failed_at
    ON reservations (failed_at) WHERE failed_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_reservations_cancelled_at
    ON reservations (cancelled_at) WHERE cancelled_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_reservations_reservation_ended
    ON reservations (reservation_ended) WHERE reservation_ended IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_reservations_oom_count
    ON reservations (oom_count) WHERE oom_count > 0;

ALTER TABLE disks ADD COLUMN IF NOT EXISTS marked_deleted_at TIMESTAMP WITH TIME ZONE;

-- marked_deleted_at follows is_deleted: stamped when a disk is soft-deleted,
-- cleared when it is restored, untouched by any other update. NULL counts as
-- not deleted.
CREATE OR REPLACE FUNCTION set_marked_deleted_at()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.is_deleted IS TRUE AND OLD.is_deleted IS NOT TRUE THEN
        NEW.marked_deleted_at := NOW();
    ELSIF NEW.is_deleted IS NOT TRUE AND OLD.is_deleted IS TRUE THEN
        NEW.marked_deleted_at := NULL;
    END IF;
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS trg_disks_marked_deleted_at ON disks;
CREATE TRIGGER trg_disks_marked_deleted_at
    BEFORE UPDATE ON disks
    FOR EACH ROW
    EXECUTE FUNCTION set_marked_deleted_at();
