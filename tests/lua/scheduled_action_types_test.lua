-- aws_appautoscaling_scheduled_action against the emulator: created on a
-- scalable target, a clean second plan, schedule, timezone and capacities
-- changed in place, a new name replaces, drift repaired, import, destroy.
local aws = require("luaform.aws")

local function stack(o)
  o = o or {}
  return string.format([[
local target = resource("aws_appautoscaling_target", "web", { service_namespace = "ecs",
  resource_id = "service/app/web", scalable_dimension = "ecs:service:DesiredCount", min_capacity = 1, max_capacity = 4 })
resource("aws_appautoscaling_scheduled_action", "night", { name = %q, service_namespace = target.service_namespace,
  resource_id = target.resource_id, scalable_dimension = target.scalable_dimension,
  schedule = %q, timezone = %q, scalable_target_action = { { min_capacity = %d, max_capacity = %d } } })
]], o.name or "night", o.schedule or "cron(0 22 * * ? *)", o.timezone or "Asia/Seoul", o.min or 0, o.max or 1)
end

local function action(e)
  e:use()
  return aws.client("application-autoscaling", { region = e.region })
    :DescribeScheduledActions{ ServiceNamespace = "ecs" }.ScheduledActions[1]
end

test("a scheduled action: create, update in place, replace, drift, import, destroy", function()
  local e = emulator()
  local dir = e:applied(stack())
  local a = action(e)
  expect(a.Schedule).to_be("cron(0 22 * * ? *)")
  expect(a.Timezone).to_be("Asia/Seoul")
  expect(a.ScalableTargetAction.MaxCapacity).to_be(1)
  e:no_changes(dir)
  write(dir .. "/main.lua", stack{ schedule = "cron(0 23 * * ? *)", timezone = "UTC", min = 1, max = 2 })
  local out = e:changes(dir)
  expect(out).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  e:apply(dir)
  a = action(e)
  expect(a.Schedule).to_be("cron(0 23 * * ? *)")
  expect(a.Timezone).to_be("UTC")
  expect(a.ScalableTargetAction.MinCapacity).to_be(1)
  e:no_changes(dir)
  aws.client("application-autoscaling", { region = e.region }):PutScheduledAction{ ServiceNamespace = "ecs",
    ScheduledActionName = "night", ResourceId = "service/app/web", ScalableDimension = "ecs:service:DesiredCount",
    Schedule = "rate(1 hour)" }
  out = e:changes(dir)
  expect(out).to_contain("# aws_appautoscaling_scheduled_action.night will be updated in-place")
  e:apply(dir)
  expect(action(e).Schedule).to_be("cron(0 23 * * ? *)")
  local ids = { ["aws_appautoscaling_target.web"] = "ecs/service/app/web/ecs:service:DesiredCount",
    ["aws_appautoscaling_scheduled_action.night"] = "ecs,night,service/app/web,ecs:service:DesiredCount" }
  expect(state_of(dir).resources["aws_appautoscaling_scheduled_action.night"].attributes.id)
    .to_be(ids["aws_appautoscaling_scheduled_action.night"])
  e:no_changes(e:imported(stack{ schedule = "cron(0 23 * * ? *)", timezone = "UTC", min = 1, max = 2 }, ids))
  write(dir .. "/main.lua", stack{ name = "evening" })
  expect((e:plan(dir))).to_contain("# aws_appautoscaling_scheduled_action.night must be replaced")
  e:apply(dir)
  expect(action(e).ScheduledActionName).to_be("evening")
  e:destroy(dir)
  expect(action(e)).to_be_nil()
end)
