CREATE TABLE IF NOT EXISTS disks (
    disk_id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    disk_name TEXT NOT NULL,
    user_id TEXT NOT NULL,
    in_use BOOLEAN DEFAULT FALSE,
    reservation_id VARCHAR(255) REFERENCES reservations(reservation_id) ON DELETE SET NULL,
    disk_size TEXT,
    is_deleted BOOLEAN DEFAULT FALSE,
    delete_date DATE,
    operation_id UUID,
    operation_status TEXT,
    UNIQUE(user_id, disk_name)
);

CREATE INDEX IF NOT EXISTS idx_disks_user_id ON disks (user_id);

CREATE INDEX IF NOT EXISTS idx_disks_operation_id
    ON disks (operation_id) WHERE operation_id IS NOT NULL;

CREATE INDEX IF NOT EXISTS idx_disks_delete_date
    ON disks (delete_date) WHERE delete_date IS NOT NULL;
