-- Background work, queued by the API.
CREATE TABLE IF NOT EXISTS tasks (
    id      SERIAL PRIMARY KEY,
    status  TEXT NOT NULL CHECK (status <> ''),
    command TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS tasks_status_idx ON tasks (status);
