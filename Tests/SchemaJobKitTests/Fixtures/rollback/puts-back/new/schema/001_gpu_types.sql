-- The release after it: a request may take up to 8 GPUs, new types queue at priority 5,
-- and the scheduler offers only types with more than one GPU.
CREATE TABLE IF NOT EXISTS gpu_types (
    gpu_type       VARCHAR(50) PRIMARY KEY,
    max_gpus       INTEGER NOT NULL,
    queue_priority INTEGER
);

ALTER TABLE gpu_types ALTER COLUMN queue_priority SET DEFAULT 5;

CREATE OR REPLACE FUNCTION gpu_capacity(requested INTEGER) RETURNS INTEGER
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT least(requested, 8) $$;

CREATE OR REPLACE VIEW offered_gpu_types AS
    SELECT gpu_type, max_gpus FROM gpu_types WHERE max_gpus > 1;
