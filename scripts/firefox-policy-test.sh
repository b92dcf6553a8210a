#!/usr/bin/env bash
# The shipped Firefox policy example (dist/browser-policies/firefox-policies.json) against
# Debian 12's firefox-esr: the package is downloaded (apt-get download, not installed) and
# unpacked once into build/firefox-esr/<version>/ (with libvpx7, the one library it needs that
# the browser tests' Chromium does not pull in). Then:
#   1. the example against the policy schema inside that Firefox (omni.ja's
#      policies-schema.json): every policy and property known, every type right, and the
#      SkipDomains entries bare domain names (Firefox joins them into network.lna.skip-domains);
#   2. that Firefox itself, headless, with the example installed where sysadmins put it,
#      /etc/firefox/policies/policies.json: its policy engine says it read that file and logs
#      no error; the same run with a broken copy must log errors (the check can fail).
# Not checked: that SkipDomains lets the federator's page reach 127.0.0.1 in Firefox (no
# Firefox page test here; Chromium's policy is checked end to end by test_policy.py).
# Needs root (/etc/firefox/policies); refuses to touch an existing policies.json. Removes what
# it wrote whatever the outcome. CI=true makes any missing piece a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
TOP=$PWD
EXAMPLE=dist/browser-policies/firefox-policies.json
SYSTEM_FILE=/etc/firefox/policies/policies.json

skip_or_fail() {
  if [ "${CI:-}" = true ]; then echo "firefox policy test: FAILED: $1 (CI=true: nothing may skip)" >&2; exit 1; fi
  echo "firefox policy test: SKIPPED: $1 (set CI=true to make this a failure)" >&2; exit 0
}
fail() { echo "firefox policy test: FAILED: $1" >&2; exit 1; }
[ "$(id -u)" = 0 ] || skip_or_fail "needs root (writes $SYSTEM_FILE)"
[ -e "$SYSTEM_FILE" ] && skip_or_fail "$SYSTEM_FILE already exists on this machine: not overwritten"

