-- aws_cloudwatch_metric_alarm against the emulator: a metric alarm and a
-- metric-math alarm with SNS actions are created as declared (checked
-- with DescribeAlarms), a second plan is clean, every updatable argument
-- changes in place, a new name replaces, drift is repaired, import by
-- name, destroy; a refresh of many alarms asks DescribeAlarms per 100.
local aws = require("luaform.aws")

local function stack(o)
  o = o or {}
  return string.format([[
local topic = resource("aws_sns_topic", "alerts", { name = "alerts" })
resource("aws_cloudwatch_metric_alarm", "cpu", {
  alarm_name = %q, comparison_operator = %q, evaluation_periods = %d,
  metric_name = "CPUUtilization", namespace = "AWS/ECS", period = %d, statistic = %q, threshold = %s,
  dimensions = { ClusterName = "app", ServiceName = %q }, alarm_description = %q,
  alarm_actions = { topic.arn }, ok_actions = %s, treat_missing_data = %q, datapoints_to_alarm = %d,
  actions_enabled = %s, tags = { Team = %q } })
resource("aws_cloudwatch_metric_alarm", "errors", {
  alarm_name = "k-5xx", comparison_operator = "GreaterThanThreshold", evaluation_periods = 1, threshold = %s,
  alarm_actions = { topic.arn },
  metric_query = {
    { id = "e1", expression = %q, label = "5xx rate", return_data = true },
    { id = "m1", metric = { { metric_name = "HTTPCode_Target_5XX_Count", namespace = "AWS/ApplicationELB",
        period = 60, stat = "Sum", dimensions = { LoadBalancer = "app/web/1" } } } },
    { id = "m2", metric = { { metric_name = "RequestCount", namespace = "AWS/ApplicationELB",
        period = 60, stat = "Sum", dimensions = { LoadBalancer = "app/web/1" } } } } } })
]], o.name or "k-cpu", o.op or "GreaterThanThreshold", o.periods or 2, o.period or 60, o.stat or "Average",
    o.threshold or "80", o.service or "web", o.description or "CPU high", o.ok and "{ topic.arn }" or "nil",
    o.missing or "missing", o.datapoints or 2, tostring(o.enabled ~= false), o.team or "app",
    o.math_threshold or "5", o.expression or "100 * m1 / m2")
end

local function alarm(e, name)
  e:use()
  return aws.client("cloudwatch", { region = e.region }):DescribeAlarms{ AlarmNames = { name } }.MetricAlarms[1]
end

test("metric and metric-math alarms are created as declared; a second plan has no changes", function()
  local e = emulator()
  local dir = e:applied(stack())
  local a = alarm(e, "k-cpu")
  expect(a.Threshold).to_be(80)
  expect(a.Statistic).to_be("Average")
  expect(#a.Dimensions).to_be(2)
  expect(a.AlarmActions[1]).to_match("^arn:aws:sns:.*:alerts$")
  local m = alarm(e, "k-5xx")
  expect(#m.Metrics).to_be(3)
  expect(m.Metrics[1].Expression).to_be("100 * m1 / m2")
  expect(m.Metrics[2].MetricStat.Metric.MetricName).to_be("HTTPCode_Target_5XX_Count")
  local st = state_of(dir)
  expect(st.resources["aws_cloudwatch_metric_alarm.cpu"].attributes.arn).to_be(a.AlarmArn)
  e:no_changes(dir)
end)

test("every updatable argument changes in place; a new name replaces the alarm", function()
  local e = emulator()
  local dir = e:applied(stack())
  write(dir .. "/main.lua", stack{ op = "GreaterThanOrEqualToThreshold", periods = 3, period = 300,
    stat = "Maximum", threshold = "90", service = "api", description = "CPU very high", ok = true,
    missing = "breaching", datapoints = 3, enabled = false, team = "ops", math_threshold = "10",
    expression = "m1 / m2" })
  local out = e:changes(dir)
  expect(out).to_contain("Plan: 0 to add, 2 to change, 0 to destroy.")
  e:apply(dir)
  local a = alarm(e, "k-cpu")
  expect(a.ComparisonOperator).to_be("GreaterThanOrEqualToThreshold")
  expect(a.EvaluationPeriods).to_be(3)
  expect(a.Period).to_be(300)
  expect(a.Statistic).to_be("Maximum")
  expect(a.Threshold).to_be(90)
  expect(a.AlarmDescription).to_be("CPU very high")
  expect(#a.OKActions).to_be(1)
  expect(a.TreatMissingData).to_be("breaching")
  expect(a.DatapointsToAlarm).to_be(3)
  expect(a.ActionsEnabled).to_be(false)
  local tags = aws.client("cloudwatch", { region = e.region }):ListTagsForResource{ ResourceARN = a.AlarmArn }.Tags
  expect(tags[1].Value).to_be("ops")
  expect(alarm(e, "k-5xx").Metrics[1].Expression).to_be("m1 / m2")
  e:no_changes(dir)
  write(dir .. "/main.lua", stack{ name = "k-cpu-2" })
  out = e:plan(dir)
  expect(out).to_contain("# aws_cloudwatch_metric_alarm.cpu must be replaced")
  e:apply(dir)
  expect(alarm(e, "k-cpu")).to_be_nil()
  expect(alarm(e, "k-cpu-2").Threshold).to_be(80)
end)

test("an alarm changed or deleted outside luaform is repaired; import by name; destroy", function()
  local e = emulator()
  local dir = e:applied(stack())
  e:use()
  local cw = aws.client("cloudwatch", { region = e.region })
  cw:PutMetricAlarm{ AlarmName = "k-cpu", ComparisonOperator = "LessThanThreshold", EvaluationPeriods = 1,
    MetricName = "CPUUtilization", Namespace = "AWS/ECS", Period = 60, Statistic = "Average", Threshold = 1 }
  cw:DeleteAlarms{ AlarmNames = { "k-5xx" } }
  local out = e:changes(dir)
  expect(out).to_contain("# aws_cloudwatch_metric_alarm.cpu will be updated in-place")
  expect(out).to_contain("# aws_cloudwatch_metric_alarm.errors will be created")
  e:apply(dir)
  expect(alarm(e, "k-cpu").Threshold).to_be(80)
  expect(alarm(e, "k-5xx").AlarmName).to_be("k-5xx")
  e:no_changes(dir)
  e:no_changes(e:imported(stack(), resource_ids(dir)))
  e:destroy(dir)
  expect(#e:inventory().monitoring.alarm).to_be(0)
end)

test("a refresh of 150 alarms asks DescribeAlarms once per 100 names", function()
  local e = emulator()
  local lines = {}
  for i = 1, 150 do
    lines[#lines + 1] = string.format([[resource("aws_cloudwatch_metric_alarm", "a%d", { alarm_name = "n%03d",
  comparison_operator = "GreaterThanThreshold", evaluation_periods = 1, metric_name = "CPUUtilization",
  namespace = "AWS/ECS", period = 60, statistic = "Average", threshold = 50 })]], i, i)
  end
  local dir = e:applied(table.concat(lines, "\n"))
  local before = e:counts()
  e:no_changes(dir)
  local after = e:counts()
  local function n(counts, op) return counts["monitoring:" .. op] or 0 end
  expect(n(after, "DescribeAlarms") - n(before, "DescribeAlarms")).to_be(2)
  expect(n(after, "ListTagsForResource") - n(before, "ListTagsForResource")).to_be(150)
end)
