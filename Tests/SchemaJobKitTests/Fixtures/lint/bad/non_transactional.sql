CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_disks_zone ON disks (zone); -- expect: non-transactional
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx_disks_name ON disks (disk_name); -- expect: non-transactional
DROP INDEX CONCURRENTLY IF EXISTS idx_disks_old; -- expect: non-transactional
VACUUM; -- expect: non-transactional
VACUUM (ANALYZE) reservations; -- expect: non-transactional
ALTER SYSTEM SET work_mem = '64MB'; -- expect: non-transactional, alter-system
CREATE DATABASE scratch; -- expect: non-transactional
DROP DATABASE IF EXISTS scratch; -- expect: non-transactional
REINDEX TABLE CONCURRENTLY reservations; -- expect: non-transactional
REINDEX DATABASE gpudev; -- expect: non-transactional
CREATE TABLESPACE fast LOCATION '/mnt/fast'; -- expect: non-transactional, server-file-function
DISCARD ALL; -- expect: non-transactional, reset-all
ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY; -- expect: non-transactional
-- Without CONCURRENTLY these run inside a transaction, and are fine.
REINDEX TABLE reservations;
CREATE INDEX IF NOT EXISTS idx_disks_zone2 ON disks (zone);
