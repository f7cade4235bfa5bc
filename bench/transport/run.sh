#!/usr/bin/env bash
# Transport benchmark (issue 3): 1,000 sequential sqs GetQueueAttributes-shaped requests to a
# loopback server that answers after 20 ms, then the same with 50 in flight; also against a
# server that answers at once (raw client cost). Prints a Markdown table: requests/s and
# luaform's own CPU per request (the server's CPU is not counted). Figures vary by machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
LF=$PWD/luaform
N=${BENCH_REQUESTS:-1000}
work=$(mktemp -d /tmp/luaform-bench-transport.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

start_server() {  # delay_ms -> prints URL
  local log=$work/server-$1.log
  python3 bench/transport/server.py --delay-ms "$1" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    if grep -q '^port=' "$log"; then echo "http://127.0.0.1:$(sed -n 's/^port=//p' "$log")"; return; fi
    sleep 0.05
  done
  echo "server did not start" >&2; exit 1
}

url20=$(start_server 20)
url0=$(start_server 0)
echo "| server | mode | requests | wall (s) | requests/s | CPU µs/request | user µs | system µs |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
env -u LUAFORM_LOG "$LF" run bench/transport/bench.lua "$url20" "answers after 20 ms" "$N"
env -u LUAFORM_LOG "$LF" run bench/transport/bench.lua "$url0" "answers at once" "$N"
