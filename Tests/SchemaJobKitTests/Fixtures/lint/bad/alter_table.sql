ALTER TABLE disks ADD COLUMN encrypted BOOLEAN; -- expect: add-column-if-not-exists
ALTER TABLE disks ADD tier TEXT; -- expect: add-column-if-not-exists
ALTER TABLE ONLY disks
    ADD COLUMN IF NOT EXISTS zone TEXT,
    ADD COLUMN region TEXT, -- expect: add-column-if-not-exists
    ADD CONSTRAINT disks_zone_check CHECK (zone <> ''); -- expect: unguarded-add-constraint, constraint-not-valid
ALTER TABLE disks ADD PRIMARY KEY (disk_id); -- expect: unguarded-add-constraint
ALTER TABLE disks ADD UNIQUE (disk_name); -- expect: unguarded-add-constraint
ALTER TABLE disks ADD FOREIGN KEY (reservation_id) REFERENCES reservations (reservation_id); -- expect: unguarded-add-constraint, constraint-not-valid
ALTER TABLE disks DROP CONSTRAINT disks_zone_check; -- expect: drop-if-exists
ALTER TABLE disks RENAME COLUMN tier TO storage_tier; -- expect: unguarded-rename, release-rename
ALTER TABLE disks RENAME zone TO availability_zone; -- expect: unguarded-rename, release-rename
ALTER TABLE disks RENAME CONSTRAINT a TO b; -- expect: unguarded-rename
ALTER TABLE disks RENAME TO volumes; -- expect: unguarded-rename, release-rename
ALTER INDEX idx_disks_user_id RENAME TO idx_volumes_user_id; -- expect: unguarded-rename
-- A column type's parentheses and commas are not a second action.
ALTER TABLE disks ADD COLUMN IF NOT EXISTS price NUMERIC(10, 2), ADD COLUMN cost NUMERIC(10, 2); -- expect: add-column-if-not-exists
