-- The replace idiom: the constraint is dropped, then added, on every run, so the ADD
-- never meets its own earlier copy.
CREATE TABLE IF NOT EXISTS jobs (job_id bigint PRIMARY KEY, command text, priority int);

-- In a DO body: dropped when it exists, then added unconditionally.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'jobs_priority_check' AND conrelid = 'jobs'::regclass) THEN
        ALTER TABLE jobs DROP CONSTRAINT jobs_priority_check;
    END IF;
    ALTER TABLE jobs ADD CONSTRAINT jobs_priority_check CHECK (priority BETWEEN 0 AND 9);
END $$;

-- In a DO body, with DROP … IF EXISTS and no check.
DO $$
BEGIN
    ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_command_check;
    ALTER TABLE jobs ADD CONSTRAINT jobs_command_check CHECK (command <> '');
END $$;

-- In plain SQL: the file is the block; a schema-qualified name is the same table.
ALTER TABLE public.jobs DROP CONSTRAINT IF EXISTS jobs_command_length;
ALTER TABLE jobs ADD CONSTRAINT jobs_command_length CHECK (length(command) < 10000);

-- Both in one ALTER TABLE.
ALTER TABLE jobs
    DROP CONSTRAINT IF EXISTS "Jobs_Priority_Range",
    ADD CONSTRAINT "Jobs_Priority_Range" CHECK (priority >= 0);

-- The other guard shapes: IF NOT EXISTS on pg_constraint …
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'jobs_unique_command' AND conrelid = 'jobs'::regclass) THEN
        ALTER TABLE jobs ADD CONSTRAINT jobs_unique_command UNIQUE (command);
    END IF;
END $$;

-- … and information_schema.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM information_schema.table_constraints
         WHERE table_name = 'jobs' AND constraint_name = 'jobs_priority_not_null'
    ) THEN
        ALTER TABLE jobs ADD CONSTRAINT jobs_priority_not_null CHECK (priority IS NOT NULL);
    END IF;
END $$;
