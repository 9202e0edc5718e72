-- Constraints and types have no IF NOT EXISTS; these DO blocks check first.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_constraint
        WHERE conname = 'disks_size_gb_positive'
          AND conrelid = 'disks'::regclass
    ) THEN
        ALTER TABLE disks
            ADD CONSTRAINT disks_size_gb_positive CHECK (size_gb > 0) NOT VALID;
    END IF;
END;
$$;

DO $$
BEGIN
    IF to_regtype('disk_tier') IS NULL THEN
        CREATE TYPE disk_tier AS ENUM ('standard', 'fast');
    END IF;
END;
$$;

-- The seed's own pattern for a column, from before ADD COLUMN IF NOT EXISTS.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM information_schema.columns
        WHERE table_name = 'api_users'
        AND column_name = 'last_login'
    ) THEN
        ALTER TABLE api_users ADD COLUMN last_login TIMESTAMP WITH TIME ZONE;
    END IF;
END $$;

-- The exception-handler idiom.
DO $$
BEGIN
    CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
EXCEPTION
    WHEN duplicate_object THEN NULL;
END;
$$;

-- A nested block with its own handler, inside a loop, with a label.
DO $body$
DECLARE
    t text;
BEGIN
    <<tables>>
    FOREACH t IN ARRAY ARRAY['disks', 'reservations'] LOOP
        BEGIN
            EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (true)', t, t || '_ok');
            ALTER TABLE disks ADD CONSTRAINT disks_named UNIQUE (disk_name, user_id);
        EXCEPTION WHEN duplicate_object OR duplicate_table THEN
            RAISE NOTICE 'already there: %', t;
        END;
    END LOOP tables;
END
$body$;

-- PERFORM ...; IF NOT FOUND is a check too.
DO LANGUAGE plpgsql $$
BEGIN
    PERFORM 1 FROM pg_type WHERE typname = 'gpu_vendor';
    IF NOT FOUND THEN
        CREATE TYPE gpu_vendor AS ENUM ('nvidia', 'amd');
    ELSIF false THEN
        NULL;
    ELSE
        ALTER TYPE gpu_vendor ADD VALUE IF NOT EXISTS 'intel';
    END IF;
    CASE current_setting('server_version_num')::int / 10000
        WHEN 18 THEN RAISE NOTICE 'eighteen';
        ELSE NULL;
    END CASE;
END;
$$;

-- Not PL/pgSQL: left alone.
DO LANGUAGE plperl $$ CREATE TABLE nothing_checked (); $$;
