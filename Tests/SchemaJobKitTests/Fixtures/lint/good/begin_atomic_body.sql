-- A SQL-standard body: psql keeps its semicolons inside the statement, and its
-- BEGIN/END are not a transaction.
CREATE OR REPLACE FUNCTION gpu_total(kind text) RETURNS integer
LANGUAGE sql
BEGIN ATOMIC
    SELECT CASE WHEN kind IS NULL THEN 0 ELSE 1 END;
    SELECT total_cluster_gpus FROM gpu_types WHERE gpu_type = kind;
END;

CREATE OR REPLACE PROCEDURE touch_gpu_types()
LANGUAGE sql
BEGIN ATOMIC
    UPDATE gpu_types SET updated_at = NOW() WHERE is_active;
END;
