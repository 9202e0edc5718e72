-- Each statement says it means it.
DROP TABLE IF EXISTS old_reservations; -- schemajob:allow drop-table, release-drop: replaced by reservations in 002

-- schemajob:allow truncate
TRUNCATE scratch_rows;

DELETE FROM scratch_rows /* schemajob:allow delete-without-where */;

UPDATE gpu_types SET total_cluster_gpus = 0; -- schemajob:allow update-without-where, drop-table

-- schemajob:allow drop-column, drop-if-exists, release-drop (the column is long gone everywhere)
ALTER TABLE disks DROP COLUMN legacy_flag;

-- An allow in the outer DO statement covers the statements inside it.
-- schemajob:allow delete-without-where
DO $$
BEGIN
    DELETE FROM scratch_rows;
    -- schemajob:allow truncate
    TRUNCATE scratch_rows;
END;
$$;
