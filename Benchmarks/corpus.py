"""Generated database/ directories for the benchmarks: realistic, lint-clean,
idempotent PostgreSQL DDL (tables, indexes, functions with dollar bodies and
triggers, comments, DO blocks) and fixtures with upserts, which a real
PostgreSQL applies without error, run after run."""

import os


def touch_trigger(table):
    """The trigger that runs `{table}_touch()` before each update, made again on every run."""
    return f"""DROP TRIGGER IF EXISTS {table}_touch ON {table};
CREATE TRIGGER {table}_touch BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_touch();
"""


def schema_pieces(prefix):
    """Endless pieces of one schema file; each new table is referenced by what follows it."""
    table_number = 0
    while True:
        table = f"{prefix}_t{table_number}"
        table_number += 1
        yield f"""-- {table}: one row per request a user makes; the API reads it by user and status.
-- Kept small on purpose (café-grade data, no blobs).
CREATE TABLE IF NOT EXISTS {table} (
    id BIGINT PRIMARY KEY,
    user_id VARCHAR(255) NOT NULL,
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    payload JSONB DEFAULT '{{}}',
    note TEXT,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX IF NOT EXISTS idx_{table}_user ON {table}(user_id);
"""
        yield f"""CREATE INDEX IF NOT EXISTS idx_{table}_open ON {table}(status, created_at)
    WHERE status <> 'done';
COMMENT ON TABLE {table} IS 'Requests of batch {table}; rows are never deleted, only closed.';
"""
        yield f"""/* Keeps updated_at current; a closed row gets a note. */
CREATE OR REPLACE FUNCTION {table}_touch() RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = NOW();  -- the statement ends here; not the body
    IF NEW.status = 'done' AND OLD.status <> 'done' THEN
        NEW.note := coalesce(NEW.note, '') || ' closed at ' || NOW()::text;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

{touch_trigger(table)}"""
        yield f"""DO $body$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '{table}_status_check') THEN
        ALTER TABLE {table} ADD CONSTRAINT {table}_status_check
            CHECK (status IN ('pending', 'active', 'done', 'failed'));
    END IF;
END
$body$;

ALTER TABLE {table} ADD COLUMN IF NOT EXISTS region VARCHAR(50) DEFAULT 'eu-west-1';
COMMENT ON COLUMN {table}.region IS 'Where the request runs; ''eu-west-1'' unless said.';
"""


def fixture_pieces(table):
    """Upserts into one table, 20 rows a statement, ids never repeated in a file."""
    first = 1
    while True:
        rows = ",\n".join(
            f"    ({i}, 'user-{i % 97}', '{('pending', 'active', 'done')[i % 3]}', 'seeded row {i}')"
            for i in range(first, first + 20))
        first += 20
        yield f"""-- Rows {first - 20}..{first - 1} of {table}.
INSERT INTO {table} (id, user_id, status, note) VALUES
{rows}
ON CONFLICT (id) DO UPDATE SET
    user_id = EXCLUDED.user_id,
    status = EXCLUDED.status,
    note = EXCLUDED.note,
    updated_at = NOW();
"""


def fill(pieces, size):
    """Whole pieces while they fit in `size` (at least one)."""
    text = ""
    for piece in pieces:
        if text and len(text.encode()) + len(piece.encode()) + 1 > size:
            return text
        text += piece + "\n"


def generate(directory, schema_files, fixture_files, total_bytes):
    """schema_files and fixture_files at most 999 each (names are NNN_name.sql)."""
    per_file = max(1, total_bytes // (schema_files + fixture_files))
    for phase in ("schema", "fixtures"):
        os.makedirs(os.path.join(directory, phase), exist_ok=True)
    total = 0
    for number in range(1, schema_files + 1):
        text = fill(schema_pieces(f"s{number:03d}"), per_file)
        total += write(directory, "schema", f"{number:03d}_batch_{number:03d}.sql", text)
    for number in range(1, fixture_files + 1):
        # Fixture N fills the first table of schema file N (or of the last one).
        table = f"s{min(number, schema_files):03d}_t0"
        text = fill(fixture_pieces(table), per_file)
        total += write(directory, "fixtures", f"{number:03d}_rows_{number:03d}.sql", text)
    return total


def write(directory, phase, name, text):
    data = text.encode()
    with open(os.path.join(directory, phase, name), "wb") as handle:
        handle.write(data)
    return len(data)


def dense_schema_text(prefix, tables=30):
    """A statement-dense schema file: `tables` tables, each with its index, touch
    function and trigger (five short statements a table)."""
    text = ""
    for number in range(tables):
        table = f"{prefix}_t{number}"
        text += f"""CREATE TABLE IF NOT EXISTS {table} (
    id BIGINT PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'new',
    updated_at TIMESTAMPTZ DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS idx_{table}_status ON {table}(status);
CREATE OR REPLACE FUNCTION {table}_touch() RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
{touch_trigger(table)}
"""
    return text


def dense_fixture_pieces(table):
    """One-row upserts into one table, ids never repeated in a file."""
    row = 1
    while True:
        yield (f"INSERT INTO {table} (id, name, status) VALUES ({row}, 'item {row}', "
               f"'{('new', 'open', 'done')[row % 3]}')\n"
               "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, status = EXCLUDED.status;")
        row += 1


def generate_dense(directory, schema_files, fixture_files, total_bytes):
    """The statement-dense corpus: schema files of 30 tables each (their size follows),
    fixture files of one-row upserts sharing what is left of `total_bytes`."""
    for phase in ("schema", "fixtures"):
        os.makedirs(os.path.join(directory, phase), exist_ok=True)
    total = 0
    for number in range(1, schema_files + 1):
        total += write(directory, "schema", f"{number:03d}_tables_{number:03d}.sql", dense_schema_text(f"d{number:03d}"))
    per_file = max(1, (total_bytes - total) // fixture_files)
    for number in range(1, fixture_files + 1):
        table = f"d{min(number, schema_files):03d}_t0"
        total += write(directory, "fixtures", f"{number:03d}_rows_{number:03d}.sql",
                       fill(dense_fixture_pieces(table), per_file))
    return total
