-- Resource lifecycle in apply: progress of long operations, and the
-- lifecycle options ignore_changes, prevent_destroy and
-- create_before_destroy, on stacks of local types.
local function stack(main)
  local dir = tmpdir()
  write(dir .. "/main.lua", main)
  return dir
end

local function state_of(dir)
  return core.json_decode(read(dir .. "/luaform.state.json"))
end

-- Lines of text that contain `needle`, in order.
local function lines_with(text, needle)
  local out = {}
  for line in text:gmatch("[^\n]+") do
    if line:find(needle, 1, true) then out[#out + 1] = line end
  end
  return out
end

test("an operation that takes longer than the interval prints Still creating/destroying...", function()
  local dir = stack('resource("time_sleep", "slow", { create_duration = "2.5s", destroy_duration = "1.5s" })\n'
    .. 'resource("time_sleep", "quick", { create_duration = "10ms" })\n')
  core.setenv("LUAFORM_PROGRESS_INTERVAL", "1")   -- instead of Terraform's 10 s
  local out, code = luaform(dir, "apply", "-auto-approve")
  local dout, dcode = luaform(dir, "destroy", "-auto-approve")
  core.setenv("LUAFORM_PROGRESS_INTERVAL", nil)
  expect(code).to_be(0)
  local ticks = lines_with(out, "Still")
  expect(#ticks).to_be(2)
  for _, line in ipairs(ticks) do
    expect(line).to_match("^time_sleep%.slow: Still creating%.%.%. %[%ds elapsed%]$")
  end
  -- the ticks stop when the operation ends
  expect(out).to_contain("time_sleep.slow: Creation complete after")
  expect(out:match("slow: Creation complete.*$")).not_to_contain("Still")
  expect(dcode).to_be(0)
  ticks = lines_with(dout, "Still")
  expect(#ticks).to_be(1)
  expect(ticks[1]).to_match("^time_sleep%.slow: Still destroying%.%.%. %[%ds elapsed%]$")
end)
