#!/usr/bin/env bash
# Stops every process a test bed started (private pcscd, simulated cards, their watchers):
# they all run with a path under a "cps-bridge-bed.<pid>.<n>" folder on their command line.
# Matching is done here, in a file, so that no shell whose own command line holds the
# pattern is matched.
set -u
pids=$(pgrep -f 'cps-bridge-bed\.[0-9]+\.[0-9]+' || true)
for pid in $pids; do
  [ "$pid" = "$$" ] && continue
  kill -TERM "$pid" 2>/dev/null
done
sleep 0.3
for pid in $pids; do
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
done
exit 0
