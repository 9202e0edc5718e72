-- The release a rollback returns to: GPU types, the capacity one request may take,
-- and the view the scheduler reads.
CREATE TABLE IF NOT EXISTS gpu_types (
    gpu_type       VARCHAR(50) PRIMARY KEY,
    max_gpus       INTEGER NOT NULL,
    queue_priority INTEGER
);

ALTER TABLE gpu_types ALTER COLUMN queue_priority SET DEFAULT 1;

CREATE OR REPLACE FUNCTION gpu_capacity(requested INTEGER) RETURNS INTEGER
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT least(requested, 4) $$;

CREATE OR REPLACE VIEW offered_gpu_types AS
    SELECT gpu_type, max_gpus FROM gpu_types WHERE max_gpus > 0;
