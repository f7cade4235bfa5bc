-- The engine core end to end with local types: apply, no-op plan, update,
-- replace, drift, destroy; variables and their sources, nested modules,
-- ref:map, -refresh=false, colors, outputs.
local FIXTURE = core.exe_dir .. "/tests/lua/fixtures/core"
local function stack() return copy_stack(FIXTURE) end

-- The fixture stack, applied.
local function applied_stack()
  local dir = stack()
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  return dir
end

-- A file named after a random id that create_before_destroy replaces
-- whenever the id's keeper k changes.
local NAMED_BY_ID = [[
local r = resource("random_id", "r", { byte_length = 4, keepers = { k = var("k", { default = "1" }) } })
resource("local_file", "f", { filename = fmt("f-%s.txt", r.hex), content = "x" }, { create_before_destroy = true })
]]

test("apply creates every file; a second plan has no changes", function()
  local dir = stack()
  local out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("Apply complete! Resources: 5 added, 0 changed, 0 destroyed.")
  local st = state_of(dir)
  local hex = st.resources["random_id.suffix"].attributes.hex
  expect(#hex).to_be(8)
  expect(read(dir .. "/out/demo-a.txt")).to_be("part a of " .. hex .. "\n")
  expect(read(dir .. "/out/demo-b.txt")).to_be("part b of " .. hex .. "\n")
  local manifest = core.json_decode(read(dir .. "/out/manifest.json"))
  expect(manifest).to_equal({ files = { "out/demo-a.txt", "out/demo-b.txt" }, id = hex, prefix = "demo" })
  expect(core.stat(dir .. "/out/manifest.json").mode).to_be(640)
  expect(st.resources['module.parts.local_file.part["a"]']).to_be_truthy()
  expect(out).to_contain('suffix = "' .. hex .. '"')
  out, code = luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(0)
  expect(out).to_contain("No changes.")
end)

test("editing content plans an in-place update; changing keepers plans a replace", function()
  local dir = applied_stack()
  local out, code = luaform(dir, "plan", "-detailed-exitcode", "-var", "greeting=bonjour")
  expect(code).to_be(2)
  expect(out).to_contain("# local_file.greeting will be updated in-place")
  expect(out).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  code = select(2, luaform(dir, "apply", "-auto-approve", "-var", "greeting=bonjour"))
  expect(code).to_be(0)
  expect(read(dir .. "/out/greeting.txt")).to_match("^bonjour, %d+\n$")

  local before = state_of(dir).resources["random_id.suffix"].attributes.hex
  out, code = luaform(dir, "plan", "-detailed-exitcode", "-var", "greeting=bonjour", "-var", "generation=2")
  expect(code).to_be(2)
  expect(out).to_contain("# random_id.suffix must be replaced")
  expect(out).to_contain("# forces replacement")
  code = select(2, luaform(dir, "apply", "-auto-approve", "-var", "greeting=bonjour", "-var", "generation=2"))
  expect(code).to_be(0)
  local after = state_of(dir).resources["random_id.suffix"].attributes.hex
  expect(after ~= before).to_be(true)
  expect(read(dir .. "/out/demo-a.txt")).to_be("part a of " .. after .. "\n")
  code = select(2, luaform(dir, "plan", "-detailed-exitcode", "-var", "greeting=bonjour", "-var", "generation=2"))
  expect(code).to_be(0)
end)

test("a file deleted or edited by hand is drift, and apply repairs it", function()
  local dir = applied_stack()
  core.remove(dir .. "/out/demo-b.txt")
  local out, code = luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(2)
  expect(out).to_contain('module.parts.local_file.part["b"] has been deleted')
  expect(out).to_contain('# module.parts.local_file.part["b"] will be created')
  write(dir .. "/out/greeting.txt", "tampered\n")
  out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("1 added, 1 changed")
  expect(read(dir .. "/out/demo-b.txt")).to_match("^part b of ")
  expect(read(dir .. "/out/greeting.txt")).to_match("^hello, ")
  expect(select(2, luaform(dir, "plan", "-detailed-exitcode"))).to_be(0)
end)

test("destroy removes everything and leaves an empty state", function()
  local dir = applied_stack()
  local out, code = luaform(dir, "destroy", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("Destroy complete! Resources: 5 destroyed.")
  expect(core.stat(dir .. "/out/manifest.json")).to_be_nil()
  expect(core.stat(dir .. "/out/demo-a.txt")).to_be_nil()
  local st = state_of(dir)
  expect(next(st.resources)).to_be_nil()
  expect(next(st.outputs)).to_be_nil()
  out = luaform(dir, "state", "list")
  expect(out).to_be("")
end)

test("plan -out saves a plan that apply carries out only while the state is unchanged", function()
  local dir = stack()
  local _, code = luaform(dir, "plan", "-out", "p.plan")
  expect(code).to_be(0)
  local out
  out, code = luaform(dir, "apply", "p.plan")
  expect(code).to_be(0)
  expect(out).to_contain("5 added")
  luaform(dir, "plan", "-out", "p2.plan", "-var", "greeting=hi")
  expect(select(2, luaform(dir, "apply", "-auto-approve", "-var", "greeting=hey"))).to_be(0)
  out, code = luaform(dir, "apply", "p2.plan")
  expect(code).to_be(1)
  expect(out).to_contain("stale")
end)

test("-target plans only the target and what it needs; -json is machine-readable", function()
  local dir = stack()
  local out, code = luaform(dir, "plan", "-json", "-target", "local_file.manifest")
  expect(code).to_be(0)
  local addrs = {}
  for line in out:gmatch("[^\n]+") do
    local msg = core.json_decode(line)
    if msg.type == "planned_change" then addrs[#addrs + 1] = msg.change.resource.addr end
  end
  table.sort(addrs)
  expect(addrs).to_equal({ "local_file.manifest", 'module.parts.local_file.part["a"]',
    'module.parts.local_file.part["b"]', "random_id.suffix" })
end)

test("output, show, state show and graph read the applied stack", function()
  local dir = applied_stack()
  local out = luaform(dir, "output", "-json")
  local outputs = core.json_decode(out)
  expect(outputs.manifest.value).to_be("out/manifest.json")
  expect(luaform(dir, "output", "-raw", "first_part")).to_be("out/demo-a.txt\n")
  local hex = state_of(dir).resources["random_id.suffix"].attributes.hex
  expect(luaform(dir, "output", "suffix")).to_be('"' .. hex .. '"\n')
  expect(luaform(dir, "output", "-json", "suffix")).to_be('"' .. hex .. '"\n')
  expect(outputs.suffix).to_equal({ value = hex, sensitive = false })
  local missing, code = luaform(dir, "output", "nope")
  expect(code).to_be(1)
  expect(missing).to_contain('output "nope" not found')
  expect(luaform(dir, "state", "show", "random_id.suffix")).to_contain('resource "random_id" "suffix"')
  local dot = luaform(dir, "graph")
  expect(dot).to_contain('"local_file.manifest" -> "random_id.suffix";')
  expect(dot).to_contain('"module.parts.local_file.part[\\"a\\"]" -> "random_id.suffix";')
end)

-- Four variables, each set by one more source than the one before; the
-- file's content shows which source won for each.
local PRECEDENCE = 'local v = {}\n'
  .. 'for _, name in ipairs({ "a", "b", "c", "d" }) do v[#v + 1] = var(name, { default = "default" }) end\n'
  .. 'local n = var("n", { type = "number", default = 0 })\n'
  .. 'resource("local_file", "f", { filename = "f.txt", content = table.concat(v, ",") .. "," .. (n + 1) })\n'

test("variables: default < LUAFORM_VAR_name < -var-file (Lua or JSON) < -var", function()
  local dir = new_stack({ ["main.lua"] = PRECEDENCE,
    ["vars.lua"] = 'c = "file"\nd = "file"\n', ["vars.json"] = '{ "c": "json", "d": "json" }' })
  with_env({ LUAFORM_VAR_b = "env", LUAFORM_VAR_c = "env", LUAFORM_VAR_d = "env", LUAFORM_VAR_n = "41" }, function()
    local out
    local code = select(2, luaform(dir, "apply", "-auto-approve", "-var-file=vars.lua", "-var", "d=cli"))
    expect(code).to_be(0)
    expect(read(dir .. "/f.txt")).to_be("default,env,file,cli,42")
    out, code = luaform(dir, "plan", "-var-file", "vars.json", "-var", "d=cli")
    expect(code).to_be(0)
    expect(out).to_contain('~ content        = "default,env,file,cli,42" -> "default,env,json,cli,42"')
  end)
  local out, code = luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(2)
  expect(out).to_contain('-> "default,default,default,default,1"')
end)

test("nested modules: a module inside a module has the address module.a.module.b.TYPE.NAME", function()
  local dir = new_stack({
    ["main.lua"] = 'local a = module("a", require("outer"), { text = "hi" })\n'
      .. 'resource("local_file", "top", { filename = "top.txt", content = a.inner_id })\n',
    ["outer.lua"] = 'return function(args)\n'
      .. '  local b = module("b", require("inner"), { text = args.text .. "!" })\n'
      .. '  return { inner_id = b.id }\nend\n',
    ["inner.lua"] = 'return function(args)\n'
      .. '  local x = resource("local_file", "x", { filename = "inner.txt", content = args.text })\n'
      .. '  return { id = x.id }\nend\n',
  })
  local out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("module.a.module.b.local_file.x: Creation complete")
  expect(luaform(dir, "state", "list")).to_be("local_file.top\nmodule.a.module.b.local_file.x\n")
  expect(read(dir .. "/inner.txt")).to_be("hi!")
  local id = state_of(dir).resources["module.a.module.b.local_file.x"].attributes.id
  expect(read(dir .. "/top.txt")).to_be(id)
  expect(luaform(dir, "graph")).to_contain('"local_file.top" -> "module.a.module.b.local_file.x";')
end)

test("ref:map(fn) applies fn to the value once it is known", function()
  local dir = new_stack({ ["main.lua"] = 'local r = resource("random_id", "r", { byte_length = 4 })\n'
    .. 'resource("local_file", "f", { filename = "f.txt",\n'
    .. '  content = r.hex:map(function(h) return "id-" .. h:upper() end) })\n' })
  local out, code = luaform(dir, "plan")
  expect(code).to_be(0)
  expect(out).to_contain("+ content              = (known after apply)")
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local hex = state_of(dir).resources["random_id.r"].attributes.hex
  expect(read(dir .. "/f.txt")).to_be("id-" .. hex:upper())
end)

test("-refresh=false plans from the state without reading the real objects", function()
  local dir = applied_stack()
  core.remove(dir .. "/out/greeting.txt")
  local out, code = luaform(dir, "plan", "-detailed-exitcode", "-refresh=false")
  expect(code).to_be(0)
  expect(out).to_contain("No changes.")
  out, code = luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(2)
  expect(out).to_contain("local_file.greeting has been deleted")
end)

test("plan output has colors on a terminal, none with -no-color or NO_COLOR", function()
  local dir = stack()
  -- script(1) runs luaform on a pseudo-terminal
  local function on_tty(env, ...)
    local args = { env, quote(core.exe_dir .. "/luaform"), "-chdir=" .. quote(dir) }
    for _, a in ipairs({ ... }) do args[#args + 1] = a end
    return sh("script -qec " .. quote(table.concat(args, " ")) .. " /dev/null </dev/null")
  end
  local out = on_tty("env -u NO_COLOR", "plan")
  expect(out).to_contain("Plan: 5 to add")
  expect(out).to_contain("\27[")
  out = on_tty("env -u NO_COLOR", "plan", "-no-color")
  expect(out).to_contain("Plan: 5 to add")
  expect(out).not_to_contain("\27[")
  out = on_tty("env NO_COLOR=1", "plan")
  expect(out).to_contain("Plan: 5 to add")
  expect(out).not_to_contain("\27[")
end)

test("create_before_destroy extends to a replaced dependency: new objects first, then the old ones go", function()
  local dir = new_stack(NAMED_BY_ID)
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local old_hex = state_of(dir).resources["random_id.r"].attributes.hex
  local out, code = luaform(dir, "apply", "-auto-approve", "-var", "k=2")
  expect(code).to_be(0)
  expect(out).to_contain("Apply complete! Resources: 2 added, 0 changed, 2 destroyed.")
  for _, addr in ipairs({ "random_id.r", "local_file.f" }) do
    local created = out:find(addr .. ": Creation complete", 1, true)
    local destroyed = out:find(addr .. ": Destroying", 1, true)
    expect(created ~= nil and destroyed ~= nil and created < destroyed).to_be(true)
  end
  local st = state_of(dir)
  local hex = st.resources["random_id.r"].attributes.hex
  expect(hex ~= old_hex).to_be(true)
  expect(read(dir .. "/f-" .. hex .. ".txt")).to_be("x")
  expect(core.stat(dir .. "/f-" .. old_hex .. ".txt")).to_be_nil()
  expect(st.resources["random_id.r"].deposed).to_be_nil()
  expect(st.resources["local_file.f"].deposed).to_be_nil()
  expect(select(2, luaform(dir, "plan", "-detailed-exitcode", "-var", "k=2"))).to_be(0)
end)

test("a replacement is drawn -/+, or +/- when it creates the new object before destroying the old", function()
  local dir = new_stack(NAMED_BY_ID)
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local out = luaform(dir, "plan", "-var", "k=2")
  expect(out).to_contain("Resource actions are indicated with the following symbols:\n+/- create replacement and then destroy\n")
  expect(out).to_contain('# random_id.r must be replaced\n+/- resource "random_id" "r" {')
  expect(out).to_contain('# local_file.f must be replaced\n+/- resource "local_file" "f" {')
  expect(out).not_to_contain("-/+")
  expect(select(2, luaform(dir, "plan", "-var", "k=2", "-out", "k2.plan"))).to_be(0)
  local doc = core.json_decode((luaform(dir, "show", "-json", "k2.plan")))
  for _, rc in ipairs(doc.resource_changes) do expect(rc.change.actions).to_equal({ "create", "delete" }) end

  write(dir .. "/main.lua", (NAMED_BY_ID:gsub(", { create_before_destroy = true }", "")))
  out = luaform(dir, "plan", "-var", "k=2")
  expect(out).to_contain("Resource actions are indicated with the following symbols:\n-/+ destroy and then create replacement\n")
  expect(out).to_contain('# random_id.r must be replaced\n-/+ resource "random_id" "r" {')
  expect(out).not_to_contain("+/-")
end)

test("an apply with nothing to change keeps the serial, so a saved plan stays valid", function()
  local dir = new_stack('resource("local_file", "f", { filename = "f.txt", content = var("c", { default = "a" }) })\n'
    .. 'output("o", var("o", { default = "1" }))\n')
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local serial = state_of(dir).serial
  expect(select(2, luaform(dir, "plan", "-out", "p.plan", "-var", "c=b"))).to_be(0)
  local out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("Resources: 0 added, 0 changed, 0 destroyed.")
  expect(state_of(dir).serial).to_be(serial)
  code = select(2, luaform(dir, "apply", "p.plan"))
  expect(code).to_be(0)
  expect(read(dir .. "/f.txt")).to_be("b")

  -- A new output value alone is a change of the state.
  serial = state_of(dir).serial
  expect(select(2, luaform(dir, "apply", "-auto-approve", "-var", "c=b", "-var", "o=2"))).to_be(0)
  local st = state_of(dir)
  expect(st.outputs.o.value).to_be("2")
  expect(st.serial > serial).to_be(true)
end)

test("an apply with nothing to change still saves what the refresh found", function()
  local dir = new_stack('resource("local_file", "f", { filename = "f.txt", content = "a" }, { ignore_changes = { "content" } })\n')
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local serial = state_of(dir).serial
  write(dir .. "/f.txt", "edited")
  local out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("local_file.f has changed")
  local st = state_of(dir)
  expect(st.resources["local_file.f"].attributes.content).to_be("edited")
  expect(st.serial > serial).to_be(true)
end)

test("the drift report shows the attributes changed outside luaform, hiding sensitive ones", function()
  local dir = new_stack([[
resource("local_file", "ig", { filename = "f.txt", content = "a" }, { ignore_changes = { "content" } })
resource("local_file", "s", { filename = "s.txt", sensitive_content = "secret" })
resource("local_file", "same", { filename = "same.txt", content = "kept" })
]])
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  write(dir .. "/f.txt", "b")
  write(dir .. "/s.txt", "leaked")
  local out, code = luaform(dir, "plan")
  expect(code).to_be(0)
  local drift = out:match("Objects have changed outside of luaform(.-)Resource actions")
  expect(drift).to_be_truthy()
  expect(drift).to_match('# local_file%.ig has changed\n  ~ resource "local_file" "ig" {\n')
  expect(drift).to_match('\n      ~ content%s+= "a" %-> "b"\n')
  expect(drift).to_match('\n        filename%s+= "f%.txt"\n')
  expect(drift).to_match('# local_file%.s has changed\n')
  expect(drift).to_match('\n      ~ sensitive_content%s+= %(sensitive value%)\n')
  expect(drift).not_to_contain("local_file.same")
  expect(out).not_to_contain("leaked")
  expect(out).not_to_contain("secret")
end)

test("apply FILE refuses a plan whose values the stack no longer gives, and changes nothing", function()
  local dir = new_stack('resource("local_file", "f", { filename = "f.txt", content = "a" })\n')
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local serial = state_of(dir).serial
  write(dir .. "/main.lua", 'resource("local_file", "f", { filename = "f.txt", content = "reviewed" })\n')
  expect(select(2, luaform(dir, "plan", "-out", "p.plan"))).to_be(0)
  write(dir .. "/main.lua", 'resource("local_file", "f", { filename = "f.txt", content = "not reviewed" })\n')
  local out, code = luaform(dir, "apply", "p.plan")
  expect(code).to_be(1)
  expect(out).to_contain("Error: saved plan p.plan no longer matches the stack: local_file.f: content differs")
  expect(read(dir .. "/f.txt")).to_be("a")
  expect(state_of(dir).serial).to_be(serial)

  write(dir .. "/main.lua", 'resource("local_file", "f", { filename = "f.txt", content = "reviewed" })\n')
  code = select(2, luaform(dir, "apply", "p.plan"))
  expect(code).to_be(0)
  expect(read(dir .. "/f.txt")).to_be("reviewed")
end)

test("apply FILE refuses a changed expression whose value was not known at plan time", function()
  local dir = new_stack('local r = resource("random_id", "r", { byte_length = 4 })\n'
    .. 'resource("local_file", "f", { filename = "f.txt", content = "a-" .. r.hex })\n')
  expect(select(2, luaform(dir, "plan", "-out", "p.plan"))).to_be(0)
  write(dir .. "/main.lua", 'local r = resource("random_id", "r", { byte_length = 4 })\n'
    .. 'resource("local_file", "f", { filename = "f.txt", content = "b-" .. r.hex })\n')
  local out, code = luaform(dir, "apply", "p.plan")
  expect(code).to_be(1)
  expect(out).to_contain("local_file.f: content differs from the planned value")
  expect(core.stat(dir .. "/f.txt")).to_be_nil()
  expect(core.stat(dir .. "/luaform.state.json")).to_be_nil()
end)

test("a saved destroy plan is not bound to the arguments of what it destroys", function()
  local dir = new_stack('local r = resource("random_id", "r", { byte_length = 4 })\n'
    .. 'resource("local_file", "f", { filename = "f.txt", content = "a-" .. r.hex })\noutput("o", r.hex)\n')
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  expect(select(2, luaform(dir, "plan", "-destroy", "-out", "d.plan"))).to_be(0)
  write(dir .. "/main.lua", 'local r = resource("random_id", "r", { byte_length = 4 })\n'
    .. 'resource("local_file", "f", { filename = "f.txt", content = "b-" .. r.hex })\noutput("o", "x" .. r.hex)\n')
  local out, code = luaform(dir, "apply", "d.plan")
  expect(code).to_be(0)
  expect(out).to_contain("Destroy complete! Resources: 2 destroyed.")
  expect(core.stat(dir .. "/f.txt")).to_be_nil()
end)

test("apply FILE carries out a plan made over drift, from the refreshed state it was made on", function()
  local dir = new_stack('resource("local_file", "f", { filename = "f.txt", content = "a" })\n')
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  write(dir .. "/f.txt", "edited")
  local out, code = luaform(dir, "plan", "-out", "p.plan")
  expect(code).to_be(0)
  expect(out).to_contain("# local_file.f will be updated in-place")
  out, code = luaform(dir, "apply", "p.plan")
  expect(code).to_be(0)
  expect(out).to_contain("0 added, 1 changed, 0 destroyed")
  expect(read(dir .. "/f.txt")).to_be("a")
end)

-- The JSON objects of a -json run, one per line (fails on a line that is not one).
local function json_lines(out)
  local msgs = {}
  for line in out:gmatch("[^\n]+") do
    local msg, err = core.json_decode(line)
    expect(err).to_be_nil()
    expect(type(msg)).to_be("table")
    msgs[#msgs + 1] = msg
  end
  return msgs
end

local function of_type(msgs, kind)
  local out = {}
  for _, m in ipairs(msgs) do if m.type == kind then out[#out + 1] = m end end
  return out
end

test("apply -json and destroy -json report in JSON lines", function()
  local dir = new_stack('local r = resource("random_id", "r", { byte_length = 4 })\n'
    .. 'resource("local_file", "f", { filename = "f.txt", content = r.hex })\noutput("hex", r.hex)\n')
  local out, code = luaform(dir, "apply", "-json")
  expect(code).to_be(1)
  local msgs = json_lines(out)
  expect(msgs[#msgs].type).to_be("diagnostic")
  expect(msgs[#msgs].diagnostic.summary).to_contain("-auto-approve")
  expect(core.stat(dir .. "/f.txt")).to_be_nil()

  out, code = luaform(dir, "apply", "-json", "-auto-approve")
  expect(code).to_be(0)
  msgs = json_lines(out)
  expect(msgs[1].type).to_be("version")
  local planned = {}
  for _, m in ipairs(of_type(msgs, "planned_change")) do planned[m.change.resource.addr] = m.change.action end
  expect(planned).to_equal({ ["random_id.r"] = "create", ["local_file.f"] = "create" })
  local done = of_type(msgs, "apply_complete")
  expect(#of_type(msgs, "apply_start")).to_be(2)
  expect(#done).to_be(2)
  local hex = state_of(dir).resources["random_id.r"].attributes.hex
  expect(done[2].hook.resource.addr).to_be("local_file.f")
  expect(done[2].hook.id_value).to_be(state_of(dir).resources["local_file.f"].attributes.id)
  local summaries = of_type(msgs, "change_summary")
  expect(summaries[#summaries].changes).to_equal({ add = 2, change = 0, remove = 0, import = 0, operation = "apply" })
  expect(of_type(msgs, "outputs")[1].outputs.hex).to_equal({ sensitive = false, value = hex })
  expect(read(dir .. "/f.txt")).to_be(hex)

  out, code = luaform(dir, "destroy", "-json", "-auto-approve")
  expect(code).to_be(0)
  msgs = json_lines(out)
  summaries = of_type(msgs, "change_summary")
  expect(summaries[#summaries].changes.operation).to_be("destroy")
  expect(summaries[#summaries].changes.remove).to_be(2)
  expect(#of_type(msgs, "apply_complete")).to_be(2)
  expect(core.stat(dir .. "/f.txt")).to_be_nil()
end)
