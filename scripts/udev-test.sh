#!/usr/bin/env bash
# The udev side of "reader plugged -> daemon up": `udevadm test` on synthetic USB readers, in a
# private mount namespace (tmpfs over a sysfs folder, /run/udev, /dev/char and, unless the rule
# is installed, /etc/udev/rules.d), so nothing of the machine's udev state changes.
#   bash scripts/udev-test.sh [RULES_FILE]   default udev/60-cps-bridge-readers.rules, copied
#                                            into the private /etc/udev/rules.d
#   bash scripts/udev-test.sh --installed    the rule as a package installed it
# Checks: a CCID-class reader (systemd's own rule) and a vendor-class reader from our list both
# get ID_SMARTCARD_READER=1 and want the user's smartcard.target; a vendor-class device not in
# the list gets nothing; no "Invalid key/value pair" (or other rule error) in the log.
# Needs udevadm (package udev) and unshare; CI=true makes a missing one a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
RULE=${1:-udev/60-cps-bridge-readers.rules}
if ! command -v udevadm >/dev/null; then
  if [ "${CI:-}" = true ]; then echo "udev test: FAILED: no udevadm (apt-get install --no-install-recommends udev)" >&2; exit 1; fi
  echo "udev test: SKIPPED: no udevadm (apt-get install --no-install-recommends udev)" >&2; exit 0
fi
[ "$(id -u)" = 0 ] || { echo "udev test: FAILED: needs root (a private mount namespace)" >&2; exit 1; }
TMP=$(mktemp -d /tmp/cps-udev-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
[ "$RULE" = --installed ] || cp "$RULE" "$TMP/rule"

# One synthetic device: VID PID INTERFACE-CLASS, tested in a namespace of its own.
cat > "$TMP/device.sh" <<'INNER'
set -eu
VID=$1 PID=$2 CLASS=$3 TMP=$4
mkdir -p /run/udev && mount -t tmpfs tmpfs /run/udev
mkdir -p /dev/char && mount -t tmpfs tmpfs /dev/char
if [ -f "$TMP/rule" ]; then
  mkdir -p /etc/udev/rules.d && mount -t tmpfs tmpfs /etc/udev/rules.d
  cp "$TMP/rule" /etc/udev/rules.d/60-cps-bridge-readers.rules
fi
mount -t tmpfs tmpfs /sys/devices/platform
D=/sys/devices/platform/usb1/1-1
mkdir -p "$D" /sys/devices/platform/bus/usb
ln -s /sys/devices/platform/bus/usb "$D/subsystem"
printf 'MAJOR=189\nMINOR=5\nDEVNAME=bus/usb/001/006\nDEVTYPE=usb_device\nDRIVER=usb\nPRODUCT=%s/%s/100\nTYPE=0/0/0\nBUSNUM=001\nDEVNUM=006\n' "$VID" "$PID" > "$D/uevent"
echo "$VID" > "$D/idVendor"; echo "$PID" > "$D/idProduct"
echo Test > "$D/manufacturer"; echo Reader > "$D/product"; echo 0 > "$D/bDeviceClass"
# Device, configuration and interface descriptors, then the CCID class descriptor (udev's
# usb_id reads the interface classes from these into ID_USB_INTERFACES).
printf "\x12\x01\x10\x01\x00\x00\x00\x40\x00\x00\x00\x00\x00\x01\x01\x02\x00\x01\x09\x02\x5d\x00\x01\x01\x00\x80\x32\x09\x04\x00\x00\x03\x$CLASS\x00\x00\x00\x36\x21" > "$D/descriptors"
head -c 52 /dev/zero >> "$D/descriptors"
SYSTEMD_DEVICE_VERIFY_SYSFS=0 udevadm test --action=add "$D" 2>&1
INNER

status=0
check() { # NAME VID PID CLASS EXPECT(yes|no)
  local log="$TMP/$1.log"
  unshare -m --propagation private bash "$TMP/device.sh" "$2" "$3" "$4" "$TMP" > "$log" 2>&1 || true
  if grep -E "Invalid key/value pair|Invalid value|Unknown key|failed to parse|Invalid.*60-cps-bridge" "$log"; then
    echo "udev test: FAILED: $1: rule errors (above; log $log)" >&2; status=1
  fi
  local reader=no
  grep -qx "ID_SMARTCARD_READER=1" "$log" && grep -q "^SYSTEMD_USER_WANTS=.*smartcard.target" "$log" && reader=yes
  if [ "$reader" = "$5" ]; then
    echo "ok: $1 ($2:$3, interface class 0x$4): smartcard reader and smartcard.target wanted: $reader"
  else
    echo "udev test: FAILED: $1 ($2:$3, class 0x$4): expected $5, got $reader" >&2
    grep -E "^(ID_USB_INTERFACES|ID_SMARTCARD_READER|SYSTEMD_USER_WANTS|SYSTEMD_WANTS)=" "$log" >&2 || true
    grep -viE "^(Reading rules file|Trying to open|Parsed configuration|Skipping|Found|Loaded|Load )" "$log" | head -25 | sed 's/^/  | /' >&2
    status=1
  fi
}
check ccid-class-reader 076b 3021 0b yes          # OMNIKEY CardMan 3021: CCID class, systemd's rule
check vendor-class-spr532 04e6 e003 ff yes        # SCM SPR532: vendor class, our rule
check vendor-class-cherry-st2000 046a 003e ff yes # Cherry ST-2xxx: vendor class, our rule
check vendor-class-unlisted 04e6 ffff ff no       # not a reader we list: nothing set
[ $status = 0 ] && echo "udev test: passed"
exit $status
