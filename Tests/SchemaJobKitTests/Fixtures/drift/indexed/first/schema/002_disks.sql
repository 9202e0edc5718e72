CREATE TABLE IF NOT EXISTS disks (
    disk_id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    disk_name TEXT NOT NULL,
    user_id TEXT NOT NULL,
    in_use BOOLEAN DEFAULT FALSE,
    reservation_id VARCHAR(255) REFERENCES reservations(reservation_id) ON DELETE SET NULL,
    UNIQUE(user_id, disk_name)
);

CREATE INDEX IF NOT EXISTS idx_disks_user_id ON disks (user_id);
