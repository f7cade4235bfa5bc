#!/usr/bin/env bash
# The state journal's crash tests at full strength: kill -9 at 20 random
# moments of an apply of 2,000 local resources and of a 50-resource
# S3-backed apply (against the local emulator). `make test` runs the same
# tests with 3 kills each (LUAFORM_CRASH_KILLS unset) to stay fast.
set -euo pipefail
cd "$(dirname "$0")/../.."
export LUAFORM_CRASH_KILLS=${LUAFORM_CRASH_KILLS:-20}
./luaform test tests/lua/state_test.lua -filter "kill -9 at random moments"
./luaform test tests/lua/s3_backend_test.lua -filter "kill -9 at random moments"
