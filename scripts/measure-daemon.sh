#!/usr/bin/env bash
# The daemon's figures (BENCHMARKS.md, "The daemon"): builds in release (dynamic, and with
# --static-swift-stdlib into .build-static for the memory comparison), then runs the cps-bench
# daemon subcommands on their own beds (private pcscd, vpcd, simulated CPS3, real cps-bridge).
#
#   bash scripts/measure-daemon.sh            # or: make measure
#
# Environment: LOGINS (200), CYCLES (100 pull-and-insert), STARTS (20), IDLE (60 s of strace),
# PEER_IDLE (30 s per idle window of `cps-bench peer`),
# MAX_LOAD (wait up to WAIT_MINUTES, 20, for the 1-minute load average to drop below it;
# unset: no wait), SKIP_BUILD=1 to use what is built.
set -euo pipefail
cd "$(dirname "$0")/.."
LOGINS=${LOGINS:-200}
CYCLES=${CYCLES:-100}
STARTS=${STARTS:-20}
IDLE=${IDLE:-60}
STATIC=(-c release --static-swift-stdlib --scratch-path .build-static)

if [ "${SKIP_BUILD:-}" != 1 ]; then
  for product in cps-card-sim cps-bridge cps-bench bare-server; do swift build -c release --product "$product"; done
  for product in cps-bridge bare-server; do swift build "${STATIC[@]}" --product "$product"; done
fi
BIN=$(swift build -c release --show-bin-path)
SBIN=$(swift build "${STATIC[@]}" --show-bin-path)

if [ -n "${MAX_LOAD:-}" ]; then
  for _ in $(seq "${WAIT_MINUTES:-20}"); do
    awk -v max="$MAX_LOAD" '{ exit !($1 < max) }' /proc/loadavg && break
    echo "load average $(cut -d' ' -f1-3 /proc/loadavg): waiting for < $MAX_LOAD"; sleep 60
  done
fi
if ! command -v strace >/dev/null; then
  echo "strace is missing (apt-get install -y --no-install-recommends strace): the idle series is skipped"
fi

echo "== measure-daemon $(date -u +%FT%TZ)  load $(cut -d' ' -f1-3 /proc/loadavg)  $(swift --version 2>/dev/null | head -1)"
"$BIN/cps-bench" daemon-vs-direct --logins "$LOGINS"; echo
"$BIN/cps-bench" event-latency --cycles "$CYCLES"; echo
"$BIN/cps-bench" daemon-start --runs "$STARTS"; echo
"$BIN/cps-bench" daemon-memory --binaries "$BIN" --binaries "$SBIN"; echo
if command -v strace >/dev/null; then "$BIN/cps-bench" daemon-idle --seconds "$IDLE"; echo; fi
# Side by side with Debian's AusweisApp2 (installed by the bench if missing), our daemon as the
# package ships it: the Swift runtime linked in, stripped.
strip -o "$SBIN/cps-bridge-stripped" "$SBIN/cps-bridge"
"$BIN/cps-bench" peer --daemon "$SBIN/cps-bridge-stripped" --idle "${PEER_IDLE:-30}"; echo
echo "== done $(date -u +%FT%TZ)  load $(cut -d' ' -f1-3 /proc/loadavg)"
