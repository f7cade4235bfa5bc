-- aws_security_group_rule (the older form) against the emulator: rules
-- of a group that declares none inline (the group does not fight them),
-- with Terraform's sgrule- ids; description changed in place, everything
-- else replaced; a peer revoked by hand and a description changed by hand
-- repaired; import in Terraform's SG_TYPE_PROTO_FROM_TO_PEERS form; destroy.
local aws = require("luaform.aws")
local core = require("luaform.core")

local function stack(o)
  o = o or {}
  return string.format([[
local vpc = resource("aws_vpc", "main", { cidr_block = "10.0.0.0/16" })
local web = resource("aws_security_group", "web", { name = "web", vpc_id = vpc.id })
local lb = resource("aws_security_group", "lb", { name = "lb", vpc_id = vpc.id })
resource("aws_security_group_rule", "https", { type = "ingress", security_group_id = web.id,
  protocol = "tcp", from_port = %d, to_port = %d, cidr_blocks = { %s }, description = %q })
resource("aws_security_group_rule", "from_lb", { type = "ingress", security_group_id = web.id,
  protocol = "6", from_port = 8080, to_port = 8080, source_security_group_id = lb.id })
resource("aws_security_group_rule", "out", { type = "egress", security_group_id = web.id,
  protocol = "all", from_port = 0, to_port = 0, cidr_blocks = { "0.0.0.0/0" }, self = true })
]], o.from or 443, o.to or 443, o.cidrs or '"10.0.0.0/8", "192.168.0.0/16"', o.description or "https")
end

