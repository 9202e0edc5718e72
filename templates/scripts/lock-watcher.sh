# Sourced (sh, not bash) by migration.psql's `\!` line once an attempt has work, with
# migrate.sh's environment: starts the lock watcher, a session of its own over
# lock-waits.psql named after the attempt's (PGAPPNAME and `-watch`), and returns at once.
# Its notes go to $SCHEMAJOB_WORK/waits and its process id to $SCHEMAJOB_WORK/watcher,
# where migrate.sh reads them and ends it after the attempt. The attempt goes on with
# the ledger and reads and checks its files while the watcher starts, and waits for its
# first line (at most a second) before anything of the files runs: the line the script
# has right after its first phase's check (MigrationScript), so even a 100 ms lock wait
# on a file's statement is seen.
#
# The run's work directory: made by the first attempt with work (an up-to-date run
# makes none), reused by the next. mkdir refuses what is already there; that is used
# only when it is this user's own directory, not a link, so nothing else in a shared
# /tmp is written through. Without it the attempt runs unwatched and a lock it timed out
# on is named "a lock".
if mkdir -m 700 "$SCHEMAJOB_WORK" 2>/dev/null || { [ -d "$SCHEMAJOB_WORK" ] && [ ! -L "$SCHEMAJOB_WORK" ] && [ -O "$SCHEMAJOB_WORK" ]; }; then
    # An earlier attempt's notes are emptied first: the attempt waits for this watcher's
    # first line.
    : >"$SCHEMAJOB_WORK/waits"
    app=$PGAPPNAME
    # Where `psql` is Debian's wrapper (pg_wrapper, a Perl script that takes 30 to 40 ms
    # of CPU to choose a binary, beside a migration on two cores), the binary it chose for
    # the session: this shell's parent. Any other `psql` (a binary, a wrapper of one's
    # own), or no /proc: `psql`.
    client=psql
    case $(readlink -f "$(command -v psql)" 2>/dev/null) in
    */pg_wrapper) exe=$(readlink "/proc/$PPID/exe" 2>/dev/null) && [ -x "$exe" ] && client=$exe ;;
    esac
    PGAPPNAME=$app-watch "$client" --no-psqlrc --quiet --tuples-only --no-align -v app="$app" \
        -f "$SCHEMAJOB_SCRIPTS/lock-waits.psql" >>"$SCHEMAJOB_WORK/waits" 2>/dev/null &
    echo $! >"$SCHEMAJOB_WORK/watcher"
fi
