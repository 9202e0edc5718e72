-- The load-balancer target group and listener rule made for a reservation's
-- Jupyter endpoint, kept so they can be removed when the reservation ends.
-- At most one row per reservation, removed with it.

CREATE TABLE IF NOT EXISTS alb_target_groups (
    reservation_id           VARCHAR(255) PRIMARY KEY REFERENCES reservations (reservation_id) ON DELETE CASCADE,
    domain_name              VARCHAR(255) NOT NULL,
    jupyter_target_group_arn TEXT,
    jupyter_rule_arn         TEXT,
    expires_at               TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at               TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at               TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE INDEX IF NOT EXISTS idx_alb_target_groups_domain_name ON alb_target_groups (domain_name);
CREATE INDEX IF NOT EXISTS idx_alb_target_groups_expires_at ON alb_target_groups (expires_at);

-- set_updated_at() is defined in 002_reservations.sql.
DROP TRIGGER IF EXISTS trg_alb_target_groups_updated_at ON alb_target_groups;
CREATE TRIGGER trg_alb_target_groups_updated_at
    BEFORE UPDATE ON alb_target_groups
    FOR EACH ROW
    EXECUTE FUNCTION set_updated_at();
