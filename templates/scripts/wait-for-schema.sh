#!/usr/bin/env bash
# The gate: the API's `wait-for-schema` init container, and the one `schemajob gate` adds
# to other workloads. Waits until the ledger holds a finished migration for
# SCHEMAJOB_HASH and every table in REQUIRED_TABLES (comma-separated) exists, on the
# primary (PGHOST) and on every standby in SCHEMAJOB_READ_HOSTS (comma-separated `host` or
# `host:port`): the ledger row commits with the migration, so seeing it on a standby means
# the standby has replayed the migration. At most SCHEMAJOB_WAIT_TIMEOUT seconds (then
# exits 1; the pod restarts it with back-off). It asks the database, never the Kubernetes
# API: the Job deletes itself after its TTL, and the ledger outlives it.
#
# Each wait is one session that re-checks every 0.2 s on the server (schema-wait.psql)
# for up to SCHEMAJOB_SESSION_SECONDS (30), so the gate opens within a fraction of a
# second of the commit while opening about 2 connections a minute; a host that cannot be
# reached is asked again after 5 s.
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
short=${SCHEMAJOB_HASH:0:10}
session_seconds=${SCHEMAJOB_SESSION_SECONDS:-30}

# The primary first (an empty entry: libpq's own PGHOST and PGPORT), then each standby.
targets=("")
IFS=, read -ra read_hosts <<<"${SCHEMAJOB_READ_HOSTS:-}"
for entry in "${read_hosts[@]}"; do
    entry=${entry// /}
    [ -n "$entry" ] && targets+=("$entry")
done

# One session against one target, waiting up to $2 seconds. libpq reads PGDATABASE itself
# (given to -d, a name holding `=` would be read as a connection string).
check() {
    local target=$1
    (
        if [ -n "$target" ]; then
            export PGHOST=${target%%:*}
            [ "$target" != "${target#*:}" ] && export PGPORT=${target#*:}
        fi
        psql --no-psqlrc --quiet --tuples-only --no-align \
            -v ON_ERROR_STOP=1 \
            -v hash="${SCHEMAJOB_HASH:?SCHEMAJOB_HASH is not set}" \
            -v tables="${REQUIRED_TABLES:-}" \
            -v wait="$2" \
            -f "$here/schema-wait.psql"
    )
}
label() { [ -n "$1" ] && echo "standby $1: " || { [ ${#targets[@]} -gt 1 ] && echo "primary: "; }; }

timeout=${SCHEMAJOB_WAIT_TIMEOUT:-900}
deadline=$(( EPOCHSECONDS + timeout ))
next=0     # the first target not yet seen ready; a target once ready stays ready
wait=0     # the first look at each target does not wait, so what is missing is said at once
while true; do
    report=ready
    status=0
    while [ "$next" -lt ${#targets[@]} ]; do
        left=$(( deadline - EPOCHSECONDS ))
        [ "$wait" -gt "$left" ] && wait=$(( left > 0 ? left : 0 ))
        report=$(check "${targets[$next]}" "$wait" 2>&1)
        status=$?
        [ $status -eq 0 ] && [ "$report" = "ready" ] || break
        next=$(( next + 1 ))
        wait=0
    done
    if [ "$next" -ge ${#targets[@]} ]; then
        if [ ${#targets[@]} -gt 1 ]; then
            echo "Schema $short is applied; every required table exists; every read host (${SCHEMAJOB_READ_HOSTS// /}) has replayed it."
        else
            echo "Schema $short is applied; every required table exists."
        fi
        exit 0
    fi
    report="$(label "${targets[$next]}")$report"
    if $once; then
        echo "$report" >&2
        [ $status -eq 2 ] && exit 2
        exit 1
    fi
    if [ "$EPOCHSECONDS" -ge "$deadline" ]; then
        echo "Gave up after ${timeout}s: $report" >&2
        exit 1
    fi
    echo "Waiting for schema $short: $report"
    if [ $status -eq 0 ]; then
        wait=$session_seconds
    else
        sleep 5
    fi
done
