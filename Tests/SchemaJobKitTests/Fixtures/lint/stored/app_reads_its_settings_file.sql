-- A function only the application calls: it reads a settings file the platform mounts
-- on the database server. The migration stores it; PostgreSQL lets it read the file
-- only when its owner may (pg_read_server_files), which the migration role is not.
CREATE SCHEMA IF NOT EXISTS app_config;

CREATE OR REPLACE FUNCTION app_config.setting(name text)
RETURNS text
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog
AS $body$
    SELECT (pg_read_file('/etc/app/settings.json')::jsonb) ->> name -- expect: stored-escape
$body$;

CREATE OR REPLACE FUNCTION app_config.setting_or(name text, fallback text)
RETURNS text
LANGUAGE plpgsql STABLE
AS $fn$
DECLARE
    found text;
BEGIN
    -- The same read, assembled for EXECUTE: still only stored.
    EXECUTE 'SELECT pg_read_file(''/etc/app/settings.json'')::jsonb ->> $1' INTO found USING name; -- expect: stored-escape
    RETURN coalesce(found, fallback);
EXCEPTION WHEN insufficient_privilege THEN
    RETURN fallback;
END
$fn$;

REVOKE ALL ON FUNCTION app_config.setting(text) FROM PUBLIC;
COMMENT ON FUNCTION app_config.setting(text) IS $note$ Reads a key of /etc/app/settings.json, e.g. SELECT pg_read_file('/etc/app/settings.json'); $note$; -- expect: stored-escape
