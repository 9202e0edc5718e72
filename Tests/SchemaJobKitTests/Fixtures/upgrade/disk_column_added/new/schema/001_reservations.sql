-- The reservations a disk can be attached to.
CREATE TABLE IF NOT EXISTS reservations (
    reservation_id VARCHAR(255) PRIMARY KEY,
    user_id        TEXT NOT NULL
);
