CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ -- expect: create-or-replace
BEGIN
    NEW.updated_at := NOW();
    RETURN NEW;
END;
$$;
CREATE PROCEDURE refresh_counts() LANGUAGE sql AS $$ SELECT 1 $$; -- expect: create-or-replace
CREATE VIEW active_disks AS SELECT * FROM disks WHERE NOT is_deleted; -- expect: create-or-replace
CREATE RECURSIVE VIEW numbers (n) AS VALUES (1) UNION ALL SELECT n + 1 FROM numbers WHERE n < 10; -- expect: create-or-replace
