-- GPU types and a label for the dashboard.
CREATE TABLE IF NOT EXISTS gpu_types (
    gpu_type   TEXT PRIMARY KEY,
    max_gpus   INTEGER NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

-- OR REPLACE: every run installs this body, on old databases and new ones alike.
CREATE OR REPLACE FUNCTION gpu_label(kind TEXT, gpus INTEGER) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
    SELECT gpus || ' × ' || upper(kind)
$$;
