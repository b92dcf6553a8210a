#!/usr/bin/env bash
# The man pages of cps-bridge, generated from its command line by swift-argument-parser's
# generate-manual plugin (one page per subcommand: cps-bridge.1, cps-bridge-serve.1, ...; the plugin names them cps-bridge.serve.1), into
# build/man/. The plugin builds the package's products in debug first. Used by `make deb`.
set -euo pipefail
cd "$(dirname "$0")/.."
DATE=$(dpkg-parsechangelog -S Date 2>/dev/null | xargs -I{} date -u -d {} +%Y-%m-%d || date -u +%Y-%m-%d)
swift package --allow-writing-to-package-directory generate-manual --configuration debug --multi-page --date "$DATE" \
  --authors "cps-bridge maintainers" > build-man.log 2>&1 || { cat build-man.log >&2; rm -f build-man.log; exit 1; }
rm -f build-man.log
OUT=.build/plugins/GenerateManual/outputs/cps-bridge
[ -f "$OUT/cps-bridge.1" ] || { echo "man pages: $OUT/cps-bridge.1 was not generated" >&2; exit 1; }
rm -rf build/man && mkdir -p build/man
# cps-bridge.serve.1 -> cps-bridge-serve.1 (man cps-bridge-serve, as git does); no page for `help`.
for page in "$OUT"/*.1; do
  name=$(basename "$page")
  [ "$name" = cps-bridge.help.1 ] && continue
  cp "$page" "build/man/${name//cps-bridge./cps-bridge-}"
done
mv build/man/cps-bridge-1 build/man/cps-bridge.1 2>/dev/null || true
ls build/man
