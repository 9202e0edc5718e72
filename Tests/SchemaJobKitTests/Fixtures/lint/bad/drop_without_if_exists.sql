DROP INDEX idx_disks_user_id; -- expect: drop-if-exists
DROP FUNCTION touch(); -- expect: drop-if-exists
DROP VIEW active_disks; -- expect: drop-if-exists
DROP MATERIALIZED VIEW gpu_counts; -- expect: drop-if-exists
DROP TRIGGER trg_disks_touch ON disks; -- expect: drop-if-exists
DROP TYPE disk_tier; -- expect: drop-if-exists
DROP SEQUENCE ticket_numbers; -- expect: drop-if-exists
DROP TABLE old_disks; -- expect: drop-if-exists, drop-table
DROP TABLE IF EXISTS older_disks, oldest_disks CASCADE; -- expect: drop-table
DROP SCHEMA IF EXISTS scratch CASCADE;
DROP OWNED BY departed_role;
