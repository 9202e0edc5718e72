-- API users and the keys they authenticate with.
-- The API stores only a hash of each key; key_prefix lets a person tell keys
-- apart without revealing them.

CREATE TABLE IF NOT EXISTS api_users (
    user_id    SERIAL PRIMARY KEY,
    username   VARCHAR(255) NOT NULL UNIQUE,
    email      VARCHAR(255),
    created_at TIMESTAMP DEFAULT NOW(),
    is_active  BOOLEAN DEFAULT true
);

CREATE TABLE IF NOT EXISTS api_keys (
    key_id       SERIAL PRIMARY KEY,
    -- Removing a user removes their keys with them.
    user_id      INTEGER REFERENCES api_users (user_id) ON DELETE CASCADE,
    key_hash     VARCHAR(128) NOT NULL UNIQUE,
    key_prefix   VARCHAR(16) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    -- Set by the API when it issues the key (two hours by default).
    expires_at   TIMESTAMP WITH TIME ZONE,
    last_used_at TIMESTAMP WITH TIME ZONE,
    is_active    BOOLEAN DEFAULT true,
    description  TEXT
);

-- Every authenticated request looks a key up by its hash.
CREATE INDEX IF NOT EXISTS idx_api_keys_key_hash ON api_keys (key_hash);
CREATE INDEX IF NOT EXISTS idx_api_keys_user_id ON api_keys (user_id);
-- Finding expired keys filters on expires_at.
CREATE INDEX IF NOT EXISTS idx_api_keys_expires_at ON api_keys (expires_at);
CREATE INDEX IF NOT EXISTS idx_api_users_username ON api_users (username);
