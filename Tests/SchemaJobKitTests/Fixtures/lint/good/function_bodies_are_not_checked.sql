-- A function body runs when the function is called, not when the file runs,
-- so what it does is the application's business.
CREATE OR REPLACE FUNCTION purge_expired_keys()
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM api_keys;
    CREATE TABLE scratch (id int);
    UPDATE api_users SET is_active = false;
END;
$$;

CREATE OR REPLACE PROCEDURE reset_counts()
LANGUAGE sql
AS 'UPDATE gpu_types SET available_gpus = 0';
