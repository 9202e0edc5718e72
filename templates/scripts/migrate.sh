#!/usr/bin/env bash
# The Job's `migrate` container: one psql session over migration.psql, which applies
# every schema file, then every fixture file, and records the run in the ledger, all
# in one transaction. Settings arrive only as environment variables (PG*, SCHEMAJOB_*).
#
# Lock retries: every query on a table queues behind a lock the migration waits for,
# so each lock wait is short, and an attempt whose wait timed out (SQLSTATE 55P03, or a
# deadlock, 40P01) rolls back and runs again, whole, in this pod:
#   attempt n waits at most min(100 ms * 2^(n-1), SCHEMAJOB_LOCK_TIMEOUT_MS) per lock
#     (100, 200, 400, 500, 500, ... ms with the default 500);
#   after it, a pause drawn between d/2 and d, d = min(500 ms * 2^(n-1), 4 s)
#     (about 0.4, 0.8, 1.5, 3, 3, ... s);
#   no new attempt starts past SCHEMAJOB_LOCK_RETRY_SECONDS (default 30) after the first;
#   then the pod exits 75 and the Job retries with a new pod.
# Each failed attempt is logged with the lock it waited for and the session holding it.
#
# Exit codes, which the Job's podFailurePolicy relies on:
#    0  the migration and its ledger row committed, or the ledger already held this hash
#   65  SQL failed: retrying cannot help, the Job fails at once
#   65  also: a host in SCHEMAJOB_READ_HOSTS (gate.readHosts) answers but is no standby
#       (the primary itself, or a server of its own): checked before anything runs
#   65  also: REQUIRED_TABLES names a file of the scripts that is missing or empty
#       (required-tables.sh): checked before anything runs
#   75  PostgreSQL could not be reached or is a standby, lock waits kept timing out,
#       or psql was killed: the Job retries. Also after a commit that a read host has
#       not replayed within SCHEMAJOB_STANDBY_WAIT_SECONDS: a failover then would lose
#       it, so the Job is not done; the retry finds the hash applied and only waits again
#       (or, on a promoted standby that never got it, applies it)
set -u

readonly EXIT_SQL_FAILED=65
readonly EXIT_RETRY=75
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac

if [ -n "${SCHEMAJOB_PASSWORD_FILE:-}" ] && [ -r "$SCHEMAJOB_PASSWORD_FILE" ]; then
    PGPASSWORD=$(<"$SCHEMAJOB_PASSWORD_FILE")
    export PGPASSWORD
fi

hash=${SCHEMAJOB_HASH:?SCHEMAJOB_HASH is not set}
# The psql arguments that carry REQUIRED_TABLES (a list, or a file beside the scripts).
. "$here/required-tables.sh"
required_tables_arguments || exit "$EXIT_SQL_FAILED"
max_timeout_ms=${SCHEMAJOB_LOCK_TIMEOUT_MS:-500}
budget_ms=$(( ${SCHEMAJOB_LOCK_RETRY_SECONDS:-30} * 1000 ))
# The attempt's session, found by the lock watcher through its application_name (the
# watcher's own is this one and `-watch`).
app="${PGAPPNAME:-schemajob}-${hash:0:10}-$RANDOM$RANDOM"

