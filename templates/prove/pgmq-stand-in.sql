-- A minimal stand-in for the pgmq extension. `schemajob test` installs it in each
-- scratch database when the server has no pgmq extension (Debian has no pgmq
-- package), and the tests' harness does the same; in the platform's database the
-- real extension comes with the database image, whose init script installs it.
-- Give `schemajob test --setup FILE` to install something else instead, or run it
-- against a server that has pgmq (then `CREATE EXTENSION pgmq` is used).
-- It covers only what 007_pgmq_queues.sql calls: pgmq.create() records the
-- queue name (no queue tables are made) and pgmq.list_queues() returns the
-- same row type as the real one. Every statement is idempotent, so the stand-in
-- can be installed more than once.

CREATE SCHEMA IF NOT EXISTS pgmq;

DO $$
BEGIN
    IF to_regtype('pgmq.queue_record') IS NULL THEN
        CREATE TYPE pgmq.queue_record AS (
            queue_name     VARCHAR,
            is_partitioned BOOLEAN,
            is_unlogged    BOOLEAN,
            created_at     TIMESTAMP WITH TIME ZONE
        );
    END IF;
END;
$$;

CREATE TABLE IF NOT EXISTS pgmq.meta (
    queue_name     VARCHAR PRIMARY KEY,
    is_partitioned BOOLEAN NOT NULL DEFAULT false,
    is_unlogged    BOOLEAN NOT NULL DEFAULT false,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);

-- Like the real pgmq.create, creating a queue that exists is not an error.
CREATE OR REPLACE FUNCTION pgmq.create(queue_name TEXT)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    -- $1 rather than the parameter's name, which is also the column's.
    INSERT INTO pgmq.meta (queue_name) VALUES ($1)
    ON CONFLICT DO NOTHING;
END;
$$;

CREATE OR REPLACE FUNCTION pgmq.list_queues()
RETURNS SETOF pgmq.queue_record
LANGUAGE plpgsql
AS $$
BEGIN
    RETURN QUERY
        SELECT m.queue_name, m.is_partitioned, m.is_unlogged, m.created_at
          FROM pgmq.meta AS m
         ORDER BY m.queue_name;
END;
$$;
