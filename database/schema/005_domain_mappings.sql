-- Which node and port a reservation's subdomain routes to, for as long as the
-- reservation lives. Rows go away with their reservation.

CREATE TABLE IF NOT EXISTS domain_mappings (
    domain_name    VARCHAR(255) PRIMARY KEY,
    node_ip        VARCHAR(50) NOT NULL,
    node_port      INTEGER NOT NULL,
    reservation_id VARCHAR(255) NOT NULL REFERENCES reservations (reservation_id) ON DELETE CASCADE,
    expires_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at     TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE INDEX IF NOT EXISTS idx_domain_mappings_reservation_id ON domain_mappings (reservation_id);
-- Expired mappings are swept by time.
CREATE INDEX IF NOT EXISTS idx_domain_mappings_expires_at ON domain_mappings (expires_at);

-- set_updated_at() is defined in 002_reservations.sql.
DROP TRIGGER IF EXISTS trg_domain_mappings_updated_at ON domain_mappings;
CREATE TRIGGER trg_domain_mappings_updated_at
    BEFORE UPDATE ON domain_mappings
    FOR EACH ROW
    EXECUTE FUNCTION set_updated_at();
