-- Live availability per GPU type, written by the availability updater so the
-- API can answer "what can I reserve now" without asking the cluster.
-- Fixtures never write these columns; the updater owns them.

ALTER TABLE gpu_types ADD COLUMN IF NOT EXISTS available_gpus INTEGER DEFAULT 0;
ALTER TABLE gpu_types ADD COLUMN IF NOT EXISTS max_reservable INTEGER DEFAULT 0;
ALTER TABLE gpu_types ADD COLUMN IF NOT EXISTS full_nodes_available INTEGER DEFAULT 0;
ALTER TABLE gpu_types ADD COLUMN IF NOT EXISTS running_instances INTEGER DEFAULT 0;
ALTER TABLE gpu_types ADD COLUMN IF NOT EXISTS desired_capacity INTEGER DEFAULT 0;
ALTER TABLE gpu_types ADD COLUMN IF NOT EXISTS last_availability_update TIMESTAMP WITH TIME ZONE;
ALTER TABLE gpu_types ADD COLUMN IF NOT EXISTS last_availability_updated_by VARCHAR(100);

-- "Which active types have a GPU free?" without reading inactive or full ones.
CREATE INDEX IF NOT EXISTS idx_gpu_types_available_gpus
    ON gpu_types (available_gpus) WHERE is_active = true AND available_gpus > 0;
-- Finds types whose figures have gone stale.
CREATE INDEX IF NOT EXISTS idx_gpu_types_last_availability_update
    ON gpu_types (last_availability_update) WHERE last_availability_update IS NOT NULL;

-- COMMENT ON replaces any earlier comment, so it is safe to run again.
COMMENT ON COLUMN gpu_types.available_gpus IS
    'GPUs of this type free to reserve right now, across all nodes';
COMMENT ON COLUMN gpu_types.max_reservable IS
    'Most GPUs a single reservation can get right now';
COMMENT ON COLUMN gpu_types.full_nodes_available IS
    'Nodes of this type with every GPU free';
COMMENT ON COLUMN gpu_types.running_instances IS
    'Instances of this type currently running in the cluster';
COMMENT ON COLUMN gpu_types.desired_capacity IS
    'Number of instances of this type the cluster is scaled to';
COMMENT ON COLUMN gpu_types.last_availability_update IS
    'When the availability columns were last written';
COMMENT ON COLUMN gpu_types.last_availability_updated_by IS
    'Which process wrote the availability columns last';
