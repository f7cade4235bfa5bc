-- The ECS options of issues 13 and 14, for scripts/moto-compare.sh (not
-- run by `make test`): a cluster with ECS Exec logging and Service Connect
-- defaults; a task definition with a bind and an EFS volume and ephemeral
-- storage; a service on a FARGATE / FARGATE_SPOT strategy with the ECS
-- deployment controller, a Cloud Map registry and triggers; and
-- stdlib.service with fargate_spot_weight and discovery_namespace_id
-- behind stdlib.lb. Region and endpoint come from the script's
-- environment; -var changed=true changes updatable arguments (the
-- script's second apply).
local changed = var("changed", { type = "bool", default = false })
local function pick(before, after) if changed then return after end return before end

local vpc = resource("aws_vpc", "main", { cidr_block = "10.6.0.0/16" })
resource("aws_internet_gateway", "main", { vpc_id = vpc.id })
local a = resource("aws_subnet", "a", { vpc_id = vpc.id, cidr_block = "10.6.1.0/24", availability_zone = "us-east-1a" })
local b = resource("aws_subnet", "b", { vpc_id = vpc.id, cidr_block = "10.6.2.0/24", availability_zone = "us-east-1b" })
local ns = resource("aws_service_discovery_private_dns_namespace", "ns", { name = "o.internal", vpc = vpc.id })
local registry = resource("aws_service_discovery_service", "web", { name = "web",
  dns_config = { { namespace_id = ns.id, dns_records = { { ttl = 10, type = "A" } } } } })
local cluster = resource("aws_ecs_cluster", "main", { name = "o-opts",
  configuration = { { execute_command_configuration = { { logging = pick("OVERRIDE", "DEFAULT"),
    log_configuration = pick({ { cloud_watch_log_group_name = "/exec" } }, nil) } } } },
  service_connect_defaults = { { namespace = ns.arn } } })
local caps = resource("aws_ecs_cluster_capacity_providers", "main", { cluster_name = cluster.name,
  capacity_providers = { "FARGATE", "FARGATE_SPOT" } })
local td = resource("aws_ecs_task_definition", "app", { family = "o-opts", network_mode = "awsvpc",
  requires_compatibilities = { "FARGATE" }, cpu = "256", memory = "512",
  container_definitions = json{ { name = "app", image = "nginx", portMappings = { { containerPort = 80 } },
    mountPoints = { { sourceVolume = "shared", containerPath = "/shared" },
                    { sourceVolume = "data", containerPath = "/data" } } } },
  volume = { { name = "shared" }, { name = "data", efs_volume_configuration = { { file_system_id = "fs-1",
    transit_encryption = "ENABLED", authorization_config = { { access_point_id = "fsap-1", iam = "ENABLED" } } } } } },
  ephemeral_storage = { { size_in_gib = 30 } } })
resource("aws_ecs_service", "web", { name = "web", cluster = cluster.id, task_definition = td.arn,
  -- security_groups: moto's CreateService fails (500, KeyError) without them; AWS takes the VPC's default
  desired_count = 1, network_configuration = { { subnets = { a.id }, security_groups = { vpc.default_security_group_id } } },
  capacity_provider_strategy = { { capacity_provider = "FARGATE", weight = 1, base = 1 },
    { capacity_provider = "FARGATE_SPOT", weight = pick(3, 2) } },
  force_new_deployment = true, triggers = { redeploy = pick("1", "2") },
  deployment_circuit_breaker = { { enable = true, rollback = true } },
  -- enable_execute_command left at false: moto has no ECS Exec (README)
  deployment_controller = { { type = "ECS" } },
  service_registries = { { registry_arn = registry.arn } } }, { depends_on = { caps } })

-- the reference platform's modules with FARGATE_SPOT and service discovery on
local alb = module("lb", require("stdlib.lb"), { name = "o-alb", vpc_id = vpc.id, public_subnet_ids = { a.id, b.id },
  listener_port = 8080 })
module("service", require("stdlib.service"), { name = "o-base", vpc_id = vpc.id, private_subnet_ids = { a.id, b.id },
  alb_arn = alb.alb_arn, alb_sg_id = alb.alb_sg_id, region = "us-east-1", desired_count = 1, min_capacity = 1,
  max_capacity = 2, fargate_spot_weight = pick(3, 1), discovery_namespace_id = ns.id })
