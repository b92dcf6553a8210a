#!/usr/bin/env bash
# Proof under a real systemd: the package built by `make deb`, installed in a minimal Debian 12
# booted with systemd-nspawn (systemd as PID 1, a user manager for the lingering test account
# cpsb-test), then the checks of scripts/systemd-tests-in-container.sh. Run by `make test` as
# root after `make deb`; CI=true makes any missing piece a failure. Stops everything at the
# end, whatever the outcome.
#
#   build/deb/cps-bridge_*_amd64.deb   the package (make deb)
#   build/deb/cps-card-sim             the simulated card, release and static (make deb)
#   build/nspawn/                      the cached root (mmdebstrap --variant=minbase, from the
#                                      apt sources configured here), rebuilt when its recipe
#                                      below changes; `rm -rf build/nspawn` forces it
#   test-artifacts/systemd/            the container's results, journal and console
#
# The root is never changed by a run: it boots with --volatile=overlay (writes go to a tmpfs).
set -euo pipefail
cd "$(dirname "$0")/.."
TOP=$PWD
started=$(date +%s)
ARTIFACTS="$TOP/test-artifacts/systemd"

skip_or_fail() {
  if [ "${CI:-}" = true ]; then echo "systemd tests: FAILED: $1 (CI=true: nothing may skip)" >&2; exit 1; fi
  echo "systemd tests: SKIPPED: $1 (set CI=true to make this a failure)" >&2; exit 0
}
[ "$(id -u)" = 0 ] || skip_or_fail "needs root (mmdebstrap, systemd-nspawn)"
[ -d /sys/fs/cgroup ] || skip_or_fail "no cgroup file system"

# Tools: installed here, as part of the test's set-up.
missing=""
for p in mmdebstrap systemd-container; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "systemd tests: installing$missing"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null; } \
    || { echo "systemd tests: FAILED: cannot install$missing with apt-get" >&2; exit 1; }
fi
for tool in mmdebstrap systemd-nspawn; do
  command -v "$tool" >/dev/null || { echo "systemd tests: FAILED: $tool is not on the PATH after installing its package" >&2; exit 1; }
done

DEB=$(ls build/deb/cps-bridge_*_amd64.deb 2>/dev/null | head -1 || true)
[ -n "$DEB" ] || { echo "systemd tests: FAILED: no build/deb/cps-bridge_*_amd64.deb (run make deb first)" >&2; exit 1; }
[ -x build/deb/cps-card-sim ] || { echo "systemd tests: FAILED: no build/deb/cps-card-sim (run make deb first)" >&2; exit 1; }

