-- luacheck's configuration (Debian's lua-check), read by `luacheck` run
-- from the repository root; tests/run.sh runs it over lua/, stdlib/,
-- tests/ and examples/ and fails on any warning.
std = "lua54"
-- A method keeps self when it does not use it: its callers call it as a method.
self = false
-- Long lines are a matter of wrapping, not of correctness: not checked.
max_line_length = false

-- The DSL a stack file (main.lua, modules, stdlib/) runs in (dsl.lua's env).
local dsl = { "resource", "data", "module", "output", "var", "provider", "backend", "fmt",
              "json", "workspace", "use", "import", "moved", "removed", "check", "stack_outputs",
              "encryption",
              -- luaform.functions
              "base64decode", "base64encode", "can", "cidrhost", "cidrnetmask", "cidrsubnet",
              "cidrsubnets", "coalesce", "distinct", "file", "filebase64", "filesha256", "flatten",
              "jsondecode", "md5", "merge", "setproduct", "sha1", "sha256", "templatefile",
              "timestamp", "try", "uuid", "zipmap" }
-- What `luaform run` gives a script (script.lua's script_env).
local script = { "state", "core", "dry_run", "arg", "plan", "apply", "aws" }
-- What `luaform test` gives a test file (testing.lua's helpers, and test).
local testing = { "test", "core", "expect", "sh", "quote", "tmpdir", "write", "read", "new_stack",
                  "copy_stack", "state_of", "attributes", "resource_ids", "with_env", "emulator", "luaform",
                  "start_python" }

files["stdlib/"] = { read_globals = dsl }
files["examples/ecs-fargate/"] = { read_globals = dsl }
files["examples/custom-type/main.lua"] = { read_globals = dsl }
files["tests/lua/fixtures/"] = { read_globals = dsl }
files["examples/migrations/"] = { read_globals = script }
files["tests/lua/"] = { read_globals = testing }
