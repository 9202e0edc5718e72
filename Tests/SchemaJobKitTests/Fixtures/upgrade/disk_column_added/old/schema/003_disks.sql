-- Volumes users keep between reservations.
CREATE TABLE IF NOT EXISTS disks (
  disk_id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  owner TEXT NOT NULL,
  label TEXT NOT NULL,
  attached_to VARCHAR(255) REFERENCES reservations (reservation_id) ON DELETE SET NULL,
  capacity_gb INTEGER,
  UNIQUE (owner, label)
);

CREATE INDEX IF NOT EXISTS idx_disks_owner ON disks (owner);
