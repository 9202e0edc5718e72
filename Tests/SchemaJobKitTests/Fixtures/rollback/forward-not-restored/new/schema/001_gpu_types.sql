-- The release after it: GPU types get a priority class, and new types queue at
-- priority 5. Both are done once, in a block guarded by the new column: a database
-- that has the column is taken to have the new default too.
CREATE TABLE IF NOT EXISTS gpu_types (
    gpu_type       VARCHAR(50) PRIMARY KEY,
    max_gpus       INTEGER NOT NULL,
    queue_priority INTEGER
);

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM information_schema.columns
                    WHERE table_name = 'gpu_types' AND column_name = 'priority_class') THEN
        ALTER TABLE gpu_types ADD COLUMN priority_class TEXT;
        ALTER TABLE gpu_types ALTER COLUMN queue_priority SET DEFAULT 5;
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION gpu_capacity(requested INTEGER) RETURNS INTEGER
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT least(requested, 4) $$;

CREATE OR REPLACE VIEW offered_gpu_types AS
    SELECT gpu_type, max_gpus FROM gpu_types WHERE max_gpus > 0;
