-- Databases made before available_gpus was in 001 get it here.
ALTER TABLE gpu_types ADD COLUMN IF NOT EXISTS available_gpus INTEGER DEFAULT 0;
