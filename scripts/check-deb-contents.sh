#!/usr/bin/env bash
# What `make deb` promises to ship: `dpkg-deb -c` must list each of these.
set -euo pipefail
DEB=$1
LIST=$(dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\./|/|')
status=0
for f in /usr/bin/cps-bridge /usr/lib/systemd/user/cps-bridge.socket /usr/lib/systemd/user/cps-bridge.service \
         /usr/lib/systemd/user/cps-bridge-dispatched.service /lib/systemd/system/cps-bridge-dispatch.socket \
         /lib/systemd/system/cps-bridge-dispatch.service /etc/cps-bridge/cps-bridge.conf \
         /usr/share/man/man1/cps-bridge.1.gz /usr/share/man/man1/cps-bridge-serve.1.gz /usr/share/man/man1/cps-bridge-doctor.1.gz \
         /usr/share/doc/cps-bridge/copyright /usr/share/doc/cps-bridge/changelog.gz; do
  grep -qx "$f" <<< "$LIST" || { echo "make deb: $DEB lacks $f" >&2; status=1; }
done
grep -qE '^/(usr/)?lib/udev/rules.d/60-cps-bridge-readers.rules$' <<< "$LIST" || { echo "make deb: $DEB lacks the udev rule" >&2; status=1; }
# The daemon's binary links neither full Foundation with ICU nor the demo (docs/ARCHITECTURE.md):
# their module and type names, and ICU's data package name, would show in it even stripped.
UNPACKED=$(mktemp -d); trap 'rm -rf "$UNPACKED"' EXIT
dpkg-deb -x "$DEB" "$UNPACKED"
for marker in 'icudt[0-9][0-9]' FoundationInternationalization DemoFederator CPSAuthVerifier; do
  if grep -aq "$marker" "$UNPACKED/usr/bin/cps-bridge"; then
    echo "make deb: /usr/bin/cps-bridge holds $marker (full Foundation, ICU or the demo is linked in)" >&2; status=1
  fi
done
[ $status = 0 ] && echo "make deb: $DEB ($(du -h "$DEB" | cut -f1)): binary (no ICU, no demo), units, udev rule, configuration, man pages"
exit $status
