-- The ECS options of issue 13 against the emulator: a cluster with ECS
-- Exec logging and Service Connect defaults, a task definition with a bind
-- and an EFS volume and ephemeral storage, a service on a FARGATE /
-- FARGATE_SPOT strategy with a circuit breaker, the ECS deployment
-- controller, ECS Exec, a Cloud Map registry and triggers. Created and read
-- back as declared, changed in place where Terraform changes in place,
-- replaced where it replaces, drift repaired, imported.
local aws = require("luaform.aws")

local function stack(o)
  o = o or {}
  local strategy = o.launch_type and "" or string.format([[capacity_provider_strategy = {
    { capacity_provider = "FARGATE", weight = 1, base = 1 },
    { capacity_provider = "FARGATE_SPOT", weight = %d } },]], o.spot or 3)
  return string.format([[
local vpc = resource("aws_vpc", "main", { cidr_block = "10.0.0.0/16" })
local ns = resource("aws_service_discovery_private_dns_namespace", "ns", { name = "opts.local", vpc = vpc.id })
local registry = resource("aws_service_discovery_service", "web", { name = "web",
  dns_config = { { namespace_id = ns.id, dns_records = { { ttl = 10, type = "A" } } } } })
local cluster = resource("aws_ecs_cluster", "main", { name = "opts",
  configuration = { { execute_command_configuration = { { logging = %q, log_configuration = %s } } } },
  service_connect_defaults = { { namespace = ns.arn } } })
local caps = resource("aws_ecs_cluster_capacity_providers", "main", { cluster_name = cluster.name,
  capacity_providers = { "FARGATE", "FARGATE_SPOT" } })
local td = resource("aws_ecs_task_definition", "app", { family = "opts", network_mode = "awsvpc",
  requires_compatibilities = { "FARGATE" }, cpu = "256", memory = "512",
  container_definitions = json{ { name = "app", image = "nginx", portMappings = { { containerPort = 80 } },
    mountPoints = { { sourceVolume = "shared", containerPath = "/shared" },
                    { sourceVolume = "data", containerPath = "/data" } } } },
  volume = { { name = "shared" }, { name = "data", efs_volume_configuration = { { file_system_id = "fs-1",
    transit_encryption = "ENABLED", authorization_config = { { access_point_id = "fsap-1", iam = "ENABLED" } } } } } },
  ephemeral_storage = { { size_in_gib = %d } } })
resource("aws_ecs_service", "web", { name = "web", cluster = cluster.id, task_definition = td.arn,
  desired_count = 1, network_configuration = { { subnets = { "subnet-1" } } }, %s %s
  force_new_deployment = true, triggers = { redeploy = %q },
  deployment_circuit_breaker = { { enable = true, rollback = true } },
  deployment_controller = { { type = "ECS" } }, enable_execute_command = true,
  service_registries = %s }, { depends_on = { caps } })
]], o.logging or "OVERRIDE",
    (o.logging or "OVERRIDE") == "OVERRIDE" and '{ { cloud_watch_log_group_name = "/exec" } }' or "nil",
    o.storage or 30, strategy, o.launch_type and ('launch_type = "' .. o.launch_type .. '",') or "",
    o.trigger or "1", o.registries == false and "nil" or "{ { registry_arn = registry.arn } }")
end

local FLAGS = { ["nat-delay-ms"] = 100, ["drain-delay-ms"] = 100 }

local function ecs(e)
  e:use()
  return aws.client("ecs", { region = e.region })
end

local function service(e)
  return ecs(e):DescribeServices{ cluster = "opts", services = { "web" } }.services[1]
end

local function cluster(e)
  return ecs(e):DescribeClusters{ clusters = { "opts" }, include = { "CONFIGURATIONS" } }.clusters[1]
end

-- A strategy as { provider = "weight/base" } (a set: AWS keeps the sent order).
local function strategy(list)
  local out = {}
  for _, x in ipairs(list or {}) do out[x.capacityProvider] = x.weight .. "/" .. x.base end
  return out
end


