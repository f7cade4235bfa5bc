-- aws_cloudwatch_log_group's log_group_class against the emulator: sent
-- at creation (STANDARD by default), read back, a change replaces the
-- group (AWS fixes the class at creation), a group re-made by hand in
-- another class is replaced, import reads the class, destroy.
local aws = require("luaform.aws")

local function stack(class)
  return string.format([[
resource("aws_cloudwatch_log_group", "app", { name = "/app/web"%s })
resource("aws_cloudwatch_log_group", "plain", { name = "/app/plain" })
]], class and string.format(", log_group_class = %q", class) or "")
end

local function logs(e)
  e:use()
  return aws.client("logs", { region = e.region })
end

local function class_of(e, name)
  for _, g in ipairs(logs(e):DescribeLogGroups{ logGroupNamePrefix = name }.logGroups) do
    if g.logGroupName == name then return g.logGroupClass end
  end
end

test("the class is sent at creation, STANDARD by default; a change replaces the group", function()
  local e = emulator()
  local dir = new_stack(stack("INFREQUENT_ACCESS"))
  e:apply(dir)
  expect(class_of(e, "/app/web")).to_be("INFREQUENT_ACCESS")
  expect(class_of(e, "/app/plain")).to_be("STANDARD")
  expect(state_of(dir).resources["aws_cloudwatch_log_group.plain"].attributes.log_group_class).to_be("STANDARD")
  expect(select(2, e:plan(dir))).to_be(0)
  write(dir .. "/main.lua", stack("STANDARD"))
  local out, code = e:plan(dir)
  expect(code).to_be(2)
  expect(out).to_contain("# aws_cloudwatch_log_group.app must be replaced")
  expect(out).to_contain("Plan: 1 to add, 0 to change, 1 to destroy.")
  e:apply(dir)
  expect(class_of(e, "/app/web")).to_be("STANDARD")
end)

test("a group re-made by hand in another class is replaced; import reads the class; destroy", function()
  local e = emulator()
  local dir = new_stack(stack("INFREQUENT_ACCESS"))
  e:apply(dir)
  local c = logs(e)
  c:DeleteLogGroup{ logGroupName = "/app/web" }
  c:CreateLogGroup{ logGroupName = "/app/web", logGroupClass = "STANDARD" }
  local out, code = e:plan(dir)
  expect(code).to_be(2)
  expect(out).to_contain("# aws_cloudwatch_log_group.app must be replaced")
  e:apply(dir)
  expect(class_of(e, "/app/web")).to_be("INFREQUENT_ACCESS")
  local fresh = new_stack(stack("INFREQUENT_ACCESS"))
  for _, addr in ipairs({ "aws_cloudwatch_log_group.app", "aws_cloudwatch_log_group.plain" }) do
    local o, ic = e:luaform(fresh, "import", addr, state_of(dir).resources[addr].attributes.id)
    if ic ~= 0 then print(o) end
    expect(ic).to_be(0)
  end
  expect(state_of(fresh).resources["aws_cloudwatch_log_group.app"].attributes.log_group_class)
    .to_be("INFREQUENT_ACCESS")
  expect(select(2, e:plan(fresh))).to_be(0)
  local o, dc = e:luaform(dir, "destroy", "-auto-approve")
  if dc ~= 0 then print(o) end
  expect(dc).to_be(0)
  expect(class_of(e, "/app/web")).to_be_nil()
end)
