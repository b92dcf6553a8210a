#!/usr/bin/env bash
# Runs a command with a private PostgreSQL server, and stops the server afterwards whatever the
# outcome. For the shared nonce store's tests (make test), its benchmark and the demo:
#   scripts/with-postgres.sh COMMAND [ARGS...]
#
# The server comes from Debian's `postgresql` package (the newest /usr/lib/postgresql/N/bin),
# runs as the unprivileged `postgres` account (as the calling user when not root), keeps its
# data directory in a new private temporary folder, and listens on a Unix socket in that
# folder only: no TCP port is opened. The command sees:
#   CPSB_POSTGRES_URL    postgres://cps@/cps?host=SOCKETDIR&port=5432  (trust authentication
#                        for the socket's owner; the `cps` role is the superuser)
#   CPSB_POSTGRES_CTL    a script taking `stop`, `start` or `status` (pg_ctl on this server),
#                        for the outage tests
#   CPSB_POSTGRES_DATA   the server's data directory
# Without a PostgreSQL server installed the command still runs, without these variables: the
# tests that need them skip, except under CI=true, where they fail.
set -uo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
    echo "with-postgres: no PostgreSQL server (apt-get install --no-install-recommends postgresql): running without" >&2
    "$@"
    exit $?
fi
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "with-postgres: no postgres account" >&2; exit 1; }
    owner=postgres
    as_owner() { runuser -u postgres -- "$@"; }
else
    owner=$(id -un)
    as_owner() { "$@"; }
fi

dir=$(mktemp -d /tmp/cpsb-pg.XXXXXX) || exit 1
chmod 0755 "$dir"
mkdir -p "$dir/data" "$dir/socket"
chown "$owner": "$dir/data" "$dir/socket"
chmod 0700 "$dir/data"
# The socket directory is the server's; the calling user (root, or the owner) connects to it.
chmod 0755 "$dir/socket"
port=5432   # names the socket file only (.s.PGSQL.5432): nothing listens on TCP

cat > "$dir/ctl" <<CTL
#!/usr/bin/env bash
# pg_ctl on the private server of scripts/with-postgres.sh: stop, start or status.
# The server must not keep its caller's descriptors (a test process's pipes would stay open
# in the daemon): every descriptor but 0-2 is closed, and pg_ctl's own output goes to a log.
for fd in /proc/\$\$/fd/*; do fd=\${fd##*/}; [ "\$fd" -gt 2 ] 2>/dev/null && eval "exec \$fd>&-"; done
run() {
  if [ "\$(id -u)" = 0 ]; then runuser -u $owner -- "\$@"; else "\$@"; fi </dev/null >>"$dir/ctl.log" 2>&1 ||
    { status=\$?; tail -n 20 "$dir/ctl.log" >&2; return \$status; }
}
case "\${1:-}" in
  stop)   run "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop ;;
  start)  run "$bindir/pg_ctl" -D "$dir/data" -w -t 30 -l "$dir/data/server.log" \\
            -o "-k $dir/socket -p $port -c listen_addresses=''" start ;;
  status) run "$bindir/pg_ctl" -D "$dir/data" status ;;
  *) echo "usage: \$0 stop|start|status" >&2; exit 2 ;;
esac
CTL
chmod 0755 "$dir/ctl"

cleanup() {
    if [ -f "$dir/data/postmaster.pid" ]; then
        "$dir/ctl" stop >/dev/null 2>&1 || as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! as_owner "$bindir/initdb" -D "$dir/data" -U cps -A trust --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2; echo "with-postgres: initdb failed" >&2; exit 1
fi
if ! "$dir/ctl" start >"$dir/start.log" 2>&1; then
    cat "$dir/start.log" "$dir/data/server.log" >&2 2>/dev/null; echo "with-postgres: the server did not start" >&2; exit 1
fi
if ! as_owner "$bindir/createdb" -h "$dir/socket" -p "$port" -U cps cps; then
    echo "with-postgres: createdb failed" >&2; exit 1
fi
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on $dir/socket (no TCP)" >&2

export CPSB_POSTGRES_URL="postgres://cps@/cps?host=$dir/socket&port=$port"
export CPSB_POSTGRES_CTL="$dir/ctl"
export CPSB_POSTGRES_DATA="$dir/data"
"$@"
