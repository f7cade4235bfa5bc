-- Bad input: each error names the file:line of the mistake, prints one
-- line without a traceback, and leaves no state behind.
-- Runs plan and apply on the stack; both must fail with `pattern`.
local function fails_with(files, pattern)
  local dir = new_stack(files)
  for _, cmd in ipairs({ "plan", "apply" }) do
    local out, code = luaform(dir, cmd, cmd == "apply" and "-auto-approve" or nil)
    expect(code).to_be(1)
    expect(out).to_match(pattern)
    expect(out).not_to_contain("stack traceback")
    expect(select(2, out:gsub("\n", ""))).to_be(1)
  end
  expect(core.stat(dir .. "/luaform.state.json")).to_be_nil()
  expect(core.stat(dir .. "/out.txt")).to_be_nil()
end

test("a Lua syntax error", function()
  fails_with({ ["main.lua"] = 'resource("local_file", "a", {\n  filename = "out.txt"\n  content = "x",\n})\n' },
    "^Error: main%.lua:3: '}' expected")
end)

test("an unknown resource type, with a suggestion", function()
  fails_with({ ["main.lua"] = '\nresource("local_fiel", "a", { filename = "out.txt", content = "x" })\n' },
    '^Error: main%.lua:2: unknown resource type "local_fiel" %(did you mean "local_file"%?%)')
end)

test("an unknown argument, with a suggestion", function()
  fails_with({ ["main.lua"] = 'resource("local_file", "a", {\n  filename = "out.txt",\n  contnet = "x",\n})\n' },
    '^Error: main%.lua:1: resource local_file%.a: unsupported argument "contnet" %(did you mean "content"%?%)')
end)

test("a missing required argument", function()
  fails_with({ ["main.lua"] = 'local x = 1\nresource("random_id", "r", { keepers = { a = "b" } })\n' },
    '^Error: main%.lua:2: resource random_id%.r: missing required argument "byte_length"')
end)

test("a wrong type", function()
  fails_with({ ["main.lua"] = 'resource("random_id", "r", { byte_length = { 4 } })\n' },
    "^Error: main%.lua:1: resource random_id%.r: byte_length: expected a number, got table")
end)

test("a reference to an attribute the type does not export", function()
  fails_with({ ["main.lua"] = 'local r = resource("random_id", "r", { byte_length = 4 })\n'
      .. 'resource("local_file", "f", {\n  filename = "out.txt",\n  content = r.hexx,\n})\n' },
    '^Error: main%.lua:4: "random_id" does not export "hexx" %(did you mean "hex"%?%)')
end)

test("a cycle names every resource with its file:line", function()
  -- a waits for c (depends_on), c refers to b, b refers to a.
  local dir = new_stack({ ["main.lua"] = 'local c_ref = {}\n'
    .. 'local a = resource("local_file", "a", { filename = "out.txt", content = "x" }, { depends_on = c_ref })\n'
    .. 'local b = resource("local_file", "b", { filename = "b.txt", content = a.id })\n'
    .. 'local c = resource("local_file", "c", { filename = "c.txt", content = b.id })\n'
    .. 'c_ref[1] = c\n' })
  local out, code = luaform(dir, "plan")
  expect(code).to_be(1)
  expect(out).to_match("^Error: main%.lua:2: dependency cycle: ")
  expect(out).to_contain("local_file.a (main.lua:2)")
  expect(out).to_contain("local_file.b (main.lua:3)")
  expect(out).to_contain("local_file.c (main.lua:4)")
  expect(core.stat(dir .. "/luaform.state.json")).to_be_nil()
end)

test("a duplicate name names both places", function()
  fails_with({ ["main.lua"] = 'resource("random_id", "r", { byte_length = 4 })\n'
      .. 'resource("random_id", "r", { byte_length = 8 })\n' },
    '^Error: main%.lua:2: "random_id%.r" is declared twice in this scope %(first at main%.lua:1%)')
end)

test("a missing variable and a bad -var", function()
  local dir = new_stack({ ["main.lua"] = 'local n = var("count", { type = "number" })\n' })
  local out, code = luaform(dir, "plan")
  expect(code).to_be(1)
  expect(out).to_match('^Error: main%.lua:1: no value for required variable "count"')
  out, code = luaform(dir, "plan", "-var", "count=many")
  expect(code).to_be(1)
  expect(out).to_match('^Error: main%.lua:1: variable "count": expected a number, got "many"')
end)

test("unknown commands and flags print usage and exit 1", function()
  local dir = new_stack({ ["main.lua"] = "" })
  local out, code = luaform(dir, "plna")
  expect(code).to_be(1)
  expect(out).to_contain('unknown command "plna"')
  expect(out).to_contain("Usage: luaform")
  out, code = luaform(dir, "plan", "-bogus")
  expect(code).to_be(1)
  expect(out).to_contain("unknown flag -bogus for plan")
  out, code = luaform(dir, "apply", "-help")
  expect(code).to_be(0)
  expect(out).to_contain("Usage: luaform apply")
end)

test("luaform test on a path that does not exist fails", function()
  local dir = new_stack({ ["main.lua"] = "" })
  local out, code = luaform(dir, "test", dir .. "/no-such-dir")
  expect(code).to_be(1)
  expect(out).to_contain("no such file or directory")
  expect(out).to_contain("0 passed, 1 failed")
end)

-- Runs luaform with args in dir; it must exit 1 printing `message` (a
-- pattern for the first line) then the usage of `command`, and nothing else.
local function usage_error(dir, command, message, ...)
  local out, code = luaform(dir, ...)
  expect(code).to_be(1)
  expect(out).to_match("^Error: " .. message .. "\n\nUsage: luaform " .. command:gsub("%-", "%%-") .. "[ \n]")
  expect(out).not_to_contain("stack traceback")
  expect(core.stat(dir .. "/luaform.state.json")).to_be_nil()
