-- Disks and their states: 'archived' is gone from a new database, but PostgreSQL
-- cannot drop an enum value from one that has it. The zone column came inside
-- CREATE TABLE, so upgraded databases lack it.
DO $$
BEGIN
    IF to_regtype('disk_state') IS NULL THEN
        CREATE TYPE disk_state AS ENUM ('free', 'attached');
    END IF;
END $$;

CREATE TABLE IF NOT EXISTS disks (
    disk_name TEXT PRIMARY KEY,
    state     disk_state NOT NULL DEFAULT 'free',
    zone      TEXT
);
