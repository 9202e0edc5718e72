-- A DO block runs with the file: what it creates must be guarded like anything else.
DO $$
BEGIN
    CREATE TABLE scratch (id int); -- expect: create-if-not-exists
    IF current_setting('server_version_num')::int >= 150000 THEN
        -- A version check is not an existence check.
        ALTER TABLE disks ADD CONSTRAINT disks_positive CHECK (size_gb > 0); -- expect: unguarded-add-constraint, constraint-not-valid
    END IF;
    FOR i IN 1..3 LOOP
        CREATE TYPE tier AS ENUM ('a'); -- expect: unguarded-create
    END LOOP;
    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'guarded') THEN
        CREATE TYPE guarded AS ENUM ('ok');
        -- Guards cover idempotency, not destruction.
        DELETE FROM scratch; -- expect: delete-without-where
    END IF;
    -- The handler itself is not protected by its own block.
    BEGIN
        CREATE TYPE protected AS ENUM ('ok');
    EXCEPTION WHEN duplicate_object THEN
        CREATE TYPE fallback AS ENUM ('no'); -- expect: unguarded-create
    END;
    COMMIT; -- expect: transaction-control
    CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_x ON disks (zone); -- expect: non-transactional
END;
$$;
