DROP INDEX idx_disks_user_id; -- expect: drop-if-exists
DROP FUNCTION touch(); -- expect: drop-if-exists, release-drop
DROP VIEW active_disks; -- expect: drop-if-exists, release-drop
DROP MATERIALIZED VIEW gpu_counts; -- expect: drop-if-exists, release-drop
DROP TRIGGER trg_disks_touch ON disks; -- expect: drop-if-exists
DROP TYPE disk_tier; -- expect: drop-if-exists, release-drop
DROP SEQUENCE ticket_numbers; -- expect: drop-if-exists, release-drop
DROP TABLE old_disks; -- expect: drop-if-exists, drop-table, release-drop
DROP TABLE IF EXISTS older_disks, oldest_disks CASCADE; -- expect: drop-table, release-drop
DROP SCHEMA IF EXISTS scratch CASCADE;
DROP OWNED BY departed_role;
