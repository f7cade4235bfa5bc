-- The reference platform: a containerized service on ECS Fargate behind an
-- Application Load Balancer, in its own VPC, with an SNS -> SQS event
-- fan-out. Four stdlib modules, one value per policy:
--
--   luaform -chdir=examples/ecs-fargate plan
--   luaform -chdir=examples/ecs-fargate apply -var desired_count=3
--
-- Every setting a team reviews (scaling thresholds, health check, log
-- retention, image tag) is a var below, so changing a policy is changing
-- one value (-var, -var-file, or LUAFORM_VAR_<name>).
local region = var("region", { default = "ap-northeast-2" })
provider("aws", {
  region = region,
  default_tags = { tags = { Project = var("project", { default = "base" }), ManagedBy = "luaform" } },
})

-- service policies
local image_tag = var("image_tag", { default = "0.0.1" })
local desired_count = var("desired_count", { type = "number", default = 2 })
local min_capacity = var("min_capacity", { type = "number", default = 2 })
local max_capacity = var("max_capacity", { type = "number", default = 3 })
local scale_out_target = var("scale_out_target", { type = "number", default = 60 })
local scale_in_target = var("scale_in_target", { type = "number", default = 10 })
local scaling_metric = var("scaling_metric", { default = "ECSServiceAverageMemoryUtilization" })
local health_check_path = var("health_check_path", { default = "/up" })
local log_retention_days = var("log_retention_days", { type = "number", default = 14 })
-- queue policies
local visibility_timeout = var("visibility_timeout_seconds", { type = "number", default = 15 })
local message_retention = var("message_retention_seconds", { type = "number", default = 600 })

local net = module("vpc", require("stdlib.vpc"), {
  name = "base",
  vpc_cidr_block = "10.0.0.0/16",
  azs = { region .. "a", region .. "c" },
  public_subnet_cidrs = { "10.0.2.0/24", "10.0.4.0/24" },
  private_subnet_cidrs = { "10.0.1.0/24", "10.0.3.0/24" },
})

local lb = module("lb", require("stdlib.lb"), {
  name = "alb-base",
  vpc_id = net.vpc_id,
  public_subnet_ids = net.public_subnet_ids,
  listener_port = 8080,
})

-- HTTPS under the team's domain, secrets for the container: uncomment, give
-- stdlib.lb `https = true`, and add to the service's arguments below
--   local zone = data("aws_route53_zone", "team", { name = "example.com" })
--   domain_name = "app.example.com", zone_id = zone.zone_id,
--   alb_dns_name = lb.alb_dns_name, alb_zone_id = lb.alb_zone_id,
--   secrets = { DB_PASSWORD = "arn:aws:secretsmanager:...:secret:base/db-AbCdEf",
--               API_TOKEN = "arn:aws:ssm:...:parameter/base/token" },
--   task_policy_statements = { { actions = { "s3:GetObject" }, resources = { "arn:aws:s3:::assets/*" } } },
local svc = module("service", require("stdlib.service"), {
  name = "base",
  vpc_id = net.vpc_id,
  private_subnet_ids = net.private_subnet_ids,
  alb_arn = lb.alb_arn,
  alb_sg_id = lb.alb_sg_id,
  listener_port = 8080,
  container_port = 8080,
  image_tag = image_tag,
  cpu = 256,
  memory = 512,
  desired_count = desired_count,
  min_capacity = min_capacity,
  max_capacity = max_capacity,
  scale_out_target = scale_out_target,
  scale_in_target = scale_in_target,
  metric = scaling_metric,
  health_check_path = health_check_path,
  log_retention_days = log_retention_days,
})

local events = module("events", require("stdlib.events"), {
  topic_name = "topic-base",
  queue_name = "sqs-base",
  visibility_timeout_seconds = visibility_timeout,
  message_retention_seconds = message_retention,
})

output("vpc_id", net.vpc_id)
output("alb_dns_name", lb.alb_dns_name)
output("ecr_repository_url", svc.ecr_repository_url)
output("cluster_name", svc.cluster_name)
output("service_name", svc.service_name)
output("task_definition_arn", svc.task_definition_arn)
output("log_group_name", svc.log_group_name)
output("topic_arn", events.topic_arn)
output("queue_url", events.queue_url)
