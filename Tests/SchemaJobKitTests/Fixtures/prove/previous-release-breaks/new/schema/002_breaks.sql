-- Each statement breaks the release before in one way (none is marked as a contract step).
ALTER TABLE accounts DROP COLUMN IF EXISTS legacy_code;

DO $$
BEGIN
    IF EXISTS (SELECT FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'nickname') THEN
        ALTER TABLE accounts RENAME COLUMN nickname TO display_name;
    END IF;
END
$$;

ALTER TABLE accounts ALTER COLUMN note TYPE integer USING note::integer;

ALTER TABLE accounts ALTER COLUMN score SET NOT NULL;

ALTER TABLE accounts ADD COLUMN IF NOT EXISTS region text NOT NULL;

DROP TABLE IF EXISTS sessions;

ALTER TABLE IF EXISTS audit_log RENAME TO audit_events;
CREATE TABLE IF NOT EXISTS audit_events (id bigint CONSTRAINT audit_pkey PRIMARY KEY, message text);

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_enum WHERE enumtypid = 'account_state'::regtype AND enumlabel = 'frozen') THEN
        ALTER TYPE account_state RENAME VALUE 'frozen' TO 'suspended';
    END IF;
END
$$;

DROP FUNCTION IF EXISTS account_label(bigint);
CREATE OR REPLACE FUNCTION account_label(account_id bigint, fallback text) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT coalesce(handle, fallback) FROM accounts WHERE id = account_id $$;

DROP VIEW IF EXISTS account_names;
CREATE OR REPLACE VIEW account_names AS SELECT id, display_name FROM accounts;

ALTER SEQUENCE IF EXISTS invoice_numbers AS integer;
