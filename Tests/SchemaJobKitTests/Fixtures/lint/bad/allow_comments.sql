-- An allow silences only the rule it names.
-- schemajob:allow drop-table
DROP TABLE old_disks; -- expect: drop-if-exists, release-drop

-- A misspelt rule silences nothing, and says so.
-- schemajob:allow drop-tabel
-- expect-above: unknown-allow
DROP TABLE IF EXISTS older_disks; -- expect: drop-table, release-drop

-- An allow after one statement's semicolon does not reach the next statement.
TRUNCATE a; -- schemajob:allow truncate
TRUNCATE b; -- expect: truncate

-- Layout and lock rules cannot be allowed.
-- schemajob:allow trailing-whitespace
-- expect-above: unknown-allow
SELECT 1;

-- An allow with no rule at all.
-- schemajob:allow
-- expect-above: unknown-allow
SELECT 2;
