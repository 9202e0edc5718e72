-- The release before: what its code reads, writes and calls.
CREATE TABLE IF NOT EXISTS accounts (
    id bigint PRIMARY KEY,
    handle varchar(50) NOT NULL,
    nickname text,
    legacy_code text,
    score integer,
    note text
);

CREATE TABLE IF NOT EXISTS sessions (id bigint PRIMARY KEY, account_id bigint);

CREATE TABLE IF NOT EXISTS audit_log (id bigint CONSTRAINT audit_pkey PRIMARY KEY, message text);

DO $$
BEGIN
    IF to_regtype('account_state') IS NULL THEN
        CREATE TYPE account_state AS ENUM ('active', 'frozen', 'closed');
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION account_label(account_id bigint) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT handle FROM accounts WHERE id = account_id $$;

CREATE OR REPLACE VIEW account_names AS SELECT id, handle FROM accounts;

CREATE SEQUENCE IF NOT EXISTS invoice_numbers;
