-- Messages shown on the dashboard. No key: nothing stops a row from repeating.
CREATE TABLE IF NOT EXISTS announcements (
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
