-- Lost creates of the platform types: with a quarter of the emulator's
-- answers lost (the call was applied, its response never arrives) and
-- throttling, apply converges over a few runs, every object exists once
-- (no stray made by a re-sent create), a plan is then clean, and destroy
-- leaves nothing.
local aws = require("luaform.aws")

local MAIN = [[
local vpc = resource("aws_vpc", "main", { cidr_block = "10.0.0.0/16", enable_dns_hostnames = true })
local rt = resource("aws_route_table", "main", { vpc_id = vpc.id })
local sg = resource("aws_security_group", "web", { name = "web", vpc_id = vpc.id })
resource("aws_vpc_security_group_ingress_rule", "https", { security_group_id = sg.id, ip_protocol = "tcp",
  from_port = 443, to_port = 443, cidr_ipv4 = "10.0.0.0/8" })
resource("aws_vpc_endpoint", "s3", { vpc_id = vpc.id, service_name = "com.amazonaws.us-east-1.s3",
  route_table_ids = { rt.id } })
resource("aws_network_acl", "private", { vpc_id = vpc.id })
resource("aws_flow_log", "vpc", { vpc_id = vpc.id, traffic_type = "ALL",
  log_destination = "arn:aws:logs:us-east-1:123456789012:log-group:/vpc/flow",
  iam_role_arn = "arn:aws:iam::123456789012:role/flow-logs" })
local ns = resource("aws_service_discovery_private_dns_namespace", "internal", { name = "internal.local",
  vpc = vpc.id })
resource("aws_service_discovery_service", "api", { name = "api",
  dns_config = { { namespace_id = ns.id, dns_records = { { ttl = 10, type = "A" } } } } })
local topic = resource("aws_sns_topic", "alerts", { name = "alerts" })
resource("aws_cloudwatch_metric_alarm", "cpu", { alarm_name = "cpu", comparison_operator = "GreaterThanThreshold",
  evaluation_periods = 1, metric_name = "CPUUtilization", namespace = "AWS/ECS", period = 60,
  statistic = "Average", threshold = 80, alarm_actions = { topic.arn } })
local rule = resource("aws_cloudwatch_event_rule", "nightly", { name = "nightly",
  schedule_expression = "rate(1 day)" })
resource("aws_cloudwatch_event_target", "sns", { rule = rule.name, target_id = "sns", arn = topic.arn })
]]

test("with lost answers and throttling, apply converges without strays; destroy leaves nothing", function()
  local e = emulator({ ["nat-delay-ms"] = 100 })
  local dir = new_stack(MAIN)
  e:faults{ throttle_pct = 10, lose_pct = 25, seed = 11 }
  local function converge(...)
    local out, code
    for _ = 1, 5 do
      out, code = e:luaform(dir, ...)
      if code == 0 then return out end
    end
    print(out)
    expect(code).to_be(0)
  end
  converge("apply", "-auto-approve")
  e:faults{ throttle_pct = 0, lose_pct = 0 }
  local inv = e:inventory()
  expect(#inv.ec2.vpc).to_be(1)
  expect(#inv.ec2.vpc_endpoint).to_be(1)
  expect(#inv.ec2.network_acl).to_be(1)
  expect(#inv.ec2.flow_log).to_be(1)
  expect(#inv.servicediscovery.namespace).to_be(1)
  expect(#inv.servicediscovery.service).to_be(1)
  expect(#inv.monitoring.alarm).to_be(1)
  expect(#inv.events.rule).to_be(1)
  expect(#inv.events.target).to_be(1)
  e:use()
  local sg = state_of(dir).resources["aws_security_group.web"].attributes.id
  local rules = aws.client("ec2", { region = e.region }):DescribeSecurityGroupRules{
    Filters = { { Name = "group-id", Values = { sg } } } }.SecurityGroupRules
  local ingress = 0
  for _, r in ipairs(rules) do if not r.IsEgress then ingress = ingress + 1 end end
  expect(ingress).to_be(1)
  local out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  e:faults{ throttle_pct = 10, lose_pct = 25, seed = 12 }
  converge("destroy", "-auto-approve")
  inv = e:inventory()
  expect(#inv.ec2.vpc).to_be(0)
  expect(#inv.servicediscovery.namespace).to_be(0)
  expect(#inv.monitoring.alarm).to_be(0)
  expect(#inv.events.rule).to_be(0)
end)
