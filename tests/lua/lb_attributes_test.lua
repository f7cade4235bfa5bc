-- aws_lb's access_logs, enable_cross_zone_load_balancing,
-- enable_deletion_protection and subnet_mapping (issue 13) against the
-- emulator: create (checked with DescribeLoadBalancerAttributes and
-- DescribeLoadBalancers), a second plan with no changes (also after an
-- import: an argument that does not apply to the type never differs),
-- drift made in the emulator found and repaired, in-place updates,
-- Terraform's replacement of a network load balancer that loses a
-- mapping, and a destroy that deletion protection stops with AWS's error;
-- a TLS listener's ALPN policy.
local aws = require("luaform.aws")

local FLAGS = { ["lb-delay-ms"] = 100 }

local MAIN = [[
local vpc = resource("aws_vpc", "main", { cidr_block = "10.6.0.0/16" })
local igw = resource("aws_internet_gateway", "main", { vpc_id = vpc.id })
local a = resource("aws_subnet", "a", { vpc_id = vpc.id, cidr_block = "10.6.1.0/24", availability_zone = "us-east-1a" })
local b = resource("aws_subnet", "b", { vpc_id = vpc.id, cidr_block = "10.6.2.0/24", availability_zone = "us-east-1b" })
local sg = resource("aws_security_group", "lb", { name = "lb", description = "lb", vpc_id = vpc.id })
local logs = resource("aws_s3_bucket", "logs", { bucket = "lb-logs", force_destroy = true })
-- Elastic Load Balancing's account in us-east-1 may write the logs
local policy = resource("aws_s3_bucket_policy", "logs", { bucket = logs.id, policy = { Version = "2012-10-17",
  Statement = { { Effect = "Allow", Principal = { AWS = "arn:aws:iam::127311923021:root" }, Action = "s3:PutObject",
    Resource = "arn:aws:s3:::lb-logs/*" } } } })
-- (cross-zone balancing is always on for an application load balancer: the argument is ignored)
resource("aws_lb", "web", { name = "web", security_groups = { sg.id }, subnets = { a.id, b.id },
  enable_cross_zone_load_balancing = true, enable_deletion_protection = var("protect", { type = "bool", default = false }),
  access_logs = { { bucket = logs.id, prefix = var("prefix", { default = "web" }),
    enabled = var("logs", { type = "bool", default = true }) } },
}, { depends_on = { igw, policy } })
local eip_a = resource("aws_eip", "a", { domain = "vpc" })
local eip_b = resource("aws_eip", "b", { domain = "vpc" })
local mappings = { { subnet_id = a.id, allocation_id = eip_a.id } }
if var("second_zone", { type = "bool", default = false }) then
  mappings[2] = { subnet_id = b.id, allocation_id = eip_b.id }
end
resource("aws_lb", "net", { name = "net", load_balancer_type = "network", subnet_mapping = mappings,
  enable_cross_zone_load_balancing = var("cross_zone", { type = "bool", default = true }) },
  { depends_on = { igw } })
]]

local function run(e, dir, ...)
  local out, code = e:luaform(dir, ...)
  if code ~= 0 and code ~= 2 then print(out) end
  return out, code
end

local function applied(e, ...)
  local dir = new_stack(MAIN)
  expect(select(2, run(e, dir, "apply", "-auto-approve", ...))).to_be(0)
  e:use()
  return dir
end

local function arn(dir, name) return state_of(dir).resources["aws_lb." .. name].attributes.arn end

local function attributes(lb)
  local out = {}
  for _, x in ipairs(aws.client("elbv2"):DescribeLoadBalancerAttributes{ LoadBalancerArn = lb }.Attributes) do
    out[x.Key] = x.Value
  end
  return out
end

local function zones(lb)
  local out = {}
  for _, z in ipairs(aws.client("elbv2"):DescribeLoadBalancers{ LoadBalancerArns = { lb } }.LoadBalancers[1].AvailabilityZones) do
    out[z.SubnetId] = (z.LoadBalancerAddresses or {})[1] or {}
  end
  return out
end

