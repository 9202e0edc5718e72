-- Reservations: one row per GPU (or CPU) reservation, from the moment it is
-- queued until it ends. A multi-node reservation has one row per node; the
-- workers point at their master through master_reservation_id.

CREATE TABLE IF NOT EXISTS reservations (
    reservation_id          VARCHAR(255) PRIMARY KEY,
    -- The owner's username (not a key into api_users).
    user_id                 VARCHAR(255) NOT NULL,
    status                  VARCHAR(50) NOT NULL,
    gpu_type                VARCHAR(50),
    gpu_count               INTEGER,
    instance_type           VARCHAR(100),
    duration_hours          FLOAT NOT NULL,
    created_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    launched_at             TIMESTAMP WITH TIME ZONE,
    expires_at              TIMESTAMP WITH TIME ZONE,
    -- Kept current by trg_reservations_updated_at below.
    updated_at              TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    name                    VARCHAR(255),
    github_user             VARCHAR(255),
    pod_name                VARCHAR(255),
    namespace               VARCHAR(100) DEFAULT 'default',
    node_ip                 VARCHAR(50),
    node_port               INTEGER,
    ssh_command             TEXT,
    jupyter_enabled         BOOLEAN DEFAULT false,
    jupyter_url             TEXT,
    jupyter_port            INTEGER,
    jupyter_token           VARCHAR(255),
    jupyter_error           TEXT,
    ebs_volume_id           VARCHAR(255),
    disk_name               VARCHAR(255),
    failure_reason          TEXT,
    current_detailed_status TEXT,
    status_history          JSONB DEFAULT '[]'::jsonb,
    pod_logs                TEXT,
    warning                 TEXT,
    secondary_users         JSONB DEFAULT '[]'::jsonb,
    is_multinode            BOOLEAN DEFAULT false,
    master_reservation_id   VARCHAR(255),
    node_index              INTEGER,
    total_nodes             INTEGER,
    cli_version             VARCHAR(50),
    ebs_availability_zone   VARCHAR(50),
    domain_name             VARCHAR(255),
    fqdn                    VARCHAR(512),
    alb_config              JSONB,
    preserve_entrypoint     BOOLEAN DEFAULT false,
    node_private_ip         VARCHAR(50)
);

CREATE INDEX IF NOT EXISTS idx_reservations_user_id ON reservations (user_id);
-- "My active reservations" filters on both at once.
CREATE INDEX IF NOT EXISTS idx_reservations_user_id_status ON reservations (user_id, status);
CREATE INDEX IF NOT EXISTS idx_reservations_status ON reservations (status);
-- Capacity checks count reservations per GPU type and status.
CREATE INDEX IF NOT EXISTS idx_reservations_gpu_type_status ON reservations (gpu_type, status);
CREATE INDEX IF NOT EXISTS idx_reservations_created_at ON reservations (created_at);
CREATE INDEX IF NOT EXISTS idx_reservations_expires_at ON reservations (expires_at);
CREATE INDEX IF NOT EXISTS idx_reservations_master_reservation_id ON reservations (master_reservation_id);
CREATE INDEX IF NOT EXISTS idx_reservations_domain_name ON reservations (domain_name);
CREATE INDEX IF NOT EXISTS idx_reservations_fqdn ON reservations (fqdn);
CREATE INDEX IF NOT EXISTS idx_reservations_node_private_ip ON reservations (node_private_ip);

-- One trigger function for every table with an updated_at column; later files
-- (004, 005, 006) attach it to their own tables.
CREATE OR REPLACE FUNCTION set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := NOW();
    RETURN NEW;
END;
$$;

-- Triggers have no IF NOT EXISTS: drop, then create, so a re-run is harmless.
DROP TRIGGER IF EXISTS trg_reservations_updated_at ON reservations;
CREATE TRIGGER trg_reservations_updated_at
    BEFORE UPDATE ON reservations
    FOR EACH ROW
    EXECUTE FUNCTION set_updated_at();
