#!/usr/bin/env bash
# The fuzzers (docs/TESTING.md, "Fuzzing"): builds each libFuzzer target of Fuzz/ with
# AddressSanitizer in .build-fuzz, then runs them one after the other, each for FUZZ_SECONDS
# on a scratch copy of its seed corpus (Fuzz/corpus/<target>, which is never written to).
#
#   bash scripts/fuzz.sh                       # or: make fuzz
#   FUZZ_SECONDS=600 FUZZ_TARGETS=fuzz-crl bash scripts/fuzz.sh
#
# Environment: FUZZ_SECONDS (60 per target), FUZZ_TARGETS (all), FUZZ_ARGS (more libFuzzer
# options), SKIP_BUILD=1 to use what is built. Logs and crashing inputs land in
# fuzz-artifacts/<target>/ (ignored by git). Exits non-zero when any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-fuzz-wire-message fuzz-apdu fuzz-card-sim fuzz-holder-identity fuzz-token fuzz-crl}
BUILD=(-c debug --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
export CPS_FUZZ=1   # Package.swift declares the fuzz targets only then
# No leak detection: Swift stores references in enum payloads with tag bits set (Data's
# slices, for one), which LeakSanitizer cannot follow; it reports every cached certificate
# as leaked. Memory growth is still caught by -rss_limit_mb and -malloc_limit_mb.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
# A Swift trap is reported by libFuzzer and AddressSanitizer (stack and input); Swift's own
# backtracer would run inside the crashed process under AddressSanitizer and trip over it.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}

if [ "${SKIP_BUILD:-}" != 1 ]; then
  for target in $FUZZ_TARGETS; do swift build "${BUILD[@]}" --product "$target"; done
fi
bin=$(swift build "${BUILD[@]}" --show-bin-path)

scratch=$(mktemp -d /tmp/cps-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
failed=()
summary=()
for target in $FUZZ_TARGETS; do
  out="fuzz-artifacts/$target"
  rm -rf "$out" && mkdir -p "$out"
  cp -r "Fuzz/corpus/$target" "$scratch/$target"
  seeds=$(ls "$scratch/$target" | wc -l)
  echo "== $target: ${FUZZ_SECONDS} s from $seeds seeds (log: $out/fuzz.log)"
  status=0
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: the default 2 GB.
  "$bin/$target" "$scratch/$target" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -detect_leaks=0 \
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/" ${FUZZ_ARGS:-} >"$out/fuzz.log" 2>&1 || status=$?
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$out/fuzz.log" | tail -1 || true)
  [ -n "$done_line" ] || done_line=$(grep -E '^#[0-9]+' "$out/fuzz.log" | tail -1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/fuzz.log")
  corpus=$(ls "$scratch/$target" | wc -l)
  line="$target: execs ${execs:-?}, ${speed:-?}/s, corpus $seeds -> $corpus | $done_line"
  summary+=("$line")
  if [ "$status" != 0 ]; then
    failed+=("$target")
    echo "!! $target failed (exit $status); inputs: $(ls "$out" | grep -v fuzz.log | tr '\n' ' ')"
    grep -E 'ERROR: |Fatal error|SUMMARY' "$out/fuzz.log" | head -5 || true
  fi
done

echo
echo "== fuzzing summary ($(date -u +%Y-%m-%dT%H:%MZ), ${FUZZ_SECONDS} s per target)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashed: ${failed[*]}"
  exit 1
fi
