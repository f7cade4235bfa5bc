-- aws_ecs_service: an ECS service, as Terraform's AWS provider has it;
-- declared for aws._resource. The id is the service ARN.
--
-- CreateService takes a clientToken (the create's idempotency token);
-- recover() finds a lost create by cluster and name and its token tag.
-- Right after its cluster, task definition or target group is made, AWS
-- may not see them yet (ClusterNotFoundException, ClientException,
-- InvalidParameterException): the transport retries those codes. A name
-- still held by a DRAINING namesake (deleted moments ago) is refused: the
-- create waits (ServicesInactive) and sends again. A refresh describes the
-- services of each cluster 10 a call, with tags; DRAINING and INACTIVE
-- ones are gone. cluster and task_definition keep the user's form (name or
-- ARN) while they name the same object. Every change but tags is one
-- UpdateService (with forceNewDeployment when force_new_deployment is
-- set; a change of triggers alone redeploys). capacity_provider_strategy
-- changes in place only with force_new_deployment and never from none to
-- some or back (Terraform's rule). Delete scales to 0, deletes, and waits
-- until the service is INACTIVE, so the cluster and the target group can
-- go right after. wait_for_steady_state waits (ServicesStable) after a
-- create or update.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local common = require("luaform.providers.aws._common")
local wire = require("luaform.providers.aws._wire")

local NOT_YET = { "ClusterNotFoundException", "ClientException", "InvalidParameterException" }
local STEADY_SECONDS = 1200

-- arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME
local function cluster_of(arn) return arn and arn:match(":service/([^/]+)/[^/]+$") end

-- The user's form of a reference (name, family:rev or ARN) while it names
-- the object whose ARN AWS answered.
local function same_form(arn, _, prior)
  if prior ~= nil and arn ~= nil and (prior == arn or arn:sub(-(#prior + 1)) == "/" .. prior) then return prior end
  return arn
end

-- A setting only luaform holds (AWS never answers it).
local function prior_or(default) return function(_, _, prior) if prior == nil then return default end return prior end end

-- {arn = service} of the ACTIVE services refs name in cluster.
local function describe(ctx, cluster, refs)
  local c, out = ctx:client("ecs"), {}
  for _, chunk in ipairs(common.chunks(refs, 10)) do
    local ok, res = pcall(c.DescribeServices, c, { cluster = cluster, services = chunk, include = { "TAGS" } })
    if not ok then
      if common.code(res) == "ClusterNotFoundException" then return out end
      error(res, 0)
    end
    for _, s in ipairs(res.services or {}) do
      if s.status == "ACTIVE" then out[s.serviceArn] = s end
    end
  end
  return out
end

-- A field changed in place, in the one UpdateService of an update.
local function update(spec)
  spec.set, spec.group = "UpdateService", true
  return spec
end

-- A list UpdateService leaves alone when absent: removing it sends it empty
-- (a block of max_items 1 is still a list on the wire).
local function emptied(member, spec)
  spec.wire = member
  spec.to_params = function(p, v)
    local out = wire.send(spec, v)
    if spec.max_items == 1 and out then out = { out } end
    p[member] = out or {}
  end
  return update(spec)
end

-- deploymentConfiguration is sent whole: its members are not kept apart.
local function deployment(spec)
  spec.to_params = function(p, _, a)
    local cb = (a.deployment_circuit_breaker or {})[1]
    p.deploymentConfiguration = { maximumPercent = a.deployment_maximum_percent,
      minimumHealthyPercent = a.deployment_minimum_healthy_percent,
      deploymentCircuitBreaker = cb and { enable = cb.enable, rollback = cb.rollback } or nil }
  end
  return update(spec)
end

-- Terraform's rule: a strategy changes in place only with force_new_deployment,
-- and never from none to some or back.
local function strategy_replaces(old, new, _, desired)
  local was, is = old ~= nil and #old > 0, new ~= nil and #new > 0
  return was ~= is or (was and not (desired or {}).force_new_deployment)
end

local function cluster_param(id, a) return (a or {}).cluster or cluster_of(id) or "default" end

local function steady(ctx, c, id, a)
  common.wait(ctx, c, "ServicesStable", { cluster = cluster_param(id, a), services = { id } }, STEADY_SECONDS, 2)
end

local M
M = resource.define{
  service = "ecs", description = "An ECS service.",
  identity = "service", id = "serviceArn",
  fields = {
    name = { type = "string", required = true, force_new = true, wire = "serviceName" },
    cluster = { type = "string", optional = true, computed = true, force_new = true, wire = "clusterArn",
      input = "cluster", from_wire = same_form },
    task_definition = update{ type = "string", optional = true, wire = "taskDefinition", from_wire = same_form },
    desired_count = update{ type = "number", optional = true, default = 0, wire = "desiredCount" },
    launch_type = { type = "string", optional = true, computed = true, force_new = true, wire = "launchType" },
    platform_version = update{ type = "string", optional = true, computed = true, wire = "platformVersion" },
    scheduling_strategy = { type = "string", optional = true, default = "REPLICA", force_new = true,
      wire = "schedulingStrategy" },
    capacity_provider_strategy = update{ type = "set", optional = true, wire = "capacityProviderStrategy",
      force_new = strategy_replaces,
      block = { capacity_provider = { type = "string", required = true, wire = "capacityProvider" },
                weight = { type = "number", optional = true, default = 0, wire = "weight" },
                base = { type = "number", optional = true, default = 0, wire = "base" } } },
    network_configuration = update{ type = "list", max_items = 1, optional = true,
      wire = "networkConfiguration.awsvpcConfiguration",
      block = { subnets = { type = "set", elem = "string", required = true, wire = "subnets" },
                security_groups = { type = "set", elem = "string", optional = true, wire = "securityGroups",
                  from_wire = function(v) if v and #v > 0 then return v end end },   -- [] is none
                assign_public_ip = { type = "bool", optional = true, default = false, wire = "assignPublicIp",
                  from_wire = function(v) return v == "ENABLED" end,
                  to_wire = function(v) return v and "ENABLED" or "DISABLED" end } } },
    load_balancer = emptied("loadBalancers", { type = "set", optional = true,
      block = { target_group_arn = { type = "string", optional = true, wire = "targetGroupArn" },
                elb_name = { type = "string", optional = true, wire = "loadBalancerName" },
                container_name = { type = "string", required = true, wire = "containerName" },
                container_port = { type = "number", required = true, wire = "containerPort" } } }),
    service_registries = emptied("serviceRegistries", { type = "list", max_items = 1, optional = true,
      block = { registry_arn = { type = "string", required = true, wire = "registryArn" },
                port = { type = "number", optional = true, wire = "port" },
                container_name = { type = "string", optional = true, wire = "containerName" },
                container_port = { type = "number", optional = true, wire = "containerPort" } } }),
    health_check_grace_period_seconds = update{ type = "number", optional = true,
      wire = "healthCheckGracePeriodSeconds" },
    deployment_maximum_percent = deployment{ type = "number", optional = true, default = 200,
      wire = "deploymentConfiguration.maximumPercent" },
    deployment_minimum_healthy_percent = deployment{ type = "number", optional = true, default = 100,
      wire = "deploymentConfiguration.minimumHealthyPercent" },
    deployment_circuit_breaker = deployment{ type = "list", max_items = 1, optional = true, computed = true,
      wire = "deploymentConfiguration.deploymentCircuitBreaker",
      block = { enable = { type = "bool", required = true }, rollback = { type = "bool", required = true } } },
    deployment_controller = { type = "list", max_items = 1, optional = true, computed = true, force_new = true,
      wire = "deploymentController",
      block = { type = { type = "string", optional = true, default = "ECS", wire = "type" } } },
    enable_execute_command = update{ type = "bool", optional = true, default = false, wire = "enableExecuteCommand" },
    enable_ecs_managed_tags = update{ type = "bool", optional = true, default = false, wire = "enableECSManagedTags" },
    propagate_tags = update{ type = "string", optional = true, default = "NONE", wire = "propagateTags" },
    force_new_deployment = update{ type = "bool", optional = true, default = false, from_wire = prior_or(false),
      to_params = function() end,
      description = "Every update redeploys the tasks (forceNewDeployment)." },
    triggers = update{ type = "map", elem = "string", optional = true, from_wire = prior_or(nil),
      to_params = function() end,
      description = "Arbitrary values; a change of one redeploys in place." },
    wait_for_steady_state = { type = "bool", optional = true, default = false, keep = true },
    arn = { type = "string", computed = true, wire = "serviceArn" },
  },
  -- every UpdateService names the cluster and says whether it redeploys
  group_params = { UpdateService = function(p, id, new)
    p.cluster = cluster_param(id, new)
    p.forceNewDeployment = new.force_new_deployment == true or nil
  end },
  create = { op = "CreateService", result = "service", token = "clientToken", retry_codes = NOT_YET,
    after = function(ctx, c, id, args) if args.wait_for_steady_state then steady(ctx, c, id, args) end end },
  read_many = function(ctx, ids, priors)
    local by_cluster, out = {}, {}
    for i, id in ipairs(ids) do
      local cl = cluster_of(id) or (priors[i] or {}).cluster or "default"
      by_cluster[cl] = by_cluster[cl] or {}
      table.insert(by_cluster[cl], id)
    end
    for cl, list in pairs(by_cluster) do
      for arn, s in pairs(describe(ctx, cl, list)) do out[arn] = s end
    end
    return out
  end,
  find = function(ctx, args) return (select(2, next(describe(ctx, args.cluster or "default", { args.name })))) end,
  not_visible = NOT_YET,
  not_found = { "ServiceNotFoundException", "ServiceNotActiveException", "ClusterNotFoundException" },
  delete = { op = "DeleteService", seconds = STEADY_SECONDS,
    params = function(id, a) return { cluster = cluster_param(id, a), service = id, force = true } end,
    -- drain first: scale to 0 (a daemon service has no count)
    before = function(ctx, c, id, a)
      local s = describe(ctx, cluster_param(id, a), { id })[id]
      if s and (s.desiredCount or 0) > 0 and s.schedulingStrategy ~= "DAEMON" then
        c:UpdateService{ cluster = cluster_param(id, a), service = id, desiredCount = 0 }
      end
    end,
    waiter = { "ServicesInactive", seconds = STEADY_SECONDS,
      params = function(id, a) return { cluster = cluster_param(id, a), services = { id } } end } },
  tags = tags.api{ create = "tags", form = "lower", in_object = "tags", by = "id", param = "resourceArn",
    tag = { op = "TagResource", member = "tags" }, untag = { op = "UntagResource", member = "tagKeys" } },
}

-- A namesake deleted moments ago keeps the name until it is INACTIVE:
-- an answered refusal while one drains waits for that, then sends again.
local create = M.create
function M.create(ctx, args)
  local ok, res = pcall(create, ctx, args)
  if ok then return res end
  local cluster = args.cluster or "default"
  local c = ctx:client("ecs")
  if not common.answered(res) or common.code(res) ~= "InvalidParameterException" then error(res, 0) end
  local prior = c:DescribeServices{ cluster = cluster, services = { args.name } }.services or {}
  if not (prior[1] and prior[1].status == "DRAINING") then error(res, 0) end
  ctx:log("service %s is still draining; waiting for it to be INACTIVE", args.name)
  common.wait(ctx, c, "ServicesInactive", { cluster = cluster, services = { args.name } }, STEADY_SECONDS, 2)
  return create(ctx, args)
end

local update_fields = M.update
function M.update(ctx, id, old, new)
  local a = update_fields(ctx, id, old, new)
  if new.wait_for_steady_state then steady(ctx, ctx:client("ecs"), id, new) end
  return a
end

-- Terraform's import id: CLUSTER/NAME (or the service ARN).
function M.import(ctx, id)
  local cluster, name = id:match("^([^/:]+)/([^/]+)$")
  local arn = id
  if cluster then arn = next(describe(ctx, cluster, { name })) end
  local a = arn and M.read(ctx, arn, nil)
  if not a then error("importing aws_ecs_service: no service " .. id, 0) end
  return a
end

return M
