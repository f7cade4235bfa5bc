#!/usr/bin/env bash
# Runs each libFuzzer target of build-fuzz/fuzz/ (built by `make fuzz-build`)
# for SECONDS on its corpus and exits non-zero when any target found a crash,
# a sanitizer report or a timeout (the input is kept as
# build-fuzz/artifacts/<target>-crash-*; reproduce with
# build-fuzz/fuzz/<target> FILE).
#   usage: tests/fuzz/run.sh SECONDS [TARGET...]   (default: every target)
# Corpus of a target, in the order libFuzzer reads it (new inputs go to the
# first): build-fuzz/corpus/<t>/ (what earlier runs found, not committed),
# tests/fuzz/corpus/<t>/ (committed seeds and regression inputs),
# build-fuzz/seeds/<t>/ (generated from the conformance vectors, seeds.py).
# Each target's last line: "fuzz: <target>: <runs> runs in <s> s, <n> corpus".
set -u
cd "$(dirname "$0")/../.."
seconds=${1:?usage: tests/fuzz/run.sh SECONDS [TARGET...]}; shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for b in build-fuzz/fuzz/*; do [ -f "$b" ] && [ ! -L "$b" ] && targets+=("${b##*/}"); done
fi
# Debian's python3 has python3-boto3 (scripts/deps.sh); a pyenv python3 first on PATH may not
py=python3; [ -x /usr/bin/python3 ] && py=/usr/bin/python3
"$py" tests/fuzz/seeds.py "build-fuzz/seeds.$$" || exit 1
rm -rf build-fuzz/seeds && mv "build-fuzz/seeds.$$" build-fuzz/seeds
mkdir -p build-fuzz/artifacts
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
failed=()
for t in "${targets[@]}"; do
  dirs=()
  mkdir -p "build-fuzz/corpus/$t"
  for d in "build-fuzz/corpus/$t" "tests/fuzz/corpus/$t" "build-fuzz/seeds/$t"; do
    [ -d "$d" ] && dirs+=("$d")
  done
  log="build-fuzz/$t.log"
  start=$SECONDS
  "build-fuzz/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$t-" "${dirs[@]}" > "$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  size=$(ls "build-fuzz/corpus/$t" | wc -l)
  echo "fuzz: $t: ${runs:-?} runs in $((SECONDS - start)) s, $size new corpus inputs"
  if [ $rc -ne 0 ]; then
    failed+=("$t")
    grep -m1 -A30 -E "^==[0-9]+==ERROR|runtime error|^fuzz: |deadly signal|timeout" "$log"
  fi
done
[ ${#failed[@]} -eq 0 ] || { echo "fuzz: FAILED: ${failed[*]} (logs: build-fuzz/<target>.log)"; exit 1; }
