-- Stored code the migration itself then runs: each call is refused at the call, naming
-- the body's line, and the bodies stay warnings.
CREATE OR REPLACE FUNCTION read_settings() RETURNS text LANGUAGE sql AS $$
    SELECT pg_read_file('/etc/app/settings.json') -- expect: stored-escape
$$;

CREATE OR REPLACE PROCEDURE load_explain() LANGUAGE plpgsql AS $$
BEGIN
    LOAD 'auto_explain'; -- expect: stored-escape
END
$$;

CREATE OR REPLACE FUNCTION settings_through_another() RETURNS text LANGUAGE sql AS $$
    SELECT read_settings()
$$;

SELECT read_settings(); -- expect: server-file-function
CALL load_explain(); -- expect: untrusted-language
DO $$
BEGIN
    PERFORM settings_through_another(); -- expect: server-file-function
END
$$;
CREATE TABLE IF NOT EXISTS settings_log (body text DEFAULT read_settings()); -- expect: server-file-function
