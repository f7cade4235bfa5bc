-- EventBridge and topic policy types against the emulator: a scheduled
-- rule running an ECS task (awsvpc network configuration) and a pattern
-- rule feeding an SNS topic and an SQS queue; aws_sns_topic_policy lets
-- EventBridge publish. Create (checked with direct calls), a clean second
-- plan, in-place updates, replacement, drift repaired, import, destroy.
local aws = require("luaform.aws")

local function stack(o)
  o = o or {}
  return string.format([[
local topic = resource("aws_sns_topic", "alerts", { name = "k-alerts" })
local queue = resource("aws_sqs_queue", "jobs", { name = "k-jobs" })
resource("aws_sns_topic_policy", "alerts", { arn = topic.arn, policy = {
  Version = "2012-10-17", Statement = { { Sid = "events", Effect = "Allow",
    Principal = { Service = %q }, Action = "sns:Publish", Resource = topic.arn } } } })
local nightly = resource("aws_cloudwatch_event_rule", "nightly", { name = %q,
  schedule_expression = %q, description = %q, state = %q, tags = { Team = "jobs" } })
local deploys = resource("aws_cloudwatch_event_rule", "deploys", { name = "k-deploys",
  event_pattern = { source = { "aws.ecs" }, ["detail-type"] = { %q } } })
resource("aws_cloudwatch_event_target", "task", { rule = nightly.name, target_id = "task",
  arn = "arn:aws:ecs:us-east-1:123456789012:cluster/app", role_arn = "arn:aws:iam::123456789012:role/events",
  ecs_target = { { task_definition_arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/job:1",
    task_count = %d, launch_type = "FARGATE",
    network_configuration = { { subnets = { "subnet-1", "subnet-2" }, assign_public_ip = %s } } } } })
resource("aws_cloudwatch_event_target", "sns", { rule = deploys.name, target_id = "sns", arn = topic.arn,
  input = { note = %q } })
resource("aws_cloudwatch_event_target", "sqs", { rule = deploys.name, target_id = "sqs", arn = queue.arn,
  retry_policy = { { maximum_retry_attempts = %d } } })
]], o.principal or "events.amazonaws.com", o.name or "k-nightly", o.schedule or "cron(0 3 * * ? *)",
    o.description or "nightly job", o.state or "ENABLED", o.detail or "ECS Task State Change",
    o.count or 1, tostring(o.public == true), o.note or "deploy", o.retries or 3)
end

local function events(e)
  e:use()
  return aws.client("events", { region = e.region })
end

local function targets(e, rule)
  local out = {}
  for _, t in ipairs(events(e):ListTargetsByRule{ Rule = rule }.Targets) do out[t.Id] = t end
  return out
end

test("rules, targets and the topic policy are created as declared; a second plan has no changes", function()
  local e = emulator()
  local dir = e:applied(stack())
  local ev = events(e)
  local r = ev:DescribeRule{ Name = "k-nightly" }
  expect(r.ScheduleExpression).to_be("cron(0 3 * * ? *)")
  expect(core.json_decode(ev:DescribeRule{ Name = "k-deploys" }.EventPattern).source[1]).to_be("aws.ecs")
  local t = targets(e, "k-nightly").task
  expect(t.EcsParameters.LaunchType).to_be("FARGATE")
  expect(#t.EcsParameters.NetworkConfiguration.awsvpcConfiguration.Subnets).to_be(2)
  expect(t.EcsParameters.NetworkConfiguration.awsvpcConfiguration.AssignPublicIp).to_be("DISABLED")
  expect(core.json_decode(targets(e, "k-deploys").sns.Input).note).to_be("deploy")
  local sns = aws.client("sns", { region = e.region })
  local st = state_of(dir)
  local arn = st.resources["aws_sns_topic.alerts"].attributes.arn
  local policy = core.json_decode(sns:GetTopicAttributes{ TopicArn = arn }.Attributes.Policy)
  expect(policy.Statement[1].Principal.Service).to_be("events.amazonaws.com")
  expect(st.resources["aws_cloudwatch_event_target.task"].attributes.id).to_be("k-nightly/task")
  e:no_changes(dir)
end)

test("every updatable argument changes in place; a new rule name replaces rule and target", function()
  local e = emulator()
  local dir = e:applied(stack())
  write(dir .. "/main.lua", stack{ principal = "cloudwatch.amazonaws.com", schedule = "rate(1 hour)",
    description = "hourly", state = "DISABLED", detail = "ECS Service Action", count = 2, public = true,
    note = "changed", retries = 5 })
  local out = e:changes(dir)
  expect(out).to_contain("Plan: 0 to add, 6 to change, 0 to destroy.")
  e:apply(dir)
  local ev = events(e)
  local r = ev:DescribeRule{ Name = "k-nightly" }
  expect(r.ScheduleExpression).to_be("rate(1 hour)")
  expect(r.State).to_be("DISABLED")
  expect(r.Description).to_be("hourly")
  local t = targets(e, "k-nightly").task
  expect(t.EcsParameters.TaskCount).to_be(2)
  expect(t.EcsParameters.NetworkConfiguration.awsvpcConfiguration.AssignPublicIp).to_be("ENABLED")
  expect(targets(e, "k-deploys").sqs.RetryPolicy.MaximumRetryAttempts).to_be(5)
  e:no_changes(dir)
  write(dir .. "/main.lua", stack{ name = "k-nightly-2" })
  out = e:plan(dir)
  expect(out).to_contain("# aws_cloudwatch_event_rule.nightly must be replaced")
  expect(out).to_contain("# aws_cloudwatch_event_target.task must be replaced")
  e:apply(dir)
  expect(targets(e, "k-nightly-2").task.Arn).to_match("cluster/app$")
end)

test("drift is repaired; every object imports by its id; destroy leaves nothing", function()
  local e = emulator()
  local dir = e:applied(stack())
  local ev = events(e)
  ev:PutRule{ Name = "k-nightly", ScheduleExpression = "rate(5 minutes)" }
  ev:RemoveTargets{ Rule = "k-deploys", Ids = { "sqs" } }
  local out = e:changes(dir)
  expect(out).to_contain("# aws_cloudwatch_event_rule.nightly will be updated in-place")
  expect(out).to_contain("# aws_cloudwatch_event_target.sqs will be created")
  e:apply(dir)
  expect(ev:DescribeRule{ Name = "k-nightly" }.ScheduleExpression).to_be("cron(0 3 * * ? *)")
  expect(targets(e, "k-deploys").sqs ~= nil).to_be(true)
  e:no_changes(dir)
  e:no_changes(e:imported(stack(), resource_ids(dir)))
  e:destroy(dir)
  local inv = e:inventory()
  expect(#inv.events.rule).to_be(0)
  expect(#inv.events.target).to_be(0)
end)
