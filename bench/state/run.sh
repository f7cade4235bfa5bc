#!/usr/bin/env bash
# State-journal benchmark: the cost of one operation's save at 1,000,
# 10,000 and 100,000 resources - median time and bytes written per
# operation to the local journal, and bytes uploaded per operation to S3
# (journal objects, against the local emulator). With a journal both stay
# flat as the state grows; the whole-state snapshot is written at the end
# of a run and when the journal outgrows it (amortized: at most one byte of
# snapshot per byte of journal). First-apply and no-change-plan figures
# come from bench/engine/run.sh (BENCH_SIZES="1000 10000 100000").
set -euo pipefail
cd "$(dirname "$0")/../.."
LF=$PWD/luaform
ops=${BENCH_OPS:-50}
work=$(mktemp -d /tmp/luaform-bench-state.XXXXXX)
. bench/emulator.sh   # starts the emulator; exports AWS_ENDPOINT_URL and keys
echo "| resources | local save per op (ms, median) | local bytes per op | S3 bytes uploaded per op |"
echo "|---:|---:|---:|---:|"
for n in ${BENCH_SIZES:-1000 10000 100000}; do
  mkdir -p "$work/n$n"
  read -r _ ms bytes < <($LF run bench/state/save_ops.lua "$n" "$ops" local "$work/n$n")
  bucket="bench-$n"
  printf 'aws.client("s3"):CreateBucket{ Bucket = "%s" }\n' "$bucket" > "$work/mk.lua"
  (cd "$work" && $LF run mk.lua > /dev/null)
  read -r _ _ s3bytes < <($LF run bench/state/save_ops.lua "$n" "$ops" s3 "$bucket")
  printf "| %d | %s | %s | %s |\n" "$n" "$ms" "$bytes" "$s3bytes"
done
