-- Persistent disks, one row per disk a user created.
CREATE TABLE IF NOT EXISTS disks (
    disk_id   SERIAL PRIMARY KEY,
    user_id   TEXT NOT NULL REFERENCES app_users (user_id),
    disk_name TEXT NOT NULL,
    in_use    BOOLEAN NOT NULL DEFAULT false,
    UNIQUE (user_id, disk_name)
);

CREATE INDEX IF NOT EXISTS idx_disks_user_id ON disks (user_id);
