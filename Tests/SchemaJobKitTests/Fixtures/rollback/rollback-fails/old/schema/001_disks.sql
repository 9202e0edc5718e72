-- The release a rollback returns to: disk sizes in GB, and a view over them.
CREATE TABLE IF NOT EXISTS disks (
    disk_id INTEGER PRIMARY KEY,
    size_gb INTEGER
);

CREATE OR REPLACE VIEW disk_sizes AS
    SELECT disk_id, size_gb FROM disks;