test("access logs, cross-zone balancing and subnet mappings apply; drift made in the emulator is repaired; import reads them", function()
  local e = emulator(FLAGS)
  local dir = applied(e)
  local web = arn(dir, "web")
  local got = attributes(web)
  expect(got["access_logs.s3.enabled"]).to_be("true")
  expect(got["access_logs.s3.bucket"]).to_be("lb-logs")
  expect(got["access_logs.s3.prefix"]).to_be("web")
  expect(got["deletion_protection.enabled"]).to_be("false")
  expect(attributes(arn(dir, "net"))["load_balancing.cross_zone.enabled"]).to_be("true")
  local st = state_of(dir).resources
  local z = zones(arn(dir, "net"))
  expect(z[st["aws_subnet.a"].attributes.id].AllocationId).to_be(st["aws_eip.a"].attributes.id)
  expect(select(2, run(e, dir, "plan", "-detailed-exitcode"))).to_be(0)
  -- drift: deletion protection on, logs off, made in the emulator
  aws.client("elbv2"):ModifyLoadBalancerAttributes{ LoadBalancerArn = web, Attributes = {
    { Key = "deletion_protection.enabled", Value = "true" }, { Key = "access_logs.s3.enabled", Value = "false" } } }
  local out, code = run(e, dir, "plan", "-detailed-exitcode")
  expect(code).to_be(2)
  expect(out).to_contain("# aws_lb.web will be updated in-place")
  expect(out).to_contain("enable_deletion_protection = true -> false")
  expect(select(2, run(e, dir, "apply", "-auto-approve"))).to_be(0)
  local w = attributes(web)
  expect(w["deletion_protection.enabled"]).to_be("false")
  expect(w["access_logs.s3.enabled"]).to_be("true")
  for _, name in ipairs({ "web", "net" }) do
    local id = arn(dir, name)
    expect(select(2, run(e, dir, "state", "rm", "aws_lb." .. name))).to_be(0)
    expect(select(2, run(e, dir, "import", "aws_lb." .. name, id))).to_be(0)
  end
  expect(state_of(dir).resources["aws_lb.web"].attributes.access_logs[1].bucket).to_be("lb-logs")
  expect(select(2, run(e, dir, "plan", "-detailed-exitcode"))).to_be(0)
end)

