TRUNCATE reservations; -- expect: truncate
TRUNCATE TABLE ONLY disks, reservations CASCADE; -- expect: truncate
DELETE FROM api_keys; -- expect: delete-without-where
DELETE FROM api_keys USING api_users; -- expect: delete-without-where
UPDATE gpu_types SET is_active = false; -- expect: update-without-where
UPDATE gpu_types SET max_gpus = (SELECT 1 WHERE true); -- expect: update-without-where
WITH gone AS (SELECT 1) DELETE FROM api_keys; -- expect: delete-without-where
ALTER TABLE disks DROP COLUMN IF EXISTS legacy_flag; -- expect: drop-column, release-drop
ALTER TABLE disks DROP legacy_size; -- expect: drop-column, drop-if-exists, release-drop
-- With a WHERE these are fine.
DELETE FROM api_keys WHERE expires_at < NOW();
UPDATE gpu_types SET is_active = false WHERE gpu_type = 'k80';
WITH old AS (SELECT key_id FROM api_keys WHERE expires_at < NOW()) DELETE FROM api_keys WHERE key_id IN (SELECT key_id FROM old);
