#!/bin/bash
# The checks of scripts/systemd-tests.sh, run INSIDE the booted container as root by its
# cpsb-test.service: install the package, prove the units under systemd (socket activation,
# Type=notify, watchdog, SIGTERM, journal, udev, smartcard.target, doctor), purge. Writes one
# "ok: ..." or "FAILED: ..." line per check to /cpsb-results/results.txt, then powers off.
set -u
OUT=/cpsb-results
R=$OUT/results.txt
: > "$R"
ok() { echo "ok: $*" >> "$R"; }
bad() { echo "FAILED: $*" >> "$R"; }
check() { # DESCRIPTION COMMAND...: ok when the command succeeds
  local what=$1; shift
  if "$@" >> "$OUT/commands.log" 2>&1; then ok "$what"; else bad "$what"; fi
}
U=cpsb-test
UID_=$(id -u $U)
as_user() { runuser -u $U -- env XDG_RUNTIME_DIR=/run/user/$UID_ DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$UID_/bus "$@"; }
usystemctl() { as_user systemctl --user "$@"; }
prop() { usystemctl show -p "$2" --value "$1"; }
wait_for() { # SECONDS COMMAND...
  local limit=$(( $1 * 10 )); shift
  for _ in $(seq "$limit"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}
ms() { date +%s%3N; }
finish() {
  journalctl --no-pager -b > "$OUT/journal.txt" 2>&1 || true
  touch "$OUT/done"
  systemctl poweroff --no-block
}
trap finish EXIT
API=http://127.0.0.1:24830
ORIGIN=https://federator.test

wait_for 20 systemctl is-active user@$UID_.service || bad "the test account's user manager did not start"

# --- install -------------------------------------------------------------------------------
if dpkg -i /cpsb-test/cps-bridge.deb > "$OUT/dpkg-install.log" 2>&1; then ok "dpkg -i cps-bridge.deb"; else bad "dpkg -i cps-bridge.deb (dpkg-install.log)"; fi
dpkg -L cps-bridge > "$OUT/package-files.txt"
for f in /usr/bin/cps-bridge /usr/lib/systemd/user/cps-bridge.socket /usr/lib/systemd/user/cps-bridge.service \
         /usr/lib/systemd/user/cps-bridge-dispatched.service /lib/systemd/system/cps-bridge-dispatch.socket \
         /lib/systemd/system/cps-bridge-dispatch.service /etc/cps-bridge/cps-bridge.conf \
         /usr/share/man/man1/cps-bridge.1.gz /usr/share/cps-bridge/no-user-namespace.conf; do
  [ -e "$f" ] || bad "installed: $f missing"
done
ls /lib/udev/rules.d/60-cps-bridge-readers.rules /usr/lib/udev/rules.d/60-cps-bridge-readers.rules 2>/dev/null | grep -q . \
  && ok "installed: binary, units, udev rule, configuration, man pages" || bad "installed: udev rule missing"
check "no Swift toolchain needed: cps-bridge --help runs" /usr/bin/cps-bridge --help
check "user units enabled globally on install" test "$(systemctl --global is-enabled cps-bridge.socket)" = enabled
check "dispatcher units installed but not enabled" test "$(systemctl is-enabled cps-bridge-dispatch.socket 2>/dev/null)" = disabled

# --- systemd-analyze ------------------------------------------------------------------------
out=$(systemd-analyze --man=no verify /lib/systemd/system/cps-bridge-dispatch.socket /lib/systemd/system/cps-bridge-dispatch.service 2>&1)
[ -z "$out" ] && ok "systemd-analyze verify: system units silent" || bad "systemd-analyze verify (system units): $out"
out=$(as_user systemd-analyze --user --man=no verify /usr/lib/systemd/user/cps-bridge.socket /usr/lib/systemd/user/cps-bridge.service /usr/lib/systemd/user/cps-bridge-dispatched.service 2>&1)
[ -z "$out" ] && ok "systemd-analyze --user verify: user units silent" || bad "systemd-analyze --user verify: $out"
exposure() { sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'; }
user_exposure=$(as_user systemd-analyze --user security cps-bridge.service 2>&1 | exposure)
dispatch_exposure=$(systemd-analyze security cps-bridge-dispatch.service 2>&1 | exposure)
echo "$user_exposure" > "$OUT/exposure-user.txt"; echo "$dispatch_exposure" > "$OUT/exposure-dispatch.txt"
awk -v e="$user_exposure" 'BEGIN { exit !(e != "" && e <= 2.2) }' && ok "security: cps-bridge.service exposure $user_exposure <= 2.2" || bad "security: cps-bridge.service exposure '$user_exposure' > 2.2"
awk -v e="$dispatch_exposure" 'BEGIN { exit !(e != "" && e <= 1.0) }' && ok "security: cps-bridge-dispatch.service exposure $dispatch_exposure <= 1.0" || bad "security: cps-bridge-dispatch.service exposure '$dispatch_exposure' > 1.0"

# --- a new login: the socket listens, the service waits ---------------------------------------
systemctl restart user@$UID_.service
wait_for 10 test -S /run/user/$UID_/bus
wait_for 10 usystemctl is-active cps-bridge.socket
check "after install and login: cps-bridge.socket is active" usystemctl is-active cps-bridge.socket
check "after install and login: 127.0.0.1:24830 listens" grep -q ' 0100007F:60FE 00000000:0000 0A ' /proc/net/tcp
check "after install and login: cps-bridge.service is inactive" test "$(usystemctl is-active cps-bridge.service)" = inactive

# --- the package's configuration allows no origin: a clear refusal ----------------------------
as_user curl -s -m 10 -H "X-CPS-Bridge: 1" "$API/v1/status" > /dev/null 2>&1
wait_for 10 test "$(prop cps-bridge.service ActiveState)" = active
status=$(prop cps-bridge.service StatusText)
[[ "$status" == "Refusing to serve: no origin allowed"* ]] && ok "no origin allowed: the service says it refuses ($status)" || bad "no origin: StatusText '$status'"
check "no origin allowed: the journal says why" sh -c "journalctl _SYSTEMD_USER_UNIT=cps-bridge.service --no-pager | grep -q 'refusing to serve: no origin is allowed'"
as_user cps-bridge doctor > "$OUT/doctor-no-origin.txt" 2>&1; code=$?
[ $code = 1 ] && grep -q "origins: no origin is allowed" "$OUT/doctor-no-origin.txt" && ok "doctor: no origin allowed (exit 1)" || bad "doctor no origin: exit $code ($OUT/doctor-no-origin.txt)"
usystemctl stop cps-bridge.service

# --- a card and an allowed origin -----------------------------------------------------------
cat > /etc/cps-bridge/cps-bridge.conf <<CONF
allow-origin = $ORIGIN
allow-page-pin = $ORIGIN
log-level = info
CONF
systemctl start pcscd.socket pcscd.service
systemd-run --quiet --unit=cpsb-card /cpsb-test/cps-card-sim --vpcd-port 35963 --state /var/tmp/card
wait_for 15 sh -c "journalctl -u cpsb-card --no-pager | grep -q inserted"
sleep 1   # pcscd polls vpcd's reader every ~400 ms

t0=$(ms)
body=$(as_user curl -s -m 20 -H "X-CPS-Bridge: 1" "$API/v1/status")
t1=$(ms)
echo "$body" > "$OUT/status-first-connection.json"
[[ "$body" == *'"readers"'* && "$body" == *'"cps3"'* ]] && ok "first connection starts the service; /v1/status answers on the inherited socket in $((t1 - t0)) ms" || bad "first connection: /v1/status answered '$body'"
# The daemon serves its own account only: root's request is another account's.
other=$(curl -s -m 10 -H "X-CPS-Bridge: 1" "$API/v1/status")
[[ "$other" == *'"otherUser"'* ]] && ok "another account's request (root) gets otherUser from cpsb-test's daemon" || bad "root's request answered '$other'"
check "the service runs with the socket from systemd" sh -c "journalctl _SYSTEMD_USER_UNIT=cps-bridge.service --no-pager | grep -q 'socket from systemd, fd 3, cps-bridge'"
check "systemctl --user show: Type=notify" test "$(prop cps-bridge.service Type)" = notify
listening_us=$(journalctl _SYSTEMD_USER_UNIT=cps-bridge.service -o json --no-pager | grep 'listening on' | tail -1 | sed 's/.*"__MONOTONIC_TIMESTAMP":"\([0-9]*\)".*/\1/')
ready_us=$(prop cps-bridge.service ActiveEnterTimestampMonotonic)
start_us=$(prop cps-bridge.service ExecMainStartTimestampMonotonic)
echo "start $start_us listening $listening_us ready $ready_us" > "$OUT/readiness.txt"
# The journal stamps the "listening on" line when journald reads it from the pipe, a few
# microseconds after the daemon wrote it (and then sent READY=1): 20 ms of slack for that.
[ -n "$listening_us" ] && [ "$ready_us" -ge $(( listening_us - 20000 )) ] && [ "$ready_us" -gt "$start_us" ] && ok "READY=1 arrived after the listener (start->listening $(( (listening_us - start_us) / 1000 )) ms, ->ready $(( (ready_us - start_us) / 1000 )) ms)" || bad "readiness: $(cat "$OUT/readiness.txt")"
status=$(prop cps-bridge.service StatusText)
[[ "$status" == "Serving 127.0.0.1:24830: "*" 1 card (cps3 in "* ]] && ok "STATUS= for a person: $status" || bad "StatusText '$status'"
check "WatchdogSec is set" test "$(prop cps-bridge.service WatchdogUSec)" != 0

nonce=$(head -c 32 /dev/urandom | base64)
login=$(as_user curl -s -m 30 -H "Origin: $ORIGIN" -H "Content-Type: application/json" -d "{\"nonce\":\"$nonce\",\"pin\":\"1234\"}" "$API/v1/authenticate")
echo "$login" > "$OUT/login.json"
[[ "$login" == *'"signature"'* && "$login" == *'899700012345'* ]] && ok "these units serve a login (POST /v1/authenticate, simulated CPS3 card, OpenSC)" || bad "login: $login"

as_user cps-bridge doctor > "$OUT/doctor-working.txt" 2>&1; code=$?
[ $code = 0 ] && ok "doctor on a working installation: exit 0" || bad "doctor on a working installation: exit $code ($OUT/doctor-working.txt)"
as_user cps-bridge doctor --json > "$OUT/doctor-working.json" 2>/dev/null
check "doctor --json says a login can work" grep -q '"loginCanWork" : true' "$OUT/doctor-working.json"

# --- journal, SIGTERM -------------------------------------------------------------------------
check "journalctl --user -u cps-bridge holds its log lines" sh -c "runuser -u $U -- journalctl --user -u cps-bridge --no-pager | grep -q 'listening on 127.0.0.1:24830'"
pid=$(prop cps-bridge.service MainPID)
t0=$(ms); usystemctl stop cps-bridge.service; t1=$(ms)
result=$(prop cps-bridge.service Result)
[ $((t1 - t0)) -le 1000 ] && [ "$result" = success ] && ! kill -0 "$pid" 2>/dev/null && ok "SIGTERM stops it in $((t1 - t0)) ms (result $result)" || bad "stop took $((t1 - t0)) ms, result $result"

# --- the watchdog -----------------------------------------------------------------------------
mkdir -p /etc/systemd/user/cps-bridge.service.d
printf '[Service]\nEnvironment=CPS_BRIDGE_TEST_STOP_WATCHDOG=1\nWatchdogSec=3\n' > /etc/systemd/user/cps-bridge.service.d/test-watchdog.conf
usystemctl daemon-reload
usystemctl start cps-bridge.service
first=$(prop cps-bridge.service MainPID)
wait_for 20 sh -c "[ \$(runuser -u $U -- env XDG_RUNTIME_DIR=/run/user/$UID_ systemctl --user show -p NRestarts --value cps-bridge.service) -ge 1 ]"
restarts=$(prop cps-bridge.service NRestarts)
wait_for 10 test "$(prop cps-bridge.service ActiveState)" = active
second=$(prop cps-bridge.service MainPID)
if [ "$restarts" -ge 1 ] && [ "$second" != "$first" ] && journalctl --no-pager -b | grep -q "cps-bridge.service: Watchdog timeout"; then
  ok "watchdog: pings stopped (test hook) -> 'Watchdog timeout' -> restarted (NRestarts=$restarts)"
else
  bad "watchdog: NRestarts=$restarts pid $first -> $second"
fi
rm -rf /etc/systemd/user/cps-bridge.service.d
usystemctl daemon-reload
usystemctl stop cps-bridge.service
usystemctl reset-failed cps-bridge.service 2>/dev/null

# --- udev and smartcard.target ------------------------------------------------------------------
bash /cpsb-test/udev-test.sh --installed > "$OUT/udev-test.txt" 2>&1 && ok "udevadm test: CCID and vendor-class readers want smartcard.target (installed rule)" || bad "udev test ($OUT/udev-test.txt)"
usystemctl start smartcard.target
wait_for 10 test "$(prop cps-bridge.service ActiveState)" = active
check "systemctl --user start smartcard.target starts cps-bridge.service" test "$(prop cps-bridge.service ActiveState)" = active
usystemctl stop smartcard.target cps-bridge.service

# --- without user namespaces: the drop-in starts ------------------------------------------------
mkdir -p /etc/systemd/user/cps-bridge.service.d
cp /usr/share/cps-bridge/no-user-namespace.conf /etc/systemd/user/cps-bridge.service.d/
usystemctl daemon-reload
body=$(as_user curl -s -m 20 -H "X-CPS-Bridge: 1" "$API/v1/status")
[[ "$body" == *'"readers"'* ]] && ok "the no-user-namespace drop-in starts and serves" || bad "no-user-namespace drop-in: '$body'"
usystemctl stop cps-bridge.service
rm -rf /etc/systemd/user/cps-bridge.service.d
usystemctl daemon-reload

# --- doctor's diagnoses on this installation ------------------------------------------------------
systemctl stop pcscd.socket pcscd.service
as_user cps-bridge doctor > "$OUT/doctor-no-pcscd.txt" 2>&1; code=$?
[ $code = 1 ] && grep -q "pcscd: pcscd is not running" "$OUT/doctor-no-pcscd.txt" && ok "doctor: pcscd not running (exit 1)" || bad "doctor without pcscd: exit $code"
systemctl start pcscd.socket
systemctl --global disable -q cps-bridge.socket
usystemctl stop cps-bridge.socket
usystemctl daemon-reload
as_user cps-bridge doctor > "$OUT/doctor-not-enabled.txt" 2>&1; code=$?
[ $code = 1 ] && grep -q "units: cps-bridge.socket is installed but not enabled" "$OUT/doctor-not-enabled.txt" && ok "doctor: units not enabled (exit 1)" || bad "doctor with units disabled: exit $code"
systemctl --global enable -q cps-bridge.socket
usystemctl daemon-reload

# --- shared workstation: the dispatcher's system units ------------------------------------------
# The session's socket gives the port up; the system's dispatcher takes it, then a new login
# of cpsb-test gets cps-bridge-dispatched.service (serve --dispatcher) instead of the socket.
usystemctl stop cps-bridge.socket cps-bridge.service 2>/dev/null
systemctl start cps-bridge-dispatch.socket cps-bridge-dispatch.service
wait_for 10 test -S /run/cps-bridge/dispatch.sock
check "dispatcher: the system units start (DynamicUser), /run/cps-bridge/dispatch.sock is there" \
  sh -c "systemctl is-active -q cps-bridge-dispatch.socket cps-bridge-dispatch.service && test -S /run/cps-bridge/dispatch.sock"
systemctl show -p MainPID,User,ActiveState,SubState,NRestarts cps-bridge-dispatch.service > "$OUT/dispatch-service.txt" 2>&1
dispatch_pid=$(systemctl show -p MainPID --value cps-bridge-dispatch.service)
dispatch_user=$(ps -o user= -p "$dispatch_pid" 2>/dev/null | tr -d ' ')
[ -n "$dispatch_user" ] && [ "$dispatch_user" != root ] && ok "dispatcher: runs as its dynamic account ($dispatch_user)" || bad "dispatcher: runs as '$dispatch_user' (pid $dispatch_pid)"
systemctl restart user@$UID_.service
wait_for 10 test -S /run/user/$UID_/bus
wait_for 20 test "$(prop cps-bridge-dispatched.service ActiveState)" = active
check "dispatcher: a new login starts cps-bridge-dispatched.service (serve --dispatcher)" test "$(prop cps-bridge-dispatched.service ActiveState)" = active
status=$(prop cps-bridge-dispatched.service StatusText)
[[ "$status" == "Serving 127.0.0.1:24830"*"(through the dispatcher): "* ]] && ok "dispatcher: READY=1 once registered, STATUS= for a person: $status" || bad "dispatcher: cps-bridge-dispatched.service StatusText '$status'"
check "dispatcher: the session's cps-bridge.socket stands aside" test "$(usystemctl is-active cps-bridge.socket)" != active
wait_for 10 sh -c "journalctl -u cps-bridge-dispatch --no-pager | grep -q 'registered the daemon of uid $UID_ '"
check "dispatcher: it registered the daemon as uid $UID_ (the account's own uid, not an unmapped one)" \
  sh -c "journalctl -u cps-bridge-dispatch --no-pager | grep -q 'registered the daemon of uid $UID_ '"
body=$(as_user curl -s -m 20 -H "X-CPS-Bridge: 1" "$API/v1/status")
echo "$body" > "$OUT/dispatch-status-own.json"
[[ "$body" == *'"readers"'* && "$body" == *'"cps3"'* ]] && ok "dispatcher: cpsb-test's request on 127.0.0.1:24830 reaches its own daemon (/v1/status answers)" || bad "dispatcher: cpsb-test's /v1/status answered '$body'"
check "dispatcher: the answer came from cps-bridge-dispatched.service" sh -c "journalctl _SYSTEMD_USER_UNIT=cps-bridge-dispatched.service --no-pager | grep -q ."
id cpsb-other >/dev/null 2>&1 || useradd -M -u 1501 -s /usr/sbin/nologin cpsb-other
answer=$(runuser -u cpsb-other -- curl -s -m 20 -w '\nHTTP %{http_code}' -H "X-CPS-Bridge: 1" "$API/v1/status")
echo "$answer" > "$OUT/dispatch-status-other.txt"
[[ "$answer" == *'"bridgeNotRunning"'* && "$answer" == *'HTTP 503' ]] && ok "dispatcher: an account with no daemon (cpsb-other) gets 503 bridgeNotRunning" || bad "dispatcher: cpsb-other got '$answer'"
as_user cps-bridge doctor > "$OUT/doctor-dispatcher.txt" 2>&1; code=$?
[ $code = 0 ] && grep -q "shared workstation" "$OUT/doctor-dispatcher.txt" && ok "doctor: shared workstation with the dispatcher, exit 0" || bad "doctor with the dispatcher: exit $code ($OUT/doctor-dispatcher.txt)"
journalctl -u cps-bridge-dispatch --no-pager > "$OUT/dispatch-journal.txt" 2>&1
# Back to a single-user workstation.
usystemctl stop cps-bridge-dispatched.service 2>/dev/null
systemctl stop cps-bridge-dispatch.socket cps-bridge-dispatch.service
check "dispatcher: stopped, its registration socket removed" test ! -e /run/cps-bridge/dispatch.sock
systemctl restart user@$UID_.service
wait_for 10 test -S /run/user/$UID_/bus

# --- purge ------------------------------------------------------------------------------------------
systemctl stop cpsb-card
usystemctl stop cps-bridge.socket cps-bridge.service 2>/dev/null
if apt-get remove --purge -y cps-bridge > "$OUT/purge.log" 2>&1; then ok "apt-get remove --purge cps-bridge"; else bad "purge ($OUT/purge.log)"; fi
left=""
while read -r f; do
  case "$f" in
    *cps-bridge*) [ -e "$f" ] || [ -L "$f" ] && left="$left $f" ;;   # the package's own folders too
    *) { [ -f "$f" ] || [ -L "$f" ]; } && [ ! -d "$f" ] && left="$left $f" ;;   # not /lib (usrmerge)
  esac
done < "$OUT/package-files.txt"
[ -e /etc/cps-bridge ] && left="$left /etc/cps-bridge"
enabled=$(find /etc/systemd /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-user-helper-enabled -name '*cps-bridge*' 2>/dev/null)
[ -z "$left$enabled" ] && ok "purge leaves no file of the package and no enabled unit" || bad "purge left:$left $enabled"
