-- GPU types on offer.
CREATE TABLE IF NOT EXISTS gpu_types (
    gpu_type   TEXT PRIMARY KEY,
    max_gpus   INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
