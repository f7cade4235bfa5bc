-- aws_route, aws_network_acl, aws_network_acl_rule and aws_flow_log
-- against the emulator: created as declared (checked with direct EC2
-- calls), a clean second plan, in-place changes (a route's target, an
-- ACL's subnets, an entry's action and ports), replacement where AWS
-- cannot change (destination, rule number, flow log traffic type), drift
-- repaired, import by id, destroy.
local aws = require("luaform.aws")

local function stack(o)
  o = o or {}
  return string.format([[
local vpc = resource("aws_vpc", "main", { cidr_block = "10.0.0.0/16" })
local igw = resource("aws_internet_gateway", "main", { vpc_id = vpc.id })
local igw2 = resource("aws_internet_gateway", "spare", {})
local a = resource("aws_subnet", "a", { vpc_id = vpc.id, cidr_block = "10.0.1.0/24" })
local b = resource("aws_subnet", "b", { vpc_id = vpc.id, cidr_block = "10.0.2.0/24" })
local rt = resource("aws_route_table", "public", { vpc_id = vpc.id })
resource("aws_route", "internet", { route_table_id = rt.id, destination_cidr_block = %q, gateway_id = igw.id })
local acl = resource("aws_network_acl", "private", { vpc_id = vpc.id, subnet_ids = { %s }, tags = { Name = "private" } })
resource("aws_network_acl_rule", "https", { network_acl_id = acl.id, rule_number = %d, protocol = "tcp",
  rule_action = %q, cidr_block = "0.0.0.0/0", from_port = %d, to_port = %d })
resource("aws_network_acl_rule", "out", { network_acl_id = acl.id, rule_number = 100, egress = true,
  protocol = "-1", rule_action = "allow", cidr_block = "0.0.0.0/0" })
resource("aws_flow_log", "vpc", { vpc_id = vpc.id, traffic_type = %q,
  log_destination = "arn:aws:logs:us-east-1:123456789012:log-group:/vpc/flow",
  iam_role_arn = "arn:aws:iam::123456789012:role/flow-logs" })
]], o.dest or "0.0.0.0/0", o.subnets or "a.id", o.number or 100, o.action or "allow", o.from or 443,
    o.to or 443, o.traffic or "ALL")
end

local function ec2(e)
  e:use()
  return aws.client("ec2", { region = e.region })
end

local function route(e, dir, dest)
  local t = ec2(e):DescribeRouteTables{ RouteTableIds = { attributes(dir, "aws_route_table.public").id } }.RouteTables[1]
  for _, r in ipairs(t.Routes) do if r.DestinationCidrBlock == dest then return r end end
end

local function acl(e, dir)
  return ec2(e):DescribeNetworkAcls{ NetworkAclIds = { attributes(dir, "aws_network_acl.private").id } }.NetworkAcls[1]
end

local function entry(a, number, egress)
  for _, x in ipairs(a.Entries) do if x.RuleNumber == number and x.Egress == egress then return x end end
end

test("routes, ACL, entries and the flow log are created as declared; a second plan has no changes", function()
  local e = emulator()
  local dir = e:applied(stack())
  expect(route(e, dir, "0.0.0.0/0").GatewayId).to_be(attributes(dir, "aws_internet_gateway.main").id)
  local a = acl(e, dir)
  expect(a.Associations[1].SubnetId).to_be(attributes(dir, "aws_subnet.a").id)
  expect(entry(a, 100, false).PortRange.From).to_be(443)
  expect(entry(a, 100, true).RuleAction).to_be("allow")
  local fl = ec2(e):DescribeFlowLogs{}.FlowLogs[1]
  expect(fl.ResourceId).to_be(attributes(dir, "aws_vpc.main").id)
  expect(fl.TrafficType).to_be("ALL")
  expect(attributes(dir, "aws_route.internet").id).to_be(attributes(dir, "aws_route_table.public").id .. "_0.0.0.0/0")
  expect(attributes(dir, "aws_network_acl.private").arn).to_be("arn:aws:ec2:us-east-1:123456789012:network-acl/"
    .. attributes(dir, "aws_network_acl.private").id)
  expect(attributes(dir, "aws_flow_log.vpc").arn).to_be("arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/"
    .. attributes(dir, "aws_flow_log.vpc").id)
  e:no_changes(dir)
end)

test("in-place changes and replacements", function()
  local e = emulator()
  local dir = e:applied(stack())
  write(dir .. "/main.lua", stack{ subnets = "b.id", action = "deny", from = 80, to = 81 })
  local out = e:changes(dir)
  expect(out).to_contain("Plan: 0 to add, 2 to change, 0 to destroy.")
  e:apply(dir)
  local a = acl(e, dir)
  expect(#a.Associations).to_be(1)
  expect(a.Associations[1].SubnetId).to_be(attributes(dir, "aws_subnet.b").id)
  expect(entry(a, 100, false).RuleAction).to_be("deny")
  expect(entry(a, 100, false).PortRange.To).to_be(81)
  e:no_changes(dir)
  write(dir .. "/main.lua", stack{ subnets = "b.id", dest = "10.9.0.0/16", number = 110, traffic = "REJECT" })
  out = e:plan(dir)
  expect(out).to_contain("# aws_route.internet must be replaced")
  expect(out).to_contain("# aws_network_acl_rule.https must be replaced")
  expect(out).to_contain("# aws_flow_log.vpc must be replaced")
  e:apply(dir)
  expect(route(e, dir, "0.0.0.0/0")).to_be_nil()
  expect(route(e, dir, "10.9.0.0/16").State).to_be("active")
  expect(entry(acl(e, dir), 110, false).RuleAction).to_be("allow")
  expect(entry(acl(e, dir), 100, false)).to_be_nil()
  expect(ec2(e):DescribeFlowLogs{}.FlowLogs[1].TrafficType).to_be("REJECT")
end)

test("drift is repaired; every object imports by its id; destroy returns the subnets to the default ACL", function()
  local e = emulator()
  local dir = e:applied(stack())
  local c = ec2(e)
  c:ReplaceRoute{ RouteTableId = attributes(dir, "aws_route_table.public").id, DestinationCidrBlock = "0.0.0.0/0",
    GatewayId = attributes(dir, "aws_internet_gateway.main").id }
  c:DeleteNetworkAclEntry{ NetworkAclId = attributes(dir, "aws_network_acl.private").id, RuleNumber = 100, Egress = true }
  c:DeleteFlowLogs{ FlowLogIds = { attributes(dir, "aws_flow_log.vpc").id } }
  c:DeleteRoute{ RouteTableId = attributes(dir, "aws_route_table.public").id, DestinationCidrBlock = "0.0.0.0/0" }
  local out = e:changes(dir)
  expect(out).to_contain("# aws_route.internet will be created")
  expect(out).to_contain("# aws_network_acl_rule.out will be created")
  expect(out).to_contain("# aws_flow_log.vpc will be created")
  e:apply(dir)
  e:no_changes(dir)
  e:no_changes(e:imported(stack(), resource_ids(dir)))
  e:destroy(dir)
  local inv = e:inventory().ec2
  expect(#inv.vpc).to_be(0)
  expect(#inv.network_acl).to_be(0)
  expect(#inv.flow_log).to_be(0)
end)