VERSION=$(apt-cache policy firefox-esr 2>/dev/null | sed -n 's/^ *Candidate: *//p')
[ -n "$VERSION" ] && [ "$VERSION" != "(none)" ] || skip_or_fail "apt knows no firefox-esr (apt-get update?)"
CACHE="$TOP/build/firefox-esr/$VERSION"
FIREFOX="$CACHE/usr/lib/firefox-esr/firefox-esr"
if [ ! -f "$CACHE/.complete" ]; then
  rm -rf "$TOP/build/firefox-esr" && mkdir -p "$CACHE"
  echo "firefox policy test: downloading firefox-esr $VERSION and libvpx7 (not installed; unpacked in $CACHE)"
  DL=$(mktemp -d /tmp/cps-firefox-dl.XXXXXX)
  chmod 0777 "$DL"   # apt downloads as _apt
  (cd "$DL" && apt-get download -q firefox-esr libvpx7 >/dev/null 2>"$DL/apt.err") || { cat "$DL/apt.err" >&2; rm -rf "$DL"; fail "apt-get download firefox-esr libvpx7"; }
  for deb in "$DL"/*.deb; do dpkg-deb -x "$deb" "$CACHE"; done
  rm -rf "$DL"
  touch "$CACHE/.complete"
fi
export LD_LIBRARY_PATH="$CACHE/usr/lib/x86_64-linux-gnu"
missing=$(LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$CACHE/usr/lib/firefox-esr" ldd "$CACHE/usr/lib/firefox-esr/libxul.so" 2>&1 | grep 'not found' || true)
[ -z "$missing" ] || skip_or_fail "firefox-esr's libraries are missing: $missing (make test-deps installs chromium, which pulls them)"
echo "firefox: $("$FIREFOX" --version 2>/dev/null)"

# 1. The schema of this Firefox's policies.
python3 - "$CACHE/usr/lib/firefox-esr/browser/omni.ja" "$EXAMPLE" <<'PY'
import json, re, sys, zipfile
omni, example = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(omni) as z:
    schema = json.loads(z.read("modules/policies/policies-schema.json"))
    engine = z.read("modules/policies/Policies.sys.mjs").decode()
errors = []
def check(value, rule, where):
    kinds = rule.get("type", [])
    kinds = kinds if isinstance(kinds, list) else [kinds]
    python = {"object": dict, "array": list, "string": str, "boolean": bool, "number": (int, float), "integer": int}
    if kinds and not any(isinstance(value, python[k]) for k in kinds if k in python):
        errors.append(f"{where}: {type(value).__name__}, the schema wants {'/'.join(kinds)}")
        return
    if isinstance(value, dict):
        known = rule.get("properties", {})
        for key, item in value.items():
            if key in known: check(item, known[key], f"{where}.{key}")
            elif "patternProperties" not in rule and "additionalProperties" not in rule:
                errors.append(f"{where}.{key}: unknown to this Firefox")
    if isinstance(value, list) and "items" in rule:
        for i, item in enumerate(value): check(item, rule["items"], f"{where}[{i}]")
with open(example, encoding="utf-8") as f:
    document = json.load(f)
if set(document) != {"policies"}: errors.append(f"top level: {sorted(document)}, expected only 'policies'")
check(document.get("policies", {}), schema, "policies")
lna = document.get("policies", {}).get("LocalNetworkAccess")
if lna is None: errors.append("policies.LocalNetworkAccess: absent")
else:
    for domain in lna.get("SkipDomains", []):
        if not re.fullmatch(r"[a-z0-9.-]+", domain): errors.append(f"SkipDomains: {domain!r} is not a bare domain name")
    if '"network.lna.skip-domains"' not in engine: errors.append("this Firefox's policy engine does not set network.lna.skip-domains")
if errors:
    print("firefox policy test: FAILED: the example against this Firefox's policy schema:", *errors, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print(f"ok: {example} matches this Firefox's policy schema ({len(schema['properties'])} policies known; LocalNetworkAccess.SkipDomains -> network.lna.skip-domains)")
PY

# 2. Firefox reads it from /etc/firefox/policies and reports no error.
WORK=$(mktemp -d /tmp/cps-firefox-policy.XXXXXX)
made_dirs=""
for d in /etc/firefox /etc/firefox/policies; do [ -d "$d" ] || made_dirs="$d $made_dirs"; done
cleanup() {
  rm -f "$SYSTEM_FILE"
  for d in $made_dirs; do rmdir "$d" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p /etc/firefox/policies
run_firefox() { # PROFILE LOG: headless, the policy engine's debug log on stdout
  mkdir -p "$1"
  printf '%s\n' 'user_pref("browser.policies.loglevel", "debug");' 'user_pref("devtools.console.stdout.chrome", true);' 'user_pref("browser.dom.window.dump.enabled", true);' > "$1/user.js"
  timeout 90 "$FIREFOX" --headless --no-remote --profile "$1" --screenshot "$1/shot.png" about:policies > "$2" 2>&1 || true
}
policy_errors() { grep -A1 '^console.error: Enterprise Policies' "$1" | grep -v '^console.error\|^--' || true; }

install -m 0644 "$EXAMPLE" "$SYSTEM_FILE"
run_firefox "$WORK/shipped" "$WORK/shipped.log"
grep -q "policies.json path = $SYSTEM_FILE" "$WORK/shipped.log" \
  || { sed 's/^/  /' "$WORK/shipped.log" >&2; fail "Firefox did not say it read $SYSTEM_FILE"; }
errors=$(policy_errors "$WORK/shipped.log")
[ -z "$errors" ] || fail "Firefox's policy engine reports errors for the shipped example:$(printf '\n%s' "$errors")"
echo "ok: firefox-esr read $SYSTEM_FILE (the shipped example) and its policy engine logged no error"

# The same check on a broken copy must see errors.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["policies"]["LocalNetworkAccess"]["SkipDomains"]="not-a-list"; d["policies"]["NoSuchPolicy"]=True; json.dump(d, open(sys.argv[2],"w"))' "$EXAMPLE" "$SYSTEM_FILE"
run_firefox "$WORK/broken" "$WORK/broken.log"
errors=$(policy_errors "$WORK/broken.log")
{ grep -q 'Invalid parameters specified for LocalNetworkAccess' <<< "$errors" && grep -q 'Unknown policy: NoSuchPolicy' <<< "$errors"; } \
  || fail "a broken policies.json was not reported (the check cannot see errors): $errors"
echo "ok: a broken copy is reported (Invalid parameters for LocalNetworkAccess, Unknown policy)"
echo "firefox policy test: 3 passed"
