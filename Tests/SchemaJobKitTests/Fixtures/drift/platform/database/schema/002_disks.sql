CREATE TABLE IF NOT EXISTS disks (
    disk_id SERIAL PRIMARY KEY,
    user_id VARCHAR(255) NOT NULL,
    disk_name VARCHAR(255) NOT NULL,
    reservation_id VARCHAR(255),
    in_use BOOLEAN DEFAULT false,
    disk_size TEXT,
    UNIQUE (user_id, disk_name)
);

CREATE INDEX IF NOT EXISTS idx_disks_user_id ON disks (user_id);
