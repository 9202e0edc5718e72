DO $$
BEGIN
    IF to_regtype('gpu_tier') IS NULL THEN
        CREATE TYPE gpu_tier AS ENUM ('entry', 'standard', 'flagship', 'retired');
    END IF;
END;
$$;

CREATE TABLE IF NOT EXISTS gpu_types (
    gpu_type VARCHAR(50) PRIMARY KEY,
    instance_type VARCHAR(100) NOT NULL,
    max_gpus INTEGER NOT NULL,
    is_active BOOLEAN DEFAULT true,
    updated_at TIMESTAMPTZ DEFAULT NOW()
);

ALTER TABLE gpu_types ADD COLUMN IF NOT EXISTS tier gpu_tier DEFAULT 'standard';
