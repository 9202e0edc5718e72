-- Its own domain_name column: a name shared with reservations.domain_name, which is
-- why reading names out of the files cannot tell which statement needs which column.
CREATE TABLE IF NOT EXISTS domain_mappings (
    domain_name VARCHAR(255) PRIMARY KEY,
    reservation_id VARCHAR(255) NOT NULL REFERENCES reservations(reservation_id) ON DELETE CASCADE,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_domain_mappings_reservation_id
    ON domain_mappings(reservation_id);
