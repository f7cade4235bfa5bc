-- Strict stacks: the mistakes Lua lets pass are errors at their file:line
-- (undefined globals, globals assigned, references made into text,
-- lifecycle keys among the arguments, variables of the wrong type), and
-- the correct forms keep working.

-- plan must fail with one line matching `pattern`, leaving no state.
local function fails_with(files, pattern, ...)
  local dir = new_stack(files)
  local out, code = luaform(dir, "plan", ...)
  expect(code).to_be(1)
  expect(out).to_match(pattern)
  expect(out).not_to_contain("stack traceback")
  expect(select(2, out:gsub("\n", ""))).to_be(1)
  expect(core.stat(dir .. "/luaform.state.json")).to_be_nil()
end

local R = 'local r = resource("random_id", "r", { byte_length = 4 })\n'

test("reading an undefined global is an error naming it, in the stack and in a module", function()
  -- ignore_changes = { content } used to become {} silently.
  fails_with(R .. 'resource("local_file", "f", { filename = "out.txt", content = "x" },\n'
      .. '  { ignore_changes = { content } })\n',
    '^Error: main%.lua:3: undefined global "content" %(a name is text: "content"')
  fails_with(R .. 'resourc("local_file", "f", { filename = "out.txt", content = "x" })\n',
    '^Error: main%.lua:2: undefined global "resourc" %(did you mean "resource"%?%)')
  fails_with({
    ["main.lua"] = R .. 'module("files", require("files"), {})\n',
    ["files.lua"] = 'return function(args)\n  local name = args.name or defualt_name\nend\n',
  }, '^Error: %./files%.lua:2: undefined global "defualt_name"')
end)

test("the engine's globals and Lua's standard ones stay readable", function()
  local dir = new_stack(R .. 'local n = math.max(1, tonumber("2"))\n'
    .. 'resource("local_file", "f", { filename = "out.txt", content = string.rep("a", n) .. type(fmt) })\n')
  local out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("Apply complete! Resources: 2 added")
  expect(read(dir .. "/out.txt")).to_be("aafunction")
end)

test("assigning a global in a stack or a module is an error that says to use local", function()
  fails_with(R .. 'prefix = "demo"\n',
    '^Error: main%.lua:2: assignment to global "prefix": a stack has no globals; declare it local %(local prefix = %.%.%.%)')
  fails_with({
    ["main.lua"] = 'module("files", require("files"), {})\n',
    ["files.lua"] = 'function helper() end\nreturn function(args) end\n',
  }, '^Error: %./files%.lua:1: assignment to global "helper"')
end)

test("a reference made into text by a string function is an error saying how to keep it", function()
  -- The issue's case: the text "${...}:0.0.1" went into the file and the dependency was lost.
  local function file_with(expr) return R .. 'resource("local_file", "f", { filename = "out.txt",\n  content = ' .. expr .. ' })\n' end
  fails_with(file_with('string.format("%s:0.0.1", r.hex)'),
    '^Error: main%.lua:3: a reference to random_id%.r%.hex %(known only after apply%) cannot be made into text by string%.format: use fmt%(%.%.%.%)')
  fails_with(file_with('tostring(r.hex)'),
    '^Error: main%.lua:3: a reference to random_id%.r%.hex %(known only after apply%) cannot be made into text here: use %.%., fmt%(%.%.%.%) or ref:map')
  fails_with(file_with('("x"):rep(r.byte_length)'),
    '^Error: main%.lua:3: a reference to random_id%.r%.byte_length %(known only after apply%) cannot be made into text by string%.rep')
  fails_with(file_with('string.sub(r.hex, 1, 2)'),
    '^Error: main%.lua:3: a reference to random_id%.r%.hex .* by string%.sub: use %.%., fmt%(%.%.%.%) or ref:map%(function%(s%) return s:sub')
  fails_with(file_with('r.hex:upper()'),
    '^Error: main%.lua:3: a reference to random_id%.r%.hex %(known only after apply%) has no method upper: write ref:map%(function%(s%) return s:upper%(%.%.%.%) end%)')
  fails_with(file_with('table.concat({ r.hex, "b" }, ",")'),
    '^Error: main%.lua:3: a reference to random_id%.r%.hex .* by table%.concat: join with %.%.')
end)

test("arithmetic or ordering on a reference is an error saying to use :map", function()
  fails_with(R .. 'resource("local_file", "f", { filename = "out.txt", content = r.byte_length + 1 })\n',
    '^Error: main%.lua:2: a reference to random_id%.r%.byte_length %(known only after apply%) cannot be computed with %+ in Lua: '
      .. 'write ref:map%(function%(v%) return v %+ 1 end%)')
  fails_with(R .. 'local big = 2 < r.byte_length\n',
    '^Error: main%.lua:2: a reference to random_id%.r%.byte_length %(known only after apply%) cannot be compared in Lua')
end)

