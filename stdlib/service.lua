-- stdlib.service: a containerized HTTP service on ECS Fargate behind an ALB.
--
--   local svc = module("service", require("stdlib.service"), {
--     vpc_id = net.vpc_id, private_subnet_ids = net.private_subnet_ids,
--     alb_arn = lb.alb_arn, alb_sg_id = lb.alb_sg_id,
--   })
--
-- Creates: an ECR repository; the task execution IAM role with
-- AmazonECSTaskExecutionRolePolicy attached; an ECS cluster; the service's
-- security group (ingress from the ALB's group on the container port
-- only); a target group (type ip, HTTP health check) and a listener on the
-- ALB forwarding to it; a log group and stream; a Fargate task definition
-- whose image is the repository URL with image_tag and whose awslogs
-- options name the log group and region; the service (Fargate, private
-- subnets, no public IP, behind the target group, created after the
-- listener and the role's policy exist); the scalable target and two
-- target-tracking policies, "<name>-scale-out" (at scale_out_target,
-- never scales in) and "<name>-scale-in" (at scale_in_target).
--
-- Required: vpc_id, alb_arn, alb_sg_id, private_subnet_ids. Optional (with
-- defaults): name ("base"), region (for awslogs; the provider's region,
-- read with data aws_region, which makes no AWS call),
-- image_tag ("0.0.1"), container_port (8080), cpu (256), memory (512),
-- desired_count (2), min_capacity (2), max_capacity (3), scale_out_target
-- (60), scale_in_target (10), metric ("ECSServiceAverageMemoryUtilization"),
-- health_check_path ("/up"), log_retention_days (14), listener_port (8080,
-- the port stdlib.lb opens),
-- environment ({NAME = value}), tags, ignore_desired_count (false: the
-- stack's desired_count is enforced; true: once created, the count is left
-- to the auto scaling policies, Terraform's ignore_changes idiom).
-- Off unless given (an existing stack plans no change): secrets ({NAME =
-- ARN of a Secrets Manager secret or an SSM parameter}: the container's
-- secrets, and an inline policy "<name>-secrets" of the execution role
-- allowing exactly those ARNs, plus kms:Decrypt on secrets_kms_key_arns
-- when given); task_policy_statements (aws_iam_policy_document statement
-- blocks: a task role "<name>-ecs-task" with that inline policy, the task
-- definition's task_role_arn); domain_name with zone_id, alb_dns_name and
-- alb_zone_id (stdlib.lb's, with its https = true): an ACM certificate
-- for domain_name validated through a record in zone_id, an HTTPS
-- listener on 443 with it forwarding to the service, HTTP on 80
-- redirected to HTTPS, and an alias record domain_name -> the ALB;
-- alarm_topic_arn (CloudWatch alarms to that SNS topic on the service's CPU
-- and memory above cpu_alarm_threshold and memory_alarm_threshold, 80
-- each, for 3 minutes; with alb_arn_suffix, stdlib.lb's, also on target
-- 5xx responses above 10 a minute and on any unhealthy host);
-- fargate_spot_weight (the cluster's capacity providers FARGATE and
-- FARGATE_SPOT, and the service on the strategy FARGATE at fargate_weight
-- (1) with fargate_base (1) tasks always on demand, FARGATE_SPOT at
-- fargate_spot_weight; the service then redeploys on every update, so a
-- weight changes in place); discovery_namespace_id (a Cloud Map service
-- named name in that namespace, A records with discovery_ttl (10)
-- seconds, which the ECS service registers its tasks in).
-- Returns cluster_name, cluster_arn, service_name, ecr_repository_url,
-- target_group_arn, log_group_name, task_definition_arn,
-- execution_role_arn, security_group_id, task_role_arn (null without
-- task_policy_statements), discovery_service_arn (null without
-- discovery_namespace_id).
-- The interface is checked at the call (luaform.interface); a misuse is
-- reported at the caller's module() line.
local EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

local core = require("luaform.core")
local errors = require("luaform.errors")
local deferred = require("luaform.deferred")
local strict = require("luaform.strict")
local valid = require("luaform.interface").valid

local function count(min) return { type = "number", validation = valid.whole(min) } end
local PORT = { type = "number", validation = valid.whole(1, 65535) }

local INPUTS = {
  vpc_id = { type = "string", required = true },
  alb_arn = { type = "string", required = true },
  alb_sg_id = { type = "string", required = true },
  private_subnet_ids = { type = "list(string)", required = true },
  -- the ECR repository's name (lowercase) and, with "-tg", the target group's (no _, 32 at most)
  name = { type = "string", validation = valid.text("^[%l%d][%l%d%-]*$", 29,
    "1-29 lowercase letters, digits or hyphens, starting with a letter or digit") },
  region = { type = "string", validation = valid.text("^%l%l%-[%l%-]+%-%d+$", nil, "an AWS region such as us-east-1") },
  image_tag = { type = "string", validation = valid.text("^[%w_][%w_.%-]*$", nil, "an image tag (letters, digits, _ . -)") },
  container_port = PORT,
  listener_port = PORT,
  cpu = count(1), memory = count(1),
  desired_count = count(0), min_capacity = count(0), max_capacity = count(0),
  scale_out_target = { type = "number", validation = valid.at_least(0) },
  scale_in_target = { type = "number", validation = valid.at_least(0) },
  metric = { type = "string", validation = valid.one_of({ "ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization" }) },
  health_check_path = { type = "string", validation = valid.text("^/", nil, "a path starting with /") },
  log_retention_days = count(0),
  environment = { type = "map(string)" },
  secrets = { type = "map(string)" },
  secrets_kms_key_arns = { type = "list(string)" },
  -- statement blocks of data aws_iam_policy_document
  task_policy_statements = { type = "list(object({ sid = optional(string), effect = optional(string),"
    .. " actions = optional(set(string)), not_actions = optional(set(string)),"
    .. " resources = optional(set(string)), not_resources = optional(set(string)),"
    .. " principals = optional(set(object({ type = string, identifiers = set(string) }))),"
    .. " not_principals = optional(set(object({ type = string, identifiers = set(string) }))),"
    .. " condition = optional(set(object({ test = string, variable = string, values = list(string) }))) }))" },
  domain_name = { type = "string" },
  zone_id = { type = "string" },
  alb_dns_name = { type = "string" },
  alb_zone_id = { type = "string" },
  alarm_topic_arn = { type = "string" },
  alb_arn_suffix = { type = "string" },
  cpu_alarm_threshold = { type = "number", validation = valid.between(0, 100) },
  memory_alarm_threshold = { type = "number", validation = valid.between(0, 100) },
  tags = { type = "map(string)" },
  ignore_desired_count = { type = "bool" },
  fargate_spot_weight = { type = "number", validation = valid.whole(0, 1000),
    description = "FARGATE_SPOT's weight in the service's capacity provider strategy (off unless given)." },
  fargate_weight = { type = "number", validation = valid.whole(0, 1000),
    description = "FARGATE's weight beside fargate_spot_weight (default 1)." },
  fargate_base = { type = "number", validation = valid.whole(0, 100000),
    description = "Tasks always on FARGATE (on demand) beside fargate_spot_weight (default 1)." },
  discovery_namespace_id = { type = "string",
    description = "A Cloud Map namespace the service's tasks register in (off unless given)." },
  discovery_ttl = { type = "number", validation = valid.whole(0),
    description = "TTL of the discovery A records, seconds (default 10)." },
}

local OUTPUTS = {}
for _, k in ipairs({ "cluster_name", "cluster_arn", "service_name", "ecr_repository_url", "target_group_arn",
  "log_group_name", "task_definition_arn", "execution_role_arn", "security_group_id", "task_role_arn",
  "discovery_service_arn" }) do
  OUTPUTS[k] = {}
end

-- What the types cannot say.
local function check(where, args)
  if args.domain_name ~= nil then
    for _, k in ipairs({ "zone_id", "alb_dns_name", "alb_zone_id" }) do
      if args[k] == nil then errors.raise(where, "stdlib.service: domain_name needs %s", k) end
    end
  end
  for _, k in ipairs({ "fargate_weight", "fargate_base" }) do
    if args[k] ~= nil and args.fargate_spot_weight == nil then
      errors.raise(where, "stdlib.service: %s needs fargate_spot_weight", k)
    end
  end
  if args.discovery_ttl ~= nil and args.discovery_namespace_id == nil then
    errors.raise(where, "stdlib.service: discovery_ttl needs discovery_namespace_id")
  end
  local lo, hi = args.min_capacity or 2, args.max_capacity or 3
  if type(lo) == "number" and type(hi) == "number" and lo > hi then
    errors.raise(where, "stdlib.service: min_capacity (%d) must not exceed max_capacity (%d)", lo, hi)
  end
end

-- The container's secrets list from the NAME = ARN map, by name, and the ARNs.
local function secrets(map)
  local names, list, arns = {}, {}, {}
  for k in pairs(map or {}) do names[#names + 1] = k end
  table.sort(names)
  for _, k in ipairs(names) do
    list[#list + 1] = { name = k, valueFrom = map[k] }
    arns[#arns + 1] = map[k]
  end
  return list, arns
end

-- The container's environment list from the NAME = value map, by name;
-- a resource attribute stays as it is (json{} resolves it).
local function environment(map)
  local names, env = {}, {}
  for k in pairs(map or {}) do names[#names + 1] = k end
  table.sort(names)
  for _, k in ipairs(names) do
    local v = map[k]
    env[#env + 1] = { name = k, value = deferred.is(v) and v or tostring(v) }
  end
  return env
end

local function body(args)
  check(strict.user_where(2), args)   -- the module() call in the caller's file
  local function arg(k, default)
    if args[k] == nil then return default end
    return args[k]
  end
  local name = arg("name", "base")
  local region = args.region or data("aws_region", "current").name
  local port = arg("container_port", 8080)
  local tags = arg("tags", nil)

  local repo = resource("aws_ecr_repository", "this", {
    name = name,
    image_tag_mutability = "MUTABLE",
    image_scanning_configuration = { { scan_on_push = true } },
    tags = tags,
  })

  local role = resource("aws_iam_role", "execution", {
    name = name .. "-ecs-task-execution",
    assume_role_policy = json{
      Version = "2012-10-17",
      Statement = { {
        Effect = "Allow",
        Principal = { Service = "ecs-tasks.amazonaws.com" },
        Action = "sts:AssumeRole",
      } },
    },
    tags = tags,
  })
  local attachment = resource("aws_iam_role_policy_attachment", "execution", {
    role = role.name,
    policy_arn = EXECUTION_POLICY,
  })

  -- the execution role reads exactly the secrets the container names
  local secret_list, secret_arns = secrets(args.secrets)
  local secrets_policy
  if #secret_arns > 0 then
    local statements = {
      { sid = "ReadSecrets", actions = { "secretsmanager:GetSecretValue", "ssm:GetParameters" }, resources = secret_arns },
    }
    if args.secrets_kms_key_arns and #args.secrets_kms_key_arns > 0 then
      statements[2] = { sid = "DecryptSecrets", actions = { "kms:Decrypt" }, resources = args.secrets_kms_key_arns }
    end
    local doc = data("aws_iam_policy_document", "secrets", { statement = statements })
    secrets_policy = resource("aws_iam_role_policy", "secrets", {
      role = role.name, name = name .. "-secrets", policy = doc.json,
    })
  end

  -- the task role, from the caller's statements
  local task_role
  if args.task_policy_statements and #args.task_policy_statements > 0 then
    task_role = resource("aws_iam_role", "task", {
      name = name .. "-ecs-task",
      assume_role_policy = role.assume_role_policy,
      tags = tags,
    })
    local doc = data("aws_iam_policy_document", "task", { statement = args.task_policy_statements })
    resource("aws_iam_role_policy", "task", { role = task_role.name, name = name .. "-task", policy = doc.json })
  end

  local cluster = resource("aws_ecs_cluster", "this", { name = name .. "-cluster", tags = tags })

  local sg = resource("aws_security_group", "service", {
    name = name .. "-service",
    description = "ECS service " .. name .. ": traffic from the load balancer only",
    vpc_id = args.vpc_id,
    ingress = { {
      description = "from the ALB", protocol = "tcp", from_port = port, to_port = port,
      security_groups = { args.alb_sg_id },
    } },
    egress = { {
      description = "all outbound", protocol = "-1", from_port = 0, to_port = 0, cidr_blocks = { "0.0.0.0/0" },
    } },
    tags = tags,
  })

  local tg = resource("aws_lb_target_group", "this", {
    name = name .. "-tg",
    port = port,
    protocol = "HTTP",
    target_type = "ip",
    vpc_id = args.vpc_id,
    deregistration_delay = 30,
    health_check = { {
      path = arg("health_check_path", "/up"),
      matcher = "200",
      interval = 30,
      timeout = 5,
      healthy_threshold = 3,
      unhealthy_threshold = 3,
    } },
    tags = tags,
  })

  local listener = resource("aws_lb_listener", "http", {
    load_balancer_arn = args.alb_arn,
    port = arg("listener_port", 8080),
    protocol = "HTTP",
    default_action = { { type = "forward", target_group_arn = tg.arn } },
    tags = tags,
  })

  -- HTTPS under the team's domain
  local https
  if args.domain_name then
    local cert = resource("aws_acm_certificate", "this", { domain_name = args.domain_name,
      validation_method = "DNS", tags = tags }, { create_before_destroy = true })
    local dvo = cert.domain_validation_options
    local validation_record = resource("aws_route53_record", "validation", {
      zone_id = args.zone_id, type = "CNAME", ttl = 60, allow_overwrite = true,
      name = dvo:map(function(o) return o[1].resource_record_name end),
      records = { dvo:map(function(o) return o[1].resource_record_value end) },
    })
    local validation = resource("aws_acm_certificate_validation", "this", {
      certificate_arn = cert.arn, validation_record_fqdns = { validation_record.fqdn },
    })
    https = resource("aws_lb_listener", "https", {
      load_balancer_arn = args.alb_arn, port = 443, protocol = "HTTPS",
      ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06", certificate_arn = validation.certificate_arn,
      default_action = { { type = "forward", target_group_arn = tg.arn } },
      tags = tags,
    })
    resource("aws_lb_listener", "redirect", {
      load_balancer_arn = args.alb_arn, port = 80, protocol = "HTTP",
      default_action = { { type = "redirect", redirect = { { port = "443", protocol = "HTTPS", status_code = "HTTP_301" } } } },
      tags = tags,
    })
    resource("aws_route53_record", "alias", {
      zone_id = args.zone_id, name = args.domain_name, type = "A",
      alias = { { name = args.alb_dns_name, zone_id = args.alb_zone_id, evaluate_target_health = true } },
    })
  end

  local logs = resource("aws_cloudwatch_log_group", "this", {
    name = "/ecs/" .. name,
    retention_in_days = arg("log_retention_days", 14),
    tags = tags,
  })
  resource("aws_cloudwatch_log_stream", "this", { name = name, log_group_name = logs.name })

  local env = environment(args.environment)

  local task = resource("aws_ecs_task_definition", "this", {
    family = name,
    cpu = tostring(arg("cpu", 256)),
    memory = tostring(arg("memory", 512)),
    network_mode = "awsvpc",
    requires_compatibilities = { "FARGATE" },
    execution_role_arn = role.arn,
    task_role_arn = task_role and task_role.arn or nil,
    container_definitions = json{ {
      name = name,
      image = repo.repository_url .. ":" .. arg("image_tag", "0.0.1"),
      essential = true,
      portMappings = { { containerPort = port, protocol = "tcp" } },
      environment = #env > 0 and env or nil,
      secrets = #secret_list > 0 and secret_list or nil,
      logConfiguration = {
        logDriver = "awslogs",
        options = {
          ["awslogs-group"] = logs.name,
          ["awslogs-region"] = region,
          ["awslogs-stream-prefix"] = name,
        },
      },
    } },
    tags = tags,
  })

  -- the service starts once its listeners, its role's policies and its
  -- cluster's capacity providers exist
  local after = { listener, attachment }
  if secrets_policy then after[#after + 1] = secrets_policy end
  if https then after[#after + 1] = https end

  -- optional FARGATE_SPOT capacity
  local strategy
  if args.fargate_spot_weight then
    strategy = { { capacity_provider = "FARGATE", weight = arg("fargate_weight", 1), base = arg("fargate_base", 1) },
                 { capacity_provider = "FARGATE_SPOT", weight = args.fargate_spot_weight } }
    after[#after + 1] = resource("aws_ecs_cluster_capacity_providers", "this", {
      cluster_name = cluster.name, capacity_providers = { "FARGATE", "FARGATE_SPOT" },
      default_capacity_provider_strategy = strategy,
    })
  end

  -- optional service discovery
  local discovery
  if args.discovery_namespace_id then
    discovery = resource("aws_service_discovery_service", "this", {
      name = name,
      dns_config = { { namespace_id = args.discovery_namespace_id, routing_policy = "MULTIVALUE",
        dns_records = { { ttl = arg("discovery_ttl", 10), type = "A" } } } },
      health_check_custom_config = { { failure_threshold = 1 } },
      tags = tags,
    })
  end

  local service = resource("aws_ecs_service", "this", {
    name = name,
    cluster = cluster.arn,
    task_definition = task.arn,
    desired_count = arg("desired_count", 2),
    launch_type = not strategy and "FARGATE" or nil,
    capacity_provider_strategy = strategy,
    force_new_deployment = strategy and true or nil,
    service_registries = discovery and { { registry_arn = discovery.arn } } or nil,
    network_configuration = { {
      subnets = args.private_subnet_ids,
      security_groups = { sg.id },
      assign_public_ip = false,
    } },
    load_balancer = { { target_group_arn = tg.arn, container_name = name, container_port = port } },
    health_check_grace_period_seconds = 60,
    tags = tags,
  }, {
    depends_on = after,
    ignore_changes = arg("ignore_desired_count", false) and { "desired_count" } or nil,
  })

  local target = resource("aws_appautoscaling_target", "this", {
    service_namespace = "ecs",
    resource_id = fmt("service/%s/%s", cluster.name, service.name),
    scalable_dimension = "ecs:service:DesiredCount",
    min_capacity = arg("min_capacity", 2),
    max_capacity = arg("max_capacity", 3),
  })

  local metric = arg("metric", "ECSServiceAverageMemoryUtilization")
  local function policy(label, target_value, disable_scale_in)
    return resource("aws_appautoscaling_policy", label, {
      name = name .. "-" .. label,
      policy_type = "TargetTrackingScaling",
      service_namespace = target.service_namespace,
      resource_id = target.resource_id,
      scalable_dimension = target.scalable_dimension,
      target_tracking_scaling_policy_configuration = { {
        target_value = target_value,
        disable_scale_in = disable_scale_in,
        scale_in_cooldown = 300,
        scale_out_cooldown = 60,
        predefined_metric_specification = { { predefined_metric_type = metric } },
      } },
    })
  end
  policy("scale-out", arg("scale_out_target", 60), true)
  policy("scale-in", arg("scale_in_target", 10), false)

  -- optional alarms to a topic
  local topic = args.alarm_topic_arn
  local function alarm(label, a)
    a.alarm_name = name .. "-" .. label
    a.comparison_operator = a.comparison_operator or "GreaterThanThreshold"
    a.evaluation_periods, a.period = 3, 60
    a.alarm_actions, a.ok_actions = { topic }, { topic }
    a.tags = tags
    return resource("aws_cloudwatch_metric_alarm", label, a)
  end
  if topic then
    local dims = { ClusterName = cluster.name, ServiceName = service.name }
    alarm("cpu-high", { namespace = "AWS/ECS", metric_name = "CPUUtilization", statistic = "Average",
      threshold = arg("cpu_alarm_threshold", 80), dimensions = dims })
    alarm("memory-high", { namespace = "AWS/ECS", metric_name = "MemoryUtilization", statistic = "Average",
      threshold = arg("memory_alarm_threshold", 80), dimensions = dims })
    if args.alb_arn_suffix then
      local tg_dims = { LoadBalancer = args.alb_arn_suffix, TargetGroup = tg.arn_suffix }
      alarm("target-5xx", { namespace = "AWS/ApplicationELB", metric_name = "HTTPCode_Target_5XX_Count",
        statistic = "Sum", threshold = 10, dimensions = tg_dims, treat_missing_data = "notBreaching" })
      alarm("unhealthy-hosts", { namespace = "AWS/ApplicationELB", metric_name = "UnHealthyHostCount",
        statistic = "Maximum", threshold = 0, dimensions = tg_dims })
    end
  end

  return {
    cluster_name = cluster.name,
    cluster_arn = cluster.arn,
    service_name = service.name,
    ecr_repository_url = repo.repository_url,
    target_group_arn = tg.arn,
    log_group_name = logs.name,
    task_definition_arn = task.arn,
    execution_role_arn = role.arn,
    security_group_id = sg.id,
    task_role_arn = task_role and task_role.arn or core.null,   -- declared, so returned even when absent
    discovery_service_arn = discovery and discovery.arn or core.null,
  }
end

return { inputs = INPUTS, outputs = OUTPUTS, body = body }
