-- aws_ecs_service: an ECS service, as Terraform's AWS provider has it.
--
-- The id is the service ARN. CreateService takes a clientToken (the
-- create's idempotency token), so a retried create returns the same
-- service; recover() finds it by name. A name still held by a DRAINING
-- service (deleted moments ago, by hand or by a replace) is refused by
-- CreateService; the create then waits for that service to be INACTIVE
-- and sends again. A refresh describes the services
-- of each cluster in DescribeServices calls of 10 (with tags); DRAINING
-- and INACTIVE services are gone. cluster and task_definition may be
-- written as names or ARNs: a read that names the same object keeps the
-- user's form. Updates go through one UpdateService (a new task
-- definition, desired count, network, load balancers, deployment
-- settings, force_new_deployment); wait_for_steady_state waits for one
-- deployment with every task running. Delete scales to 0, deletes, and
-- waits until the service is INACTIVE, so the cluster and the target
-- group can go right after.
local ecs = require("luaform.providers.aws._ecs")

local M = {}

M.schema = {
  name = { type = "string", required = true, force_new = true },
  cluster = { type = "string", optional = true, computed = true, force_new = true },
  task_definition = { type = "string", optional = true },
  desired_count = { type = "number", optional = true, default = 0 },
  launch_type = { type = "string", optional = true, computed = true, force_new = true },
  platform_version = { type = "string", optional = true, computed = true },
  scheduling_strategy = { type = "string", optional = true, default = "REPLICA", force_new = true },
  network_configuration = { type = "list", max_items = 1, optional = true,
    block = { subnets = { type = "set", elem = "string", required = true },
              security_groups = { type = "set", elem = "string", optional = true },
              assign_public_ip = { type = "bool", optional = true, default = false } } },
  load_balancer = { type = "set", optional = true,
    block = { target_group_arn = { type = "string", optional = true },
              elb_name = { type = "string", optional = true },
              container_name = { type = "string", required = true },
              container_port = { type = "number", required = true } } },
  health_check_grace_period_seconds = { type = "number", optional = true },
  deployment_maximum_percent = { type = "number", optional = true, default = 200 },
  deployment_minimum_healthy_percent = { type = "number", optional = true, default = 100 },
  deployment_circuit_breaker = { type = "list", max_items = 1, optional = true, computed = true,
    block = { enable = { type = "bool", required = true }, rollback = { type = "bool", required = true } } },
  enable_execute_command = { type = "bool", optional = true, default = false },
  enable_ecs_managed_tags = { type = "bool", optional = true, default = false },
  propagate_tags = { type = "string", optional = true, default = "NONE" },
  force_new_deployment = { type = "bool", optional = true, default = false },
  wait_for_steady_state = { type = "bool", optional = true, default = false },
  tags = { type = "map", elem = "string", optional = true },
  tags_all = { type = "map", elem = "string", computed = true, derived_from = "tags" },
  arn = { type = "string", computed = true },
}

local function client(ctx) return ecs.client(ctx, "ecs") end

