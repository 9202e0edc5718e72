-- Who owns the disks.
CREATE TABLE IF NOT EXISTS app_users (
    user_id  TEXT PRIMARY KEY,
    username TEXT NOT NULL
);
