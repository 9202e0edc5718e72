#!/usr/bin/env bash
# The Job's `wait-for-postgres` init container: waits until PostgreSQL accepts
# connections, for at most SCHEMAJOB_WAIT_TIMEOUT seconds, then exits 75 so the Job
# counts a retry instead of hanging until its deadline.
set -u

readonly EXIT_RETRY=75
timeout=${SCHEMAJOB_WAIT_TIMEOUT:-300}
deadline=$(( EPOCHSECONDS + timeout ))
target="${PGHOST:-local socket}:${PGPORT:-5432}"

# libpq reads PGHOST, PGPORT, PGDATABASE itself; none is passed as an argument.
until pg_isready --quiet --timeout=5; do
    if [ "$EPOCHSECONDS" -ge "$deadline" ]; then
        echo "PostgreSQL at $target is not ready after ${timeout}s; exiting $EXIT_RETRY so the Job retries" >&2
        exit $EXIT_RETRY
    fi
    echo "Waiting for PostgreSQL at $target..."
    sleep 2
done
echo "PostgreSQL at $target is ready."
