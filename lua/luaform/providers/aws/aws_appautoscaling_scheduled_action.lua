-- aws_appautoscaling_scheduled_action: a scheduled change of a scalable
-- target's capacity (at(...), rate(...) or cron(...)), as Terraform's AWS
-- provider has it; declared for aws._resource through aws._put_whole
-- (PutScheduledAction creates and replaces it).
--
-- The id is "NAMESPACE,NAME,RESOURCE_ID,DIMENSION" (also the import id);
-- those four force a new action, the schedule, timezone and capacities
-- change in place. A refresh pages DescribeScheduledActions once per
-- service namespace (50 a call). start_time and end_time are not offered.
local resource = require("luaform.providers.aws._resource")
local whole = require("luaform.providers.aws._put_whole")
local common = require("luaform.providers.aws._common")

local function id_of(a) return table.concat({ a.ServiceNamespace, a.ScheduledActionName, a.ResourceId,
  a.ScalableDimension }, ",") end
local function split(id) return id:match("^([^,]+),([^,]+),([^,]+),([^,]+)$") end

local function params(a)
  local t = (a.scalable_target_action or {})[1]
  return { ServiceNamespace = a.service_namespace, ScheduledActionName = a.name, ResourceId = a.resource_id,
    ScalableDimension = a.scalable_dimension, Schedule = a.schedule, Timezone = a.timezone,
    ScalableTargetAction = t and { MinCapacity = t.min_capacity, MaxCapacity = t.max_capacity } or nil }
end

local function describe(ctx, ids)
  local c = ctx:client("application-autoscaling")
  return common.read_children(ids, split, function(namespaces, keep)
    for _, ns in ipairs(namespaces) do
      for _, a in ipairs(c:collect("DescribeScheduledActions", { ServiceNamespace = ns })) do keep(id_of(a), a) end
    end
  end)
end

local M
M = resource.define(whole.declare({
  service = "application-autoscaling", description = "A scheduled capacity change of a scalable target.",
  id = id_of,
  fields = {
    name = { type = "string", required = true, force_new = true, wire = "ScheduledActionName" },
    service_namespace = { type = "string", required = true, force_new = true, wire = "ServiceNamespace" },
    resource_id = { type = "string", required = true, force_new = true, wire = "ResourceId" },
    scalable_dimension = { type = "string", required = true, force_new = true, wire = "ScalableDimension" },
    schedule = { type = "string", required = true, wire = "Schedule" },
    timezone = { type = "string", optional = true, default = "UTC", wire = "Timezone" },
    scalable_target_action = { type = "list", max_items = 1, required = true, wire = "ScalableTargetAction",
      block = { min_capacity = { type = "number", optional = true, wire = "MinCapacity" },
                max_capacity = { type = "number", optional = true, wire = "MaxCapacity" } } },
    arn = { type = "string", computed = true, wire = "ScheduledActionARN" },
  },
  create = { op = "PutScheduledAction", idempotent = true, retry_codes = { "ObjectNotFoundException" },
    result = function(_, a) return { ServiceNamespace = a.service_namespace, ScheduledActionName = a.name,
      ResourceId = a.resource_id, ScalableDimension = a.scalable_dimension } end,
    after = function() end },
  read_many = describe,
  find = function(ctx, a)
    local id = id_of(params(a))
    return describe(ctx, { id })[id]
  end,
  not_found = { "ObjectNotFoundException" },
  delete = { op = "DeleteScheduledAction", params = function(id)
    local ns, name, rid, dim = split(id)
    return { ServiceNamespace = ns, ScheduledActionName = name, ResourceId = rid, ScalableDimension = dim }
  end },
}, params))

return M
