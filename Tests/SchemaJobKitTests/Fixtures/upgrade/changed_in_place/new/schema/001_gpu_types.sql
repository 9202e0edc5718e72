DO $$
BEGIN
    IF to_regtype('gpu_tier') IS NULL THEN
        CREATE TYPE gpu_tier AS ENUM ('entry', 'standard', 'flagship');
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS gpu_types (
    gpu_type    VARCHAR(50) PRIMARY KEY,
    max_gpus    BIGINT,
    memory_gb   INT DEFAULT 16,
    description TEXT NOT NULL,
    tier        gpu_tier DEFAULT 'standard',
    CHECK (max_gpus >= 0)
);