end

test("a bad flag value is an error with the command's usage", function()
  local dir = new_stack({ ["main.lua"] = 'resource("random_id", "r", { byte_length = 4 })\n' })
  usage_error(dir, "plan", "%-refresh=bogus: expected true or false", "plan", "-refresh=bogus")
  usage_error(dir, "apply", "%-auto%-approve=yes: expected true or false", "apply", "-auto-approve=yes")
  usage_error(dir, "plan", "%-parallelism=0: expected a positive integer", "plan", "-parallelism=0")
  usage_error(dir, "plan", "%-parallelism=%-3: expected a positive integer", "plan", "-parallelism=-3")
  usage_error(dir, "apply", "%-parallelism=1%.5: expected a positive integer", "apply", "-parallelism", "1.5")
  usage_error(dir, "plan", "%-parallelism=ten: expected a positive integer", "plan", "-parallelism=ten")
  usage_error(dir, "state list", "unknown flag %-x for state list", "state", "list", "-x")
  local out, code = luaform(dir, "plan", "-refresh=0", "-parallelism=3")
  expect(code).to_be(0)
  expect(out).to_contain("Plan: 1 to add")
end)

test("extra arguments to a command are an error with its usage", function()
  local dir = new_stack({ ["main.lua"] = 'resource("random_id", "r", { byte_length = 4 })\n' })
  for _, cmd in ipairs({ "plan", "validate", "graph", "init", "destroy", "version" }) do
    usage_error(dir, cmd, "luaform " .. cmd .. ' takes no arguments %(got "extra"%)', cmd, "extra")
  end
  usage_error(dir, "apply", 'luaform apply takes at most 1 argument %(also got "b" "c"%)', "apply", "a", "b", "c")
  usage_error(dir, "output", 'luaform output takes at most 1 argument %(also got "b"%)', "output", "a", "b")
  usage_error(dir, "state show", 'luaform state show takes at most 1 argument %(also got "b"%)',
    "state", "show", "a", "b")
  usage_error(dir, "workspace list", 'luaform workspace list takes no arguments %(got "x"%)', "workspace", "list", "x")
  expect(core.stat(dir .. "/.luaform")).to_be_nil()   -- init did nothing
end)

test("state -h prints the state usage like any command's -h", function()
  local dir = new_stack({ ["main.lua"] = "" })
  for _, flag in ipairs({ "-h", "-help", "--help" }) do
    local out, code = luaform(dir, "state", flag)
    expect(code).to_be(0)
    expect(out).to_match("^Usage: luaform state <subcommand>")
  end
  local out, code = luaform(dir, "state", "list", "-h")
  expect(code).to_be(0)
  expect(out).to_match("^Usage: luaform state list")
end)

test("-var for an undeclared variable is an error naming it", function()
  local dir = new_stack({ ["main.lua"] = 'local n = var("count", { default = 1, type = "number" })\n' })
  local out, code = luaform(dir, "plan", "-var", "count=2", "-var", "cuont=3")
  expect(code).to_be(1)
  expect(out).to_be('Error: value for undeclared variable "cuont": the stack declares no var("cuont")\n')
  -- in a -var-file it is only a warning, as in Terraform
  write(dir .. "/vars.json", '{ "count": 2, "other": 1 }')
  out, code = luaform(dir, "plan", "-var-file", "vars.json")
  expect(code).to_be(0)
  expect(out).to_contain('Warning: value for undeclared variable "other" in vars.json')
end)

test("luaform -help lists every command, and each command has its own -help", function()
  local dir = new_stack({ ["main.lua"] = "" })
  local out, code = luaform(dir, "-help")
  expect(code).to_be(0)
  local names = {}
  for name in pairs(require("luaform.commands")) do names[#names + 1] = name end
  table.sort(names)
  expect(#names > 20).to_be(true)
  for _, name in ipairs(names) do
    expect(out).to_match("\n  " .. name:gsub("%-", "%%-") .. " +%S")
    local usage, ucode = luaform(dir, name, "-help")
    expect(ucode).to_be(0)
    expect(usage).to_match("^Usage: luaform " .. name:gsub("%-", "%%-"))
  end
end)

-- Found by the planfile fuzz target (tests/fuzz/corpus/planfile/no-changes).
test("a plan file with the right format but missing fields is refused in one line", function()
  local dir = new_stack({ ["main.lua"] = 'resource("local_file", "f", { filename = "f.txt", content = "x" })\n' })
  expect(select(2, luaform(dir, "plan", "-out", "p.plan"))).to_be(0)
  local doc = core.json_decode(read(dir .. "/p.plan"))
  doc.changes = nil
  write(dir .. "/p.plan", core.json_encode(doc))
  for _, cmd in ipairs({ "show", "apply" }) do
    local out, code = luaform(dir, cmd, "p.plan")
    expect(code).to_be(1)
    expect(out).to_be("Error: plan file p.plan is corrupted (changes is not a JSON object or array); plan again\n")
  end
end)

-- Found by the varfile fuzz target (tests/fuzz/corpus/varfile/number).
test("a JSON -var-file that is not an object is an error naming the file", function()
  local dir = new_stack({ ["main.lua"] = 'local n = var("count", { default = 1, type = "number" })\n' })
  for body, what in pairs({ ["5"] = "a number", ["[1, 2]"] = "an array", ['"x"'] = "a string" }) do
    write(dir .. "/vars.json", body)
    local out, code = luaform(dir, "plan", "-var-file", "vars.json")
    expect(code).to_be(1)
    expect(out).to_be("Error: vars.json:1: a variable file holds an object of variables, not " .. what .. "\n")
  end
end)
