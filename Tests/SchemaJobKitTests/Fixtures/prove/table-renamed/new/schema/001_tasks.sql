-- Background work, queued by the API: renamed from tasks. The table keeps its rows;
-- its sequence, primary key, check and index keep the names tasks gave them.
ALTER TABLE IF EXISTS tasks RENAME TO jobs;

CREATE TABLE IF NOT EXISTS jobs (
    id      SERIAL PRIMARY KEY,
    status  TEXT NOT NULL CHECK (status <> ''),
    command TEXT NOT NULL
);

DO $$
BEGIN
    -- The index on status, whatever it is called.
    IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE tablename = 'jobs' AND indexdef LIKE '%(status)') THEN
        CREATE INDEX jobs_status_idx ON jobs (status);
    END IF;
END $$;
