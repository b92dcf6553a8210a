#!/usr/bin/env bash
# The dispatcher's cost (BENCHMARKS.md, "The dispatcher"): the time from connect to the last
# byte of a CORS preflight (OPTIONS, answered by the daemon, not rate-limited), each on a new
# connection, straight to a daemon that listens itself vs through `cps-bridge dispatch` to a
# daemon of the same account. The hand-over happens once per connection, so this is its
# whole cost. Needs root (test accounts cpsb-bench and cpsb-dispatch, run through setpriv).
#
#   sudo bash scripts/measure-dispatch.sh [BIN_DIR]     # default: swift build --show-bin-path
#
# Environment: REQUESTS (2000 per path).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-$(swift build --show-bin-path)}
REQUESTS=${REQUESTS:-2000}
for account in cpsb-bench cpsb-dispatch; do
  id "$account" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin --user-group "$account"
done
as() { local a=$1; shift; setpriv --reuid="$(id -u "$a")" --regid="$(id -g "$a")" --clear-groups --inh-caps=-all -- "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
DIR=$(mktemp -d /tmp/cpsb-measure-dispatch.XXXXXX)
chown cpsb-dispatch "$DIR"; chmod 755 "$DIR"
RUNTIME="$DIR/runtime"; mkdir "$RUNTIME"; chown cpsb-bench "$RUNTIME"; chmod 700 "$RUNTIME"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$DIR"' EXIT
DIRECT=$(free_port); PUBLIC=$(free_port)
ORIGIN=https://bench.example
export XDG_RUNTIME_DIR=$RUNTIME HOME=$RUNTIME TMPDIR=$RUNTIME
as cpsb-bench "$BIN/cps-bridge" serve --listen "127.0.0.1:$DIRECT" --allow-origin "$ORIGIN" --log-level warning 2>"$DIR/direct.log" & PIDS+=($!)
as cpsb-dispatch "$BIN/cps-bridge" dispatch --listen "127.0.0.1:$PUBLIC" --registry "$DIR/dispatch.sock" --log-level warning 2>"$DIR/dispatch.log" & PIDS+=($!)
sleep 1
as cpsb-bench "$BIN/cps-bridge" serve --dispatcher "$DIR/dispatch.sock" --allow-origin "$ORIGIN" 2>"$DIR/dispatched.log" & PIDS+=($!)
for _ in $(seq 100); do grep -q "registered with the dispatcher" "$DIR/dispatched.log" && break; sleep 0.1; done
grep -q "registered with the dispatcher" "$DIR/dispatched.log" || { cat "$DIR"/*.log; exit 1; }

echo "== measure-dispatch $(date -u +%FT%TZ)  load $(cut -d' ' -f1-3 /proc/loadavg)  $BIN"
as cpsb-bench /usr/bin/python3 - "$DIRECT" "$PUBLIC" "$REQUESTS" "$ORIGIN" <<'PY'
import socket, statistics, sys, time
direct, public, count, origin = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def once(port):
    head = ("OPTIONS /v1/authenticate HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nOrigin: %s\r\n"
            "Access-Control-Request-Method: POST\r\nConnection: close\r\n\r\n" % (port, origin)).encode()
    start = time.perf_counter()
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(head)
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk: break
        data += chunk
    elapsed = time.perf_counter() - start
    sock.close()
    assert data.startswith(b"HTTP/1.1 204"), data[:80]
    return elapsed * 1000
for port in (direct, public):
    for _ in range(50): once(port)   # warm-up
times = {direct: [], public: []}
for _ in range(count):
    for port in (direct, public):    # interleaved: both see the same load
        times[port].append(once(port))
def show(name, values):
    values = sorted(values)
    p99 = values[int(len(values) * 0.99) - 1]
    print("%-12s n=%d  median %.3f ms  p99 %.3f ms  mean %.3f ms" % (name, len(values), statistics.median(values), p99, statistics.mean(values)))
    return statistics.median(values), p99
d = show("direct", times[direct])
p = show("dispatched", times[public])
print("added        median +%.3f ms  p99 +%.3f ms" % (p[0] - d[0], p[1] - d[1]))
PY
