CREATE TABLE IF NOT EXISTS reservations (
    reservation_id VARCHAR(255) PRIMARY KEY,
    user_id VARCHAR(255) NOT NULL,
    gpu_type VARCHAR(50) NOT NULL,
    gpu_count INTEGER NOT NULL DEFAULT 1,
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    expires_at TIMESTAMPTZ,
    ebs_availability_zone VARCHAR(50),
    domain_name VARCHAR(255),
    fqdn VARCHAR(255),
    alb_config JSONB,
    preserve_entrypoint BOOLEAN DEFAULT false,
    node_private_ip VARCHAR(50)
);

CREATE INDEX IF NOT EXISTS idx_reservations_user_id ON reservations (user_id);

CREATE OR REPLACE FUNCTION touch_updated_at()
RETURNS TRIGGER
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at = NOW();
    RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER reservations_touch
    BEFORE UPDATE ON reservations
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
