-- aws_scheduler_schedule against the emulator: an ECS task on a cron
-- schedule and an SQS message on a rate, created as declared (checked with
-- GetSchedule), every updatable argument changed in place (the whole
-- schedule re-sent, the ARN kept), a new name or group replaces, a schedule
-- changed or deleted by hand is repaired, import by GROUP/NAME, destroy.
local aws = require("luaform.aws")

local ROLE = "arn:aws:iam::123456789012:role/scheduler"
local CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/app"
local QUEUE = "arn:aws:sqs:us-east-1:123456789012:jobs"

local BEFORE = {
  name = "nightly", group = "default", expr = "cron(0 3 * * ? *)", tz = "Asia/Seoul", desc = "nightly job",
  state = "ENABLED", start = "2030-01-01T00:00:00Z", stop = "2031-01-01T00:00:00Z",
  kms = "arn:aws:kms:us-east-1:123456789012:key/one", window = 'mode = "FLEXIBLE", maximum_window_in_minutes = 15',
  arn = CLUSTER, role = ROLE, input = '{"job":"nightly"}', task = "job:1", launch = "FARGATE",
  subnets = '"subnet-a", "subnet-b"', public = "true", retry = "maximum_retry_attempts = 3", dlq = QUEUE,
}

local function with(changes)
  local o = {}
  for k, v in pairs(BEFORE) do o[k] = v end
  for k, v in pairs(changes or {}) do o[k] = v end
  return o
end

local function stack(o)
  o = o or BEFORE
  return string.format([[
resource("aws_scheduler_schedule", "job", {
  name = %q, group_name = %q, schedule_expression = %q, schedule_expression_timezone = %q,
  description = %q, state = %q, start_date = %q, end_date = %q, kms_key_arn = %q,
  flexible_time_window = { { %s } },
  target = { { arn = %q, role_arn = %q, input = %q,
    ecs_parameters = { { task_definition_arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/%s",
      launch_type = %q, network_configuration = { { subnets = { %s }, assign_public_ip = %s } } } },
    retry_policy = { { %s } }, dead_letter_config = { { arn = %q } } } },
})
resource("aws_scheduler_schedule", "ping", { name_prefix = "ping-", schedule_expression = "rate(5 minutes)",
  flexible_time_window = { { mode = "OFF" } }, target = { { arn = %q, role_arn = %q, input = "ping" } } })
]], o.name, o.group, o.expr, o.tz, o.desc, o.state, o.start, o.stop, o.kms, o.window, o.arn, o.role, o.input,
    o.task, o.launch, o.subnets, o.public, o.retry, o.dlq, QUEUE, ROLE)
end


local function scheduler(e)
  e:use()
  return aws.client("scheduler", { region = e.region })
end

local function get(e, group, name) return scheduler(e):GetSchedule{ GroupName = group, Name = name } end

