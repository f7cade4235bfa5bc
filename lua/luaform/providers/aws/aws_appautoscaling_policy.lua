-- aws_appautoscaling_policy: a scaling policy of a scalable target.
--
-- The id is the policy name. PutScalingPolicy is an upsert: create and
-- update are the same call, a lost create is recovered by reading it back.
-- A refresh describes the policies of each namespace in one
-- DescribeScalingPolicies (names in chunks of 50). Supports target
-- tracking with a predefined or customized metric, and step scaling.
local ecs = require("luaform.providers.aws._ecs")

local M = {}

local STEP = { lower_bound = { type = "number", optional = true }, upper_bound = { type = "number", optional = true },
  scaling_adjustment = { type = "number", required = true } }

M.schema = {
  name = { type = "string", required = true, force_new = true },
  service_namespace = { type = "string", required = true, force_new = true },
  resource_id = { type = "string", required = true, force_new = true },
  scalable_dimension = { type = "string", required = true, force_new = true },
  policy_type = { type = "string", optional = true, default = "StepScaling" },
  target_tracking_scaling_policy_configuration = { type = "list", max_items = 1, optional = true, block = {
    target_value = { type = "number", required = true },
    disable_scale_in = { type = "bool", optional = true, default = false },
    scale_in_cooldown = { type = "number", optional = true, computed = true },
    scale_out_cooldown = { type = "number", optional = true, computed = true },
    predefined_metric_specification = { type = "list", max_items = 1, optional = true, block = {
      predefined_metric_type = { type = "string", required = true },
      resource_label = { type = "string", optional = true } } },
    customized_metric_specification = { type = "list", max_items = 1, optional = true, block = {
      metric_name = { type = "string", required = true }, namespace = { type = "string", required = true },
      statistic = { type = "string", required = true }, unit = { type = "string", optional = true },
      dimensions = { type = "list", optional = true, block = {
        name = { type = "string", required = true }, value = { type = "string", required = true } } } } },
  } },
  step_scaling_policy_configuration = { type = "list", max_items = 1, optional = true, block = {
    adjustment_type = { type = "string", optional = true },
    cooldown = { type = "number", optional = true },
    metric_aggregation_type = { type = "string", optional = true },
    min_adjustment_magnitude = { type = "number", optional = true },
    step_adjustment = { type = "set", optional = true, block = STEP } } },
  arn = { type = "string", computed = true },
  alarm_arns = { type = "list", elem = "string", computed = true },
}

local function client(ctx) return ecs.client(ctx, "application-autoscaling") end

local function first(l) return l and l[1] end

