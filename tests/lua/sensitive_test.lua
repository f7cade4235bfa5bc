-- Secrets: a sensitive variable, or an attribute a type's schema calls
-- sensitive, stays hidden in everything computed from it (.., fmt, json,
-- ref:map, references to the attributes it was given), in plans, apply
-- progress, state show, show and their -json forms; a root output derived
-- from one must say { sensitive = true }.
local SECRET = "s3cret-value"

local SECRET_STACK = [[
local pw = var("pw", { sensitive = true, default = "s3cret-value" })
local a = resource("local_file", "a", { filename = "out/a.txt", content = "pw=" .. pw })
local b = resource("local_file", "b", { filename = "out/b.txt", content = fmt("<%s>", pw) })
local c = resource("local_file", "c", { filename = "out/c.txt", content = json({ pw = pw }) })
local d = resource("local_file", "d", { filename = "out/d.txt", content = a.content })
local e = resource("local_file", "e", { filename = "out/e.txt", content = d.content:map(string.upper) })
output("a_id", a.id)
output("pw", pw, { sensitive = true })
]]

test("a sensitive variable's value shows nowhere, whatever is computed from it", function()
  local dir = new_stack(SECRET_STACK)
  local out, code = luaform(dir, "plan")
  expect(code).to_be(0)
  expect(out).to_contain("+ content              = (sensitive value)")
  expect(out).not_to_contain(SECRET)
  out = luaform(dir, "plan", "-json")
  expect(out).not_to_contain(SECRET)
  expect(select(2, luaform(dir, "plan", "-out", "s.plan"))).to_be(0)
  out = luaform(dir, "show", "-json", "s.plan")
  expect(out).not_to_contain(SECRET)
  expect(out).to_contain('"content": "(sensitive value)"')

  out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).not_to_contain(SECRET)
  -- the secret was really used
  expect(read(dir .. "/out/a.txt")).to_be("pw=" .. SECRET)
  expect(read(dir .. "/out/e.txt")).to_be("PW=" .. SECRET:upper())
  for _, addr in ipairs({ "local_file.a", "local_file.b", "local_file.c", "local_file.d", "local_file.e" }) do
    out = luaform(dir, "state", "show", addr)
    expect(out).to_contain("content              = (sensitive value)")
    expect(out).not_to_contain(SECRET)
  end
  expect(luaform(dir, "show")).not_to_contain(SECRET)
  out = luaform(dir, "show", "-json")
  expect(out).not_to_contain(SECRET)
  expect(out).not_to_contain(SECRET:upper())

  out, code = luaform(dir, "apply", "-auto-approve", "-var", "pw=n3w-s3cret")
  expect(code).to_be(0)
  expect(out).to_contain("~ content        = (sensitive value)\n")
  expect(out).not_to_contain("s3cret")
end)

test("an attribute the schema calls sensitive stays hidden through references", function()
  local dir = new_stack([[
local m = resource("local_file", "m", { filename = "out/m.txt", sensitive_content = "s3cret-value" })
resource("local_file", "n", { filename = "out/n.txt", content = m.sensitive_content .. "!" })
]])
  local out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).not_to_contain(SECRET)
  expect(luaform(dir, "state", "show", "local_file.n")).not_to_contain(SECRET)
  expect(read(dir .. "/out/n.txt")).to_be(SECRET .. "!")
end)

test("an output derived from a secret must be declared sensitive", function()
  local dir = new_stack('local pw = var("pw", { sensitive = true, default = "s3cret-value" })\n'
    .. 'local f = resource("local_file", "f", { filename = "out/f.txt", content = pw })\n'
    .. 'output("plain", f.filename)\n'
    .. 'output("leak", "content: " .. f.content)\n')
  for _, cmd in ipairs({ "validate", "plan", "apply" }) do
    local out, code = luaform(dir, cmd, cmd == "apply" and "-auto-approve" or nil)
    expect(code).to_be(1)
    expect(out).to_match('^Error: main%.lua:4: output "leak" refers to sensitive values;')
    expect(out).not_to_contain(SECRET)
  end
  expect(core.stat(dir .. "/out/f.txt")).to_be_nil()

  dir = new_stack('local f = resource("local_file", "f", { filename = "out/f.txt", sensitive_content = "x" })\n'
    .. 'output("raw", f.sensitive_content)\n')
  local out, code = luaform(dir, "plan")
  expect(code).to_be(1)
  expect(out).to_match('^Error: main%.lua:2: output "raw" refers to sensitive values;')
end)

test("a sensitive output is <sensitive> in apply and output, its value in output -json", function()
  local dir = new_stack(SECRET_STACK)
  local out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("\npw = <sensitive>\n")
  expect(out).to_match('\na_id = "%x+"\n')
  out = luaform(dir, "output")
  expect(out).to_contain("pw = <sensitive>\n")
  expect(out).not_to_contain(SECRET)
  local doc = core.json_decode(luaform(dir, "output", "-json"))
  expect(doc.pw).to_equal({ sensitive = true, value = SECRET })
  expect(doc.a_id.sensitive).to_be(false)
  expect(luaform(dir, "output", "-json", "pw")).to_be('"' .. SECRET .. '"\n')
end)

test("a bad value for a sensitive variable is not echoed", function()
  local dir = new_stack('var("pin", { type = "number", sensitive = true })\n')
  local out, code = luaform(dir, "plan", "-var", "pin=12ab-secret")
  expect(code).to_be(1)
  expect(out).to_match('^Error: main%.lua:1: variable "pin": expected a number, got %(sensitive value%)')
  expect(out).not_to_contain("12ab")
end)

test("a saved plan keeps secrets out of show, and applies them", function()
  local dir = new_stack(SECRET_STACK)
  local out, code = luaform(dir, "plan", "-out=tf.plan", "-var", "pw=given-on-the-command-line")
  expect(code).to_be(0)
  expect(out).not_to_contain("given-on-the-command-line")
  for _, args in ipairs({ { "show", "tf.plan" }, { "show", "-json", "tf.plan" } }) do
    out, code = luaform(dir, table.unpack(args))
    expect(code).to_be(0)
    expect(out).not_to_contain("given-on-the-command-line")
  end
  out, code = luaform(dir, "apply", "tf.plan")
  expect(code).to_be(0)
  expect(out).not_to_contain("given-on-the-command-line")
  expect(read(dir .. "/out/a.txt")).to_be("pw=given-on-the-command-line")
end)
