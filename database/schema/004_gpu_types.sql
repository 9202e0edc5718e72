-- The GPU (and CPU-only) types users can reserve, with the shape of the
-- instance behind each. Rows come from fixtures/001_initial_gpu_types.sql.

CREATE TABLE IF NOT EXISTS gpu_types (
    gpu_type           VARCHAR(50) PRIMARY KEY,
    instance_type      VARCHAR(100) NOT NULL,
    -- GPUs, vCPUs and memory of one instance of instance_type.
    max_gpus           INTEGER NOT NULL,
    cpus               INTEGER NOT NULL,
    memory_gb          INTEGER NOT NULL,
    total_cluster_gpus INTEGER DEFAULT 0,
    max_per_node       INTEGER,
    is_active          BOOLEAN DEFAULT true,
    created_at         TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at         TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    description        TEXT
);

-- The API lists only active types; a partial index keeps the inactive ones out.
CREATE INDEX IF NOT EXISTS idx_gpu_types_is_active ON gpu_types (is_active) WHERE is_active = true;

-- set_updated_at() is defined in 002_reservations.sql.
DROP TRIGGER IF EXISTS trg_gpu_types_updated_at ON gpu_types;
CREATE TRIGGER trg_gpu_types_updated_at
    BEFORE UPDATE ON gpu_types
    FOR EACH ROW
    EXECUTE FUNCTION set_updated_at();
