-- Refactoring in code and replacements asked for: moved{} (resources,
-- keyed instances, whole modules), removed{ destroy = false }, -replace,
-- taint/untaint, replace_triggered_by, and -refresh-only; each as plan
-- shows it, what apply leaves in the state, and the errors at file:line.

local function addresses(dir)
  local out = {}
  for addr in pairs(state_of(dir).resources) do out[#out + 1] = addr end
  table.sort(out)
  return table.concat(out, " ")
end

local function applied(dir, ...)
  local out, code = luaform(dir, "apply", "-auto-approve", ...)
  expect(out).to_contain("Apply complete!")
  expect(code).to_be(0)
  return out
end

local function plan_fails(dir, pattern, ...)
  local out, code = luaform(dir, "plan", ...)
  expect(code).to_be(1)
  expect(out).to_match(pattern)
  expect(out).not_to_contain("stack traceback")
end

local function id_of(dir, addr) return state_of(dir).resources[addr].attributes.id end

test("moved{} renames a resource, keyed instances and a whole module without touching the objects", function()
  local dir = new_stack({
    ["main.lua"] = 'resource("random_id", "a", { byte_length = 4 })\n'
      .. 'for _, k in ipairs({ "x", "y" }) do resource("random_id", \'k["\' .. k .. \'"]\', { byte_length = 4 }) end\n'
      .. 'module("net", require("net"), {})\n',
    ["net.lua"] = 'return function() resource("random_id", "r", { byte_length = 4 }) end\n',
  })
  applied(dir)
  local before = { a = id_of(dir, "random_id.a"), x = id_of(dir, 'random_id.k["x"]'), r = id_of(dir, "module.net.random_id.r") }
  write(dir .. "/main.lua", 'resource("random_id", "b", { byte_length = 4 })\n'
    .. 'for _, k in ipairs({ "x", "y" }) do resource("random_id", \'kk["\' .. k .. \'"]\', { byte_length = 4 }) end\n'
    .. 'module("network", require("net"), {})\n'
    .. 'moved{ from = "random_id.a", to = "random_id.b" }\n'
    .. 'moved{ from = "random_id.k", to = "random_id.kk" }\n'
    .. 'moved{ from = "module.net", to = "module.network" }\n')
  local out, code = luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(2)
  expect(out).to_contain("# random_id.a has moved to random_id.b")
  expect(out).to_contain('# random_id.k["x"] has moved to random_id.kk["x"]')
  expect(out).to_contain("# module.net.random_id.r has moved to module.network.random_id.r")
  expect(out).to_contain("Plan: 0 to add, 0 to change, 0 to destroy.")
  -- planning changes nothing
  expect(addresses(dir)).to_contain("random_id.a")
  applied(dir)
  expect(addresses(dir)).to_be('module.network.random_id.r random_id.b random_id.kk["x"] random_id.kk["y"]')
  expect(id_of(dir, "random_id.b")).to_be(before.a)
  expect(id_of(dir, 'random_id.kk["x"]')).to_be(before.x)
  expect(id_of(dir, "module.network.random_id.r")).to_be(before.r)
  -- the blocks, once done, do nothing
  code = select(2, luaform(dir, "plan", "-detailed-exitcode"))
  expect(code).to_be(0)
end)

test("moved{} and removed{} mistakes are errors at their line", function()
  local dir = new_stack('resource("random_id", "a", { byte_length = 4 })\n')
  applied(dir)
  write(dir .. "/main.lua", 'resource("random_id", "a", { byte_length = 4 })\nmoved{ from = "random_id.a", to = "local_file.a" }\n')
  plan_fails(dir, "Error: main%.lua:2: moved: resource type mismatch: random_id%.a is a random_id, local_file%.a a local_file")
  write(dir .. "/main.lua", 'resource("random_id", "a", { byte_length = 4 })\nmoved{ form = "random_id.a", to = "random_id.b" }\n')
  plan_fails(dir, 'Error: main%.lua:2: moved: unsupported key "form" %(did you mean "from"%?%)')
  write(dir .. "/main.lua", 'resource("random_id", "a", { byte_length = 4 })\n\nremoved{ from = "random_id.a", destroy = false }\n')
  plan_fails(dir, "Error: main%.lua:3: removed: random_id%.a is still declared %(main%.lua:1%)")
  write(dir .. "/main.lua", 'resource("random_id", "a", { byte_length = 4 })\nresource("random_id", "b", { byte_length = 4 })\n'
    .. 'moved{ from = "random_id.a", to = "random_id.b" }\n')
  plan_fails(dir, "Error: main%.lua:3: moved: random_id%.a is still declared %(main%.lua:1%)")
  write(dir .. "/main.lua", 'resource("random_id", "a", { byte_length = 4 })\nresource("random_id", "b", { byte_length = 4 })\n')
  applied(dir)
  write(dir .. "/main.lua", 'resource("random_id", "b", { byte_length = 4 })\nmoved{ from = "random_id.a", to = "random_id.b" }\n')
  plan_fails(dir, "Error: main%.lua:2: moved: cannot move random_id%.a to random_id%.b: both are in the state")
end)

test("removed{ destroy = false } forgets the object and leaves it in place", function()
  local dir = new_stack('resource("local_file", "f", { filename = "kept.txt", content = "k" })\n')
  applied(dir)
  write(dir .. "/main.lua", 'removed{ from = "local_file.f", destroy = false }\n')
  local out = luaform(dir, "plan")
  expect(out).to_contain("# local_file.f will no longer be managed by luaform")
  expect(out).to_contain("Plan: 0 to add, 0 to change, 0 to destroy, 1 to forget.")
  applied(dir)
  expect(read(dir .. "/kept.txt")).to_be("k")
  expect(addresses(dir)).to_be("")
end)

test("-replace and taint replace an object an update would keep; untaint takes the mark off", function()
  local dir = new_stack('resource("random_id", "a", { byte_length = 4 })\nresource("random_id", "b", { byte_length = 4 })\n')
  applied(dir)
  local a, b = id_of(dir, "random_id.a"), id_of(dir, "random_id.b")
  local out = luaform(dir, "plan", "-replace=random_id.a")
  expect(out).to_contain("# random_id.a will be replaced, as requested")
  expect(out).to_contain("Plan: 1 to add, 0 to change, 1 to destroy.")
  -- a saved plan keeps the request
  luaform(dir, "plan", "-replace=random_id.a", "-out=tf.plan")
  applied(dir, "tf.plan")
  expect(id_of(dir, "random_id.a") ~= a).to_be(true)
  expect(id_of(dir, "random_id.b")).to_be(b)
  plan_fails(dir, '^Error: %-replace=random_id%.c: no resource "random_id%.c" in the stack', "-replace=random_id.c")

  out = luaform(dir, "taint", "random_id.b")
  expect(out).to_contain("Resource instance random_id.b has been marked as tainted.")
  out = luaform(dir, "plan")
  expect(out).to_contain("# random_id.b is tainted, so must be replaced")
  out = luaform(dir, "untaint", "random_id.b")
  expect(out).to_contain("Resource instance random_id.b has been successfully untainted.")
  local _, code = luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(0)
  luaform(dir, "taint", "random_id.b")
  applied(dir)
  expect(id_of(dir, "random_id.b") ~= b).to_be(true)
  expect(state_of(dir).resources["random_id.b"].tainted).to_be_nil()
  out, code = luaform(dir, "taint", "random_id.zz")
  expect(code).to_be(1)
  expect(out).to_contain('Error: no resource instance "random_id.zz" in the state')
end)

test("replace_triggered_by replaces a resource when a listed resource or attribute changes", function()
  local function stack(content)
    return 'local f = resource("local_file", "f", { filename = "f.txt", content = "' .. content .. '" })\n'
      .. 'resource("random_id", "by_resource", { byte_length = 4 }, { replace_triggered_by = { f } })\n'
      .. 'resource("random_id", "by_other", { byte_length = 4 }, { replace_triggered_by = { f.filename } })\n'
  end
  local dir = new_stack(stack("one"))
  applied(dir)
  write(dir .. "/main.lua", stack("two"))
  local out = luaform(dir, "plan")
  expect(out).to_contain("# random_id.by_resource will be replaced due to changes in replace_triggered_by")
  expect(out).not_to_contain("random_id.by_other will be replaced")
  write(dir .. "/main.lua", 'local f = resource("local_file", "f", { filename = "f.txt", content = "x" })\n'
    .. 'resource("random_id", "r", { byte_length = 4 }, { replace_triggered_by = f })\n')
  plan_fails(dir, "Error: main%.lua:2: random_id%.r: replace_triggered_by is a list of resources or their attributes")
end)

test("-refresh-only records what changed outside luaform, and nothing else", function()
  local dir = new_stack('resource("local_file", "f", { filename = "f.txt", content = "mine" })\n')
  applied(dir)
  write(dir .. "/f.txt", "theirs")
  local out = luaform(dir, "plan", "-refresh-only")
  expect(out).to_contain("# local_file.f has changed")
  expect(out).to_contain("This is a refresh-only plan, so luaform will not take any actions to undo these.")
  expect(state_of(dir).resources["local_file.f"].attributes.content).to_be("mine")
  applied(dir, "-refresh-only")
  expect(read(dir .. "/f.txt")).to_be("theirs")
  expect(state_of(dir).resources["local_file.f"].attributes.content).to_be("theirs")
  out = luaform(dir, "plan", "-refresh-only")
  expect(out).to_contain("No changes. Your infrastructure still matches the configuration.")
end)
