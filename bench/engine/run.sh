#!/usr/bin/env bash
# Engine benchmark (issue: evaluate+graph+plan and state save at scale).
# For N in 1,000 and 10,000 local resources (BENCH_SIZES): applies the
# generated stack once, then measures a full no-change `plan` (evaluate,
# graph, refresh of every local resource, diff) three times and keeps the
# fastest (wall time, with that run's peak RSS and CPU time: on a shared
# machine the other runs measure the neighbours), and the median time of a
# state save. Prints the load average, then a Markdown table; numbers vary
# by machine. Timing and peak RSS come from bench/measure.py (Python 3 only).
set -euo pipefail
cd "$(dirname "$0")/../.."
LF=$PWD/luaform
work=$(mktemp -d /tmp/luaform-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
echo
echo "| resources | first apply (s) | plan wall (s) | plan CPU (s) | plan peak RSS (MB) | state save (ms) | state size (MB) |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for n in ${BENCH_SIZES:-1000 10000}; do
  dir=$work/n$n
  $LF run bench/engine/gen_stack.lua "$dir" "$n"
  python3 bench/measure.py "$work/apply_time" $LF -chdir="$dir" apply -auto-approve -parallelism=50 >/dev/null
  read -r apply_s _ < "$work/apply_time"
  best=
  for _ in 1 2 3; do
    python3 bench/measure.py "$work/time" $LF -chdir="$dir" plan -detailed-exitcode >/dev/null
    read -r w r c < "$work/time"
    if [ -z "$best" ] || python3 -c 'import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))' "$w" "$wall"; then
      best=1 wall=$w rss_kb=$r cpu=$c
    fi
  done
  save_ms=$($LF run bench/engine/save_state.lua "$dir" 5)
  size_mb=$(python3 -c 'import os, sys; print(f"{os.path.getsize(sys.argv[1]) / 1048576:.1f}")' "$dir/luaform.state.json")
  printf "| %d | %.1f | %.2f | %.2f | %d | %s | %s |\n" "$n" "$apply_s" "$wall" "$cpu" "$((rss_kb / 1024))" "$save_ms" "$size_mb"
done
