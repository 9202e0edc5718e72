#!/usr/bin/env bash
# The Job's `migrate` container: one psql session over migration.psql, which applies
# every schema file, then every fixture file, and records the run in the ledger, all
# in one transaction. Settings arrive only as environment variables (PG*, SCHEMAJOB_*).
#
# Exit codes, which the Job's podFailurePolicy relies on:
#    0  the migration and its ledger row committed
#   65  SQL failed: retrying cannot help, the Job fails at once
#   75  PostgreSQL could not be reached, a lock wait timed out, or psql was killed:
#       the Job retries
set -u

readonly EXIT_SQL_FAILED=65
readonly EXIT_RETRY=75
here=$(cd "$(dirname "$0")" && pwd)

if [ -n "${SCHEMAJOB_PASSWORD_FILE:-}" ] && [ -r "$SCHEMAJOB_PASSWORD_FILE" ]; then
    PGPASSWORD=$(cat "$SCHEMAJOB_PASSWORD_FILE")
    export PGPASSWORD
fi

# psql's errors are shown as they happen and kept, so the exit code can tell a lock
# timeout (retry) from a syntax error (stop). VERBOSITY=verbose puts the SQLSTATE on
# every error line, which does not depend on the server's language.
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT

# stderr goes through tee (to the log and to $errors); stdout goes straight to fd 3.
# libpq reads PGHOST, PGDATABASE, ... itself. No `-d "$PGDATABASE"`: psql would read a
# database name holding `=` as a connection string, a value turned into code.
exec 3>&1
psql --no-psqlrc --quiet \
    -v ON_ERROR_STOP=1 -v VERBOSITY=verbose \
    -v hash="${SCHEMAJOB_HASH:?SCHEMAJOB_HASH is not set}" \
    -v pod="${SCHEMAJOB_POD:-}" \
    -v lock_timeout="${SCHEMAJOB_LOCK_TIMEOUT:-60s}" \
    -f "$here/migration.psql" 2>&1 1>&3 3>&- | tee "$errors" >&2
status=${PIPESTATUS[0]}
exec 3>&-

retryable='(ERROR|FATAL): +(55P03|40001|40P01|57P01|57P02|57P03|08[0-9A-Z]{3}):'
case $status in
    0)
        exit 0
        ;;
    2)
        echo "schemajob: could not reach PostgreSQL at ${PGHOST:-local socket}:${PGPORT:-5432}; exiting $EXIT_RETRY so the Job retries" >&2
        exit $EXIT_RETRY
        ;;
    *)
        if [ "$status" -gt 128 ]; then
            echo "schemajob: psql was ended by signal $((status - 128)); nothing was committed; exiting $EXIT_RETRY so the Job retries" >&2
            exit $EXIT_RETRY
        fi
        if grep -Eq "$retryable" "$errors"; then
            echo "schemajob: a lock wait timed out or the server went away; nothing was committed; exiting $EXIT_RETRY so the Job retries" >&2
            exit $EXIT_RETRY
        fi
        echo "schemajob: the migration failed; nothing was committed; exiting $EXIT_SQL_FAILED (not retried)" >&2
        exit $EXIT_SQL_FAILED
        ;;
esac
