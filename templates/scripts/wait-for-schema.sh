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
# second of the commit while opening about 2 connections a minute. But a rollout starts
# every gated pod at once, and the migration Job they wait for needs connections too: a
# session is held only while the server has room to spare (at most SCHEMAJOB_GATE_SESSIONS
# gates, 50, hold one, and only while SCHEMAJOB_GATE_HEADROOM_PERCENT, 25, of the slots
# an ordinary role may use, and at least 5, stay free). A gate told the server is
# crowded looks again with a short session after a pause drawn between half of and all
# of SCHEMAJOB_POLL_SECONDS (3): about 27 connections a minute, each held for
# milliseconds. A server that refuses the connection for want of slots (`too many
# clients`, `remaining connection slots are reserved`) is asked again after 1, 2, 4, 8 s
# (at most 8 s), anything else (a wrong password, no such database, no server) after
# 1, 2, 4 ... 30 s; every pause jittered, so pods started together spread out, and the
# reason said once, in one line, until it changes.
#
# A gate that has waited SCHEMAJOB_EXPLAIN_SECONDS (60) and still finds no run for its hash
# on the primary says what is known (lost-run.psql): the newest run in the ledger, whether
# this server was promoted, and how to run the migration again. A migration the old
# primary committed but no standby had replayed is lost in a failover, and the Job that
# ran it may be marked complete: waiting longer never helps then.
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
# The psql arguments that carry REQUIRED_TABLES (a list, or a file beside the scripts).
. "$here/required-tables.sh"
required_tables_arguments || exit 1
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
            "${tables[@]}" \
            -v wait="$2" \
            -v sessions="${SCHEMAJOB_GATE_SESSIONS:-50}" \
            -v headroom_percent="${SCHEMAJOB_GATE_HEADROOM_PERCENT:-25}" \
            -v explain="$3" \
            -f "$here/schema-wait.psql"
    )
}
label() { [ -n "$1" ] && echo "standby $1: " || { [ ${#targets[@]} -gt 1 ] && echo "primary: "; }; }

timeout=${SCHEMAJOB_WAIT_TIMEOUT:-900}
deadline=$(( EPOCHSECONDS + timeout ))
explain_at=$(( EPOCHSECONDS + ${SCHEMAJOB_EXPLAIN_SECONDS:-60} ))
next=0     # the first target not yet seen ready; a target once ready stays ready
wait=0     # the first look at each target does not wait, so what is missing is said at once
failures=0 # connections refused in a row, for the back-off
said=      # the last reason printed, so a reason that stays the same is said once
while true; do
    report=ready
    status=0
    crowded=
    while [ "$next" -lt ${#targets[@]} ]; do
        left=$(( deadline - EPOCHSECONDS ))
        [ "$wait" -gt "$left" ] && wait=$(( left > 0 ? left : 0 ))
        # The primary's session that ends once the gate has waited SCHEMAJOB_EXPLAIN_SECONDS
        # explains; the one before it ends then.
        explain=false
        if [ -z "${targets[$next]}" ] && ! $once; then
            if [ "$EPOCHSECONDS" -ge "$explain_at" ]; then
                explain=true
            elif [ "$wait" -gt $(( explain_at - EPOCHSECONDS )) ]; then
                wait=$(( explain_at - EPOCHSECONDS ))
            fi
        fi
        report=$(check "${targets[$next]}" "$wait" "$explain" 2>&1)
        status=$?
        if [ $status -eq 0 ] && [[ $report == crowded:* ]]; then
            crowded=${report%%$'\n'*}
            report=${report#*$'\n'}
        fi
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
    # One line, whatever psql printed (a refused connection can take two).
    report=$(printf '%s' "$report" | tr -s '\t\n ' '   ')
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
    wait=$session_seconds
    pause_ms=0
    said_now=$report   # what is said; the counts of free slots alone do not make a new line
    line=$report
    if [ $status -ne 0 ]; then
        failures=$(( failures + 1 ))
        # 1, 2, 4 ... s; at most 8 s when the server is only full, 30 s otherwise.
        limit_ms=30000
        [[ $report =~ too\ many\ (clients|connections)|remaining\ connection\ slots ]] && limit_ms=8000
        pause_ms=$(( 1000 << (failures - 1 < 5 ? failures - 1 : 5) ))
        [ "$pause_ms" -gt "$limit_ms" ] && pause_ms=$limit_ms
        line="$report; looking again with back-off, at most $(( limit_ms / 1000 )) s apart"
    else
        failures=0
        if [ -n "$crowded" ]; then
            pause_ms=$(( ${SCHEMAJOB_POLL_SECONDS:-3} * 1000 ))
            said_now="crowded $report"
            line="$report (the server has ${crowded#crowded: }: this gate holds no session and looks again every few seconds)"
        fi
    fi
    if [ "$said_now" != "$said" ]; then
        echo "Waiting for schema $short: $line"
        said=$said_now
    fi
    if [ "$pause_ms" -gt 0 ]; then
        # Drawn between half of the pause and all of it.
        pause_ms=$(( pause_ms / 2 + (RANDOM * 32768 + RANDOM) % (pause_ms / 2 + 1) ))
        sleep "$(( pause_ms / 1000 )).$(printf '%03d' $(( pause_ms % 1000 )))"
    fi
done
