-- The types of issue 14 in one stack, for scripts/moto-compare.sh (not run
-- by `make test`): alarms (metric and metric math) to a topic with a topic
-- policy, a log metric filter, a dashboard; a scheduled rule running an
-- ECS task and a pattern rule to SNS and SQS; a bucket with its split
-- settings and objects; ECR lifecycle and repository policies; security
-- group rules, a route, a flow log (endpoints and network ACLs are in
-- ../moto-gaps: moto cannot read them back); a Cloud Map namespace and
-- service; cluster capacity providers; a scheduled action and a step
-- scaling policy. Region and endpoint come from the script's environment;
-- -var changed=true changes updatable arguments (the script's second apply).
local account = "123456789012"
local changed = var("changed", { type = "bool", default = false })
local function pick(before, after) if changed then return after end return before end

-- monitoring and events
local topic = resource("aws_sns_topic", "alerts", { name = "m-alerts" })
local queue = resource("aws_sqs_queue", "jobs", { name = "m-jobs" })
resource("aws_sns_topic_policy", "alerts", { arn = topic.arn, policy = {
  Version = "2012-10-17", Statement = { { Sid = "events", Effect = "Allow",
    Principal = { Service = "events.amazonaws.com" }, Action = pick("sns:Publish", { "sns:Publish", "sns:GetTopicAttributes" }),
    Resource = topic.arn } } } })
resource("aws_cloudwatch_metric_alarm", "cpu", { alarm_name = "m-cpu",
  comparison_operator = "GreaterThanThreshold", evaluation_periods = 2, metric_name = "CPUUtilization",
  namespace = "AWS/ECS", period = pick(60, 300), statistic = "Average", threshold = pick(80, 90),
  dimensions = { ClusterName = "m-app", ServiceName = "web" }, alarm_description = pick("CPU high", "CPU very high"),
  alarm_actions = { topic.arn }, ok_actions = pick({ topic.arn }, nil), treat_missing_data = pick("missing", "notBreaching"),
  datapoints_to_alarm = 2, tags = { Team = pick("app", "ops") } })
resource("aws_cloudwatch_metric_alarm", "errors", { alarm_name = "m-5xx",
  comparison_operator = "GreaterThanThreshold", evaluation_periods = 1, threshold = 5,
  alarm_actions = { topic.arn },
  metric_query = {
    { id = "e1", expression = pick("100 * m1 / m2", "1000 * m1 / m2"), label = "5xx rate", return_data = true },
    { id = "m1", metric = { { metric_name = "HTTPCode_Target_5XX_Count", namespace = "AWS/ApplicationELB",
        period = 60, stat = "Sum", dimensions = { LoadBalancer = "app/web/1" } } } },
    { id = "m2", metric = { { metric_name = "RequestCount", namespace = "AWS/ApplicationELB",
        period = 60, stat = "Sum", dimensions = { LoadBalancer = "app/web/1" } } } } } })
local group = resource("aws_cloudwatch_log_group", "app", { name = "/m/app" })
resource("aws_cloudwatch_log_metric_filter", "errors", { name = "errors", log_group_name = group.name,
  pattern = pick("ERROR", "FATAL"), metric_transformation = { { name = "Errors", namespace = "App", value = "1", default_value = "0" } } })
resource("aws_cloudwatch_dashboard", "ops", { dashboard_name = "m-ops", dashboard_body = { widgets = { {
  type = "text", x = 0, y = 0, width = pick(6, 12), height = 3, properties = { markdown = "ops" } } } } })
local nightly = resource("aws_cloudwatch_event_rule", "nightly", { name = "m-nightly",
  schedule_expression = pick("cron(0 3 * * ? *)", "cron(0 4 * * ? *)"), description = pick("nightly job", "nightly"),
  state = pick("ENABLED", "DISABLED"), tags = { Team = pick("jobs", "ops") } })
local deploys = resource("aws_cloudwatch_event_rule", "deploys", { name = "m-deploys",
  event_pattern = { source = { "aws.ecs" }, ["detail-type"] = { pick("ECS Task State Change", "ECS Service Action") } } })

-- network
local vpc = resource("aws_vpc", "main", { cidr_block = "10.7.0.0/16", enable_dns_hostnames = true })
local igw = resource("aws_internet_gateway", "main", { vpc_id = vpc.id })
local a = resource("aws_subnet", "a", { vpc_id = vpc.id, cidr_block = "10.7.1.0/24", availability_zone = "us-east-1a" })
local b = resource("aws_subnet", "b", { vpc_id = vpc.id, cidr_block = "10.7.2.0/24", availability_zone = "us-east-1b" })
local rt = resource("aws_route_table", "public", { vpc_id = vpc.id })
resource("aws_route", "internet", { route_table_id = rt.id, destination_cidr_block = "0.0.0.0/0", gateway_id = igw.id })
local web = resource("aws_security_group", "web", { name = "m-web", description = "web", vpc_id = vpc.id })
local lbsg = resource("aws_security_group", "lb", { name = "m-lb", description = "lb", vpc_id = vpc.id })
resource("aws_vpc_security_group_ingress_rule", "https", { security_group_id = web.id, ip_protocol = "tcp",
  from_port = 443, to_port = pick(443, 444), cidr_ipv4 = pick("10.0.0.0/8", "10.1.0.0/16"), description = pick("https", "tls"),
  tags = { Name = pick("https", "tls") } })
resource("aws_vpc_security_group_ingress_rule", "from_lb", { security_group_id = web.id,
  ip_protocol = "tcp", from_port = 8080, to_port = 8080, referenced_security_group_id = lbsg.id })
resource("aws_vpc_security_group_egress_rule", "all", { security_group_id = web.id,
  ip_protocol = "-1", cidr_ipv4 = "0.0.0.0/0" })
local flow_group = resource("aws_cloudwatch_log_group", "flow", { name = "/m/flow" })
local flow_role = resource("aws_iam_role", "flow", { name = "m-flow-logs", assume_role_policy = {
  Version = "2012-10-17", Statement = { { Effect = "Allow", Principal = { Service = "vpc-flow-logs.amazonaws.com" },
    Action = "sts:AssumeRole" } } } })
resource("aws_flow_log", "vpc", { vpc_id = vpc.id, traffic_type = pick("ALL", "REJECT"),
  log_destination = flow_group.arn, iam_role_arn = flow_role.arn })

-- storage and images
local bucket = resource("aws_s3_bucket", "data", { bucket = "m-data", force_destroy = true, tags = { Team = "data" } })
resource("aws_s3_bucket_versioning", "data", { bucket = bucket.id,
  versioning_configuration = { { status = pick("Enabled", "Suspended") } } })
resource("aws_s3_bucket_server_side_encryption_configuration", "data", { bucket = bucket.id,
  rule = { { apply_server_side_encryption_by_default = { { sse_algorithm = "aws:kms", kms_master_key_id = "alias/data" } },
             bucket_key_enabled = pick(true, false) } } })
resource("aws_s3_bucket_public_access_block", "data", { bucket = bucket.id, block_public_acls = true,
  block_public_policy = true, ignore_public_acls = true, restrict_public_buckets = pick(true, false) })
resource("aws_s3_bucket_policy", "data", { bucket = bucket.id, policy = {
  Version = "2012-10-17", Statement = { { Sid = "read", Effect = "Allow",
    Principal = { AWS = "arn:aws:iam::" .. account .. ":root" }, Action = pick("s3:GetObject", { "s3:GetObject", "s3:PutObject" }),
    Resource = "arn:aws:s3:::m-data/*" } } } })
resource("aws_s3_bucket_lifecycle_configuration", "data", { bucket = bucket.id, rule = {
  { id = "logs", status = "Enabled", filter = { { prefix = "logs/" } }, expiration = { { days = pick(30, 60) } },
    noncurrent_version_expiration = { { noncurrent_days = 7 } } },
  { id = "uploads", status = "Enabled", filter = { { prefix = "uploads/" } },
    transition = { { days = 30, storage_class = "STANDARD_IA" } },
    abort_incomplete_multipart_upload = { { days_after_initiation = 3 } } } } })
resource("aws_s3_bucket_ownership_controls", "data", { bucket = bucket.id,
  rule = { { object_ownership = pick("BucketOwnerEnforced", "BucketOwnerPreferred") } } })
resource("aws_s3_object", "index", { bucket = bucket.id, key = "index.html", content = pick("<h1>hi</h1>", "<h1>hello</h1>"),
  content_type = pick("text/html", "text/plain") })
local repo = resource("aws_ecr_repository", "app", { name = "m-app" })
resource("aws_ecr_lifecycle_policy", "app", { repository = repo.name, policy = { rules = { {
  rulePriority = 1, description = "untagged", selection = { tagStatus = "untagged",
  countType = "imageCountMoreThan", countNumber = pick(5, 10) }, action = { type = "expire" } } } } })
resource("aws_ecr_repository_policy", "app", { repository = repo.name, policy = { Version = "2012-10-17",
  Statement = { { Sid = "pull", Effect = "Allow", Principal = { AWS = "arn:aws:iam::" .. account .. ":root" },
    Action = pick({ "ecr:BatchGetImage" }, { "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" }) } } } })

-- discovery, capacity, scaling, scheduled task
local ns = resource("aws_service_discovery_private_dns_namespace", "internal", { name = "m.internal",
  vpc = vpc.id, description = pick("internal names", "names"), tags = { Team = pick("platform", "ops") } })
resource("aws_service_discovery_service", "api", { name = "api", description = pick("the API", "API v2"),
  dns_config = { { namespace_id = ns.id, routing_policy = "MULTIVALUE", dns_records = { { ttl = pick(10, 60), type = "A" } } } },
  health_check_custom_config = { { failure_threshold = 1 } } })
local cluster = resource("aws_ecs_cluster", "app", { name = "m-app" })
resource("aws_ecs_cluster_capacity_providers", "app", { cluster_name = cluster.name,
  capacity_providers = { "FARGATE", "FARGATE_SPOT" },
  default_capacity_provider_strategy = { { capacity_provider = "FARGATE", base = 1, weight = pick(1, 2) },
    { capacity_provider = "FARGATE_SPOT", weight = pick(3, 1) } } })
local task = resource("aws_ecs_task_definition", "web", { family = "m-web", requires_compatibilities = { "FARGATE" },
  network_mode = "awsvpc", cpu = "256", memory = "512",
  container_definitions = { { name = "web", image = "nginx", essential = true } } })
-- AWS (and moto) register a scalable target only for a service that exists
local service = resource("aws_ecs_service", "web", { name = "web", cluster = cluster.arn, task_definition = task.arn,
  desired_count = 1, launch_type = "FARGATE",
  network_configuration = { { subnets = { a.id }, security_groups = { web.id } } } })
local target = resource("aws_appautoscaling_target", "web", { service_namespace = "ecs",
  resource_id = fmt("service/%s/%s", cluster.name, service.name), scalable_dimension = "ecs:service:DesiredCount", min_capacity = 1, max_capacity = pick(4, 6) })
resource("aws_appautoscaling_scheduled_action", "night", { name = "night", service_namespace = target.service_namespace,
  resource_id = target.resource_id, scalable_dimension = target.scalable_dimension,
  schedule = pick("cron(0 22 * * ? *)", "cron(0 23 * * ? *)"), timezone = pick("Asia/Seoul", "UTC"),
  scalable_target_action = { { min_capacity = pick(0, 1), max_capacity = pick(1, 2) } } })
resource("aws_appautoscaling_policy", "step", { name = "m-step-up", service_namespace = target.service_namespace,
  resource_id = target.resource_id, scalable_dimension = target.scalable_dimension, policy_type = "StepScaling",
  step_scaling_policy_configuration = { { adjustment_type = "ChangeInCapacity", cooldown = pick(60, 120),
    metric_aggregation_type = "Average", step_adjustment = {
      { lower_bound = 0, upper_bound = 10, scaling_adjustment = 1 },
      { lower_bound = 10, scaling_adjustment = pick(2, 3) } } } } })
local events_role = resource("aws_iam_role", "events", { name = "m-events", assume_role_policy = {
  Version = "2012-10-17", Statement = { { Effect = "Allow", Principal = { Service = "events.amazonaws.com" },
    Action = "sts:AssumeRole" } } } })
resource("aws_cloudwatch_event_target", "task", { rule = nightly.name, target_id = "task", arn = cluster.arn,
  role_arn = events_role.arn, ecs_target = { { task_definition_arn = task.arn,
    task_count = pick(1, 2), launch_type = "FARGATE",
    network_configuration = { { subnets = { a.id, b.id }, assign_public_ip = false } } } } })
resource("aws_cloudwatch_event_target", "sns", { rule = deploys.name, target_id = "sns", arn = topic.arn,
  input = { note = pick("deploy", "deployed") } })
resource("aws_cloudwatch_event_target", "sqs", { rule = deploys.name, target_id = "sqs", arn = queue.arn,
  retry_policy = { { maximum_retry_attempts = pick(3, 5) } } })
