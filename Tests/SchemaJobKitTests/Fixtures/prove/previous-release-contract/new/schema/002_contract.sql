-- The contract step of an expand/contract change, and a marker that contracts nothing.

-- schemajob:contract the API stopped reading accounts.legacy_code in release 1.8
ALTER TABLE accounts DROP COLUMN IF EXISTS legacy_code;

-- schemajob:contract the handle index is new
CREATE INDEX IF NOT EXISTS accounts_handle ON accounts (handle);
