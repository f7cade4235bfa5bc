-- Custom conditions (luaform.conditions): preconditions stop the plan when
-- known there, or the apply just before the resource; postconditions are
-- checked once the object's attributes are known; check{} blocks warn.
-- Every message gives the file:line of the resource or block.

local R = 'local r = resource("random_id", "r", { byte_length = 4 })\n'

test("a precondition known at plan time stops the plan at the resource's line", function()
  local dir = new_stack(R .. 'local n = var("n", { default = 4, type = "number" })\n'
    .. 'resource("local_file", "f", { filename = "f.txt", content = "x" },\n'
    .. '  { precondition = { { condition = n > 2, error_message = "n must exceed 2" } } })\n')
  local out, code = luaform(dir, "plan", "-var", "n=1")
  expect(code).to_be(1)
  expect(out).to_match("Error: main%.lua:3: resource precondition failed for local_file%.f: n must exceed 2")
  code = select(2, luaform(dir, "plan"))
  expect(code).to_be(0)
end)

test("a precondition on a value known only at apply stops the resource there, not what came before", function()
  local dir = new_stack(R .. 'resource("local_file", "f", { filename = "f.txt", content = "x" },\n'
    .. '  { precondition = { { condition = r.hex:map(function(h) return #h > 100 end), error_message = "hex too short" } } })\n')
  local out
  local code = select(2, luaform(dir, "plan"))
  expect(code).to_be(0)
  out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_match("main%.lua:2: resource precondition failed for local_file%.f: hex too short")
  expect(state_of(dir).resources["random_id.r"]).to_be_truthy()
  expect(state_of(dir).resources["local_file.f"]).to_be_nil()
  expect(core.stat(dir .. "/f.txt")).to_be_nil()
end)

test("a postcondition is checked after the apply, and in the plan of an unchanged object", function()
  local stack = R .. 'resource("local_file", "f", { filename = "f.txt", content = r.hex },\n'
    .. '  { postcondition = { { condition = function(self) return #self.content == LEN end, error_message = "content must have LEN characters" } } })\n'
    .. 'resource("local_file", "after", { filename = "after.txt", content = "a" }, { depends_on = { r } })\n'
  local dir = new_stack((stack:gsub("LEN", "8")))
  local out
  local code = select(2, luaform(dir, "apply", "-auto-approve"))
  expect(code).to_be(0)
  write(dir .. "/main.lua", (stack:gsub("LEN", "3")))
  out, code = luaform(dir, "plan")
  expect(code).to_be(1)
  expect(out).to_match("Error: main%.lua:2: resource postcondition failed for local_file%.f: content must have 3 characters")

  dir = new_stack((stack:gsub("LEN", "3")))
  out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_match("main%.lua:2: resource postcondition failed for local_file%.f: content must have 3 characters")
  -- the object was made: the state keeps it
  expect(state_of(dir).resources["local_file.f"]).to_be_truthy()
end)

test("a check block's failed assertion is a warning after plan and apply, and stops nothing", function()
  local dir = new_stack(R .. '\ncheck{ name = "small", assert = { { condition = r.byte_length:map(function(b) return b < 3 end),\n'
    .. '  error_message = "byte_length should be below 3" } } }\n')
  local out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain('Warning: main.lua:3: check "small" failed: byte_length should be below 3')
  out, code = luaform(dir, "plan")
  expect(code).to_be(0)
  expect(out).to_contain('Warning: main.lua:3: check "small" failed: byte_length should be below 3')
end)

test("malformed conditions are errors at their line", function()
  local dir = new_stack(R .. 'resource("local_file", "f", { filename = "f.txt", content = "x" },\n'
    .. '  { precondition = { condition = true, error_message = "m" } })\n')
  local out, code = luaform(dir, "plan")
  expect(code).to_be(1)
  expect(out).to_match('Error: main%.lua:2: local_file%.f: precondition is a list of { condition = %.%.%., error_message = "%.%.%." }')
  dir = new_stack(R .. 'check{ name = "c", assert = { { condition = true } } }\n')
  out, code = luaform(dir, "plan")
  expect(code).to_be(1)
  expect(out).to_match('Error: main%.lua:2: check "c": assert: each entry needs condition = %.%.%. and error_message')
end)
