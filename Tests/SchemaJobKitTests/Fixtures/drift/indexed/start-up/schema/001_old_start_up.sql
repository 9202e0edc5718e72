-- The API's start-up code, as an early version of it created the tables before the
-- Job existed: reservations without the six columns the routing work added later,
-- disks without the operation columns and disk_size.
CREATE TABLE IF NOT EXISTS reservations (
    reservation_id VARCHAR(255) PRIMARY KEY,
    user_id VARCHAR(255) NOT NULL,
    status VARCHAR(50) NOT NULL,
    gpu_type VARCHAR(50),
    gpu_count INTEGER,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS disks (
    disk_id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    disk_name TEXT NOT NULL,
    user_id TEXT NOT NULL,
    in_use BOOLEAN DEFAULT FALSE,
    reservation_id VARCHAR(255) REFERENCES reservations(reservation_id) ON DELETE SET NULL,
    UNIQUE(user_id, disk_name)
);
