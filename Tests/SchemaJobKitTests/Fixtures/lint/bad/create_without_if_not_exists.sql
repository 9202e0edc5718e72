-- Each of these fails on the second run, when the object exists.
CREATE TABLE reservations_archive ( -- expect: create-if-not-exists
    reservation_id VARCHAR(255) PRIMARY KEY
);
CREATE INDEX idx_archive_id ON reservations_archive (reservation_id); -- expect: create-if-not-exists
CREATE UNIQUE INDEX idx_archive_unique ON reservations_archive (reservation_id); -- expect: create-if-not-exists
-- Without a name there is nothing for IF NOT EXISTS to test: a new index every run.
CREATE INDEX ON reservations_archive (reservation_id); -- expect: create-if-not-exists
CREATE SEQUENCE archive_numbers; -- expect: create-if-not-exists
CREATE SCHEMA archive; -- expect: create-if-not-exists
CREATE EXTENSION pgcrypto; -- expect: create-if-not-exists
CREATE MATERIALIZED VIEW archive_counts AS SELECT 1; -- expect: create-if-not-exists
create unlogged table cache_rows (key text); -- expect: create-if-not-exists
CREATE TABLE "Quoted ""Name""" (id int); -- expect: create-if-not-exists
CREATE TABLE public.archive_two AS SELECT 1 AS id; -- expect: create-if-not-exists
/* a comment before the statement does not move it */ CREATE TABLE t3 (id int); -- expect: create-if-not-exists
