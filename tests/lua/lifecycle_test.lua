-- Lines of text that contain `needle`, in order.
local function lines_with(text, needle)
  local out = {}
  for line in text:gmatch("[^\n]+") do
    if line:find(needle, 1, true) then out[#out + 1] = line end
  end
  return out
end

test("an operation that takes longer than the interval prints Still creating/destroying...", function()
  local dir = new_stack('resource("time_sleep", "slow", { create_duration = "2.5s", destroy_duration = "1.5s" })\n'
    .. 'resource("time_sleep", "quick", { create_duration = "10ms" })\n')
  local out, code, dout, dcode
  with_env({ LUAFORM_PROGRESS_INTERVAL = "1" }, function()   -- instead of Terraform's 10 s
    out, code = luaform(dir, "apply", "-auto-approve")
    dout, dcode = luaform(dir, "destroy", "-auto-approve")
  end)
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

test("with -json, the ticks are apply_progress messages", function()
  local dir = new_stack('resource("time_sleep", "slow", { create_duration = "1.5s" })\n')
  local out, code
  with_env({ LUAFORM_PROGRESS_INTERVAL = "1" }, function()
    out, code = luaform(dir, "apply", "-auto-approve", "-json")
  end)
  expect(code).to_be(0)
  local progress = {}
  for line in out:gmatch("[^\n]+") do
    local msg = core.json_decode(line)
    if msg.type == "apply_progress" then progress[#progress + 1] = msg end
  end
  expect(#progress).to_be(1)
  expect(progress[1].hook.resource.addr).to_be("time_sleep.slow")
  expect(progress[1].hook.action).to_be("create")
  expect(progress[1].hook.elapsed_seconds).to_be(1)
  expect(progress[1]["@message"]).to_be("time_sleep.slow: Still creating... [1s elapsed]")
end)

test("ignore_changes: a change to an ignored argument plans nothing", function()
  local dir = new_stack('local text = var("text", { default = "first" })\n'
    .. 'local mode = var("mode", { default = "0644" })\n'
    .. 'resource("local_file", "f", { filename = "f.txt", content = text, file_permission = mode },\n'
    .. '  { ignore_changes = { "content" } })\n')
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local out, code = luaform(dir, "plan", "-detailed-exitcode", "-var", "text=second")
  expect(code).to_be(0)
  expect(out).to_contain("No changes.")
  code = select(2, luaform(dir, "apply", "-auto-approve", "-var", "text=second"))
  expect(code).to_be(0)
  expect(read(dir .. "/f.txt")).to_be("first")
  -- an argument that is not ignored still plans an update
  out, code = luaform(dir, "plan", "-detailed-exitcode", "-var", "text=second", "-var", "mode=0600")
  expect(code).to_be(2)
  expect(out).to_contain('~ file_permission = "0644" -> "0600"')
  expect(out).not_to_contain("second")
end)

test("prevent_destroy refuses destroy and replace at the resource's file:line, changing nothing", function()
  local dir = new_stack('local name = var("name", { default = "keep.txt" })\n'
    .. 'resource("local_file", "other", { filename = "other.txt", content = "x" })\n'
    .. 'resource("local_file", "keep", { filename = name, content = "precious" },\n'
    .. '  { prevent_destroy = true })\n')
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local before = read(dir .. "/luaform.state.json")
  local refusal = "^Error: main%.lua:3: local_file%.keep has lifecycle%.prevent_destroy set, but the plan would destroy it\n$"
  for _, args in ipairs({ { "destroy", "-auto-approve" }, { "plan", "-destroy" },
                          { "apply", "-auto-approve", "-var", "name=moved.txt" } }) do
    local out, code = luaform(dir, table.unpack(args))
    expect(code).to_be(1)
    expect(out).to_match(refusal)
  end
  expect(read(dir .. "/keep.txt")).to_be("precious")
  expect(read(dir .. "/other.txt")).to_be("x")
  expect(core.stat(dir .. "/moved.txt")).to_be_nil()
  expect(read(dir .. "/luaform.state.json")).to_be(before)
end)

-- The order of the "Creating..." and "Destroying..." lines of addr.
local function replace_order(out, addr)
  local order = {}
  for line in out:gmatch("[^\n]+") do
    local what = line:match("^" .. addr:gsub("%.", "%%.") .. ": (%a+)%.%.%.")
    if what then order[#order + 1] = what end
  end
  return order
end

test("create_before_destroy: a replaced resource is created before the old one is destroyed", function()
  local function replace(cbd)
    local dir = new_stack('local gen = var("gen", { default = "1" })\n'
      .. 'resource("random_id", "r", { byte_length = 4, keepers = { gen = gen } },\n'
      .. '  { create_before_destroy = ' .. tostring(cbd) .. ' })\n')
    expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
    local old = core.json_decode(read(dir .. "/luaform.state.json")).resources["random_id.r"].attributes.id
    local out, code = luaform(dir, "apply", "-auto-approve", "-var", "gen=2")
    expect(code).to_be(0)
    expect(out).to_contain("Plan: 1 to add, 0 to change, 1 to destroy.")
    expect(out).to_contain("random_id.r: Destroying... [id=" .. old .. "]")
    local entry = core.json_decode(read(dir .. "/luaform.state.json")).resources["random_id.r"]
    expect(entry.attributes.id ~= old).to_be(true)
    expect(entry.deposed).to_be_nil()
    return replace_order(out, "random_id.r")
  end
  expect(replace(true)).to_equal({ "Creating", "Destroying" })
  expect(replace(false)).to_equal({ "Destroying", "Creating" })
end)