test("the forms that keep the reference give the value after apply", function()
  local dir = new_stack(R .. 'resource("local_file", "f", { filename = "out.txt",\n'
    .. '  content = fmt("%s:0.0.1", r.hex) .. "," .. r.hex:map(string.upper) .. "," .. r.hex:map(function(s) return s:sub(1, 2) end) })\n')
  local code = select(2, luaform(dir, "apply", "-auto-approve"))
  expect(code).to_be(0)
  local hex
  for _, res in pairs(state_of(dir).resources) do
    if res.type == "random_id" then hex = res.attributes.hex end
  end
  expect(type(hex)).to_be("string")
  expect(read(dir .. "/out.txt")).to_be(hex .. ":0.0.1," .. hex:upper() .. "," .. hex:sub(1, 2))
  code = select(2, luaform(dir, "plan", "-detailed-exitcode"))
  expect(code).to_be(0)
end)

test("a lifecycle key among the arguments is an error saying it belongs in the 4th table", function()
  fails_with(R .. 'resource("local_file", "f", { filename = "out.txt", content = "x",\n  depends_on = { r } })\n',
    '^Error: main%.lua:2: resource local_file%.f: "depends_on" is not an argument; it belongs in the 4th table: '
      .. 'resource%("local_file", "f", { %.%.%. }, { depends_on = %.%.%. }%)')
  fails_with(R .. 'resource("local_file", "f", { filename = "out.txt", content = "x", prevent_destroy = true })\n',
    '^Error: main%.lua:2: resource local_file%.f: "prevent_destroy" is not an argument; it belongs in the 4th table')
  fails_with(R .. 'resource("local_file", "f", { filename = "out.txt", content = "x",\n'
      .. '  lifecycle = { ignore_changes = { "content" } } })\n',
    '^Error: main%.lua:2: resource local_file%.f: lifecycle options go in the 4th table, without "lifecycle = { }"')
  fails_with(R .. 'resource("local_file", "f", { filename = "out.txt", content = "x" },\n'
      .. '  { lifecycle = { ignore_changes = { "content" } } })\n',
    '^Error: main%.lua:2: resource%(%): the 4th table is the lifecycle: put its options directly in it')
  fails_with(R .. 'resource("local_file", "f", { filename = "out.txt", content = "x", count = 2 })\n',
    '^Error: main%.lua:2: resource local_file%.f: "count" is not an argument; a Lua loop declares several')
end)

test("depends_on may name a module: every resource in it, nested modules included", function()
  local dir = new_stack({
    ["main.lua"] = 'local files = module("files", require("files"), {})\n'
      .. 'resource("local_file", "after", { filename = "c.txt", content = "c" }, { depends_on = { files } })\n',
    ["files.lua"] = 'return function(args)\n'
      .. '  resource("local_file", "a", { filename = "a.txt", content = "a" })\n'
      .. '  module("inner", function() resource("local_file", "b", { filename = "b.txt", content = "b" }) end)\n'
      .. 'end\n',
  })
  local out, code = luaform(dir, "graph")
  expect(code).to_be(0)
  expect(out).to_contain('"local_file.after" -> "module.files.local_file.a";')
  expect(out).to_contain('"local_file.after" -> "module.files.module.inner.local_file.b";')
  fails_with(R .. 'resource("local_file", "f", { filename = "out.txt", content = "x" },\n  { depends_on = { "module.files" } })\n',
    '^Error: main%.lua:2: local_file%.f: depends_on lists resources and modules %(the values resource%(%) and module%(%) return%)')
  fails_with(R .. 'resource("local_file", "f", { filename = "out.txt", content = "x" }, { depends_on = r })\n',
    '^Error: main%.lua:2: local_file%.f: depends_on is a list: { a, b }')
end)