test("attributes and an added mapping change in place; a removed mapping replaces the network load balancer; deletion protection stops a destroy", function()
  local e = emulator(FLAGS)
  local dir = applied(e)
  local web, net = arn(dir, "web"), arn(dir, "net")
  local vars = { "-var", "prefix=alb", "-var", "cross_zone=false", "-var", "second_zone=true", "-var", "protect=true" }
  local out, code = run(e, dir, "plan", "-detailed-exitcode", table.unpack(vars))
  expect(code).to_be(2)
  expect(out).to_contain("# aws_lb.web will be updated in-place")
  expect(out).to_contain("# aws_lb.net will be updated in-place")
  expect(out).to_contain("Plan: 0 to add, 2 to change, 0 to destroy.")
  expect(select(2, run(e, dir, "apply", "-auto-approve", table.unpack(vars)))).to_be(0)
  expect(arn(dir, "net")).to_be(net)
  local w = attributes(web)
  expect(w["access_logs.s3.prefix"]).to_be("alb")
  expect(w["deletion_protection.enabled"]).to_be("true")
  expect(attributes(net)["load_balancing.cross_zone.enabled"]).to_be("false")
  local st = state_of(dir).resources
  expect(zones(net)[st["aws_subnet.b"].attributes.id].AllocationId).to_be(st["aws_eip.b"].attributes.id)
  expect(select(2, run(e, dir, "plan", "-detailed-exitcode", table.unpack(vars)))).to_be(0)
  -- logs off: one attribute; a network load balancer cannot lose a subnet: a new one
  vars = { "-var", "logs=false", "-var", "cross_zone=false", "-var", "protect=true" }
  out, code = run(e, dir, "plan", "-detailed-exitcode", table.unpack(vars))
  expect(code).to_be(2)
  expect(out).to_contain("# aws_lb.web will be updated in-place")
  expect(out).to_contain("# aws_lb.net must be replaced")
  expect(select(2, run(e, dir, "apply", "-auto-approve", table.unpack(vars)))).to_be(0)
  expect(attributes(web)["access_logs.s3.enabled"]).to_be("false")
  expect(arn(dir, "net") ~= net).to_be(true)
  expect(select(2, run(e, dir, "plan", "-detailed-exitcode", table.unpack(vars)))).to_be(0)
  -- deletion protection (still on): a destroy stops with AWS's error until it is turned off
  out, code = e:luaform(dir, "destroy", "-auto-approve", "-var", "protect=true")
  expect(code).to_be(1)
  expect(out).to_contain("OperationNotPermitted")
  expect(out).to_contain("deletion protection is enabled")
  expect(state_of(dir).resources["aws_lb.web"]).to_be_truthy()
  expect(#e:inventory().elasticloadbalancing.load_balancer).to_be(1)
  expect(select(2, run(e, dir, "apply", "-auto-approve", "-var", "protect=false"))).to_be(0)
  expect(select(2, run(e, dir, "destroy", "-auto-approve"))).to_be(0)
  expect(#e:inventory().elasticloadbalancing.load_balancer).to_be(0)
end)

test("subnet changes replace a load balancer by Terraform's rules", function()
  local s = require("luaform.providers.aws._lb_subnets")
  local a, b, c = { subnet_id = "a" }, { subnet_id = "b" }, { subnet_id = "c" }
  local alb, nlb = { load_balancer_type = "application" }, { load_balancer_type = "network" }
  -- an application load balancer gains and loses mappings in place; a changed kept one replaces it
  expect(s.mappings_force_new({ a, b }, { a, b, c }, nil, alb)).to_be(false)
  expect(s.mappings_force_new({ a, b, c }, { a, b }, nil, alb)).to_be(false)
  expect(s.mappings_force_new({ a, b }, { a, c }, nil, alb)).to_be(true)
  -- a network load balancer only gains them
  expect(s.mappings_force_new({ a }, { a, b }, nil, nlb)).to_be(false)
  expect(s.mappings_force_new({ a, b }, { a }, nil, nlb)).to_be(true)
  expect(s.mappings_force_new({ a }, { { subnet_id = "a", allocation_id = "eipalloc-1" }, b }, nil, nlb)).to_be(true)
  expect(s.subnets_force_new({ "a" }, { "a", "b" }, nil, nlb)).to_be(false)
  expect(s.subnets_force_new({ "a", "b" }, { "a", "c" }, nil, nlb)).to_be(true)
  expect(s.subnets_force_new({ "a", "b" }, { "a" }, nil, alb)).to_be(false)
end)

test("a TLS listener takes an ALPN policy and AWS's default security policy; the ALPN policy changes in place", function()
  local e = emulator(FLAGS)
  local dir = new_stack([[
local vpc = resource("aws_vpc", "main", { cidr_block = "10.7.0.0/16" })
local igw = resource("aws_internet_gateway", "main", { vpc_id = vpc.id })
local a = resource("aws_subnet", "a", { vpc_id = vpc.id, cidr_block = "10.7.1.0/24", availability_zone = "us-east-1a" })
local zone = resource("aws_route53_zone", "main", { name = "example.com" })
local cert = resource("aws_acm_certificate", "tls", { domain_name = "tls.example.com", validation_method = "DNS" })
local dvo = cert.domain_validation_options
local rec = resource("aws_route53_record", "validation", { zone_id = zone.zone_id, type = "CNAME", ttl = 60,
  name = dvo:map(function(o) return o[1].resource_record_name end),
  records = { dvo:map(function(o) return o[1].resource_record_value end) } })
local valid = resource("aws_acm_certificate_validation", "tls", { certificate_arn = cert.arn,
  validation_record_fqdns = { rec.fqdn } })
local nlb = resource("aws_lb", "net", { name = "tls", load_balancer_type = "network", subnets = { a.id } },
  { depends_on = { igw } })
local tg = resource("aws_lb_target_group", "tcp", { name = "tcp", port = 443, protocol = "TCP", vpc_id = vpc.id,
  target_type = "ip" })
resource("aws_lb_listener", "tls", { load_balancer_arn = nlb.arn, port = 443, protocol = "TLS",
  certificate_arn = valid.certificate_arn, alpn_policy = var("alpn", { default = "HTTP2Preferred" }),
  default_action = { { type = "forward", target_group_arn = tg.arn } } })
]])
  expect(select(2, run(e, dir, "apply", "-auto-approve"))).to_be(0)
  e:use()
  local listener = state_of(dir).resources["aws_lb_listener.tls"].attributes
  local ls = aws.client("elbv2"):DescribeListeners{ ListenerArns = { listener.arn } }.Listeners[1]
  expect(ls.AlpnPolicy[1]).to_be("HTTP2Preferred")
  expect(ls.SslPolicy).to_be("ELBSecurityPolicy-2016-08")
  expect(listener.ssl_policy).to_be("ELBSecurityPolicy-2016-08")
  expect(select(2, run(e, dir, "plan", "-detailed-exitcode"))).to_be(0)
  local out, code = run(e, dir, "plan", "-detailed-exitcode", "-var", "alpn=HTTP2Only")
  expect(code).to_be(2)
  expect(out).to_contain("# aws_lb_listener.tls will be updated in-place")
  expect(select(2, run(e, dir, "apply", "-auto-approve", "-var", "alpn=HTTP2Only"))).to_be(0)
  ls = aws.client("elbv2"):DescribeListeners{ ListenerArns = { listener.arn } }.Listeners[1]
  expect(ls.AlpnPolicy[1]).to_be("HTTP2Only")
end)
