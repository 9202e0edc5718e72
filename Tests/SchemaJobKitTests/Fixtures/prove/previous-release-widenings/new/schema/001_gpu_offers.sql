CREATE TABLE IF NOT EXISTS gpu_offers (
    id integer PRIMARY KEY,
    label varchar(50) NOT NULL,
    region varchar(20),
    summary varchar(80),
    price numeric(8,2),
    slots smallint,
    weight real,
    note text DEFAULT ''
);

DO $$
BEGIN
    IF to_regtype('offer_state') IS NULL THEN
        CREATE TYPE offer_state AS ENUM ('open', 'closed');
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION offer_label(offer_id integer) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT label FROM gpu_offers WHERE id = offer_id $$;
