-- Checked module interfaces: a module written as { inputs, outputs, body }
-- is checked at the module() call (errors at the caller's file:line, naming
-- the module and the input) and its outputs at the body's file:line; a
-- bare function stays unchecked.

-- A module making one local_file per name; `returns` is the body's return
-- expression (line 10 of files.lua).
local function files_module(returns)
  return table.concat({
    'return {',
    '  inputs = {',
    '    names = { type = "list(string)", required = true, known = true, description = "one file per name" },',
    '    mode = { type = "string", default = "0644", validation = function(v) return v:match("^0%d%d%d$"), "an octal mode such as 0644" end },',
    '    settings = { type = "object({ content = string, suffix = optional(string) })", default = { content = "x" } },',
    '  },',
    '  outputs = { ids = { description = "the ids of the files, in the order of names" } },',
    '  body = function(args)',
    '    local ids = {}',
    '    for i, n in ipairs(args.names) do ids[i] = resource("local_file", n, { filename = n .. (args.settings.suffix or ".txt"), content = args.settings.content, file_permission = args.mode }).id end',
    '    return ' .. (returns or '{ ids = ids }'),
    '  end,',
    '}',
  }, "\n") .. "\n"
end

local R = 'local r = resource("random_id", "r", { byte_length = 4 })\n'

-- validate must fail with one line matching `pattern`.
local function fails_with(files, pattern)
  local dir = new_stack(files)
  local out, code = luaform(dir, "validate")
  expect(code).to_be(1)
  expect(out).to_match(pattern)
  expect(out).not_to_contain("stack traceback")
  expect(select(2, out:gsub("\n", ""))).to_be(1)
end

local function call(args, returns)
  return { ["main.lua"] = R .. 'local f = module("files", require("files"), { ' .. args .. ' })\n',
    ["files.lua"] = files_module(returns) }
end

test("a module's inputs are checked at the call: unknown, missing, wrong type, validation, known", function()
  fails_with(call('name = { "a" }'), '^Error: main%.lua:2: module "files": unsupported input "name" %(did you mean "names"%?%)')
  fails_with(call('mode = "0600"'), '^Error: main%.lua:2: module "files": missing required input "names"')
  fails_with(call('names = "a"'), '^Error: main%.lua:2: module "files": input "names": expected a list, got string')
  fails_with(call('names = { "a", { 1 } }'), '^Error: main%.lua:2: module "files": input "names": names%[2%]: expected a string, got table')
  fails_with(call('names = { "a" }, settings = { contnet = "y" }'),
    '^Error: main%.lua:2: module "files": input "settings": unsupported argument "contnet" %(did you mean "content"%?%)')
  fails_with(call('names = { "a" }, mode = "644"'), '^Error: main%.lua:2: module "files": input "mode": invalid value: an octal mode such as 0644')
  fails_with(call('names = { r.hex }'), '^Error: main%.lua:2: module "files": input "names" must be known when the stack is evaluated')
  fails_with(call('names = { "a" }, mode = r'),
    '^Error: main%.lua:2: module "files": input "mode": expected string, got the resource random_id%.r %(use one of its attributes, such as %.id%)')
end)

