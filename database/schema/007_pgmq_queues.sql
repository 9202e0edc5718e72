-- The two PGMQ queues the API and its workers exchange jobs through:
--   gpu_reservations  reservation requests waiting to be scheduled
--   disk_operations   disk create/snapshot/delete work
-- The pgmq extension itself is installed by the database image's init script,
-- not by this file; the first block only checks that it is there.
-- pgmq.create() does nothing for a queue that already exists, so this file
-- can run again. PERFORM (inside DO) keeps psql from printing a result row.

DO $$
DECLARE
    queue text;
BEGIN
    IF to_regprocedure('pgmq.create(text)') IS NULL THEN
        RAISE EXCEPTION 'pgmq is not installed in database %', current_database()
            USING HINT = 'The database image''s init script installs the pgmq extension.';
    END IF;
    FOREACH queue IN ARRAY ARRAY['gpu_reservations', 'disk_operations'] LOOP
        PERFORM pgmq.create(queue);
    END LOOP;
END;
$$;

-- Check the result rather than trust it: a missing queue should fail the
-- migration here, not the first send to it later.
DO $$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(wanted.name, ', ' ORDER BY wanted.name)
      INTO missing
      FROM unnest(ARRAY['gpu_reservations', 'disk_operations']) AS wanted (name)
     WHERE NOT EXISTS (
        SELECT 1 FROM pgmq.list_queues() AS q WHERE q.queue_name = wanted.name
     );
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'PGMQ queue(s) missing after pgmq.create: %', missing;
    END IF;
END;
$$;
