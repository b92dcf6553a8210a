#!/usr/bin/env bash
# First figures for the daemon (issue: cps-bridge serve): exec to a first /v1/status listing
# the card, APDUs and wall time per login through the HTTP API (cold, then warm), idle RSS,
# and the daemon's syscalls over an idle period. Release build; private pcscd and simulated
# card as in `make demo`. Usage: bash scripts/measure-serve.sh [logins] [idle-seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
LOGINS=${1:-20}
IDLE=${2:-20}
BIN=$(swift build -c release --show-bin-path)
D=$(mktemp -d /tmp/cps-bridge-measure.XXXXXX)
mkdir -p "$D/run" "$D/readers" "$D/card"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1] & ~1); s.close()')
printf 'FRIENDLYNAME "CPS Measure"\nDEVICENAME /dev/null:0x%x\nLIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID 0x%x\n' "$PORT" "$PORT" > "$D/readers/vpcd"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$D"; }
trap cleanup EXIT INT TERM
unshare -m --propagation private sh -c "mkdir -p /run/pcscd && mount --bind $D/run /run/pcscd && exec pcscd --foreground -c $D/readers" > "$D/pcscd.log" 2>&1 &
pids+=($!)
export PCSCLITE_CSOCK_NAME="$D/run/pcscd.comm"
for _ in $(seq 50); do [ -S "$PCSCLITE_CSOCK_NAME" ] && break; sleep 0.1; done
"$BIN/cps-card-sim" --vpcd-port "$PORT" --state "$D/card" > "$D/card.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "^inserted" "$D/card.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.6
API=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
ORIGIN=https://federator.example
start=$(date +%s%N)
"$BIN/cps-bridge" serve --listen "127.0.0.1:$API" --allow-origin $ORIGIN --allow-page-pin $ORIGIN --log-level warning > "$D/serve.log" 2>&1 &
SERVE=$!
pids+=($SERVE)
until curl -s "http://127.0.0.1:$API/v1/status" 2>/dev/null | grep -q '"cps3"'; do sleep 0.002; done
echo "exec to a first /v1/status listing the card: $(( ($(date +%s%N) - start) / 1000000 )) ms"
count() { grep -c '^>' "$D/card/apdu.log"; }
times=()
for i in $(seq "$LOGINS"); do
  NONCE=$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')
  before=$(count); t0=$(date +%s%N)
  curl -s -o /dev/null -w '%{http_code}' -H "Origin: $ORIGIN" -H "Content-Type: application/json" \
    -d "{\"nonce\":\"$NONCE\",\"pin\":\"1234\"}" "http://127.0.0.1:$API/v1/authenticate" | grep -q 200
  t1=$(date +%s%N); sleep 0.2   # the reset after the login runs after the answer
  apdus=$(( $(count) - before ))
  times+=($(( (t1 - t0) / 1000 )))
  [ "$i" = 1 ] && echo "login 1 (cold): $apdus APDUs (reset included), $(( (t1 - t0) / 1000 )) us"
  [ "$i" = 2 ] && echo "login 2 (warm): $apdus APDUs (reset included), $(( (t1 - t0) / 1000 )) us"
done
printf '%s\n' "${times[@]:1}" | sort -n | awk '{a[NR]=$1} END {printf "warm logins through HTTP (curl included), n=%d: median %.2f ms, p99 %.2f ms\n", NR, a[int((NR+1)/2)]/1000, a[int(NR*0.99+0.999)]/1000}'
sleep 2
echo "idle RSS: $(grep VmRSS /proc/$SERVE/status | awk '{print $2/1024 " MiB"}')"
if command -v strace >/dev/null; then
  timeout -s INT "$IDLE" strace -c -f -p "$SERVE" -o "$D/strace.txt" 2>/dev/null || true
  echo "syscalls over ${IDLE} s idle (strace -c -f):"; sed "s/^/  /" "$D/strace.txt"
fi
