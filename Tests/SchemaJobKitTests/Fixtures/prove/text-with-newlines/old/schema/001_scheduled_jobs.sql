-- Jobs a scheduler runs; the command is a shell script, several lines long.
CREATE TABLE IF NOT EXISTS scheduled_jobs (
    name     TEXT PRIMARY KEY,
    schedule TEXT NOT NULL,
    command  TEXT NOT NULL
);