test("every option is created and read back as declared; drift is repaired; import", function()
  local e = emulator(FLAGS)
  local dir = new_stack(stack())
  e:apply(dir)
  local s = service(e)
  expect(strategy(s.capacityProviderStrategy)).to_equal({ FARGATE = "1/1", FARGATE_SPOT = "3/0" })
  expect(s.serviceRegistries[1].registryArn).to_be(attributes(dir, "aws_service_discovery_service.web").arn)
  expect(s.enableExecuteCommand).to_be(true)
  expect(s.deploymentConfiguration.deploymentCircuitBreaker).to_equal({ enable = true, rollback = true })
  local cl = cluster(e)
  expect(cl.configuration.executeCommandConfiguration.logConfiguration.cloudWatchLogGroupName).to_be("/exec")
  expect(cl.serviceConnectDefaults.namespace).to_be(attributes(dir, "aws_service_discovery_private_dns_namespace.ns").arn)
  local td = ecs(e):DescribeTaskDefinition{ taskDefinition = "opts" }.taskDefinition
  expect(td.ephemeralStorage.sizeInGiB).to_be(30)
  local volumes = {}
  for _, v in ipairs(td.volumes) do volumes[v.name] = v end
  expect(volumes.shared.host).to_equal({})
  expect(volumes.data.efsVolumeConfiguration.authorizationConfig.accessPointId).to_be("fsap-1")
  expect(select(2, e:plan(dir))).to_be(0)

  -- drift made outside luaform is planned in place and repaired
  ecs(e):UpdateService{ cluster = "opts", service = "web", enableExecuteCommand = false, forceNewDeployment = true,
    capacityProviderStrategy = { { capacityProvider = "FARGATE_SPOT", weight = 1 } } }
  ecs(e):UpdateCluster{ cluster = "opts", configuration = { executeCommandConfiguration = { logging = "NONE" } } }
  local out, code = e:plan(dir)
  expect(code).to_be(2)
  expect(out).to_contain("# aws_ecs_service.web will be updated in-place")
  expect(out).to_contain("# aws_ecs_cluster.main will be updated in-place")
  expect(out).to_contain("Plan: 0 to add, 2 to change, 0 to destroy.")
  e:apply(dir)
  expect(service(e).enableExecuteCommand).to_be(true)
  expect(strategy(service(e).capacityProviderStrategy)).to_equal({ FARGATE = "1/1", FARGATE_SPOT = "3/0" })
  expect(cluster(e).configuration.executeCommandConfiguration.logging).to_be("OVERRIDE")
  expect(select(2, e:plan(dir))).to_be(0)

  -- import by Terraform's ids: only luaform's own settings are not in AWS
  for _, i in ipairs({ { "aws_ecs_service.web", "opts/web" }, { "aws_ecs_cluster.main", "opts" },
      { "aws_ecs_task_definition.app", attributes(dir, "aws_ecs_task_definition.app").arn } }) do
    expect(select(2, e:luaform(dir, "state", "rm", i[1]))).to_be(0)
    local o, rc = e:luaform(dir, "import", i[1], i[2])
    if rc ~= 0 then print(o) end
    expect(rc).to_be(0)
  end
  out = e:plan(dir)
  expect(out).to_contain("force_new_deployment = false -> true")
  expect(out).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
end)

test("in place where Terraform updates, replaced where it replaces", function()
  local e = emulator(FLAGS)
  local dir = new_stack(stack())
  e:apply(dir)
  local arn, deployment = attributes(dir, "aws_ecs_service.web").arn, service(e).deployments[1].id
  local td = attributes(dir, "aws_ecs_task_definition.app").arn
  write(dir .. "/main.lua", stack{ spot = 2, logging = "DEFAULT", trigger = "2", registries = false })
  local out, code = e:plan(dir)
  if code ~= 2 then print(out) end
  expect(code).to_be(2)
  expect(out).to_contain("Plan: 0 to add, 2 to change, 0 to destroy.")
  e:apply(dir)
  local s = service(e)
  expect(s.serviceArn).to_be(arn)
  expect(strategy(s.capacityProviderStrategy)).to_equal({ FARGATE = "1/1", FARGATE_SPOT = "2/0" })
  expect(s.serviceRegistries).to_equal({})
  expect(s.deployments[1].id ~= deployment).to_be(true)   -- the trigger redeployed
  expect(cluster(e).configuration.executeCommandConfiguration.logConfiguration).to_be_nil()
  expect(select(2, e:plan(dir))).to_be(0)

  -- a task definition's storage makes a new revision; a service leaving
  -- its strategy for a launch type is a new service
  write(dir .. "/main.lua", stack{ spot = 2, logging = "DEFAULT", trigger = "2", registries = false,
    storage = 40, launch_type = "FARGATE" })
  out = e:plan(dir)
  expect(out).to_contain("# aws_ecs_task_definition.app must be replaced")
  expect(out).to_contain("# aws_ecs_service.web must be replaced")
  e:apply(dir)
  expect(attributes(dir, "aws_ecs_task_definition.app").arn ~= td).to_be(true)
  expect(service(e).launchType).to_be("FARGATE")
  expect(select(2, e:plan(dir))).to_be(0)
end)
