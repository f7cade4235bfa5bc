-- aws_cloudwatch_log_metric_filter: a metric filter of a log group, as
-- Terraform's AWS provider has it; declared for aws._resource through
-- aws._put_whole (PutMetricFilter creates and replaces it).
--
-- The id is "LOG_GROUP:NAME" (Terraform's import form; log group names
-- cannot hold ":"). A refresh pages DescribeMetricFilters over all groups
-- (50 filters a call) instead of one call per filter.
local resource = require("luaform.providers.aws._resource")
local whole = require("luaform.providers.aws._put_whole")

local function split(id) return id:match("^([^:]*):(.*)$") end

local function params(a)
  local t = (a.metric_transformation or {})[1] or {}
  return { logGroupName = a.log_group_name, filterName = a.name, filterPattern = a.pattern,
    metricTransformations = { { metricName = t.name, metricNamespace = t.namespace, metricValue = t.value,
      defaultValue = t.default_value and tonumber(t.default_value) or nil,
      dimensions = t.dimensions and next(t.dimensions) and t.dimensions or nil, unit = t.unit } } }
end

local M
M = resource.define(whole.declare({
  service = "logs", description = "A metric filter of a CloudWatch Logs group.",
  id = function(f) return f.logGroupName .. ":" .. f.filterName end,
  fields = {
    name = { type = "string", required = true, force_new = true, wire = "filterName" },
    log_group_name = { type = "string", required = true, force_new = true, wire = "logGroupName" },
    pattern = { type = "string", required = true, wire = "filterPattern",
      description = "The filter pattern (\"\" matches every event)." },
    metric_transformation = { type = "list", max_items = 1, required = true, wire = "metricTransformations",
      from_wire = function(v)
        local t = (v or {})[1] or {}
        return { { name = t.metricName, namespace = t.metricNamespace, value = t.metricValue,
          default_value = t.defaultValue and string.format("%g", t.defaultValue) or nil,
          dimensions = t.dimensions, unit = t.unit } }
      end,
      block = { name = { type = "string", required = true }, namespace = { type = "string", required = true },
                value = { type = "string", required = true }, default_value = { type = "string", optional = true },
                dimensions = { type = "map", elem = "string", optional = true },
                unit = { type = "string", optional = true } } },
  },
  create = { op = "PutMetricFilter", idempotent = true,
    result = function(_, args) return { logGroupName = args.log_group_name, filterName = args.name } end,
    after = function() end },
  read_many = function(ctx, ids)
    local want, found = {}, {}
    for _, id in ipairs(ids) do want[id] = true end
    for _, f in ipairs(ctx:client("logs"):collect("DescribeMetricFilters", {})) do
      local id = f.logGroupName .. ":" .. f.filterName
      if want[id] then found[id] = f end
    end
    return found
  end,
  find = function(ctx, args)
    local id = args.log_group_name .. ":" .. args.name
    return M.describe(ctx, { id })[id]
  end,
  not_found = { "ResourceNotFoundException" },
  delete = { op = "DeleteMetricFilter", params = function(id)
    local group, name = split(id)
    return { logGroupName = group, filterName = name }
  end },
}, params))

return M
