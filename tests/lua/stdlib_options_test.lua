-- The stdlib's optional parts (issue 14), all turned on in the reference
-- platform: stdlib.vpc's gateway and interface endpoints and flow logs,
-- stdlib.service's alarms to a topic (ECS CPU and memory, target 5xx and
-- unhealthy hosts), stdlib.events' dead-letter queue and EventBridge rule.
-- Applied against the emulator, a second plan has no changes, destroy
-- empties the emulator. (Off, they change nothing: the reference stack's
-- own tests plan no changes with the same modules.)
local EXAMPLE = core.exe_dir .. "/examples/ecs-fargate"

local function with_options(text)
  local function sub(from, to)
    local i, j = text:find(from, 1, true)
    assert(i, "the example no longer has: " .. from)
    text = text:sub(1, j) .. to .. text:sub(j + 1)
  end
  sub('private_subnet_cidrs = { "10.0.1.0/24", "10.0.3.0/24" },', [[
  gateway_endpoints = { "s3" }, interface_endpoints = { "ecr.api", "logs" },
  flow_logs = { log_destination = "arn:aws:logs:ap-northeast-2:123456789012:log-group:/vpc/flow",
    iam_role_arn = "arn:aws:iam::123456789012:role/flow-logs" },]])
  sub("log_retention_days = log_retention_days,", [[
  alarm_topic_arn = "arn:aws:sns:ap-northeast-2:123456789012:topic-base", alb_arn_suffix = lb.alb_arn_suffix,]])
  sub("message_retention_seconds = message_retention,", [[
  dead_letter_queue = true, max_receive_count = 3, schedule_expression = "rate(1 hour)",]])
  return text
end

test("every stdlib option on: apply, a clean second plan, destroy empties the emulator", function()
  local e = emulator({ ["nat-delay-ms"] = 200, ["lb-delay-ms"] = 200, seed = 1 })
  local dir = copy_stack(EXAMPLE)
  write(dir .. "/main.lua", with_options(read(dir .. "/main.lua")))
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  local inv = e:inventory()
  expect(#inv.ec2.vpc_endpoint).to_be(3)
  expect(#inv.ec2.flow_log).to_be(1)
  expect(#inv.monitoring.alarm).to_be(4)
  expect(#inv.sqs.queue).to_be(2)
  expect(#inv.events.rule).to_be(1)
  expect(#inv.events.target).to_be(1)
  local st = state_of(dir)
  local queue = st.resources["module.events.aws_sqs_queue.this"].attributes
  local redrive = type(queue.redrive_policy) == "string" and core.json_decode(queue.redrive_policy)
    or queue.redrive_policy
  expect(redrive.maxReceiveCount).to_be(3)
  expect(redrive.deadLetterTargetArn).to_be(st.resources["module.events.aws_sqs_queue.dlq"].attributes.arn)
  out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  out, code = e:luaform(dir, "destroy", "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  for svc, kinds in pairs(e:inventory()) do
    for kind, list in pairs(kinds) do
      if #list > 0 then error(string.format("left after destroy: %s.%s", svc, kind), 0) end
    end
  end
end)