# The root: what the package needs at run time, what the checks use, nothing of Swift.
PACKAGES="systemd,systemd-sysv,dbus,dbus-user-session,libpam-systemd,udev,pcscd,libccid,opensc-pkcs11,vsmartcard-vpcd,curl,ca-certificates,procps,libpcsclite1,libp11-kit0"
TEST_UNIT='[Unit]
Description=cps-bridge systemd tests
ConditionPathExists=/cpsb-test/run.sh
After=multi-user.target user@1500.service
Wants=user@1500.service
[Service]
Type=oneshot
ExecStart=/bin/bash /cpsb-test/run.sh
StandardOutput=journal+console
[Install]
WantedBy=multi-user.target'
RECIPE_VERSION=2
RECIPE=$({ echo "$RECIPE_VERSION"; printf '%s\n%s\n' "$PACKAGES" "$TEST_UNIT"; cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true; } | sha256sum | cut -c1-16)
ROOT="$TOP/build/nspawn/bookworm-$RECIPE"
if [ ! -f "$ROOT/.complete" ]; then
  rm -rf "$TOP/build/nspawn"
  mkdir -p "$TOP/build/nspawn"
  echo "systemd tests: building the root (mmdebstrap --variant=minbase, cached in $ROOT)"
  t0=$(date +%s)
  SOURCES=()
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -s "$f" ] && SOURCES+=("$f")
  done
  [ ${#SOURCES[@]} -gt 0 ] || { echo "systemd tests: FAILED: no apt sources in /etc/apt/sources.list{,.d} to build the root from" >&2; exit 1; }
  if ! mmdebstrap --quiet --variant=minbase --include="$PACKAGES" bookworm "$ROOT" "${SOURCES[@]}"; then
    rm -rf "$TOP/build/nspawn"
    echo "systemd tests: FAILED: mmdebstrap could not build the Debian 12 root from ${SOURCES[*]} (its messages are above; is the mirror reachable?)" >&2
    exit 1
  fi
  chroot "$ROOT" useradd -m -u 1500 -s /bin/bash cpsb-test
  mkdir -p "$ROOT/var/lib/systemd/linger" && touch "$ROOT/var/lib/systemd/linger/cpsb-test"
  rm -f "$ROOT/etc/machine-id" && chroot "$ROOT" systemd-machine-id-setup >/dev/null
  printf '%s\n' "$TEST_UNIT" > "$ROOT/etc/systemd/system/cpsb-test.service"
  ln -s /etc/systemd/system/cpsb-test.service "$ROOT/etc/systemd/system/multi-user.target.wants/cpsb-test.service"
  # No getty on the container's console: the checks write there.
  chroot "$ROOT" systemctl mask -q console-getty.service getty@tty1.service
  # A persistent journal: journald then keeps each account's own file (journalctl --user).
  mkdir -p "$ROOT/var/log/journal"
  touch "$ROOT/.complete"
  echo "systemd tests: root built in $(( $(date +%s) - t0 )) s ($(du -sh "$ROOT" | cut -f1))"
fi

WORK=$(mktemp -d /tmp/cps-systemd-tests.XXXXXX)
mkdir -p "$WORK/in" "$WORK/out"
cp "$DEB" "$WORK/in/cps-bridge.deb"
cp build/deb/cps-card-sim scripts/systemd-tests-in-container.sh scripts/udev-test.sh "$WORK/in/"
mv "$WORK/in/systemd-tests-in-container.sh" "$WORK/in/run.sh"
chmod 0755 "$WORK/out"

# nspawn runs from a cgroup of its own (hybrid hierarchy here), removed at the end.
CGROUP="cpsb-nspawn-$$"
NSPAWN_PID=""
cleanup() {
  if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
    kill -TERM "$NSPAWN_PID" 2>/dev/null || true   # nspawn asks the container's systemd to power off
    for _ in $(seq 100); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NSPAWN_PID" 2>/dev/null || true
  fi
  for hierarchy in unified systemd; do
    d=/sys/fs/cgroup/$hierarchy/$CGROUP
    [ -d "$d" ] || continue
    for p in $(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    sleep 0.2
    find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  mkdir -p "$ARTIFACTS"
  cp -a "$WORK/out/." "$ARTIFACTS/" 2>/dev/null || true
  cp "$WORK/console.log" "$ARTIFACTS/" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
rm -rf "$ARTIFACTS"

echo "systemd tests: booting the container"
t0=$(date +%s)
(
  for hierarchy in unified systemd; do
    if [ -d /sys/fs/cgroup/$hierarchy ]; then
      mkdir -p /sys/fs/cgroup/$hierarchy/$CGROUP
      echo $BASHPID > /sys/fs/cgroup/$hierarchy/$CGROUP/cgroup.procs
    fi
  done
  exec systemd-nspawn --quiet --register=no --keep-unit --private-network --volatile=overlay \
    -D "$ROOT" --bind-ro="$WORK/in:/cpsb-test" --bind="$WORK/out:/cpsb-results" -b
) > "$WORK/console.log" 2>&1 < /dev/null &
NSPAWN_PID=$!
# The checks end by powering the container off; 10 minutes at most.
for _ in $(seq 6000); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$NSPAWN_PID" 2>/dev/null; then
  echo "systemd tests: FAILED: the container did not finish in 10 minutes (console: $ARTIFACTS/console.log)" >&2
  exit 1
fi
wait "$NSPAWN_PID" || true
NSPAWN_PID=""
booted=$(( $(date +%s) - t0 ))

if [ ! -f "$WORK/out/results.txt" ]; then
  echo "systemd tests: FAILED: the checks did not run (console: $ARTIFACTS/console.log)" >&2
  tail -30 "$WORK/console.log" >&2 || true
  exit 1
fi
cat "$WORK/out/results.txt"
passed=$(grep -c '^ok: ' "$WORK/out/results.txt" || true)
failed=$(grep -c '^FAILED: ' "$WORK/out/results.txt" || true)
[ -f "$WORK/out/done" ] || { echo "FAILED: the checks stopped before their end" ; failed=$((failed + 1)); }
echo "systemd tests: $passed passed, $failed failed (container ${booted} s, whole script $(( $(date +%s) - started )) s; logs in $ARTIFACTS)"
[ "$failed" = 0 ]
