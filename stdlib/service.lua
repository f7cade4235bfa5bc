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
-- to the auto scaling policies, Terraform's ignore_changes idiom); off
-- unless given: alarm_topic_arn (CloudWatch alarms to that SNS topic on
-- the service's CPU and memory above cpu_alarm_threshold and
-- memory_alarm_threshold, 80 each, for 3 minutes; with alb_arn_suffix,
-- stdlib.lb's, also on target 5xx responses above 10 a minute and on any
-- unhealthy host).
-- Returns cluster_name, cluster_arn, service_name, ecr_repository_url,
-- target_group_arn, log_group_name, task_definition_arn,
-- execution_role_arn, security_group_id.
-- A misuse is reported at the caller's module() line.
local EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

local errors = require("luaform.errors")
local deferred = require("luaform.deferred")
local args_check = require("stdlib._args")

local function count(min) return { type = "number", integer = true, min = min } end

local SPEC = {
  vpc_id = { type = "string", required = true },
  alb_arn = { type = "string", required = true },
  alb_sg_id = { type = "string", required = true },
  private_subnet_ids = { type = "list", required = true },
  -- the ECR repository's name (lowercase) and, with "-tg", the target group's (no _, 32 at most)
  name = { type = "string", pattern = "^[%l%d][%l%d%-]*$", max_len = 29,
    what = "1-29 lowercase letters, digits or hyphens, starting with a letter or digit" },
  region = { type = "string", pattern = "^%l%l%-[%l%-]+%-%d+$", what = "an AWS region such as us-east-1" },
  image_tag = { type = "string", pattern = "^[%w_][%w_.%-]*$", what = "an image tag (letters, digits, _ . -)" },
  container_port = { type = "number", integer = true, min = 1, max = 65535 },
  listener_port = { type = "number", integer = true, min = 1, max = 65535 },
  cpu = count(1), memory = count(1),
  desired_count = count(0), min_capacity = count(0), max_capacity = count(0),
  scale_out_target = { type = "number", min = 0 }, scale_in_target = { type = "number", min = 0 },
  metric = { type = "string", one_of = { "ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization" } },
  health_check_path = { type = "string", pattern = "^/", what = "a path starting with /" },
  log_retention_days = count(0),
  environment = { type = "map" },
  alarm_topic_arn = { type = "string" },
  alb_arn_suffix = { type = "string" },
  cpu_alarm_threshold = { type = "number", min = 0, max = 100 },
  memory_alarm_threshold = { type = "number", min = 0, max = 100 },
  tags = { type = "map" },
  ignore_desired_count = { type = "boolean" },
}

local function check(where, args)
  args_check(where, "stdlib.service", SPEC, args)
  local lo, hi = args.min_capacity or 2, args.max_capacity or 3
  if type(lo) == "number" and type(hi) == "number" and lo > hi then
    errors.raise(where, "stdlib.service: min_capacity (%d) must not exceed max_capacity (%d)", lo, hi)
  end
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

return function(args)
  check(errors.caller(3), args)   -- the module() call in the caller's file
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
    container_definitions = json{ {
      name = name,
      image = repo.repository_url .. ":" .. arg("image_tag", "0.0.1"),
      essential = true,
      portMappings = { { containerPort = port, protocol = "tcp" } },
      environment = #env > 0 and env or nil,
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

  local service = resource("aws_ecs_service", "this", {
    name = name,
    cluster = cluster.arn,
    task_definition = task.arn,
    desired_count = arg("desired_count", 2),
    launch_type = "FARGATE",
    network_configuration = { {
      subnets = args.private_subnet_ids,
      security_groups = { sg.id },
      assign_public_ip = false,
    } },
    load_balancer = { { target_group_arn = tg.arn, container_name = name, container_port = port } },
    health_check_grace_period_seconds = 60,
    tags = tags,
  }, {
    depends_on = { listener, attachment },
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
  }
end