test("a module gets its inputs with their defaults, and a reference where a string goes", function()
  local dir = new_stack({
    ["main.lua"] = R .. 'local f = module("files", use("./files.lua"), { names = { "a", "b" }, settings = { content = r.hex, suffix = ".md" } })\n'
      .. 'output("ids", f.ids)\n',
    ["files.lua"] = files_module(),
  })
  local out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("Apply complete! Resources: 3 added")
  local st = state_of(dir)
  local hex, modes = nil, {}
  for _, res in pairs(st.resources) do
    if res.type == "random_id" then hex = res.attributes.hex else modes[#modes + 1] = res.attributes.file_permission end
  end
  expect(type(hex)).to_be("string")
  expect(read(dir .. "/a.md")).to_be(hex)
  expect(read(dir .. "/b.md")).to_be(hex)
  expect(modes).to_equal({ "0644", "0644" })   -- the default
end)

test("a module's outputs are checked at the body's file:line", function()
  fails_with(call('names = { "a" }', '{ ids = ids, idz = ids }'),
    '^Error: %./files%.lua:8: module "files": unsupported output "idz" %(did you mean "ids"%?%): it is returned but not declared in outputs')
  fails_with(call('names = { "a" }', '{}'), '^Error: %./files%.lua:8: module "files": does not return its declared output "ids"')
end)

test("a bad interface is an error at the call", function()
  fails_with({ ["main.lua"] = 'module("m", { inputs = { n = { type = "numbr" } }, body = function() end }, {})\n' },
    '^Error: main%.lua:1: module "m": input "n": type: unknown type "numbr" %(did you mean "number"%?%)')
  fails_with({ ["main.lua"] = 'module("m", { inputs = { n = { type = "number", requird = true } }, body = function() end }, {})\n' },
    '^Error: main%.lua:1: module "m": input "n": unsupported option "requird" %(did you mean "required"%?%)')
  fails_with({ ["main.lua"] = 'module("m", { inputs = { n = { type = "number", default = "many" } }, body = function() end }, {})\n' },
    '^Error: main%.lua:1: module "m": input "n": the default: expected a number, got string')
  fails_with({ ["main.lua"] = 'module("m", { input = {}, body = function() end }, {})\n' },
    '^Error: main%.lua:1: module "m": unsupported module key "input" %(did you mean "inputs"%?%)')
end)

test("a bare function module stays unchecked", function()
  local dir = new_stack('local out = module("m", function(args) return { n = args.anything } end, { anything = 1 })\n'
    .. 'output("n", out.n)\n')
  local out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("n = 1")
end)

test("a module from a git source is checked the same way, at the caller's line", function()
  local repo = tmpdir()
  local function git(args)
    local out, code = sh("cd " .. quote(repo) .. " && git -c user.name=t -c user.email=t@t " .. args)
    assert(code == 0, out)
  end
  git("init -q -b main")
  write(repo .. "/files/init.lua", files_module())
  git("add -A && git -c user.name=t -c user.email=t@t commit -q -m v1 && git tag v1.0.0")
  local function main(args)
    return R .. string.format('local f = module("files", use("git+file://%s//files", { ref = "v1.0.0" }),\n  { %s })\n', repo, args)
  end
  local dir = new_stack(main('names = { "a" }, mode = "0600"'))
  local out
  local code = select(2, luaform(dir, "init"))
  expect(code).to_be(0)
  write(dir .. "/main.lua", main('names = { "a" }, mod = "0600"'))
  out, code = luaform(dir, "validate")
  expect(code).to_be(1)
  expect(out).to_match('^Error: main%.lua:2: module "files": unsupported input "mod" %(did you mean "mode"%?%)\n$')
end)

test("docs MODULE prints a module's inputs and outputs, the stack's own and the stdlib's", function()
  local dir = new_stack({
    ["main.lua"] = 'module("net", require("mods.net"), { cidr = "10.0.0.0/16" })\n',
    ["mods/net.lua"] = [[
return {
  description = "a small network",
  inputs = {
    cidr = { type = "string", required = true, description = "the block" },
    count = { type = "number", default = 2 },
    key = { type = "string", sensitive = true },
  },
  outputs = { id = { description = "the network's id" } },
  body = function(args) return { id = args.cidr } end,
}
]],
  })
  local out, code = luaform(dir, "docs", "mods.net")
  expect(code).to_be(0)
  expect(out).to_contain("module mods.net: a small network\n")
  expect(out).to_match("\n  cidr%s+string, required\n      the block\n")
  expect(out).to_match("\n  count%s+number, optional, default 2\n")
  expect(out).to_match("\n  key%s+string, optional, sensitive\n")
  expect(out).to_contain("Outputs:\n  id\n      the network's id\n")
  out, code = luaform(dir, "docs", "stdlib.vpc")
  expect(code).to_be(0)
  expect(out).to_match("\n  azs%s+list%(string%), required, known when the stack is evaluated\n")
  expect(out).to_contain("\n  vpc_id\n")
  out, code = luaform(dir, "docs", "mods.none")
  expect(code).to_be(1)
  expect(out).to_contain("mods.none is neither a type nor a module with an interface")
end)
