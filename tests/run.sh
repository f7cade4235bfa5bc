#!/usr/bin/env bash
# Runs every test suite of luaform and exits non-zero if any failed.
#   build/tests/*          C unit tests (cmocka), built by `make unit`
#   tests/lua/             Lua tests, run by `luaform test`
#   tests/emulator/        the AWS emulator's own tests (python3 unittest)
# (the end-to-end tests of the CLI are Lua tests: they run ./luaform)
#   luacheck               lint of lua/ stdlib/ tests/ examples/ (.luacheckrc):
#                          any warning fails
#   build-san/unit/*, tests/lua/ again under build-san/luaform
#                          the same under AddressSanitizer (leaks included) and
#                          UndefinedBehaviorSanitizer, built by `make san`
#   tests/fuzz/            each libFuzzer target for FUZZ_SMOKE_SECONDS (10)
#                          on its corpus, built by `make fuzz-build`
#   scripts/build-matrix.sh
#                          luaform and the unit tests built with gcc and clang
#                          at -O0..-O3, -Werror (compile only, no test run)
# Each suite prints its own results; the last line counts suites.
set -u
cd "$(dirname "$0")/.."
# AWS's vectors beside the checkout, wherever a suite's binary lives (build-san/ too)
export LUAFORM_CONFORMANCE_DIR=${LUAFORM_CONFORMANCE_DIR:-$PWD/../shared/aws-conformance}
passed=0; failed=0; failures=()

run_suite() {  # name, command... (its wall time is printed after it: the 15-minute budget)
  local name=$1 start=$SECONDS; shift
  echo "=== $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
  echo "--- $name: $((SECONDS - start)) s"
}

# The Lua test files on BIN in LUA_JOBS (3) processes at once: most tests
# wait on the emulator, a server or a timer, leaving the cores idle. Files
# are dealt out largest first; each process's report is printed whole.
lua_suite() {  # BIN FILE...
  local bin=$1; shift
  local jobs=${LUA_JOBS:-3} dir k i rc=0 sorted=() pids=()
  dir=$(mktemp -d /tmp/luaform-suite.XXXXXX)
  mapfile -t sorted < <(ls -S "$@")
  for ((k = 0; k < jobs; k++)); do
    local mine=()
    for ((i = k; i < ${#sorted[@]}; i += jobs)); do mine+=("${sorted[i]}"); done
    [ ${#mine[@]} -gt 0 ] || continue
    "$bin" test "${mine[@]}" > "$dir/$k.log" 2>&1 &
    pids+=($!)
  done
  for k in "${!pids[@]}"; do
    wait "${pids[k]}" || rc=1
    cat "$dir/$k.log"
  done
  rm -rf "$dir"
  return $rc
}

for t in build/tests/*; do
  [ -x "$t" ] && run_suite "unit: ${t##*/}" "$t"
done
[ -d tests/lua ] && run_suite "lua: tests/lua" lua_suite ./luaform tests/lua/*_test.lua
if ls tests/emulator/test_*.py >/dev/null 2>&1; then
  # Debian's python3 has python3-boto3 (scripts/deps.sh); a pyenv python3 first on PATH may not
  py=python3; [ -x /usr/bin/python3 ] && py=/usr/bin/python3
  run_suite "emulator: unittest" "$py" -m unittest discover -s tests/emulator -p 'test_*.py'
fi
run_suite "lint: luacheck" luacheck --quiet --formatter plain lua stdlib tests examples

# The fuzz smoke runs in the background, niced, while the sanitizer suites
# (mostly waiting on the emulator and on timers) run: it takes the idle CPU.
fuzz_pid=
if [ -d build-fuzz/fuzz ]; then
  nice -n 19 tests/fuzz/run.sh "${FUZZ_SMOKE_SECONDS:-10}" > build-fuzz/smoke.log 2>&1 &
  fuzz_pid=$!
fi
# The build matrix too: eight builds of the core, niced, beside the sanitizer suites.
mkdir -p build
nice -n 19 scripts/build-matrix.sh > build/matrix.log 2>&1 &
matrix_pid=$!

# Sanitizers: any report ends the process (halt_on_error, and the build's
# -fno-sanitize-recover=all) and is also written to build-san/reports/, so a
# report from a luaform a test spawned and expected to fail is not mistaken
# for that failure: the suite fails when a report exists. Suppressions, each
# justified: tests/sanitizer/lsan.supp. The quarantine of freed memory is
# 64 MB, not ASan's 256: every luaform a test spawns filled it with fresh
# pages, and on a virtual machine a fresh page costs (~2.9 s/GB here: the
# sanitizer suite took 520 s); a use after free is still caught while the
# block is among the last 64 MB freed.
if [ -x build-san/luaform ]; then
  rm -rf build-san/reports && mkdir -p build-san/reports
  san_opts="halt_on_error=1:log_path=$PWD/build-san/reports/report:log_exe_name=1"
  export ASAN_OPTIONS="detect_leaks=1:quarantine_size_mb=64:$san_opts"
  export UBSAN_OPTIONS="print_stacktrace=1:$san_opts"
  export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizer/lsan.supp:print_suppressions=0"
  for t in build-san/unit/*; do
    [ -x "$t" ] && run_suite "sanitizers: unit: ${t##*/}" "$t"
  done
  run_suite "sanitizers: lua: tests/lua" lua_suite build-san/luaform tests/lua/*_test.lua
  no_reports() {
    local r
    for r in build-san/reports/*; do
      [ -f "$r" ] || continue
      echo "sanitizer report $r:"; cat "$r"; return 1
    done
  }
  run_suite "sanitizers: no report" no_reports
  unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
fi
fuzz_smoke() { wait "$fuzz_pid"; local rc=$?; cat build-fuzz/smoke.log; return $rc; }
[ -n "$fuzz_pid" ] && run_suite "fuzz: smoke" fuzz_smoke
build_matrix() { wait "$matrix_pid"; local rc=$?; cat build/matrix.log; return $rc; }
run_suite "build matrix: gcc and clang at -O0..-O3" build_matrix

echo
[ ${#failures[@]} -gt 0 ] && printf 'FAILED: %s\n' "${failures[@]}"
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