test("schedules are created as declared; a second plan has no changes", function()
  local e = emulator()
  local dir = new_stack(stack())
  e:apply(dir)
  local job = attributes(dir, "aws_scheduler_schedule.job")
  expect(job.id).to_be("default/nightly")
  local s = get(e, "default", "nightly")
  expect(job.arn).to_be(s.Arn)
  expect(s.ScheduleExpression).to_be("cron(0 3 * * ? *)")
  expect(s.ScheduleExpressionTimezone).to_be("Asia/Seoul")
  expect(s.FlexibleTimeWindow.MaximumWindowInMinutes).to_be(15)
  expect(s.StartDate).to_be(1893456000)   -- 2030-01-01T00:00:00Z in epoch seconds
  expect(s.KmsKeyArn).to_be(BEFORE.kms)
  expect(s.Target.Input).to_be('{"job":"nightly"}')
  expect(s.Target.RetryPolicy.MaximumRetryAttempts).to_be(3)
  expect(s.Target.RetryPolicy.MaximumEventAgeInSeconds).to_be(86400)
  expect(s.Target.DeadLetterConfig.Arn).to_be(QUEUE)
  expect(s.Target.EcsParameters.LaunchType).to_be("FARGATE")
  expect(s.Target.EcsParameters.NetworkConfiguration.awsvpcConfiguration.AssignPublicIp).to_be("ENABLED")
  expect(#s.Target.EcsParameters.NetworkConfiguration.awsvpcConfiguration.Subnets).to_be(2)
  local ping = attributes(dir, "aws_scheduler_schedule.ping")
  expect(ping.name).to_match("^ping%-")
  expect(get(e, "default", ping.name).State).to_be("ENABLED")
  expect(select(2, e:plan(dir))).to_be(0)
end)

test("every updatable argument changes in place; a new name or group replaces", function()
  local e = emulator()
  local dir = new_stack(stack())
  e:apply(dir)
  local arn = attributes(dir, "aws_scheduler_schedule.job").arn
  write(dir .. "/main.lua", stack(with{ expr = "rate(1 hour)", tz = "UTC", desc = "hourly", state = "DISABLED",
    start = "2030-06-01T00:00:00Z", stop = "2032-01-01T00:00:00Z", kms = "arn:aws:kms:us-east-1:123456789012:key/two",
    window = 'mode = "OFF"', arn = "arn:aws:ecs:us-east-1:123456789012:cluster/other",
    role = ROLE .. "-2", input = '{"job":"hourly"}', task = "job:2", launch = "EC2",
    subnets = '"subnet-c"', public = "false", retry = "maximum_event_age_in_seconds = 600, maximum_retry_attempts = 1",
    dlq = QUEUE .. "-dlq" }))
  local out, code = e:plan(dir)
  expect(code).to_be(2)
  expect(out).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  e:apply(dir)
  local s = get(e, "default", "nightly")
  expect(s.Arn).to_be(arn)
  expect(s.ScheduleExpression).to_be("rate(1 hour)")
  expect(s.ScheduleExpressionTimezone).to_be("UTC")
  expect(s.Description).to_be("hourly")
  expect(s.State).to_be("DISABLED")
  expect(s.EndDate).to_be(1956528000)   -- 2032-01-01T00:00:00Z
  expect(s.KmsKeyArn).to_match("key/two$")
  expect(s.FlexibleTimeWindow.Mode).to_be("OFF")
  expect(s.Target.Arn).to_match("cluster/other$")
  expect(s.Target.RoleArn).to_be(ROLE .. "-2")
  expect(s.Target.Input).to_be('{"job":"hourly"}')
  expect(s.Target.EcsParameters.TaskDefinitionArn).to_match("job:2$")
  expect(s.Target.EcsParameters.NetworkConfiguration.awsvpcConfiguration.AssignPublicIp).to_be("DISABLED")
  expect(s.Target.RetryPolicy.MaximumEventAgeInSeconds).to_be(600)
  expect(s.Target.DeadLetterConfig.Arn).to_match("%-dlq$")
  expect(select(2, e:plan(dir))).to_be(0)
  scheduler(e):CreateScheduleGroup{ Name = "jobs" }
  for _, change in ipairs({ { name = "nightly-2" }, { name = "nightly-2", group = "jobs" } }) do
    write(dir .. "/main.lua", stack(with(change)))
    out = e:plan(dir)
    expect(out).to_contain("# aws_scheduler_schedule.job must be replaced")
    e:apply(dir)
    expect(attributes(dir, "aws_scheduler_schedule.job").id).to_be((change.group or "default") .. "/nightly-2")
  end
  expect(pcall(get, e, "default", "nightly-2")).to_be(false)
  expect(get(e, "jobs", "nightly-2").Description).to_be("nightly job")
end)

test("a schedule changed or deleted by hand is repaired; import by GROUP/NAME; destroy", function()
  local e = emulator()
  local dir = new_stack(stack())
  e:apply(dir)
  local c = scheduler(e)
  c:UpdateSchedule{ Name = "nightly", ScheduleExpression = "rate(2 hours)", FlexibleTimeWindow = { Mode = "OFF" },
    State = "DISABLED", Target = { Arn = CLUSTER, RoleArn = ROLE } }
  local ping = attributes(dir, "aws_scheduler_schedule.ping").name
  c:DeleteSchedule{ Name = ping }
  local out, code = e:plan(dir)
  expect(code).to_be(2)
  expect(out).to_contain("# aws_scheduler_schedule.job will be updated in-place")
  expect(out).to_contain("# aws_scheduler_schedule.ping will be created")
  e:apply(dir)
  local s = get(e, "default", "nightly")
  expect(s.ScheduleExpression).to_be("cron(0 3 * * ? *)")
  expect(s.State).to_be("ENABLED")
  expect(s.Target.EcsParameters.LaunchType).to_be("FARGATE")
  expect(select(2, e:plan(dir))).to_be(0)
  local fresh = new_stack(stack())
  local st = state_of(dir)
  for addr, r in pairs(st.resources) do
    local o, ic = e:luaform(fresh, "import", addr, r.attributes.id)
    if ic ~= 0 then print(o) end
    expect(ic).to_be(0)
  end
  expect(attributes(fresh, "aws_scheduler_schedule.job").id).to_be("default/nightly")
  local o, pc = e:plan(fresh)
  if pc ~= 0 then print(o) end
  expect(pc).to_be(0)
  local d, dc = e:luaform(dir, "destroy", "-auto-approve")
  if dc ~= 0 then print(d) end
  expect(dc).to_be(0)
  expect(#e:inventory().scheduler.schedule).to_be(0)
end)

test("a date not in RFC 3339 UTC is refused before any call, at its file:line", function()
  local dir = new_stack(stack(with{ start = "2030-01-01 00:00" }))
  local out, code = luaform(dir, "validate")
  expect(code).to_be(1)
  expect(out).to_contain("main.lua:1")
  expect(out).to_contain("start_date: expected a UTC time like 2030-01-01T01:00:00Z")
end)

test("creates whose answers were lost are adopted by the next run, not made twice", function()
  local e = emulator()
  local dir = new_stack(stack())
  e:faults{ lose_pct = 100 }   -- every create is applied, its answer never arrives
  with_env({ AWS_MAX_ATTEMPTS = "1" }, function()
    expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(1)
  end)
  expect(#e:inventory().scheduler.schedule).to_be(2)
  e:faults{ lose_pct = 0 }
  e:apply(dir)
  expect(#e:inventory().scheduler.schedule).to_be(2)
  expect(attributes(dir, "aws_scheduler_schedule.ping").name).to_match("^ping%-")
  expect(select(2, e:plan(dir))).to_be(0)
end)
