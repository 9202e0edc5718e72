-- Every change here keeps the release before running: widenings and additions only.
ALTER TABLE gpu_offers ALTER COLUMN id TYPE bigint;
ALTER TABLE gpu_offers ALTER COLUMN label TYPE varchar(255);
ALTER TABLE gpu_offers ALTER COLUMN region TYPE text;
ALTER TABLE gpu_offers ALTER COLUMN summary TYPE varchar;
ALTER TABLE gpu_offers ALTER COLUMN price TYPE numeric(12,3);
ALTER TABLE gpu_offers ALTER COLUMN slots TYPE integer;
ALTER TABLE gpu_offers ALTER COLUMN weight TYPE double precision;
ALTER TABLE gpu_offers ALTER COLUMN note DROP DEFAULT;
ALTER TABLE gpu_offers ADD COLUMN IF NOT EXISTS vendor text NOT NULL DEFAULT 'unknown';
ALTER TABLE gpu_offers ADD COLUMN IF NOT EXISTS tags text[];
ALTER TYPE offer_state ADD VALUE IF NOT EXISTS 'paused' AFTER 'open';

CREATE OR REPLACE FUNCTION offer_label(offer_id integer) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT upper(label) FROM gpu_offers WHERE id = offer_id $$;

CREATE OR REPLACE VIEW offer_notes AS SELECT note, vendor FROM gpu_offers;
