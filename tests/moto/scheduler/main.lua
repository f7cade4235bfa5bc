-- aws_scheduler_schedule for scripts/moto-compare.sh (not run by `make
-- test`; run with moto's signature checks off, as its EventBridge
-- Scheduler refuses every signed GET, README): an ECS task on a cron
-- schedule with a flexible window, retries and a dead-letter queue, and an
-- SQS message on a rate with a name prefix. Region and endpoint come from
-- the script's environment; -var changed=true changes updatable arguments
-- (the script's second apply).
local changed = var("changed", { type = "bool", default = false })
local function pick(before, after) if changed then return after end return before end
local queue = resource("aws_sqs_queue", "jobs", { name = "s-jobs" })
local dlq = resource("aws_sqs_queue", "dead", { name = "s-dead" })
local cluster = resource("aws_ecs_cluster", "app", { name = "s-app" })
local role = resource("aws_iam_role", "scheduler", { name = "s-scheduler", assume_role_policy = {
  Version = "2012-10-17", Statement = { { Effect = "Allow", Principal = { Service = "scheduler.amazonaws.com" },
    Action = "sts:AssumeRole" } } } })
resource("aws_scheduler_schedule", "job", {
  name = "nightly", schedule_expression = pick("cron(0 3 * * ? *)", "cron(0 4 * * ? *)"),
  schedule_expression_timezone = pick("Asia/Seoul", "UTC"), description = pick("nightly job", "nightly"),
  state = pick("ENABLED", "DISABLED"), start_date = "2030-01-01T00:00:00Z", end_date = pick("2031-01-01T00:00:00Z", "2032-01-01T00:00:00Z"),
  flexible_time_window = { { mode = "FLEXIBLE", maximum_window_in_minutes = pick(15, 30) } },
  target = { { arn = cluster.arn, role_arn = role.arn, input = pick('{"job":"nightly"}', '{"job":"night"}'),
    ecs_parameters = { { task_definition_arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/job:1",
      launch_type = "FARGATE", network_configuration = { { subnets = { "subnet-a" }, assign_public_ip = pick(true, false) } } } },
    retry_policy = { { maximum_retry_attempts = pick(3, 5) } }, dead_letter_config = { { arn = dlq.arn } } } },
})
resource("aws_scheduler_schedule", "ping", { name_prefix = "ping-", schedule_expression = pick("rate(5 minutes)", "rate(10 minutes)"),
  flexible_time_window = { { mode = "OFF" } }, target = { { arn = queue.arn, role_arn = role.arn, input = "ping" } } })
output("role_arn", role.arn)
