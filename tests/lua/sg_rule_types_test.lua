-- aws_vpc_security_group_ingress_rule / _egress_rule against the
-- emulator: rules of a group that declares none inline (the group does
-- not fight them), created with their sgr- ids, changed in place (every
-- argument but the group), replaced on a new group, drift repaired,
-- imported by rule id, destroyed.
local aws = require("luaform.aws")

local function stack(o)
  o = o or {}
  return string.format([[
local vpc = resource("aws_vpc", "main", { cidr_block = "10.0.0.0/16" })
local web = resource("aws_security_group", "web", { name = "web", vpc_id = vpc.id })
local alt = resource("aws_security_group", "alt", { name = "alt", vpc_id = vpc.id })
local lb = resource("aws_security_group", "lb", { name = "lb", vpc_id = vpc.id })
resource("aws_vpc_security_group_ingress_rule", "https", { security_group_id = %s.id,
  ip_protocol = %q, from_port = %d, to_port = %d, cidr_ipv4 = %q, description = %q, tags = { Name = %q } })
resource("aws_vpc_security_group_ingress_rule", "from_lb", { security_group_id = web.id,
  ip_protocol = "tcp", from_port = 8080, to_port = 8080, referenced_security_group_id = lb.id })
resource("aws_vpc_security_group_egress_rule", "all", { security_group_id = web.id,
  ip_protocol = "-1", cidr_ipv4 = "0.0.0.0/0" })
]], o.group or "web", o.protocol or "tcp", o.from or 443, o.to or 443, o.cidr or "10.0.0.0/8",
    o.description or "https", o.name or "https")
end

local function rule(e, id)
  e:use()
  return aws.client("ec2", { region = e.region }):DescribeSecurityGroupRules{ SecurityGroupRuleIds = { id } }
    .SecurityGroupRules[1]
end

local function ids(dir)
  local st = state_of(dir)
  return function(addr) return st.resources[addr].attributes end
end

test("rules are created with their ids; the group declaring none inline does not fight them", function()
  local e = emulator()
  local dir = e:applied(stack())
  local a = ids(dir)
  local https = a("aws_vpc_security_group_ingress_rule.https")
  expect(https.security_group_rule_id).to_match("^sgr%-")
  local r = rule(e, https.id)
  expect(r.CidrIpv4).to_be("10.0.0.0/8")
  expect(r.FromPort).to_be(443)
  expect(r.Description).to_be("https")
  expect(rule(e, a("aws_vpc_security_group_ingress_rule.from_lb").id).ReferencedGroupInfo.GroupId)
    .to_be(a("aws_security_group.lb").id)
  expect(rule(e, a("aws_vpc_security_group_egress_rule.all").id).IsEgress).to_be(true)
  e:no_changes(dir)
end)

test("every argument but the group changes in place (same rule id); a new group replaces", function()
  local e = emulator()
  local dir = e:applied(stack())
  local before = ids(dir)("aws_vpc_security_group_ingress_rule.https").id
  write(dir .. "/main.lua", stack{ protocol = "udp", from = 53, to = 54, cidr = "10.1.0.0/16",
    description = "dns", name = "dns" })
  local out = e:changes(dir)
  expect(out).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  e:apply(dir)
  local r = rule(e, before)
  expect(r.IpProtocol).to_be("udp")
  expect(r.ToPort).to_be(54)
  expect(r.CidrIpv4).to_be("10.1.0.0/16")
  expect(r.Description).to_be("dns")
  expect(r.Tags[1].Value).to_be("dns")
  e:no_changes(dir)
  write(dir .. "/main.lua", stack{ group = "alt" })
  out = e:plan(dir)
  expect(out).to_contain("# aws_vpc_security_group_ingress_rule.https must be replaced")
  e:apply(dir)
  local moved = ids(dir)("aws_vpc_security_group_ingress_rule.https")
  expect(moved.security_group_id).to_be(ids(dir)("aws_security_group.alt").id)
end)

test("a rule revoked or changed outside luaform is repaired; import by rule id; destroy", function()
  local e = emulator()
  local dir = e:applied(stack())
  local a = ids(dir)
  e:use()
  local ec2 = aws.client("ec2", { region = e.region })
  ec2:RevokeSecurityGroupIngress{ GroupId = a("aws_security_group.web").id,
    SecurityGroupRuleIds = { a("aws_vpc_security_group_ingress_rule.from_lb").id } }
  ec2:ModifySecurityGroupRules{ GroupId = a("aws_security_group.web").id, SecurityGroupRules = { {
    SecurityGroupRuleId = a("aws_vpc_security_group_ingress_rule.https").id,
    SecurityGroupRule = { IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "0.0.0.0/0" } } } }
  local out = e:changes(dir)
  expect(out).to_contain("# aws_vpc_security_group_ingress_rule.from_lb will be created")
  expect(out).to_contain("# aws_vpc_security_group_ingress_rule.https will be updated in-place")
  e:apply(dir)
  expect(rule(e, a("aws_vpc_security_group_ingress_rule.https").id).FromPort).to_be(443)
  e:no_changes(dir)
  e:no_changes(e:imported(stack(), resource_ids(dir)))
  e:destroy(dir)
  expect(#e:inventory().ec2.vpc).to_be(0)
end)
