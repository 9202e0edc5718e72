INSERT INTO gpu_types (gpu_type, instance_type, max_gpus, cpus, memory_gb)
VALUES
    ('t4', 'g4dn.12xlarge', 4, 48, 192),
    ('l4', 'g6.12xlarge', 4, 48, 192)
ON CONFLICT (gpu_type) DO UPDATE SET
    instance_type = EXCLUDED.instance_type,
    updated_at    = NOW();

INSERT INTO api_users (username) VALUES ('admin') ON CONFLICT DO NOTHING;

INSERT INTO api_users (username)
SELECT 'operator'
WHERE NOT EXISTS (SELECT 1 FROM api_users WHERE username = 'operator');

WITH wanted (name) AS (VALUES ('ops'))
INSERT INTO api_users (username) SELECT name FROM wanted ON CONFLICT (username) DO NOTHING;

UPDATE gpu_types SET is_active = false WHERE gpu_type = 'k80';
DELETE FROM gpu_types WHERE gpu_type = 'k80';
