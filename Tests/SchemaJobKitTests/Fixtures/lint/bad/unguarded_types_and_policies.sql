CREATE TYPE disk_tier AS ENUM ('standard', 'fast'); -- expect: unguarded-create
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0); -- expect: unguarded-create
CREATE POLICY own_rows ON reservations USING (user_id = current_user); -- expect: unguarded-create
CREATE ROLE reporting; -- expect: unguarded-create
CREATE CAST (text AS disk_tier) WITH INOUT; -- expect: unguarded-create
ALTER TYPE disk_tier ADD VALUE 'archive'; -- expect: add-value-if-not-exists
ALTER TYPE disk_tier RENAME VALUE 'fast' TO 'premium'; -- expect: unguarded-rename, release-rename
