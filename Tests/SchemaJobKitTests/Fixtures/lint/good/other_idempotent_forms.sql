CREATE OR REPLACE TRIGGER trg_disks_touch BEFORE UPDATE ON disks FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE VIEW active_gpu_types AS SELECT * FROM gpu_types WHERE is_active;
CREATE SCHEMA IF NOT EXISTS schemajob;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE MATERIALIZED VIEW IF NOT EXISTS gpu_counts AS SELECT gpu_type, count(*) FROM reservations GROUP BY gpu_type;
CREATE SEQUENCE IF NOT EXISTS ticket_numbers;
CREATE UNLOGGED TABLE IF NOT EXISTS cache_rows (key text PRIMARY KEY);
-- Temporary objects vanish with the session.
CREATE TEMP TABLE staging (id int);
CREATE TEMPORARY VIEW staging_view AS SELECT 1;
-- Savepoints nest inside the run's transaction.
SAVEPOINT before_cleanup;
ROLLBACK TO SAVEPOINT before_cleanup;
RELEASE SAVEPOINT before_cleanup;
ALTER TABLE IF EXISTS old_name RENAME TO new_name; -- schemajob:allow release-rename
ALTER TYPE disk_tier ADD VALUE IF NOT EXISTS 'archive' AFTER 'fast';
ANALYZE reservations;
