-- Smaller platform types against the emulator: aws_cloudwatch_dashboard,
-- aws_cloudwatch_log_metric_filter, aws_ecr_lifecycle_policy,
-- aws_ecr_repository_policy, aws_ecs_cluster_capacity_providers. Each:
-- created as declared, a clean second plan, every updatable argument in
-- place, replacement where it forces one, drift repaired, import by id,
-- destroy.
local aws = require("luaform.aws")

local function stack(o)
  o = o or {}
  return string.format([[
local group = resource("aws_cloudwatch_log_group", "app", { name = "/app" })
local repo = resource("aws_ecr_repository", "app", { name = "app" })
local cluster = resource("aws_ecs_cluster", "app", { name = "app" })
resource("aws_cloudwatch_dashboard", "ops", { dashboard_name = %q, dashboard_body = { widgets = { {
  type = "text", x = 0, y = 0, width = %d, height = 3, properties = { markdown = "ops" } } } } })
resource("aws_cloudwatch_log_metric_filter", "errors", { name = "errors", log_group_name = group.name,
  pattern = %q, metric_transformation = { { name = "Errors", namespace = %q, value = "1", default_value = "0" } } })
resource("aws_ecr_lifecycle_policy", "app", { repository = repo.name, policy = { rules = { {
  rulePriority = 1, description = "untagged", selection = { tagStatus = "untagged",
  countType = "imageCountMoreThan", countNumber = %d }, action = { type = "expire" } } } } })
resource("aws_ecr_repository_policy", "app", { repository = repo.name, policy = { Version = "2012-10-17",
  Statement = { { Sid = "pull", Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" },
    Action = { %s } } } } })
resource("aws_ecs_cluster_capacity_providers", "app", { cluster_name = cluster.name,
  capacity_providers = { "FARGATE", "FARGATE_SPOT" },
  default_capacity_provider_strategy = { { capacity_provider = "FARGATE", base = 1, weight = %d },
    { capacity_provider = "FARGATE_SPOT", weight = %d } } })
]], o.dashboard or "ops", o.width or 6, o.pattern or "ERROR", o.namespace or "App", o.keep or 5,
    o.actions or '"ecr:BatchGetImage"', o.fargate or 1, o.spot or 3)
end

local function clients(e)
  e:use()
  return aws.client("cloudwatch", { region = e.region }), aws.client("logs", { region = e.region }),
    aws.client("ecr", { region = e.region }), aws.client("ecs", { region = e.region })
end

local function strategy(ecs)
  local out = {}
  for _, s in ipairs(ecs:DescribeClusters{ clusters = { "app" } }.clusters[1].defaultCapacityProviderStrategy) do
    out[s.capacityProvider] = s
  end
  return out
end

test("created as declared; a second plan has no changes", function()
  local e = emulator()
  local dir = e:applied(stack())
  local cw, logs, ecr, ecs = clients(e)
  expect(core.json_decode(cw:GetDashboard{ DashboardName = "ops" }.DashboardBody).widgets[1].width).to_be(6)
  local f = logs:DescribeMetricFilters{ logGroupName = "/app" }.metricFilters[1]
  expect(f.filterPattern).to_be("ERROR")
  expect(f.metricTransformations[1].metricNamespace).to_be("App")
  local lp = core.json_decode(ecr:GetLifecyclePolicy{ repositoryName = "app" }.lifecyclePolicyText)
  expect(lp.rules[1].selection.countNumber).to_be(5)
  local rp = core.json_decode(ecr:GetRepositoryPolicy{ repositoryName = "app" }.policyText)
  expect(rp.Statement[1].Sid).to_be("pull")
  expect(strategy(ecs).FARGATE.base).to_be(1)
  expect(strategy(ecs).FARGATE_SPOT.weight).to_be(3)
  expect(state_of(dir).resources["aws_cloudwatch_log_metric_filter.errors"].attributes.id).to_be("/app:errors")
  e:no_changes(dir)
end)

test("every updatable argument changes in place; a new dashboard name replaces", function()
  local e = emulator()
  local dir = e:applied(stack())
  write(dir .. "/main.lua", stack{ width = 12, pattern = "FATAL", namespace = "App2", keep = 10,
    actions = '"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"', fargate = 2, spot = 1 })
  local out = e:changes(dir)
  expect(out).to_contain("Plan: 0 to add, 5 to change, 0 to destroy.")
  e:apply(dir)
  local cw, logs, ecr, ecs = clients(e)
  expect(core.json_decode(cw:GetDashboard{ DashboardName = "ops" }.DashboardBody).widgets[1].width).to_be(12)
  local f = logs:DescribeMetricFilters{ logGroupName = "/app" }.metricFilters[1]
  expect(f.filterPattern).to_be("FATAL")
  expect(f.metricTransformations[1].metricNamespace).to_be("App2")
  expect(core.json_decode(ecr:GetLifecyclePolicy{ repositoryName = "app" }.lifecyclePolicyText)
    .rules[1].selection.countNumber).to_be(10)
  expect(#core.json_decode(ecr:GetRepositoryPolicy{ repositoryName = "app" }.policyText).Statement[1].Action)
    .to_be(2)
  expect(strategy(ecs).FARGATE.weight).to_be(2)
  e:no_changes(dir)
  write(dir .. "/main.lua", stack{ dashboard = "ops2" })
  out = e:plan(dir)
  expect(out).to_contain("# aws_cloudwatch_dashboard.ops must be replaced")
  e:apply(dir)
  expect(#cw:ListDashboards{}.DashboardEntries).to_be(1)
  expect(cw:ListDashboards{}.DashboardEntries[1].DashboardName).to_be("ops2")
end)

test("drift is repaired; every object imports by its id; destroy", function()
  local e = emulator()
  local dir = e:applied(stack())
  local cw, logs, ecr, ecs = clients(e)
  cw:DeleteDashboards{ DashboardNames = { "ops" } }
  logs:DeleteMetricFilter{ logGroupName = "/app", filterName = "errors" }
  ecr:DeleteRepositoryPolicy{ repositoryName = "app" }
  ecr:PutLifecyclePolicy{ repositoryName = "app", lifecyclePolicyText = core.json_encode({ rules = { {
    rulePriority = 1, selection = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 1 },
    action = { type = "expire" } } } }) }
  ecs:PutClusterCapacityProviders{ cluster = "app", capacityProviders = { "FARGATE" },
    defaultCapacityProviderStrategy = { { capacityProvider = "FARGATE", weight = 1 } } }
  local out = e:changes(dir)
  expect(out).to_contain("Plan: 3 to add, 2 to change, 0 to destroy.")
  e:apply(dir)
  expect(strategy(ecs).FARGATE_SPOT.weight).to_be(3)
  e:no_changes(dir)
  e:no_changes(e:imported(stack(), resource_ids(dir)))
  e:destroy(dir)
  expect(#e:inventory().monitoring.dashboard).to_be(0)
end)
