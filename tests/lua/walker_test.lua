-- The walker: independent operations overlap on the event loop, the
-- parallelism limit holds, and dependencies order create and destroy.
local TWO_SLEEPS = [[
resource("time_sleep", "a", { create_duration = "1s" })
resource("time_sleep", "b", { create_duration = "1s" })
]]

local function position(out, line)
  local at = out:find(line, 1, true)
  assert(at, "missing line: " .. line .. "\n" .. out)
  return at
end

test("two independent operations overlap: both start before either ends", function()
  local dir = new_stack(TWO_SLEEPS)
  local out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("2 added")
  -- Concurrency shown by order, not by a clock: serial would end a before b starts.
  local last_start = math.max(position(out, "time_sleep.a: Creating..."), position(out, "time_sleep.b: Creating..."))
  local first_end = math.min(position(out, "time_sleep.a: Creation complete"), position(out, "time_sleep.b: Creation complete"))
  expect(last_start < first_end).to_be(true)
end)

test("-parallelism=1 runs them one after the other", function()
  local dir = new_stack(TWO_SLEEPS)
  local out, code = luaform(dir, "apply", "-auto-approve", "-parallelism=1")
  expect(code).to_be(0)
  local a_first = position(out, "time_sleep.a: Creating...") < position(out, "time_sleep.b: Creating...")
  local first, second = a_first and "a" or "b", a_first and "b" or "a"
  expect(position(out, "time_sleep." .. first .. ": Creation complete")
    < position(out, "time_sleep." .. second .. ": Creating...")).to_be(true)
end)

test("create follows dependencies and destroy reverses them", function()
  local dir = new_stack([[
local first = resource("time_sleep", "first", { create_duration = "200ms", destroy_duration = "200ms" })
local second = resource("local_file", "second", { filename = "second.txt", content = first.id })
resource("time_sleep", "third", { create_duration = "100ms", destroy_duration = "100ms",
  triggers = { after = second.id } })
resource("time_sleep", "free", { create_duration = "100ms" })
]])
  local out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(position(out, "time_sleep.first: Creation complete") < position(out, "local_file.second: Creating...")).to_be(true)
  expect(position(out, "local_file.second: Creation complete") < position(out, "time_sleep.third: Creating...")).to_be(true)
  -- The free one does not wait for the chain.
  expect(position(out, "time_sleep.free: Creation complete") < position(out, "time_sleep.third: Creating...")).to_be(true)
  out, code = luaform(dir, "destroy", "-auto-approve")
  expect(code).to_be(0)
  expect(position(out, "time_sleep.third: Destruction complete") < position(out, "local_file.second: Destroying...")).to_be(true)
  expect(position(out, "local_file.second: Destruction complete") < position(out, "time_sleep.first: Destroying...")).to_be(true)
end)

test("a failing operation stops new ones, lets running ones finish and reports every error", function()
  local dir = new_stack([[
resource("time_sleep", "slow", { create_duration = "500ms" })
resource("time_sleep", "bad1", { create_duration = "10 parsecs" })
resource("time_sleep", "bad2", { create_duration = "lightyear" })
local gate = resource("time_sleep", "gate", { create_duration = "100ms" })
resource("local_file", "later", { filename = "later.txt", content = gate.id })
]])
  local out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_contain('Error: time_sleep.bad1: bad duration "10 parsecs"')
  expect(out).to_contain('Error: time_sleep.bad2: bad duration "lightyear"')
  expect(out).to_contain("time_sleep.slow: Creation complete")
  expect(out).not_to_contain("local_file.later: Creating")
  local st = core.json_decode(read(dir .. "/luaform.state.json"))
  expect(st.resources["time_sleep.slow"].attributes.id).to_be_truthy()
  expect(st.resources["time_sleep.bad1"]).to_be_nil()
end)