local function apply(e, dir, planfile)
  local out, code = e:luaform(dir, "apply", planfile or "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
end

local function plan(e, dir) return e:luaform(dir, "plan", "-detailed-exitcode") end

local function ec2(e)
  e:use()
  return aws.client("ec2", { region = e.region })
end

-- "peer|from|to|description" of a group's rules in one direction.
local function rules(e, gid, egress)
  local out = {}
  for _, r in ipairs(ec2(e):DescribeSecurityGroupRules{ Filters = { { Name = "group-id", Values = { gid } } } }
    .SecurityGroupRules) do
    if r.IsEgress == egress then
      local peer = r.CidrIpv4 or (r.ReferencedGroupInfo or {}).GroupId
      out[peer] = string.format("%s|%s|%s", r.FromPort, r.ToPort, r.Description or "")
    end
  end
  return out
end

test("zlib's CRC-32 gives the standard check value", function()
  expect(core.crc32("123456789")).to_be(0xCBF43926)
end)

test("rules are created with sgrule- ids; the group declaring none inline does not fight them", function()
  local e = emulator()
  local dir = new_stack(stack())
  apply(e, dir)
  local web = attributes(dir, "aws_security_group.web").id
  local https = attributes(dir, "aws_security_group_rule.https")
  expect(https.id).to_match("^sgrule%-%d+$")
  local ingress = rules(e, web, false)
  expect(ingress["10.0.0.0/8"]).to_be("443|443|https")
  expect(ingress["192.168.0.0/16"]).to_be("443|443|https")
  expect(ingress[attributes(dir, "aws_security_group.lb").id]).to_be("8080|8080|")
  local egress = rules(e, web, true)
  expect(egress["0.0.0.0/0"]).to_be("-1|-1|")
  expect(egress[web]).to_be("-1|-1|")
  expect(select(2, plan(e, dir))).to_be(0)
end)

test("description changes in place (same id); ports and peers replace the rule", function()
  local e = emulator()
  local dir = new_stack(stack())
  apply(e, dir)
  local before = attributes(dir, "aws_security_group_rule.https").id
  write(dir .. "/main.lua", stack{ description = "tls" })
  local out, code = plan(e, dir)
  expect(code).to_be(2)
  expect(out).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  apply(e, dir)
  local web = attributes(dir, "aws_security_group.web").id
  expect(rules(e, web, false)["192.168.0.0/16"]).to_be("443|443|tls")
  expect(attributes(dir, "aws_security_group_rule.https").id).to_be(before)
  write(dir .. "/main.lua", stack{ description = "tls", from = 8443, to = 8443, cidrs = '"10.0.0.0/8"' })
  out = plan(e, dir)
  expect(out).to_contain("# aws_security_group_rule.https must be replaced")
  apply(e, dir)
  local now = rules(e, web, false)
  expect(now["10.0.0.0/8"]).to_be("8443|8443|tls")
  expect(now["192.168.0.0/16"]).to_be_nil()
  expect(attributes(dir, "aws_security_group_rule.https").id ~= before).to_be(true)
  expect(select(2, plan(e, dir))).to_be(0)
end)

test("a peer revoked and a description changed by hand are repaired; import; destroy", function()
  local e = emulator()
  local dir = new_stack(stack())
  apply(e, dir)
  local web = attributes(dir, "aws_security_group.web").id
  local lb = attributes(dir, "aws_security_group.lb").id
  local c = ec2(e)
  c:RevokeSecurityGroupIngress{ GroupId = web, IpPermissions = { { IpProtocol = "tcp", FromPort = 443, ToPort = 443,
    IpRanges = { { CidrIp = "192.168.0.0/16" } } } } }
  c:UpdateSecurityGroupRuleDescriptionsIngress{ GroupId = web, IpPermissions = { { IpProtocol = "tcp",
    FromPort = 8080, ToPort = 8080, UserIdGroupPairs = { { GroupId = lb, Description = "by hand" } } } } }
  local out, code = e:luaform(dir, "plan", "-detailed-exitcode", "-out", "repair.plan")
  expect(code).to_be(2)
  expect(out).to_contain("# aws_security_group_rule.https will be created")
  expect(out).to_contain("# aws_security_group_rule.from_lb will be updated in-place")
  apply(e, dir, "repair.plan")
  local now = rules(e, web, false)
  expect(now["192.168.0.0/16"]).to_be("443|443|https")
  expect(now[lb]).to_be("8080|8080|")
  expect(select(2, plan(e, dir))).to_be(0)
  local st = state_of(dir)
  local fresh = new_stack(stack())
  local forms = {
    ["aws_security_group_rule.https"] = web .. "_ingress_tcp_443_443_10.0.0.0/8_192.168.0.0/16",
    ["aws_security_group_rule.from_lb"] = web .. "_ingress_tcp_8080_8080_" .. lb,
    ["aws_security_group_rule.out"] = web .. "_egress_all_0_65536_0.0.0.0/0_self",
  }
  for addr, r in pairs(st.resources) do
    local o, ic = e:luaform(fresh, "import", addr, forms[addr] or r.attributes.id)
    if ic ~= 0 then print(o) end
    expect(ic).to_be(0)
    expect(state_of(fresh).resources[addr].attributes.id).to_be(r.attributes.id)
  end
  expect(select(2, plan(e, fresh))).to_be(0)
  local msg, bad = e:luaform(new_stack(stack()), "import", "aws_security_group_rule.https",
    web .. "_sideways_tcp_1_2_10.0.0.0/8")
  expect(bad).to_be(1)
  expect(msg).to_contain("SECURITYGROUPID_TYPE_PROTOCOL_FROMPORT_TOPORT_SOURCE")
  local o, dc = e:luaform(dir, "destroy", "-auto-approve")
  if dc ~= 0 then print(o) end
  expect(dc).to_be(0)
  expect(#e:inventory().ec2.vpc).to_be(0)
end)

test("a refresh of 40 rules in two groups reads them with one DescribeSecurityGroups", function()
  local e = emulator()
  local lines = { [[
local vpc = resource("aws_vpc", "main", { cidr_block = "10.0.0.0/16" })
local groups = { resource("aws_security_group", "a", { name = "a", vpc_id = vpc.id }),
  resource("aws_security_group", "b", { name = "b", vpc_id = vpc.id }) }]] }
  for i = 0, 39 do
    lines[#lines + 1] = string.format('resource("aws_security_group_rule", "r%d", { type = "ingress", '
      .. 'security_group_id = groups[%d].id, protocol = "tcp", from_port = %d, to_port = %d, '
      .. 'cidr_blocks = { "10.%d.0.0/16" } })', i, i % 2 + 1, 1000 + i, 1000 + i, i)
  end
  local dir = new_stack(table.concat(lines, "\n"))
  local out, code = e:luaform(dir, "apply", "-auto-approve", "-parallelism=20")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  local before = e:counts()
  out, code = plan(e, dir)
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  local calls = {}
  for k, n in pairs(e:counts()) do
    if n - (before[k] or 0) > 0 then calls[k] = n - (before[k] or 0) end
  end
  -- the two groups themselves and the 40 rules: one DescribeSecurityGroups each kind
  expect(calls["ec2:DescribeSecurityGroups"]).to_be(2)
  expect(calls["ec2:DescribeSecurityGroupRules"]).to_be_nil()
end)

test("a type other than ingress or egress is refused at its file:line", function()
  local dir = new_stack((stack():gsub('type = "egress"', 'type = "outbound"')))
  local out, code = luaform(dir, "validate")
  expect(code).to_be(1)
  expect(out).to_contain("main.lua:8")
  expect(out).to_contain("type: expected ingress or egress")
end)