-- Terraform's blocks -> the API's structures, and back.
local function tt_to_aws(b)
  if not b then return nil end
  local out = { TargetValue = b.target_value, DisableScaleIn = b.disable_scale_in,
    ScaleInCooldown = b.scale_in_cooldown, ScaleOutCooldown = b.scale_out_cooldown }
  local p = first(b.predefined_metric_specification)
  if p then out.PredefinedMetricSpecification = { PredefinedMetricType = p.predefined_metric_type, ResourceLabel = p.resource_label } end
  local cm = first(b.customized_metric_specification)
  if cm then
    local dims = {}
    for _, d in ipairs(cm.dimensions or {}) do dims[#dims + 1] = { Name = d.name, Value = d.value } end
    out.CustomizedMetricSpecification = { MetricName = cm.metric_name, Namespace = cm.namespace,
      Statistic = cm.statistic, Unit = cm.unit, Dimensions = #dims > 0 and dims or nil }
  end
  return out
end

local function step_to_aws(b)
  if not b then return nil end
  local steps = {}
  for _, s in ipairs(b.step_adjustment or {}) do
    steps[#steps + 1] = { MetricIntervalLowerBound = s.lower_bound, MetricIntervalUpperBound = s.upper_bound,
      ScalingAdjustment = s.scaling_adjustment }
  end
  return { AdjustmentType = b.adjustment_type, Cooldown = b.cooldown, MetricAggregationType = b.metric_aggregation_type,
    MinAdjustmentMagnitude = b.min_adjustment_magnitude, StepAdjustments = steps }
end

local function attributes(p)
  local tt, step
  local t = p.TargetTrackingScalingPolicyConfiguration
  if t then
    local pm, cm = t.PredefinedMetricSpecification, t.CustomizedMetricSpecification
    local dims
    if cm and cm.Dimensions then
      dims = {}
      for _, d in ipairs(cm.Dimensions) do dims[#dims + 1] = { name = d.Name, value = d.Value } end
    end
    tt = { {
      target_value = t.TargetValue, disable_scale_in = t.DisableScaleIn or false,
      scale_in_cooldown = t.ScaleInCooldown, scale_out_cooldown = t.ScaleOutCooldown,
      predefined_metric_specification = pm and { { predefined_metric_type = pm.PredefinedMetricType,
        resource_label = pm.ResourceLabel } } or nil,
      customized_metric_specification = cm and { { metric_name = cm.MetricName, namespace = cm.Namespace,
        statistic = cm.Statistic, unit = cm.Unit, dimensions = dims } } or nil,
    } }
  end
  local s = p.StepScalingPolicyConfiguration
  if s then
    local steps = {}
    for _, a in ipairs(s.StepAdjustments or {}) do
      steps[#steps + 1] = { lower_bound = a.MetricIntervalLowerBound, upper_bound = a.MetricIntervalUpperBound,
        scaling_adjustment = a.ScalingAdjustment }
    end
    step = { { adjustment_type = s.AdjustmentType, cooldown = s.Cooldown, metric_aggregation_type = s.MetricAggregationType,
      min_adjustment_magnitude = s.MinAdjustmentMagnitude, step_adjustment = steps } }
  end
  local alarms = {}
  for _, a in ipairs(p.Alarms or {}) do alarms[#alarms + 1] = a.AlarmARN end
  local attrs = {
    id = p.PolicyName, name = p.PolicyName, service_namespace = p.ServiceNamespace, resource_id = p.ResourceId,
    scalable_dimension = p.ScalableDimension, policy_type = p.PolicyType, arn = p.PolicyARN, alarm_arns = alarms,
    target_tracking_scaling_policy_configuration = tt, step_scaling_policy_configuration = step,
  }
  return require("luaform.providers.aws._common").finish(M, attrs)
end

local function describe(ctx, ns, names)
  local c = client(ctx)
  local out = {}
  for i = 1, #names, 50 do
    local params = { ServiceNamespace = ns, PolicyNames = { table.unpack(names, i, math.min(i + 49, #names)) } }
    while true do
      local page = c:DescribeScalingPolicies(params)
      for _, p in ipairs(page.ScalingPolicies or {}) do
        out[p.ResourceId .. "|" .. p.ScalableDimension .. "|" .. p.PolicyName] = p
      end
      if not page.NextToken or page.NextToken == "" then break end
      params.NextToken = page.NextToken
    end
  end
  return out
end

local function key_of(a, name) return a.resource_id .. "|" .. a.scalable_dimension .. "|" .. name end

function M.read_batch(ctx, ids, entries)
  local by_ns, out = {}, {}
  for i, id in ipairs(ids) do
    local a = entries[i].entry.attributes
    local b = by_ns[a.service_namespace] or { names = {}, seen = {}, want = {} }
    by_ns[a.service_namespace] = b
    if not b.seen[id] then b.seen[id] = true; b.names[#b.names + 1] = id end
    b.want[#b.want + 1] = { id = id, key = key_of(a, id) }
  end
  for ns, b in pairs(by_ns) do
    local found = describe(ctx, ns, b.names)
    for _, w in ipairs(b.want) do if found[w.key] then out[w.id] = attributes(found[w.key]) end end
  end
  return out
end

function M.read(ctx, id, prior)
  local p = describe(ctx, prior.service_namespace, { id })[key_of(prior, id)]
  return p and attributes(p) or nil
end

local function put(ctx, args)
  local c = client(ctx)
  ecs.retry(ctx, 120, { "ObjectNotFoundException", "FailedResourceAccessException" }, function()
    return c:PutScalingPolicy{ PolicyName = args.name, ServiceNamespace = args.service_namespace,
      ResourceId = args.resource_id, ScalableDimension = args.scalable_dimension, PolicyType = args.policy_type,
      TargetTrackingScalingPolicyConfiguration = tt_to_aws(first(args.target_tracking_scaling_policy_configuration)),
      StepScalingPolicyConfiguration = step_to_aws(first(args.step_scaling_policy_configuration)) }
  end)
  return ecs.wait(ctx, 60, 1, "scaling policy " .. args.name, function() return M.read(ctx, args.name, args) end)
end

function M.create(ctx, args) return put(ctx, args) end

function M.update(ctx, _, _, new) return put(ctx, new) end

function M.delete(ctx, id, attrs)
  local c = client(ctx)
  local ok, err = ecs.try(c.DeleteScalingPolicy, c, { PolicyName = id, ServiceNamespace = attrs.service_namespace,
    ResourceId = attrs.resource_id, ScalableDimension = attrs.scalable_dimension })
  if not ok and not ecs.is(err, "ObjectNotFoundException") then error(err, 0) end
end

-- Terraform's import id: NAMESPACE/RESOURCE_ID/DIMENSION/NAME
function M.import(ctx, id)
  local ns, rest = id:match("^([^/]+)/(.+)$")
  local rid, dim, name = (rest or ""):match("^(.+)/([^/]+)/([^/]+)$")
  if not rid then error('import id must be "NAMESPACE/RESOURCE_ID/DIMENSION/NAME", got "' .. id .. '"', 0) end
  return M.read(ctx, name, { service_namespace = ns, resource_id = rid, scalable_dimension = dim })
end

function M.recover(ctx, pending)
  local a = pending.args
  if not a then return nil end
  return M.read(ctx, a.name, a)
end

return M
