#!/usr/bin/env bash
# The browser tests: the demo login page in headless Chromium (Selenium), against a running
# `cps-bridge demo` (a private pcscd, the simulated CPS3 card, the daemon, the demo federator);
# then the shipped Chromium policy (Tests/Browser/test_policy.py: written to
# /etc/chromium/policies/managed/ for the demo's origin, removed at the end; needs root).
# Does not build: run `swift build` first. Leaves nothing running.
#
# Environment:
#   CI=true             a missing Chromium, chromedriver or Selenium is a failure, not a skip
#   CPS_DEMO_CMD        the demo command (default: "<swift build --show-bin-path>/cps-bridge demo");
#                       it gets "--state DIR" appended
#   CPS_BIN_DIR         where cps-bridge is (default: swift build --show-bin-path)
#   CHROMIUM, CHROMEDRIVER   default /usr/bin/chromium, /usr/bin/chromedriver
#   BROWSER_TESTS       what unittest runs (default: Tests/Browser/test_demo.py Tests/Browser/test_policy.py)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
ARTIFACTS="$ROOT/test-artifacts/browser"

missing() {
  if [ "${CI:-}" = true ]; then
    echo "browser tests: FAILED: $1 (CI=true: nothing may skip)" >&2
    exit 1
  fi
  echo "browser tests: SKIPPED: $1 (set CI=true to make this a failure)" >&2
  exit 0
}

[ -x "$CHROMIUM" ] || missing "no Chromium at $CHROMIUM (apt-get install --no-install-recommends chromium chromium-driver)"
[ -x "$CHROMEDRIVER" ] || missing "no chromedriver at $CHROMEDRIVER (apt-get install --no-install-recommends chromium-driver)"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv || missing "cannot make the venv .venv (python3-venv)"
fi
if ! .venv/bin/python -c 'import selenium' 2>/dev/null; then
  .venv/bin/pip install -q -r Tests/Browser/requirements.txt || missing "cannot install Selenium from PyPI into .venv"
fi
.venv/bin/python -c 'import selenium' 2>/dev/null || missing "Selenium is not importable from .venv"

echo "browser: $("$CHROMIUM" --version 2>/dev/null | head -1)"
echo "driver:  $("$CHROMEDRIVER" --version 2>/dev/null | head -1)"
echo "selenium $(.venv/bin/python -c 'import selenium; print(selenium.__version__)')"

if [ -n "${CPS_DEMO_CMD:-}" ]; then
  read -r -a DEMO <<< "$CPS_DEMO_CMD"
else
  BIN=${CPS_BIN_DIR:-$(swift build --show-bin-path)}
  [ -x "$BIN/cps-bridge" ] || { echo "browser tests: FAILED: $BIN/cps-bridge is not built (run swift build first)" >&2; exit 1; }
  DEMO=("$BIN/cps-bridge" demo)
fi

TMP=$(mktemp -d /tmp/cps-browser-tests.XXXXXX)
mkdir -p "$TMP/state" "$ARTIFACTS"
rm -f "$ARTIFACTS"/*.png
DEMO_PID=""
# The policy file test_policy.py writes (removed there too, whatever the outcome).
export POLICY_FILE=${POLICY_DIR:-/etc/chromium/policies/managed}/cps-bridge-test-$$.json
cleanup() {
  rm -f "$POLICY_FILE"
  if [ -n "$DEMO_PID" ] && kill -0 "$DEMO_PID" 2>/dev/null; then
    kill -TERM "$DEMO_PID" 2>/dev/null || true
    sleep 2
    kill -KILL "$DEMO_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The page under test is this checkout's web/ (cps-bridge demo reads CPS_BRIDGE_WEB_ROOT).
: > "$TMP/demo.out"; : > "$TMP/demo.err"   # exist before the loop below reads them (the job opens them later)
CPS_BRIDGE_WEB_ROOT="$ROOT/web" "${DEMO[@]}" --state "$TMP/state" > "$TMP/demo.out" 2> "$TMP/demo.err" &
DEMO_PID=$!
URL=""
for _ in $(seq 600); do   # up to 60 s
  URL=$(sed -n 's/^URL: *//p' "$TMP/demo.out" | head -1)
  [ -n "$URL" ] && break
  if ! kill -0 "$DEMO_PID" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$URL" ]; then
  echo "browser tests: FAILED: the demo did not print its URL: line" >&2
  sed 's/^/  demo: /' "$TMP/demo.out" "$TMP/demo.err" >&2
  exit 1
