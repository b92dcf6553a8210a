#!/usr/bin/env bash
# Resident memory of a process by mapping (BENCHMARKS.md, "Memory"): Rss and Pss summed per
# mapped file (anonymous mappings as [anon], the heap as [heap], ...), largest first.
#
#   bash scripts/smaps-by-mapping.sh PID        # a running process
#   bash scripts/smaps-by-mapping.sh FILE       # a saved smaps (cps-bench peer keeps test-artifacts/peer-*-smaps.txt)
set -euo pipefail
source=${1:?usage: smaps-by-mapping.sh PID|FILE}
[ -f "$source" ] || source=/proc/$source/smaps
awk '
  /^[0-9a-f]+-[0-9a-f]+ / { name = (NF >= 6) ? $6 : "[anon]"; for (i = 7; i <= NF; i++) name = name " " $i; next }
  /^Rss:/ { rss[name] += $2 }
  /^Pss:/ { pss[name] += $2 }
  END {
    for (n in rss) { total += rss[n]; tpss += pss[n]; if (rss[n] > 0) printf "%8.2f %8.2f  %s\n", rss[n] / 1024, pss[n] / 1024, n }
    printf "%8.2f %8.2f  total (MiB: Rss, Pss)\n", total / 1024, tpss / 1024
  }' "$source" | sort -rn