test("a variable's type is checked for the default, -var, a -var-file and the environment", function()
  local typed = 'local n = var("azs", { type = "list(string)", default = { "a", { 1 } } })\n'
  fails_with(typed, '^Error: main%.lua:1: variable "azs" %(the default%): azs%[2%]: expected a string, got table')
  local svc = 'local svc = var("svc", { type = "object({ name = string, port = optional(number) })",\n'
    .. '  default = { name = "web" } })\n'
    .. 'resource("local_file", "f", { filename = "out.txt", content = json(svc) })\n'
  fails_with(svc, '^Error: main%.lua:1: variable "svc" %(from %-var%): unsupported argument "prot" %(did you mean "port"%?%)',
    "-var", 'svc={"name":"web","prot":8080}')
  fails_with(svc, '^Error: main%.lua:1: variable "svc" %(from %-var%): missing required argument "name"',
    "-var", 'svc={"port":8080}')
  fails_with(svc, '^Error: main%.lua:1: variable "svc" %(from %-var%): svc%.port: expected a number, got table',
    "-var", 'svc={"name":"web","port":[1]}')
  fails_with({ ["main.lua"] = svc, ["prod.json"] = '{ "svc": { "name": 5, "port": true } }' },
    '^Error: main%.lua:1: variable "svc" %(from prod%.json%): svc%.port: expected a number, got boolean', "-var-file", "prod.json")
  local m = 'local m = var("m", { type = "map(number)", default = {} })\n'
  fails_with(m, '^Error: main%.lua:1: variable "m" %(from %-var%): expected a map, got a list', "-var", "m=[1, 2]")
  local dir = new_stack(m)
  with_env({ LUAFORM_VAR_m = '{"a":"x"}' }, function()
    local out, code = luaform(dir, "plan")
    expect(code).to_be(1)
    expect(out).to_match('^Error: main%.lua:1: variable "m" %(from LUAFORM_VAR_m%): m%.a: expected a number, got string')
  end)
end)

test("a typed variable's value is converted to its type and used", function()
  local dir = new_stack('local svc = var("svc", { type = "object({ name = string, port = optional(number) })",\n'
    .. '  default = { name = "web" }, description = "the service", nullable = false })\n'
    .. 'local ports = var("ports", { type = "list(number)", default = { "80", 443 } })\n'
    .. 'resource("local_file", "f", { filename = "out.txt", content = json({ svc = svc, ports = ports }) })\n')
  local code = select(2, luaform(dir, "apply", "-auto-approve", "-var", 'svc={"name":"api","port":"8080"}'))
  expect(code).to_be(0)
  expect(core.json_decode(read(dir .. "/out.txt"))).to_equal({ svc = { name = "api", port = 8080 }, ports = { 80, 443 } })
end)

test("optional(T, DEFAULT) fills a missing attribute of an object, in lists too", function()
  local dir = new_stack('local svcs = var("svcs", { type = \'list(object({ name = string, port = optional(number, 8080), path = optional(string, "/(up)") }))\',\n'
    .. '  default = { { name = "a" }, { name = "b", port = 81 } } })\n'
    .. 'resource("local_file", "f", { filename = "out.txt", content = json(svcs) })\n')
  local code = select(2, luaform(dir, "apply", "-auto-approve"))
  expect(code).to_be(0)
  expect(core.json_decode(read(dir .. "/out.txt"))).to_equal({
    { name = "a", port = 8080, path = "/(up)" }, { name = "b", port = 81, path = "/(up)" } })
  fails_with('local v = var("v", { type = \'object({ p = optional(number, "x") })\', default = {} })\n',
    '^Error: main%.lua:1: variable "v": type: attribute "p": the default in optional%(%): expected a number, got string')
end)

test("a bad variable, output or type spec is an error at its line", function()
  fails_with('local n = var("n", { type = "number", defualt = 1 })\n',
    '^Error: main%.lua:1: variable "n": unsupported option "defualt" %(did you mean "default"%?%)')
  fails_with('local n = var("n", { type = "numbr", default = 1 })\n',
    '^Error: main%.lua:1: variable "n": type: unknown type "numbr" %(did you mean "number"%?%)')
  fails_with('local n = var("n", { type = "list(string", default = {} })\n',
    '^Error: main%.lua:1: variable "n": type: expected "%)" at the end in type "list%(string"')
  fails_with('local n = var("n", { type = "string", nullable = "no", default = "x" })\n',
    '^Error: main%.lua:1: variable "n": nullable is true or false')
  fails_with('output("x", 1, { sensitiv = true })\n',
    '^Error: main%.lua:1: output "x": unsupported option "sensitiv" %(did you mean "sensitive"%?%)')
end)

test("a null from a JSON var file is nil, or the default when nullable = false", function()
  local dir = new_stack({
    ["main.lua"] = 'local x = var("x", { type = "string", default = "d", nullable = false })\n'
      .. 'local y = var("y", { type = "string", default = "d" })\n'
      .. 'output("x", x)\noutput("y_is_nil", y == nil)\n',
    ["v.json"] = '{ "x": null, "y": null }',
  })
  local out, code = luaform(dir, "apply", "-auto-approve", "-var-file", "v.json")
  expect(code).to_be(0)
  expect(out).to_contain('x = "d"')
  expect(out).to_contain("y_is_nil = true")
end)
