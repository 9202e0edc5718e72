-- GPU types the scheduler knows (comment added later).
CREATE TABLE IF NOT EXISTS gpu_types (
    gpu_type  varchar(50) primary key,
    max_gpus  INT NOT NULL,  -- spelt differently, the same type
    created   TIMESTAMPTZ DEFAULT now(),
    available_gpus INTEGER DEFAULT 0,
    code      TEXT,
    -- The same constraint, moved from the column to the table's list.
    UNIQUE (code)
);

CREATE INDEX IF NOT EXISTS idx_gpu_types_max_gpus ON gpu_types (max_gpus);

CREATE TABLE IF NOT EXISTS gpu_regions (
    region TEXT PRIMARY KEY
);
