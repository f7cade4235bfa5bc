-- aws_appautoscaling_policy: a scaling policy of Application Auto Scaling
-- (target tracking or step scaling), as Terraform's; declared for
-- aws._resource. The id is the policy name.
--
-- PutScalingPolicy both creates and updates (every setting changes in
-- place, one call with the whole policy); it is idempotent. The nested
-- configuration blocks map to the API's shapes by their fields' wire
-- names. A refresh makes one DescribeScalingPolicies per namespace for up
-- to 50 names.
local resource = require("luaform.providers.aws._resource")
local common = require("luaform.providers.aws._common")
local wire = require("luaform.providers.aws._wire")

local NOT_YET = { "ObjectNotFoundException", "FailedResourceAccessException" }

local function w(member, spec) spec.wire = member; return spec end

local TARGET_TRACKING = {
  target_value = w("TargetValue", { type = "number", required = true }),
  disable_scale_in = w("DisableScaleIn", { type = "bool", optional = true, default = false }),
  scale_in_cooldown = w("ScaleInCooldown", { type = "number", optional = true, computed = true }),
  scale_out_cooldown = w("ScaleOutCooldown", { type = "number", optional = true, computed = true }),
  predefined_metric_specification = w("PredefinedMetricSpecification", { type = "list", max_items = 1,
    optional = true, block = {
      predefined_metric_type = w("PredefinedMetricType", { type = "string", required = true }),
      resource_label = w("ResourceLabel", { type = "string", optional = true }) } }),
  customized_metric_specification = w("CustomizedMetricSpecification", { type = "list", max_items = 1,
    optional = true, block = {
      metric_name = w("MetricName", { type = "string", required = true }),
      namespace = w("Namespace", { type = "string", required = true }),
      statistic = w("Statistic", { type = "string", required = true }),
      unit = w("Unit", { type = "string", optional = true }),
      dimensions = w("Dimensions", { type = "list", optional = true, block = {
        name = w("Name", { type = "string", required = true }),
        value = w("Value", { type = "string", required = true }) } }) } }),
}

local STEP_SCALING = {
  adjustment_type = w("AdjustmentType", { type = "string", optional = true }),
  cooldown = w("Cooldown", { type = "number", optional = true }),
  metric_aggregation_type = w("MetricAggregationType", { type = "string", optional = true }),
  min_adjustment_magnitude = w("MinAdjustmentMagnitude", { type = "number", optional = true }),
  step_adjustment = w("StepAdjustments", { type = "set", optional = true, block = {
    lower_bound = w("MetricIntervalLowerBound", { type = "number", optional = true }),
    upper_bound = w("MetricIntervalUpperBound", { type = "number", optional = true }),
    scaling_adjustment = w("ScalingAdjustment", { type = "number", required = true }) } }),
}

local function key_of(a, name) return a.resource_id .. "|" .. a.scalable_dimension .. "|" .. name end

local PUT = "PutScalingPolicy"

local M = resource.define{
  service = "application-autoscaling", description = "A scaling policy of Application Auto Scaling.",
  id = "PolicyName",
  fields = {
    name = { type = "string", required = true, force_new = true, wire = "PolicyName" },
    service_namespace = { type = "string", required = true, force_new = true, wire = "ServiceNamespace" },
    resource_id = { type = "string", required = true, force_new = true, wire = "ResourceId" },
    scalable_dimension = { type = "string", required = true, force_new = true, wire = "ScalableDimension" },
    policy_type = { type = "string", optional = true, default = "StepScaling", wire = "PolicyType", set = PUT },
    target_tracking_scaling_policy_configuration = { type = "list", max_items = 1, optional = true, set = PUT,
      wire = "TargetTrackingScalingPolicyConfiguration", block = TARGET_TRACKING },
    step_scaling_policy_configuration = { type = "list", max_items = 1, optional = true, set = PUT,
      wire = "StepScalingPolicyConfiguration", block = STEP_SCALING },
    arn = { type = "string", computed = true, wire = "PolicyARN" },
    alarm_arns = { type = "list", elem = "string", computed = true, wire = "Alarms",
      from_wire = function(v)
        local out = {}
        for _, a in ipairs(v or {}) do out[#out + 1] = a.AlarmARN end
        return out
      end },
  },
  create = { op = PUT, idempotent = true, read_back = true, retry_codes = NOT_YET,
    id = function(_, args) return args.name end },
  -- one DescribeScalingPolicies per namespace of the state
  read_many = function(ctx, ids, priors)
    local c, by_ns, out = ctx:client("application-autoscaling"), {}, {}
    for i, id in ipairs(ids) do
      local p = priors[i] or {}
      if p.service_namespace then
        local b = by_ns[p.service_namespace] or { names = {}, keys = {} }
        by_ns[p.service_namespace] = b
        b.names[#b.names + 1], b.keys[key_of(p, id)] = id, true
      end
    end
    for ns, b in pairs(by_ns) do
      for _, chunk in ipairs(common.chunks(b.names, 50)) do
        for _, p in ipairs(c:collect("DescribeScalingPolicies", { ServiceNamespace = ns, PolicyNames = chunk })) do
          if b.keys[p.ResourceId .. "|" .. p.ScalableDimension .. "|" .. p.PolicyName] then out[p.PolicyName] = p end
        end
      end
    end
    return out
  end,
  find_id = function(args) return args.name end,
  not_found = { "ObjectNotFoundException" },
  delete = { op = "DeleteScalingPolicy", params = function(id, a)
    return { PolicyName = id, ServiceNamespace = a.service_namespace, ResourceId = a.resource_id,
      ScalableDimension = a.scalable_dimension }
  end },
}

-- One PutScalingPolicy with the whole policy.
function M.update(ctx, id, _, new)
  local c = ctx:client("application-autoscaling")
  local p = { PolicyName = id, ServiceNamespace = new.service_namespace, ResourceId = new.resource_id,
    ScalableDimension = new.scalable_dimension, PolicyType = new.policy_type }
  for _, k in ipairs({ "target_tracking_scaling_policy_configuration", "step_scaling_policy_configuration" }) do
    p[M.schema[k].wire] = wire.send(M.schema[k], new[k], new)
  end
  c[PUT](c, p, { retry_codes = NOT_YET })
  return M.read(ctx, id, new)
end

-- Terraform's import id: NAMESPACE/RESOURCE_ID/DIMENSION/NAME.
function M.import(ctx, id)
  local ns, rest = id:match("^([^/]+)/(.+)$")
  local rid, dim, name = (rest or ""):match("^(.+)/([^/]+)/([^/]+)$")
  if not rid then error('import id must be "NAMESPACE/RESOURCE_ID/DIMENSION/NAME", got "' .. id .. '"', 0) end
  return M.read(ctx, name, { service_namespace = ns, resource_id = rid, scalable_dimension = dim })
end

return M
