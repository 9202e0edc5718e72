-- A maintenance procedure shaped like the ones timescale/promscale installs: a job
-- scheduler calls it later; this file only stores it. Turning auto_explain on is
-- best-effort: the LOAD sits in a block whose handler swallows the refusal a plain
-- role gets, so the job goes on without it.
CREATE SCHEMA IF NOT EXISTS ops_catalog;
CREATE SCHEMA IF NOT EXISTS ops_api;

CREATE OR REPLACE PROCEDURE ops_api.run_housekeeping(verbose boolean = false)
AS $proc$
BEGIN
    IF verbose THEN
        RAISE LOG 'housekeeping: starting at %', clock_timestamp();
    END IF;
END
$proc$ LANGUAGE PLPGSQL;

CREATE OR REPLACE PROCEDURE ops_catalog.run_housekeeping_job(job_id int, config jsonb)
AS $$
DECLARE
    verbose boolean;
    setting_key text;
    setting_value text;
    explain_loaded boolean := FALSE;
BEGIN
    verbose := coalesce(config->>'verbose', 'false')::boolean;

    -- Best effort: without the privilege to load it, carry on.
    BEGIN
        FOR setting_key, setting_value IN
            SELECT * FROM jsonb_each_text(config->'auto_explain')
        LOOP
            IF NOT explain_loaded THEN
                explain_loaded := true;
                LOAD 'auto_explain'; -- expect: stored-escape
            END IF;
            PERFORM set_config('auto_explain.' || setting_key, setting_value, FALSE);
        END LOOP;
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'housekeeping: could not set the auto_explain options';
    END;

    CALL ops_api.run_housekeeping(verbose => verbose);
END
$$ LANGUAGE PLPGSQL
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION ops_api.schedule_housekeeping(every interval, config jsonb = NULL)
RETURNS boolean
AS $func$
BEGIN
    -- The scheduler is handed the procedure's name as text: nothing here runs it.
    RAISE NOTICE 'would schedule % every % with %', 'ops_catalog.run_housekeeping_job', every, config;
    RETURN true;
END
$func$ LANGUAGE PLPGSQL VOLATILE
SET search_path = pg_catalog, pg_temp;

-- The file runs this: a function whose body stores nothing the run refuses.
SELECT ops_api.schedule_housekeeping(INTERVAL '30 minutes');
