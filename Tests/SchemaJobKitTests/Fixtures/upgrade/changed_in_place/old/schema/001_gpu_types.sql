DO $$
BEGIN
    IF to_regtype('gpu_tier') IS NULL THEN
        CREATE TYPE gpu_tier AS ENUM ('entry', 'standard');
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS gpu_types (
    gpu_type    VARCHAR(50) PRIMARY KEY,
    max_gpus    INTEGER,
    memory_gb   INT DEFAULT 0,
    description TEXT,
    tier        gpu_tier DEFAULT 'standard'
);
