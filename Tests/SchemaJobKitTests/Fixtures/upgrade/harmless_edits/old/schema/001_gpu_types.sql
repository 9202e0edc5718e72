CREATE TABLE IF NOT EXISTS gpu_types (
    gpu_type  VARCHAR(50) PRIMARY KEY,
    max_gpus  INTEGER NOT NULL,
    code      TEXT UNIQUE,
    created   TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);
