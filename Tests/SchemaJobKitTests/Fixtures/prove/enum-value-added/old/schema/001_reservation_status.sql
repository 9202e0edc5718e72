-- The states a reservation goes through. CREATE TYPE has no IF NOT EXISTS,
-- so the type is made only when it is missing.
DO $$
BEGIN
    IF to_regtype('reservation_status') IS NULL THEN
        CREATE TYPE reservation_status AS ENUM ('pending', 'active', 'expired');
    END IF;
END;
$$;
