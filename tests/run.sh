#!/usr/bin/env bash
# Runs every test suite of luaform and exits non-zero if any failed.
#   build/tests/*          C unit tests (cmocka), built by `make unit`
#   tests/lua/             Lua tests, run by `luaform test`
#   tests/emulator/        the AWS emulator's own tests (python3 unittest)
# (the end-to-end tests of the CLI are Lua tests: they run ./luaform)
# Each suite prints its own results; the last line counts suites.
set -u
cd "$(dirname "$0")/.."
passed=0; failed=0; failures=()

run_suite() {  # name, command...
  local name=$1; shift
  echo "=== $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
}

for t in build/tests/*; do
  [ -x "$t" ] && run_suite "unit: ${t##*/}" "$t"
done
[ -d tests/lua ] && run_suite "lua: tests/lua" ./luaform test tests/lua
if ls tests/emulator/test_*.py >/dev/null 2>&1; then
  # Debian's python3 has python3-boto3 (scripts/deps.sh); a pyenv python3 first on PATH may not
  py=python3; [ -x /usr/bin/python3 ] && py=/usr/bin/python3
  run_suite "emulator: unittest" "$py" -m unittest discover -s tests/emulator -p 'test_*.py'
fi

echo
[ ${#failures[@]} -gt 0 ] && printf 'FAILED: %s\n' "${failures[@]}"
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
