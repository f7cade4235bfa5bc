-- End to end (issue 14): the reference platform (examples/ecs-fargate)
-- extended with an alarm on the service to the events topic, a nightly
-- ECS task through EventBridge, a versioned, encrypted, private bucket
-- with a lifecycle rule and a policy, S3 and ECR endpoints, and a Cloud
-- Map namespace. Applied against the emulator, a second plan has no
-- changes, and destroy empties the emulator (the bucket holds an object
-- put outside luaform: it goes only because of force_destroy).
local aws = require("luaform.aws")
local EXAMPLE = core.exe_dir .. "/examples/ecs-fargate"

local EXTRA = [[

-- issue 14: operate and extend the platform
local account = "123456789012"
local cluster_arn = "arn:aws:ecs:" .. region .. ":" .. account .. ":cluster/" .. svc.cluster_name
resource("aws_cloudwatch_metric_alarm", "service_cpu", { alarm_name = "base-service-cpu",
  comparison_operator = "GreaterThanThreshold", evaluation_periods = 3, metric_name = "CPUUtilization",
  namespace = "AWS/ECS", period = 60, statistic = "Average", threshold = 85,
  dimensions = { ClusterName = svc.cluster_name, ServiceName = svc.service_name },
  alarm_actions = { events.topic_arn }, ok_actions = { events.topic_arn } })
local events_role = resource("aws_iam_role", "events", { name = "base-events", assume_role_policy = {
  Version = "2012-10-17", Statement = { { Effect = "Allow", Principal = { Service = "events.amazonaws.com" },
    Action = "sts:AssumeRole" } } } })
local nightly = resource("aws_cloudwatch_event_rule", "nightly", { name = "base-nightly",
  schedule_expression = "cron(0 3 * * ? *)" })
resource("aws_cloudwatch_event_target", "nightly", { rule = nightly.name, target_id = "job", arn = cluster_arn,
  role_arn = events_role.arn, ecs_target = { { task_definition_arn = svc.task_definition_arn,
    launch_type = "FARGATE", network_configuration = { { subnets = net.private_subnet_ids } } } } })
local bucket = resource("aws_s3_bucket", "uploads", { bucket = "base-uploads", force_destroy = true })
resource("aws_s3_bucket_versioning", "uploads", { bucket = bucket.id,
  versioning_configuration = { { status = "Enabled" } } })
resource("aws_s3_bucket_server_side_encryption_configuration", "uploads", { bucket = bucket.id,
  rule = { { apply_server_side_encryption_by_default = { { sse_algorithm = "aws:kms" } } } } })
resource("aws_s3_bucket_public_access_block", "uploads", { bucket = bucket.id, block_public_acls = true,
  block_public_policy = true, ignore_public_acls = true, restrict_public_buckets = true })
resource("aws_s3_bucket_lifecycle_configuration", "uploads", { bucket = bucket.id, rule = { { id = "expire",
  status = "Enabled", filter = { { prefix = "tmp/" } }, expiration = { { days = 7 } } } } })
resource("aws_s3_bucket_policy", "uploads", { bucket = bucket.id, policy = { Version = "2012-10-17",
  Statement = { { Sid = "tls", Effect = "Deny", Principal = "*", Action = "s3:*",
    Resource = { "arn:aws:s3:::base-uploads", "arn:aws:s3:::base-uploads/*" },
    Condition = { Bool = { ["aws:SecureTransport"] = "false" } } } } } })
resource("aws_vpc_endpoint", "s3", { vpc_id = net.vpc_id, service_name = "com.amazonaws." .. region .. ".s3",
  route_table_ids = net.private_route_table_ids })
resource("aws_vpc_endpoint", "ecr", { vpc_id = net.vpc_id, service_name = "com.amazonaws." .. region .. ".ecr.api",
  vpc_endpoint_type = "Interface", private_dns_enabled = true, subnet_ids = net.private_subnet_ids })
resource("aws_service_discovery_private_dns_namespace", "internal", { name = "base.internal", vpc = net.vpc_id })
]]

local function nonempty(inv)
  local out = {}
  for svc, kinds in pairs(inv) do
    for kind, list in pairs(kinds) do
      if #list > 0 then out[#out + 1] = svc .. "." .. kind end
    end
  end
  table.sort(out)
  return out
end

test("the reference platform extended: apply, a clean second plan, destroy empties the emulator", function()
  local e = emulator({ ["nat-delay-ms"] = 200, ["lb-delay-ms"] = 200, seed = 1 })
  local dir = copy_stack(EXAMPLE)
  write(dir .. "/main.lua", read(dir .. "/main.lua") .. EXTRA)
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  expect(out).to_contain("Apply complete! Resources: 47 added, 0 changed, 0 destroyed.")
  local inv = e:inventory()
  expect(#inv.monitoring.alarm).to_be(1)
  expect(#inv.events.target).to_be(1)
  expect(#inv.ec2.vpc_endpoint).to_be(2)
  expect(#inv.servicediscovery.namespace).to_be(1)
  e:use()
  local s3 = aws.client("s3", { region = "ap-northeast-2" })
  expect(s3:GetBucketVersioning{ Bucket = "base-uploads" }.Status).to_be("Enabled")
  s3:PutObject{ Bucket = "base-uploads", Key = "tmp/upload.bin", Body = "data" }
  out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  out, code = e:luaform(dir, "destroy", "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  expect(nonempty(e:inventory())).to_equal({})
end)