-- Does `ref` (a name, family:rev or ARN) name the object whose ARN is arn?
local function names(ref, arn)
  if ref == nil or arn == nil then return ref == arn end
  if ref == arn then return true end
  return arn:sub(-(#ref + 1)) == "/" .. ref
end

local function sorted(list)
  local out = {}
  for i, x in ipairs(list or {}) do out[i] = x end
  if #out == 0 then return nil end
  table.sort(out)
  return out
end

local function attributes(ctx, s, prior)
  prior = prior or {}
  local own, all = ecs.split_tags(ctx, ecs.from_list(s.tags, "key", "value"))
  local net
  local vpc = s.networkConfiguration and s.networkConfiguration.awsvpcConfiguration
  if vpc then
    net = { { subnets = sorted(vpc.subnets), security_groups = sorted(vpc.securityGroups),
      assign_public_ip = vpc.assignPublicIp == "ENABLED" } }
  end
  local lbs = {}
  for _, lb in ipairs(s.loadBalancers or {}) do
    lbs[#lbs + 1] = { target_group_arn = lb.targetGroupArn, elb_name = lb.loadBalancerName,
      container_name = lb.containerName, container_port = lb.containerPort }
  end
  lbs = require("luaform.schema").normalize(M.schema.load_balancer, lbs)
  local dc = s.deploymentConfiguration or {}
  local cb = dc.deploymentCircuitBreaker
  local cluster = names(prior.cluster, s.clusterArn) and prior.cluster or s.clusterArn
  local td = names(prior.task_definition, s.taskDefinition) and prior.task_definition or s.taskDefinition
  return {
    id = s.serviceArn, arn = s.serviceArn, name = s.serviceName, cluster = cluster,
    task_definition = td, desired_count = s.desiredCount, launch_type = s.launchType,
    platform_version = s.platformVersion, scheduling_strategy = s.schedulingStrategy,
    network_configuration = net, load_balancer = lbs,
    health_check_grace_period_seconds = s.healthCheckGracePeriodSeconds,
    deployment_maximum_percent = dc.maximumPercent, deployment_minimum_healthy_percent = dc.minimumHealthyPercent,
    deployment_circuit_breaker = cb and { { enable = cb.enable, rollback = cb.rollback } } or nil,
    enable_execute_command = s.enableExecuteCommand or false,
    enable_ecs_managed_tags = s.enableECSManagedTags or false,
    propagate_tags = s.propagateTags or "NONE",
    force_new_deployment = prior.force_new_deployment or false,
    wait_for_steady_state = prior.wait_for_steady_state or false,
    tags = own, tags_all = all,
  }
end

local function cluster_of(arn)
  -- arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME
  return arn:match(":service/([^/]+)/[^/]+$")
end

-- Services (by ARN) of one cluster; DRAINING/INACTIVE ones are left out.
local function describe(ctx, cluster, refs)
  local c = client(ctx)
  local out = {}
  for i = 1, #refs, 10 do
    local chunk = { table.unpack(refs, i, math.min(i + 9, #refs)) }
    local ok, res = ecs.try(c.DescribeServices, c, { cluster = cluster, services = chunk, include = { "TAGS" } })
    if not ok then
      if ecs.is(res, "ClusterNotFoundException") then return out end
      error(res, 0)
    end
    for _, s in ipairs(res.services or {}) do
      if s.status == "ACTIVE" then out[s.serviceArn] = s end
    end
  end
  return out
end

function M.read_batch(ctx, ids, entries)
  local by_cluster, priors, out = {}, {}, {}
  for i, id in ipairs(ids) do
    local prior = entries[i].entry.attributes
    priors[id] = prior
    local cl = prior.cluster or cluster_of(id)
    by_cluster[cl] = by_cluster[cl] or {}
    table.insert(by_cluster[cl], id)
  end
  for cl, list in pairs(by_cluster) do
    for arn, s in pairs(describe(ctx, cl, list)) do out[arn] = attributes(ctx, s, priors[arn]) end
  end
  return out
end

function M.read(ctx, id, prior)
  local s = describe(ctx, (prior and prior.cluster) or cluster_of(id), { id })[id]
  return s and attributes(ctx, s, prior) or nil
end

local function network(args)
  local n = args.network_configuration and args.network_configuration[1]
  if not n then return nil end
  return { awsvpcConfiguration = { subnets = n.subnets, securityGroups = n.security_groups,
    assignPublicIp = n.assign_public_ip and "ENABLED" or "DISABLED" } }
end

local function load_balancers(args)
  if not args.load_balancer then return nil end
  local out = {}
  for _, lb in ipairs(args.load_balancer) do
    out[#out + 1] = { targetGroupArn = lb.target_group_arn, loadBalancerName = lb.elb_name,
      containerName = lb.container_name, containerPort = lb.container_port }
  end
  return out
end

local function deployment(args)
  local cb = args.deployment_circuit_breaker and args.deployment_circuit_breaker[1]
  return { maximumPercent = args.deployment_maximum_percent,
    minimumHealthyPercent = args.deployment_minimum_healthy_percent,
    deploymentCircuitBreaker = cb and { enable = cb.enable, rollback = cb.rollback } or nil }
end

local function steady(ctx, cluster, arn)
  ecs.wait(ctx, 1200, 2, "service " .. arn .. " to reach a steady state", function()
    local res = client(ctx):DescribeServices{ cluster = cluster, services = { arn } }
    local s = res.services and res.services[1]
    if not s then return nil end
    return #(s.deployments or {}) == 1 and s.runningCount == s.desiredCount
  end)
end

-- Errors of a create that eventual consistency explains (a cluster, task
-- definition, role or target group made moments ago).
local function not_yet(e)
  if ecs.is(e, "ClusterNotFoundException") then return true end
  local msg = type(e) == "table" and tostring(e.message or "") or ""
  return ecs.is(e, "ClientException", "InvalidParameterException")
    and (msg:find("Unable to describe task definition", 1, true) or msg:find("assume", 1, true)
      or msg:find("does not have an associated load balancer", 1, true)) ~= nil
end

-- CreateService's answer while a service of the same name, deleted
-- moments ago (by hand, or by a replace), still drains its tasks: the
-- name is free again once that service is INACTIVE.
local function draining(e)
  local msg = type(e) == "table" and tostring(e.message or "") or ""
  return ecs.is(e, "InvalidParameterException") and msg:find("still Draining", 1, true) ~= nil
end

-- Waits (at most as long as a delete waits) until the service `name` of
-- `cluster` is no longer DRAINING.
local function drained(ctx, cluster, name)
  local c = client(ctx)
  ecs.wait(ctx, 1200, 2, "the deleted service " .. name .. " to finish draining", function()
    local ok, res = ecs.try(c.DescribeServices, c, { cluster = cluster, services = { name } })
    if not ok then
      if ecs.is(res, "ClusterNotFoundException") then return true end
      error(res, 0)
    end
    local x = res.services and res.services[1]
    return x == nil or x.status ~= "DRAINING"
  end)
end

-- CreateService, retried while eventual consistency explains its error,
-- and sent again once a draining namesake has gone INACTIVE.
local function create_service(ctx, params)
  local c = client(ctx)
  local function send() return c:CreateService(params) end
  local ok, res = pcall(ecs.retry, ctx, 120, not_yet, send)
  if ok then return res end
  if not draining(res) then error(res, 0) end
  ctx:log("service %s is still draining; waiting for it to be INACTIVE", params.serviceName)
  drained(ctx, params.cluster, params.serviceName)
  return ecs.retry(ctx, 120, function(e) return not_yet(e) or draining(e) end, send)
end

function M.create(ctx, args)
  local params = {
    serviceName = args.name, cluster = args.cluster, taskDefinition = args.task_definition,
    desiredCount = args.desired_count, launchType = args.launch_type, platformVersion = args.platform_version,
    schedulingStrategy = args.scheduling_strategy, networkConfiguration = network(args),
    loadBalancers = load_balancers(args), healthCheckGracePeriodSeconds = args.health_check_grace_period_seconds,
    deploymentConfiguration = deployment(args), enableExecuteCommand = args.enable_execute_command,
    enableECSManagedTags = args.enable_ecs_managed_tags, propagateTags = args.propagate_tags,
    clientToken = ctx.token, tags = ecs.to_list(ecs.tags_all(ctx, args.tags), "key", "value"),
  }
  if next(params.tags) == nil then params.tags = nil end
  local res = create_service(ctx, params)
  local s = res.service
  return ecs.created(s.serviceArn, function()
    if args.wait_for_steady_state then steady(ctx, s.clusterArn, s.serviceArn) end
    return ecs.wait(ctx, 60, 1, "service " .. s.serviceArn .. " to be visible", function()
      return M.read(ctx, s.serviceArn, args)
    end)
  end)
end

function M.update(ctx, id, old, new)
  local c = client(ctx)
  local values = require("luaform.values")
  local p = { cluster = old.cluster, service = id }
  local any = false
  local function set(k, v) p[k] = v; any = true end
  if new.task_definition ~= old.task_definition then set("taskDefinition", new.task_definition) end
  if new.desired_count ~= old.desired_count then set("desiredCount", new.desired_count) end
  if not values.deep_equal(new.network_configuration, old.network_configuration) then
    set("networkConfiguration", network(new))
  end
  if not values.deep_equal(new.load_balancer, old.load_balancer) then set("loadBalancers", load_balancers(new) or {}) end
  if new.health_check_grace_period_seconds ~= old.health_check_grace_period_seconds then
    set("healthCheckGracePeriodSeconds", new.health_check_grace_period_seconds)
  end
  if new.deployment_maximum_percent ~= old.deployment_maximum_percent
    or new.deployment_minimum_healthy_percent ~= old.deployment_minimum_healthy_percent
    or not values.deep_equal(new.deployment_circuit_breaker, old.deployment_circuit_breaker) then
    set("deploymentConfiguration", deployment(new))
  end
  if new.platform_version ~= old.platform_version and new.platform_version then set("platformVersion", new.platform_version) end
  if new.enable_execute_command ~= old.enable_execute_command then set("enableExecuteCommand", new.enable_execute_command) end
  if new.propagate_tags ~= old.propagate_tags then set("propagateTags", new.propagate_tags) end
  if new.enable_ecs_managed_tags ~= old.enable_ecs_managed_tags then set("enableECSManagedTags", new.enable_ecs_managed_tags) end
  if new.force_new_deployment and any then p.forceNewDeployment = true end
  if any then ecs.retry(ctx, 120, not_yet, function() return c:UpdateService(p) end) end
  local set_tags, remove = ecs.tag_changes(old.tags_all, ecs.tags_all(ctx, new.tags))
  if next(set_tags) then c:TagResource{ resourceArn = id, tags = ecs.to_list(set_tags, "key", "value") } end
  if #remove > 0 then c:UntagResource{ resourceArn = id, tagKeys = remove } end
  if new.wait_for_steady_state then steady(ctx, old.cluster, id) end
  local prior = {}
  for k, v in pairs(new) do prior[k] = v end
  return M.read(ctx, id, prior)
end

function M.delete(ctx, id, attrs)
  local c = client(ctx)
  local cluster = attrs and attrs.cluster or cluster_of(id)
  local s = describe(ctx, cluster, { id })[id]
  if s then
    if (s.desiredCount or 0) > 0 and s.schedulingStrategy ~= "DAEMON" then
      c:UpdateService{ cluster = cluster, service = id, desiredCount = 0 }
    end
    local ok, err = ecs.try(c.DeleteService, c, { cluster = cluster, service = id, force = true })
    if not ok and not ecs.is(err, "ServiceNotFoundException", "ServiceNotActiveException", "ClusterNotFoundException") then
      error(err, 0)
    end
  end
  ecs.wait(ctx, 1200, 1, "service " .. id .. " to be INACTIVE", function()
    local ok, res = ecs.try(c.DescribeServices, c, { cluster = cluster, services = { id } })
    if not ok then return ecs.is(res, "ClusterNotFoundException") end
    local x = res.services and res.services[1]
    return x == nil or x.status == "INACTIVE"
  end)
end

function M.import(ctx, id)
  -- "CLUSTER/NAME" (Terraform's form) or the service ARN
  local cluster, name = id:match("^([^/:]+)/([^/]+)$")
  if cluster then
    local _, x = next(describe(ctx, cluster, { name }))
    return x and attributes(ctx, x, nil) or nil
  end
  return M.read(ctx, id, nil)
end

function M.recover(ctx, pending)
  local a = pending.args
  if not a then return nil end
  local _, s = next(describe(ctx, a.cluster or "default", { a.name }))
  return s and attributes(ctx, s, a) or nil
end

return M
