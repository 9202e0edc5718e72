\set ON_ERROR_STOP off
-- expect-above: psql-meta-command
SELECT 1;
  \i other_file.sql
-- expect-above: psql-meta-command
\connect postgres
-- expect-above: psql-meta-command
SELECT 2 \\ 3;
-- expect-above: psql-meta-command
