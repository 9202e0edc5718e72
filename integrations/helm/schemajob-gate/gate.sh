#!/bin/sh
# `schemajob gate` as Helm 4's post-renderer. Helm 4.1.4 reads a post-renderer plugin's
# stderr into a buffer and drops it when the plugin fails (its error says only `plugin
# "schemajob-gate" exited with error`), so the one line saying what schemajob refused, and
# where, would be lost. Helm is this script's parent: its own stderr is /proc/$PPID/fd/2,
# and schemajob writes there when it can be opened (Linux); otherwise as Helm runs it.
# A terminal or a pipe (a CI log) shows the line; a regular file Helm's stderr was
# redirected to may lose it, because Helm then writes its own error from the file's start.
helm_stderr="/proc/$PPID/fd/2"
if [ -w "$helm_stderr" ]; then
    exec schemajob gate "$@" 2>>"$helm_stderr"
fi
exec schemajob gate "$@"
