-- Near misses of the replace idiom: the DROP must be of the same constraint, on the same
-- table, before the ADD, and must run every time the ADD does.
CREATE TABLE IF NOT EXISTS jobs (job_id bigint PRIMARY KEY, command text, priority int);
CREATE TABLE IF NOT EXISTS runs (run_id bigint PRIMARY KEY, priority int);

-- Truly unguarded.
ALTER TABLE jobs ADD CONSTRAINT jobs_plain_check CHECK (priority > 0); -- expect: unguarded-add-constraint

-- Another constraint's name.
ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_old_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_new_check CHECK (priority < 100); -- expect: unguarded-add-constraint

-- Another table.
ALTER TABLE runs DROP CONSTRAINT IF EXISTS jobs_run_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_run_check CHECK (priority <> 5); -- expect: unguarded-add-constraint

-- The DROP comes after the ADD.
ALTER TABLE jobs ADD CONSTRAINT jobs_late_check CHECK (priority <> 6); -- expect: unguarded-add-constraint
ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_late_check;

DO $$
BEGIN
    -- A version check is not an existence check: the DROP may not run.
    IF current_setting('server_version_num')::int >= 150000 THEN
        ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_version_check;
    END IF;
    ALTER TABLE jobs ADD CONSTRAINT jobs_version_check CHECK (priority <> 7); -- expect: unguarded-add-constraint
    -- A DROP in a loop runs zero times or more.
    FOR i IN 1..0 LOOP
        ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_loop_check;
    END LOOP;
    ALTER TABLE jobs ADD CONSTRAINT jobs_loop_check CHECK (priority <> 8); -- expect: unguarded-add-constraint
END $$;

-- An unnamed constraint gets a name PostgreSQL picks: no DROP can name it in advance.
ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_command_key;
ALTER TABLE jobs ADD UNIQUE (command); -- expect: unguarded-add-constraint
