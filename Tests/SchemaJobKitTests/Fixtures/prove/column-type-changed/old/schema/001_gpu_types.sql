-- The instance shape behind each GPU type.
CREATE TABLE IF NOT EXISTS gpu_types (
    gpu_type  TEXT PRIMARY KEY,
    cpus      INTEGER NOT NULL,
    memory_gb INTEGER NOT NULL
);
