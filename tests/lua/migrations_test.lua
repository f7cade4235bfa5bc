-- The migration scripts of examples/migrations against the emulator.
local EXAMPLES = core.exe_dir .. "/examples/migrations/"

local function setup()
  local e = emulator({})
  e:use()
  return e, require("luaform.aws"), tmpdir()
end

test("adopt_queues imports existing queues; the stack that declares them plans no changes", function()
  local e, aws, dir = setup()
  local sqs = aws.client("sqs")
  for _, q in ipairs({ "orders-a", "orders-b", "billing" }) do sqs:CreateQueue{ QueueName = q } end
  -- queues made with AWS's defaults (since 2025: messages of 1 MiB; luaform's
  -- default is Terraform's 262144), declared as they are
  write(dir .. "/main.lua", [[
for _, q in ipairs({ "orders-a", "orders-b" }) do
  resource("aws_sqs_queue", 'orders["' .. q .. '"]', { name = q, max_message_size = 1048576 })
end
]])
  local out, code = e:luaform(dir, "run", EXAMPLES .. "adopt_queues.lua", "orders-", "orders")
  expect(code).to_be(0)
  expect(out).to_contain("2 queue(s) adopted")
  expect(e:luaform(dir, "state", "list")).to_be('aws_sqs_queue.orders["orders-a"]\naws_sqs_queue.orders["orders-b"]\n')
  out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  expect(out).to_contain("No changes.")
  expect(code).to_be(0)
  -- Run again: nothing new to adopt.
  out = e:luaform(dir, "run", EXAMPLES .. "adopt_queues.lua", "orders-", "orders")
  expect(out).to_contain("0 queue(s) adopted")
end)

test("log_retention: -dry-run sends no change; the real run sets every matching group", function()
  local e, aws, dir = setup()
  local logs = aws.client("logs")
  logs:CreateLogGroup{ logGroupName = "/ecs/a" }
  logs:CreateLogGroup{ logGroupName = "/ecs/b" }
  logs:PutRetentionPolicy{ logGroupName = "/ecs/b", retentionInDays = 7 }
  logs:CreateLogGroup{ logGroupName = "/other/c" }
  local function mutating_calls()
    local n = 0
    for op, count in pairs(e:counts()) do
      if not (op:match(":Describe") or op:match(":List") or op:match(":Get")) then n = n + count end
    end
    return n
  end
  local before, reads = mutating_calls(), e:counts()["logs:DescribeLogGroups"] or 0
  local out, code = e:luaform(dir, "run", "-dry-run", EXAMPLES .. "log_retention.lua", "14", "/ecs/")
  expect(code).to_be(0)
  expect(out).to_contain("dry-run: would call logs PutRetentionPolicy")
  expect(mutating_calls()).to_be(before)   -- nothing that changes was sent...
  expect(e:counts()["logs:DescribeLogGroups"] > reads).to_be(true)   -- ...while reads were
  out, code = e:luaform(dir, "run", EXAMPLES .. "log_retention.lua", "14", "/ecs/")
  expect(code).to_be(0)
  expect(out).to_contain("2 log group(s) changed")
  local groups = {}
  for _, g in ipairs(logs:DescribeLogGroups{}.logGroups) do groups[g.logGroupName] = g.retentionInDays end
  expect(groups["/ecs/a"]).to_be(14)
  expect(groups["/ecs/b"]).to_be(14)
  expect(groups["/other/c"]).to_be_nil()
end)

test("move_into_module: after the refactor the stack plans no changes", function()
  local e, _, dir = setup()
  write(dir .. "/main.lua", [[
resource("aws_sns_topic", "events", { name = "events" })
resource("aws_sqs_queue", "events", { name = "events" })
]])
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  write(dir .. "/main.lua", [[
module("events", function()
  resource("aws_sns_topic", "events", { name = "events" })
  resource("aws_sqs_queue", "events", { name = "events" })
  return {}
end, {})
]])
  local out = e:luaform(dir, "plan")
  expect(out).to_contain("Plan: 2 to add, 0 to change, 2 to destroy.")
  local code
  out, code = e:luaform(dir, "run", EXAMPLES .. "move_into_module.lua", "events", "aws_sns_topic.events", "aws_sqs_queue.events")
  expect(code).to_be(0)
  expect(out).to_contain("aws_sqs_queue.events -> module.events.aws_sqs_queue.events")
  out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  expect(out).to_contain("No changes.")
  expect(code).to_be(0)
end)