# Milliseconds since the epoch into $now, without a process (bash 5's EPOCHREALTIME;
# its decimal mark follows the locale).
now_ms() { now=${EPOCHREALTIME//[.,]/}; now=$(( now / 1000 )); }
seconds() { printf '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )); }

# The lock watcher: a second session that notes every lock the attempt waits for
# (lock-waits.psql). migration.psql starts it (its `\!` line sources lock-watcher.sh)
# only once the ledger says there is work, and waits until it is watching before its
# first file's first statement, so even the first 100 ms wait is seen; an attempt that
# finds the hash applied starts none. Its notes and its process id go to $work, a
# directory made then (not here: a run with nothing to do starts no process for it); the
# watcher is no child of this script.
work=${TMPDIR:-/tmp}/schemajob.$$.$RANDOM$RANDOM
waits=$work/waits
export SCHEMAJOB_SCRIPTS=$here SCHEMAJOB_WORK=$work
watched=
stop_watcher() {
    local pid=
    [ -s "$work/watcher" ] && read -r pid <"$work/watcher"
    if [ -n "$pid" ]; then
        # SIGKILL: a parent may have left SIGTERM blocked in its children (the test
        # runner does), and the watcher holds nothing worth a clean exit.
        kill -KILL "$pid" 2>/dev/null
        : >"$work/watcher"
        watched=1
    fi
}
# Removed only if it is this user's own directory, as lock-watcher.sh made it.
trap 'stop_watcher; [ -d "$work" ] && [ ! -L "$work" ] && [ -O "$work" ] && rm -rf "$work"' EXIT

# The log's first line. In a subshell: with nobody reading stdout (`apply | head` after head
# has ended), SIGPIPE ends the subshell, and psql's own first line then tells it as usual.
[ -n "${SCHEMAJOB_VERSION:-}" ] && (echo "schemajob ${SCHEMAJOB_VERSION}, schema ${hash:0:10}")

# The migration must run on the primary. A standby (postgres.host naming the replica's
# service, or a failover half done) refuses every write, and would say so only at the
# first CREATE, in words that do not name the cause. Checked once per attempt, before any
# lock, by the session's first query (migration.psql, which then says only
# $standby_line on stderr and ends); exit 75 so the Job retries: a failover in progress
# may have finished by then.
standby_line='schemajob: the server is a standby (pg_is_in_recovery() is true); nothing was run'
refuse_standby() {
    echo "schemajob: ${PGHOST:-local socket}:${PGPORT:-5432} is a standby (pg_is_in_recovery() is true): the migration must connect to the primary; set postgres.host to the primary's service. Nothing was run; exiting $EXIT_RETRY so the Job retries" >&2
    exit $EXIT_RETRY
}

# gate.readHosts, read as the gate reads them: `host` or `host:port`, comma-separated; a
# host without a port has the primary's.
read_hosts=()
IFS=, read -ra entries <<<"${SCHEMAJOB_READ_HOSTS:-}"
for entry in "${entries[@]}"; do
    entry=${entry// /}
    [ -n "$entry" ] && read_hosts+=("$entry")
done
# psql on one read host ($1), the rest of the arguments psql's.
on_read_host() {
    local target=$1
    shift
    (
        export PGHOST=${target%%:*}
        [ "$target" != "${target#*:}" ] && export PGPORT=${target#*:}
        PGAPPNAME="$app-replay" psql --no-psqlrc --quiet --tuples-only --no-align "$@"
    )
}
# A read host that answers must be a standby: the primary under another name would let
# the wait below pass without proving anything, and a server of its own never gets the
# ledger row, so every gate would wait for ever. Retrying helps neither: exit 65, before
# anything runs. One that does not answer may be coming back: the wait after the commit
# deals with it (and exits 75). Telling the primary from a read host needs the primary's
# identity (system identifier, start time) before anything runs: only then does the
# standby check take a psql of its own, server-role.psql, which names the server too.
if [ ${#read_hosts[@]} -gt 0 ]; then
    primary=$(psql --no-psqlrc --quiet --tuples-only --no-align -f "$here/server-role.psql" 2>/dev/null)
    [ "${primary%%|*}" = "t" ] && refuse_standby
    if [ -n "$primary" ]; then
        for target in "${read_hosts[@]}"; do
            role=$(on_read_host "$target" -f "$here/server-role.psql" 2>/dev/null) || continue
            [ "${role%%|*}" = "t" ] && continue
            if [ "${role#*|}" = "${primary#*|}" ]; then
                problem="is the primary itself (the same server as postgres.host, ${PGHOST:-local socket}:${PGPORT:-5432}): list only standbys"
            else
                problem="is not a standby (pg_is_in_recovery() is false): a server of its own never replays the primary's migration; list only standbys of the primary"
            fi
            echo "schemajob: gate.readHosts: $target $problem. Nothing was run; exiting $EXIT_SQL_FAILED (not retried)" >&2
            exit $EXIT_SQL_FAILED
        done
    fi
fi

# psql names a failed statement by the line of migration.psql that sent it: for a
# file's statements, the `\gexec` line of its phase (or of a segment of it). Each of
# them starts with its own place (`/* schema/NNN_name.sql:LINE */`), and psql echoes a
# failed one after the error (`STATEMENT:`, ECHO errors); that place replaces psql's,
# so the log names the file and line as `\i` once did. The error's lines wait for the echo (psql stops at the first
# error, so nothing else comes between); the echoes themselves are left out.
# It reads in this shell (no pipe's subshell, no `tee`, no file), so what the exit code
# needs is noted as it passes: whether the server was a standby, a lock timeout or
# deadlock ended the attempt (retried here) or another retryable error the session (not
# a syntax error: that stops), and the last failed statement's place. VERBOSITY=verbose
# puts the SQLSTATE on every error line, which does not depend on the server's language.
retryable='(ERROR|FATAL): +(55P03|40001|40P01|57P01|57P02|57P03|08[0-9A-Z]{3}):'
lock_failure='(ERROR|FATAL): +(55P03|40P01):'
error_place='([^/ ]+\.sql:[0-9]+): ERROR'
put() {
    local text
    for text; do
        printf '%s\n' "$text" >&2
        [[ $text =~ $lock_failure ]] && lock_failed=1
        [[ $text =~ $retryable ]] && retryable_failed=1
        [[ $text =~ $error_place ]] && where=${BASH_REMATCH[1]}
    done
}
place_errors() {
    local text place held=() echoed=
    standby= lock_failed= retryable_failed= where=
    while IFS= read -r text || [ -n "$text" ]; do
        if [ "$text" = "$standby_line" ]; then
            standby=1
        elif [[ $text =~ ^psql:.*migration\.psql:[0-9]+:\ STATEMENT:\ \ (/\*\ ([^ ]+\.sql:[0-9]+)\ \*/)? ]]; then
            place=${BASH_REMATCH[2]}
            if [ -n "$place" ] && [ "${#held[@]}" -gt 0 ] && [[ ${held[0]} =~ ^psql:.*migration\.psql:[0-9]+:(.*)$ ]]; then
                held[0]="psql:$here/../$place:${BASH_REMATCH[1]}"
            fi
            [ "${#held[@]}" -gt 0 ] && put "${held[@]}"
            held=()
            echoed=1
        elif [ -n "$echoed" ] && [[ $text != psql:* ]]; then
            :   # the rest of an echoed statement
        elif [ "${#held[@]}" -gt 0 ] || [[ $text =~ ^psql:.*migration\.psql:[0-9]+:\ (ERROR|FATAL): ]]; then
            held+=("$text")
            echoed=
        else
            put "$text"
            echoed=
        fi
    done
    [ "${#held[@]}" -gt 0 ] && put "${held[@]}"
    return 0
}

now_ms
started=$now
attempt=1
status=0
while true; do
    timeout_ms=$(( 100 << (attempt - 1 < 10 ? attempt - 1 : 10) ))
    [ "$timeout_ms" -gt "$max_timeout_ms" ] && timeout_ms=$max_timeout_ms
    # The migration lock blocks no API query: it may wait for what is left of the budget.
    now_ms
    left_ms=$(( budget_ms - (now - started) ))
    [ "$left_ms" -lt "$timeout_ms" ] && left_ms=$timeout_ms

    watched=
    # stderr goes through place_errors (a process substitution: place_errors reads in this
    # shell); stdout goes straight to fd 3.
    # libpq reads PGHOST, PGDATABASE, ... itself. No `-d "$PGDATABASE"`: psql would read a
    # database name holding `=` as a connection string, a value turned into code.
    exec 3>&1
    place_errors < <(PGAPPNAME="$app" psql --no-psqlrc --quiet \
        -v ON_ERROR_STOP=1 -v VERBOSITY=verbose \
        -v hash="$hash" \
        -v pod="${SCHEMAJOB_POD:-}" \
        -v version="${SCHEMAJOB_VERSION:-}" \
        "${tables[@]}" \
        -v reapply="${SCHEMAJOB_REAPPLY:-if-changed}" \
        -v attempt="$attempt" \
        -v lock_timeout="${timeout_ms}ms" \
        -v migration_lock_timeout="${left_ms}ms" \
        -v files="$here/.." \
        -f "$here/migration.psql" 2>&1 1>&3 3>&-)
    wait $!
    status=$?
    exec 3>&-
    stop_watcher
    [ -n "$standby" ] && refuse_standby

    # Only a lock timeout or a deadlock is retried here; psql exits 3 for an SQL error.
    [ "$status" -eq 3 ] && [ -n "$lock_failed" ] || break

    now_ms
    elapsed=$(( now - started ))
    blocked=
    [ -n "$watched" ] && blocked=$(grep -v '^watching$' "$waits" | sort | uniq -c | sort -rn | head -n 1 | sed -E 's/^ *[0-9]+ //')
    message="attempt $attempt waited ${timeout_ms} ms for ${blocked:-a lock}${where:+ (at $where)} and rolled back"
    pause_ms=$(( 500 << (attempt - 1 < 3 ? attempt - 1 : 3) ))
    pause_ms=$(( pause_ms / 2 + RANDOM % (pause_ms / 2 + 1) ))
    if [ $(( elapsed + pause_ms )) -ge "$budget_ms" ]; then
        echo "schemajob: $message; $attempt attempts in $(seconds "$elapsed") s, SCHEMAJOB_LOCK_RETRY_SECONDS spent; nothing was committed; exiting $EXIT_RETRY so the Job retries" >&2
        exit $EXIT_RETRY
    fi
    echo "schemajob: $message; attempt $((attempt + 1)) in $(seconds "$pause_ms") s" >&2
    sleep "$(seconds "$pause_ms")"
    attempt=$((attempt + 1))
done

# Committed (or found applied) on the primary: done only once every read host has replayed
# it. Replication is usually asynchronous, so the primary's commit alone does not survive
# a failover: a standby promoted before it replayed the run has neither the migration nor
# its ledger row, and a Job marked complete would never run again. The check is the gate's
# own (wait-for-schema.sh: the ledger row for this hash and every required table, on the
# primary and on each read host), for at most SCHEMAJOB_STANDBY_WAIT_SECONDS.
wait_for_read_hosts() {
    if [ ${#read_hosts[@]} -eq 0 ]; then
        echo "schemajob: gate.readHosts is empty: whether a standby has replayed the migration, and so whether it would survive a failover, was not checked" >&2
        return 0
    fi
    local limit=${SCHEMAJOB_STANDBY_WAIT_SECONDS:-300} commit_lsn target state
    # The primary's WAL position after the commit: a standby replayed up to it has the run.
    # The insert position: with synchronous_commit off the write position may lie before it.
    commit_lsn=$(psql --no-psqlrc --quiet --tuples-only --no-align -c 'SELECT pg_current_wal_insert_lsn()' 2>/dev/null)
    SCHEMAJOB_WAIT_TIMEOUT=$limit PGAPPNAME="$app-replay" bash "$here/wait-for-schema.sh" && return 0
    # How far behind each read host is, as it says itself, and as the primary sees its
    # walsenders (pg_stat_replication: its positions show only to roles with pg_monitor).
    for target in "${read_hosts[@]}"; do
        if state=$(on_read_host "$target" -v lsn="${commit_lsn:-0/0}" -f "$here/replay-state.psql" 2>&1); then
            echo "schemajob: read host $target: $state" >&2
        else
            echo "schemajob: read host $target: could not connect ($(printf '%s' "$state" | tr -s '\t\n ' '   ')); it may be coming back" >&2
        fi
    done
    state=$(psql --no-psqlrc --quiet --tuples-only --no-align -v lsn="${commit_lsn:-0/0}" -f "$here/replication-state.psql" 2>&1)
    [ -n "$state" ] && echo "schemajob: the primary's pg_stat_replication: $state" >&2
    echo "schemajob: the migration is committed on the primary, but not every read host replayed it within ${limit} s (job.standbyWaitSeconds): a failover now would lose it; exiting $EXIT_RETRY so the Job retries (the retry finds it applied and only waits again)" >&2
    return $EXIT_RETRY
}

case $status in
    0)
        if [ "$attempt" -gt 1 ]; then
            now_ms
            echo "schemajob: committed at attempt $attempt, $(seconds $(( now - started ))) s after the first" >&2
        fi
        wait_for_read_hosts
        exit
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
        if [ -n "$retryable_failed" ]; then
            echo "schemajob: the server went away or a transaction was cancelled; nothing was committed; exiting $EXIT_RETRY so the Job retries" >&2
            exit $EXIT_RETRY
        fi
        echo "schemajob: the migration failed; nothing was committed; exiting $EXIT_SQL_FAILED (not retried)" >&2
        exit $EXIT_SQL_FAILED
        ;;
esac
