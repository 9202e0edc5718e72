-- The next state: the routing columns added inside CREATE TABLE IF NOT EXISTS (a
-- no-op on a table that exists), indexed and commented in this same file.
CREATE TABLE IF NOT EXISTS reservations (
    reservation_id VARCHAR(255) PRIMARY KEY,
    user_id VARCHAR(255) NOT NULL,
    status VARCHAR(50) NOT NULL,
    gpu_type VARCHAR(50),
    gpu_count INTEGER,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    ebs_availability_zone VARCHAR(50),
    domain_name VARCHAR(255),
    fqdn VARCHAR(512),
    alb_config JSONB,
    preserve_entrypoint BOOLEAN DEFAULT false NOT NULL,
    node_private_ip VARCHAR(50)
);

CREATE INDEX IF NOT EXISTS idx_reservations_user_id
    ON reservations(user_id);

CREATE INDEX IF NOT EXISTS idx_reservations_status
    ON reservations(status);

CREATE INDEX IF NOT EXISTS idx_reservations_domain_name
    ON reservations(domain_name)
    WHERE domain_name IS NOT NULL;

CREATE INDEX IF NOT EXISTS idx_reservations_fqdn
    ON reservations(fqdn)
    WHERE fqdn IS NOT NULL;

CREATE INDEX IF NOT EXISTS idx_reservations_node_private_ip
    ON reservations(node_private_ip)
    WHERE node_private_ip IS NOT NULL;

COMMENT ON COLUMN reservations.domain_name IS 'Subdomain routed to this reservation';
COMMENT ON COLUMN reservations.fqdn IS 'The full name the subdomain resolves as';
COMMENT ON COLUMN reservations.node_private_ip IS 'The node''s private address, for the SSH proxy';
