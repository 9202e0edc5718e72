#!/usr/bin/env bash
# The API's `wait-for-schema` init container. Waits until the ledger holds a finished
# migration for SCHEMAJOB_HASH and every table in REQUIRED_TABLES (comma-separated)
# exists, for at most SCHEMAJOB_WAIT_TIMEOUT seconds (then exits 1; the pod restarts
# it with back-off). It asks the database, never the Kubernetes API: the Job deletes
# itself after its TTL, and the ledger outlives it.
#
# With --once it checks a single time, for `schemajob verify`:
#   0 ready, 1 not ready (says what is missing), 2 PostgreSQL could not be reached.
set -u

here=$(cd "$(dirname "$0")" && pwd)
once=false
[ "${1:-}" = "--once" ] && once=true

if [ -n "${SCHEMAJOB_PASSWORD_FILE:-}" ] && [ -r "$SCHEMAJOB_PASSWORD_FILE" ]; then
    PGPASSWORD=$(cat "$SCHEMAJOB_PASSWORD_FILE")
    export PGPASSWORD
fi

# libpq reads PGDATABASE itself (given to -d, a name holding `=` would be read as a
# connection string).
check() {
    psql --no-psqlrc --quiet --tuples-only --no-align \
        -v ON_ERROR_STOP=1 \
        -v hash="${SCHEMAJOB_HASH:?SCHEMAJOB_HASH is not set}" \
        -v tables="${REQUIRED_TABLES:-}" \
        -f "$here/schema-ready.psql"
}

timeout=${SCHEMAJOB_WAIT_TIMEOUT:-900}
deadline=$(( $(date +%s) + timeout ))
while true; do
    report=$(check 2>&1)
    status=$?
    if [ $status -eq 0 ] && [ "$report" = "ready" ]; then
        echo "Schema ${SCHEMAJOB_HASH:0:10} is applied; every required table exists."
        exit 0
    fi
    if $once; then
        echo "$report" >&2
        [ $status -eq 2 ] && exit 2
        exit 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "Gave up after ${timeout}s: $report" >&2
        exit 1
    fi
    echo "Waiting for schema ${SCHEMAJOB_HASH:0:10}: $report"
    sleep 5
done
