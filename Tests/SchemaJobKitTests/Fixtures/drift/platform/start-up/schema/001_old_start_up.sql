-- What the API's start-up code created before the Job existed: the tables as they
-- were then. reservations lacks six columns and disks lacks disk_size; the schema
-- files' CREATE TABLE IF NOT EXISTS leaves these tables as they are.
CREATE TABLE IF NOT EXISTS reservations (
    reservation_id VARCHAR(255) PRIMARY KEY,
    user_id VARCHAR(255) NOT NULL,
    gpu_type VARCHAR(50) NOT NULL,
    gpu_count INTEGER NOT NULL DEFAULT 1,
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    expires_at TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS disks (
    disk_id SERIAL PRIMARY KEY,
    user_id VARCHAR(255) NOT NULL,
    disk_name VARCHAR(255) NOT NULL,
    reservation_id VARCHAR(255),
    in_use BOOLEAN DEFAULT false,
    UNIQUE (user_id, disk_name)
);

CREATE TABLE IF NOT EXISTS gpu_types (
    gpu_type VARCHAR(50) PRIMARY KEY,
    instance_type VARCHAR(100) NOT NULL,
    max_gpus INTEGER NOT NULL,
    is_active BOOLEAN DEFAULT true,
    updated_at TIMESTAMPTZ DEFAULT NOW()
);
