-- aws_cloudwatch_metric_alarm: a CloudWatch alarm on one metric or on
-- metric math (metric_query), as Terraform's AWS provider has it; declared
-- for aws._resource through aws._put_whole (PutMetricAlarm creates and
-- replaces the alarm whole).
--
-- The id is the alarm name. Dimensions are maps (AWS's Name/Value lists).
-- A refresh asks DescribeAlarms for 100 names per call. PutMetricAlarm
-- ignores Tags on an existing alarm, so tags change by TagResource.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local whole = require("luaform.providers.aws._put_whole")
local common = require("luaform.providers.aws._common")

local function dims_out(list)
  local out = {}
  for _, d in ipairs(list or {}) do out[d.Name] = d.Value end
  return out
end

local function dims_in(map)
  local out = {}
  for k, v in pairs(map or {}) do out[#out + 1] = { Name = k, Value = tostring(v) } end
  table.sort(out, function(a, b) return a.Name < b.Name end)
  return out
end

local function nonempty(t) return t and next(t) and t or nil end

-- metric_query blocks <-> the Metrics member.
local function queries_in(list)
  local out = {}
  for i, q in ipairs(list or {}) do
    local m = (q.metric or {})[1]
    out[i] = { Id = q.id, Expression = q.expression, Label = q.label, ReturnData = q.return_data == true,
      Period = q.period, AccountId = q.account_id,
      MetricStat = m and { Metric = { MetricName = m.metric_name, Namespace = m.namespace,
        Dimensions = dims_in(m.dimensions) }, Period = m.period, Stat = m.stat, Unit = m.unit } or nil }
  end
  return nonempty(out)
end

local function queries_out(list)
  local out = {}
  for i, q in ipairs(list or {}) do
    local s = q.MetricStat
    out[i] = { id = q.Id, expression = q.Expression, label = q.Label, return_data = q.ReturnData == true,
      period = q.Period, account_id = q.AccountId,
      metric = s and { { metric_name = s.Metric.MetricName, namespace = s.Metric.Namespace,
        dimensions = dims_out(s.Metric.Dimensions), period = s.Period, stat = s.Stat, unit = s.Unit } } or nil }
  end
  return out
end

local function params(a)
  return {
    AlarmName = a.alarm_name, AlarmDescription = a.alarm_description, ActionsEnabled = a.actions_enabled,
    OKActions = a.ok_actions, AlarmActions = a.alarm_actions, InsufficientDataActions = a.insufficient_data_actions,
    MetricName = a.metric_name, Namespace = a.namespace, Statistic = a.statistic,
    ExtendedStatistic = a.extended_statistic, Dimensions = nonempty(dims_in(a.dimensions)), Period = a.period,
    Unit = a.unit, EvaluationPeriods = a.evaluation_periods, DatapointsToAlarm = a.datapoints_to_alarm,
    Threshold = a.threshold, ComparisonOperator = a.comparison_operator,
    TreatMissingData = a.treat_missing_data,
    EvaluateLowSampleCountPercentile = a.evaluate_low_sample_count_percentiles,
    Metrics = queries_in(a.metric_query), ThresholdMetricId = a.threshold_metric_id,
  }
end

local ACTIONS = { type = "list", elem = "string", optional = true }
local function actions(member, description)
  local f = { wire = member, description = description }
  for k, v in pairs(ACTIONS) do f[k] = v end
  return f
end

return resource.define(whole.declare({
  service = "cloudwatch", description = "A CloudWatch metric alarm (one metric or metric math).",
  identity = "AlarmName", id = "AlarmName",
  fields = {
    alarm_name = { type = "string", required = true, force_new = true, wire = "AlarmName",
      description = "The alarm's name (also its id)." },
    comparison_operator = { type = "string", required = true, wire = "ComparisonOperator" },
    evaluation_periods = { type = "number", required = true, wire = "EvaluationPeriods" },
    metric_name = { type = "string", optional = true, wire = "MetricName" },
    namespace = { type = "string", optional = true, wire = "Namespace" },
    period = { type = "number", optional = true, wire = "Period" },
    statistic = { type = "string", optional = true, wire = "Statistic" },
    extended_statistic = { type = "string", optional = true, wire = "ExtendedStatistic" },
    threshold = { type = "number", optional = true, wire = "Threshold" },
    threshold_metric_id = { type = "string", optional = true, wire = "ThresholdMetricId" },
    actions_enabled = { type = "bool", optional = true, default = true, wire = "ActionsEnabled" },
    alarm_actions = actions("AlarmActions", "ARNs notified on ALARM (SNS topics, scaling policies)."),
    ok_actions = actions("OKActions", "ARNs notified on OK."),
    insufficient_data_actions = actions("InsufficientDataActions", "ARNs notified on INSUFFICIENT_DATA."),
    alarm_description = { type = "string", optional = true, wire = "AlarmDescription" },
    datapoints_to_alarm = { type = "number", optional = true, wire = "DatapointsToAlarm" },
    dimensions = { type = "map", elem = "string", optional = true, wire = "Dimensions",
      from_wire = function(v) return nonempty(dims_out(v)) end },
    unit = { type = "string", optional = true, wire = "Unit" },
    treat_missing_data = { type = "string", optional = true, default = "missing", wire = "TreatMissingData" },
    evaluate_low_sample_count_percentiles = { type = "string", optional = true,
      wire = "EvaluateLowSampleCountPercentile" },
    metric_query = { type = "list", optional = true, wire = "Metrics",
      from_wire = function(v) return nonempty(queries_out(v)) end,
      block = {
        id = { type = "string", required = true },
        expression = { type = "string", optional = true },
        label = { type = "string", optional = true },
        return_data = { type = "bool", optional = true, default = false },
        period = { type = "number", optional = true },
        account_id = { type = "string", optional = true },
        metric = { type = "list", max_items = 1, optional = true, block = {
          metric_name = { type = "string", required = true },
          namespace = { type = "string", optional = true },
          dimensions = { type = "map", elem = "string", optional = true },
          period = { type = "number", required = true },
          stat = { type = "string", required = true },
          unit = { type = "string", optional = true } } } },
      description = "Metric math: queries, exactly one with return_data = true." },
    arn = { type = "string", computed = true, wire = "AlarmArn" },
  },
  create = { op = "PutMetricAlarm", idempotent = true,
    result = function(_, args) return { AlarmName = args.alarm_name } end,
    after = function() end },   -- PutMetricAlarm answers nothing: read the alarm back
  read_many = function(ctx, names)   -- 100 names a call, a page of 100 each
    local c, found = ctx:client("cloudwatch"), {}
    for _, chunk in ipairs(common.chunks(names, 100)) do
      for _, a in ipairs(c:collect("DescribeAlarms", { AlarmNames = chunk, MaxRecords = 100 })) do
        found[a.AlarmName] = a
      end
    end
    return found
  end,
  find = function(ctx, args)
    return ctx:client("cloudwatch"):DescribeAlarms{ AlarmNames = { args.alarm_name } }.MetricAlarms[1]
  end,
  not_found = { "ResourceNotFound" },
  delete = { op = "DeleteAlarms", params = function(id) return { AlarmNames = { id } } end },
  tags = tags.api{ create = "Tags", form = "list", by = "arn", param = "ResourceARN",
    read = { op = "ListTagsForResource", result = "Tags" },
    tag = { op = "TagResource", member = "Tags" }, untag = { op = "UntagResource", member = "TagKeys" } },
}, params))
