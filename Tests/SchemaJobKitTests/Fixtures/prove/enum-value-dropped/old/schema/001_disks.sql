-- Disks and their states.
DO $$
BEGIN
    IF to_regtype('disk_state') IS NULL THEN
        CREATE TYPE disk_state AS ENUM ('free', 'attached', 'archived');
    END IF;
END $$;

CREATE TABLE IF NOT EXISTS disks (
    disk_name TEXT PRIMARY KEY,
    state     disk_state NOT NULL DEFAULT 'free'
);
