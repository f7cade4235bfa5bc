#!/usr/bin/env bash
# Engine benchmark (issue: evaluate+graph+plan and state save at scale).
# For N in 1,000 and 10,000 local resources: applies the generated stack
# once, then measures a full `plan` (evaluate, graph, refresh of every
# local resource, diff) for wall time and peak RSS, and the median time
# of a state save. Prints a Markdown table; numbers vary by machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
LF=$PWD/luaform
work=$(mktemp -d /tmp/luaform-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "| resources | first apply (s) | plan wall (s) | plan peak RSS (MB) | state save (ms) | state size (MB) |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in ${BENCH_SIZES:-1000 10000}; do
  dir=$work/n$n
  $LF run bench/engine/gen_stack.lua "$dir" "$n"
  /usr/bin/time -f "%e" -o "$work/apply_time" $LF -chdir="$dir" apply -auto-approve -parallelism=50 >/dev/null
  apply_s=$(cat "$work/apply_time")
  /usr/bin/time -f "%e %M" -o "$work/time" $LF -chdir="$dir" plan -detailed-exitcode >/dev/null
  read -r wall rss_kb < "$work/time"
  save_ms=$($LF run bench/engine/save_state.lua "$dir" 5)
  size=$(stat -c %s "$dir/luaform.state.json")
  printf "| %d | %.1f | %.2f | %.0f | %s | %.1f |\n" "$n" "$apply_s" "$wall" "$((rss_kb / 1024))" "$save_ms" "$(echo "$size / 1048576" | bc -l)"
done