fi
BRIDGE=$(sed -n 's/^BRIDGE: *//p' "$TMP/demo.out" | head -1)
STATE=$(sed -n 's/^STATE: *//p' "$TMP/demo.out" | head -1)
[ -n "$BRIDGE" ] || { echo "browser tests: FAILED: the demo printed no BRIDGE: line" >&2; exit 1; }
echo "demo:    $URL (daemon $BRIDGE, state ${STATE:-$TMP/state})"

status=0
DEMO_URL="$URL" BRIDGE_URL="${BRIDGE%/}" DEMO_STATE="${STATE:-$TMP/state}" ARTIFACTS="$ARTIFACTS" \
  CHROMIUM="$CHROMIUM" CHROMEDRIVER="$CHROMEDRIVER" \
  .venv/bin/python -m unittest -v ${BROWSER_TESTS:-Tests/Browser/test_demo.py Tests/Browser/test_policy.py} || status=$?

# SIGTERM: the demo (and what it started) must be gone within 5 s, its ports closed.
kill -TERM "$DEMO_PID"
stopped=false
for _ in $(seq 50); do
  kill -0 "$DEMO_PID" 2>/dev/null || { stopped=true; break; }
  sleep 0.1
done
if $stopped; then
  wait "$DEMO_PID" 2>/dev/null || true
  echo "demo stopped on SIGTERM"
  for u in "$URL" "$BRIDGE"; do
    hostport=${u#*://}; hostport=${hostport%%/*}
    if (exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}") 2>/dev/null; then
      echo "browser tests: FAILED: $hostport still accepts connections after the demo stopped" >&2
      status=1
    fi
  done
else
  echo "browser tests: FAILED: the demo was still running 5 s after SIGTERM" >&2
  status=1
fi
DEMO_PID=""
if [ "$status" != 0 ]; then
  echo "--- demo output"; sed 's/^/  /' "$TMP/demo.out" "$TMP/demo.err"
fi

# The same page with the card in the simulated PIN-pad reader (cps-bridge demo --pin-pad): the
# page asks for no PIN, the test types it on the reader's keypad (Tests/Browser/test_pinpad.py).
if [ -z "${BROWSER_TESTS:-}" ]; then
  mkdir -p "$TMP/pad-state"; : > "$TMP/pad.out"; : > "$TMP/pad.err"
  CPS_BRIDGE_WEB_ROOT="$ROOT/web" "${DEMO[@]}" --pin-pad --state "$TMP/pad-state" > "$TMP/pad.out" 2> "$TMP/pad.err" < /dev/null &
  DEMO_PID=$!
  PAD_URL=""
  for _ in $(seq 600); do
    PAD_URL=$(sed -n 's/^URL: *//p' "$TMP/pad.out" | head -1)
    [ -n "$PAD_URL" ] && break
    kill -0 "$DEMO_PID" 2>/dev/null || break
    sleep 0.1
  done
  KEYPAD=$(sed -n 's/^KEYPAD: *//p' "$TMP/pad.out" | head -1)
  PAD_BRIDGE=$(sed -n 's/^BRIDGE: *//p' "$TMP/pad.out" | head -1)
  if [ -z "$PAD_URL" ] || [ -z "$KEYPAD" ]; then
    echo "browser tests: FAILED: cps-bridge demo --pin-pad printed no URL: or KEYPAD: line" >&2
    sed 's/^/  demo --pin-pad: /' "$TMP/pad.out" "$TMP/pad.err" >&2
    status=1
  else
    echo "demo --pin-pad: $PAD_URL (keypad $KEYPAD)"
    PYTHONPATH="$ROOT/Tests/Browser" DEMO_URL="$PAD_URL" BRIDGE_URL="${PAD_BRIDGE%/}" DEMO_STATE="$TMP/pad-state" KEYPAD="$KEYPAD" \
      ARTIFACTS="$ARTIFACTS" CHROMIUM="$CHROMIUM" CHROMEDRIVER="$CHROMEDRIVER" \
      .venv/bin/python -m unittest -v test_pinpad || { status=1; sed 's/^/  demo --pin-pad: /' "$TMP/pad.out" "$TMP/pad.err"; }
  fi
  kill -TERM "$DEMO_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$DEMO_PID" 2>/dev/null || break; sleep 0.1; done
  wait "$DEMO_PID" 2>/dev/null || true
  DEMO_PID=""
fi
echo "screenshots: $ARTIFACTS/"
ls "$ARTIFACTS" 2>/dev/null | sed 's/^/  /'
exit $status
