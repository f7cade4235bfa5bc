-- Load balancer routing (issue 13): an HTTPS listener with an issued ACM
-- certificate, HTTP redirected to HTTPS, aws_lb_listener_rule (host and
-- path conditions, weighted forward, fixed-response) and
-- aws_lb_listener_certificate against the emulator: create, a second plan
-- with no changes, in-place updates, replacement, drift found and
-- repaired, import, destroy.
local aws = require("luaform.aws")

local FLAGS = { ["lb-delay-ms"] = 200 }

local MAIN = [[
local vpc = resource("aws_vpc", "main", { cidr_block = "10.5.0.0/16" })
local igw = resource("aws_internet_gateway", "main", { vpc_id = vpc.id })
local a = resource("aws_subnet", "a", { vpc_id = vpc.id, cidr_block = "10.5.1.0/24", availability_zone = "us-east-1a" })
local b = resource("aws_subnet", "b", { vpc_id = vpc.id, cidr_block = "10.5.2.0/24", availability_zone = "us-east-1b" })
local sg = resource("aws_security_group", "lb", { name = "lb", description = "lb", vpc_id = vpc.id })
local lb = resource("aws_lb", "web", { name = "web", security_groups = { sg.id }, subnets = { a.id, b.id } },
  { depends_on = { igw } })
local blue = resource("aws_lb_target_group", "blue", { name = "blue", port = 80, protocol = "HTTP", vpc_id = vpc.id, target_type = "ip" })
local green = resource("aws_lb_target_group", "green", { name = "green", port = 80, protocol = "HTTP", vpc_id = vpc.id, target_type = "ip" })

local zone = resource("aws_route53_zone", "main", { name = "example.com" })
local function certificate(name, domain)
  local cert = resource("aws_acm_certificate", name, { domain_name = domain, validation_method = "DNS" })
  local dvo = cert.domain_validation_options
  local rec = resource("aws_route53_record", name .. "_validation", { zone_id = zone.zone_id, type = "CNAME", ttl = 60,
    name = dvo:map(function(o) return o[1].resource_record_name end),
    records = { dvo:map(function(o) return o[1].resource_record_value end) } })
  return resource("aws_acm_certificate_validation", name, { certificate_arn = cert.arn, validation_record_fqdns = { rec.fqdn } })
end
local web = certificate("web", "example.com")
local api = certificate("api", "api.example.com")

local https = resource("aws_lb_listener", "https", { load_balancer_arn = lb.arn, port = 443, protocol = "HTTPS",
  ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06", certificate_arn = web.certificate_arn,
  default_action = { { type = "fixed-response", fixed_response = { { content_type = "text/plain", status_code = "404" } } } } })
resource("aws_lb_listener", "http", { load_balancer_arn = lb.arn, port = 80, protocol = "HTTP",
  default_action = { { type = "redirect", redirect = { { port = "443", protocol = "HTTPS", status_code = "HTTP_301" } } } } })
resource("aws_lb_listener_certificate", "api", { listener_arn = https.arn, certificate_arn = api.certificate_arn })
resource("aws_lb_listener_rule", "api", { listener_arn = https.arn, priority = var("priority", { default = 10 }),
  condition = {
    { host_header = { { values = { "api.example.com" } } } },
    { path_pattern = { { values = { var("path", { default = "/v1/*" }) } } } },
  },
  action = { { type = "forward", forward = { { target_group = {
    { arn = blue.arn, weight = var("blue", { default = 90 }) }, { arn = green.arn, weight = 10 } } } } } },
  tags = { team = "api" },
})
resource("aws_lb_listener_rule", "maintenance", { listener_arn = https.arn,
  condition = { { http_header = { { http_header_name = "X-Maintenance", values = { "on" } } } } },
  action = { { type = "fixed-response", fixed_response = { { content_type = "text/plain", status_code = "503",
    message_body = "down" } } } },
})
]]

local function rules(listener)
  local out = {}
  for _, r in ipairs(aws.client("elbv2"):collect("DescribeRules", { ListenerArn = listener })) do
    out[r.Priority] = r
  end
  return out
end

test("HTTPS serves the issued certificate, HTTP redirects, rules route; a second plan has no changes", function()
  local e = emulator(FLAGS)
  local dir = e:applied(MAIN)
  e:use()
  local elb = aws.client("elbv2")
  local https = attributes(dir, "aws_lb_listener.https").arn
  local ls = elb:DescribeListeners{ ListenerArns = { https } }.Listeners[1]
  expect(ls.Protocol).to_be("HTTPS")
  expect(ls.Certificates[1].CertificateArn).to_be(attributes(dir, "aws_acm_certificate.web").arn)
  local http = elb:DescribeListeners{ ListenerArns = { attributes(dir, "aws_lb_listener.http").arn } }.Listeners[1]
  expect(http.DefaultActions[1].RedirectConfig.Protocol).to_be("HTTPS")
  local certs = elb:DescribeListenerCertificates{ ListenerArn = https }.Certificates
  expect(#certs).to_be(2)
  local r = rules(https)
  expect(r["10"].Actions[1].ForwardConfig.TargetGroups[1].Weight).to_be(90)
  -- without a priority, the rule took a free one
  local m = elb:DescribeRules{ RuleArns = { attributes(dir, "aws_lb_listener_rule.maintenance").arn } }.Rules[1]
  expect(m.Actions[1].FixedResponseConfig.StatusCode).to_be("503")
  expect(m.Priority).not_to_contain("10")
  expect(attributes(dir, "aws_lb_listener_rule.maintenance").priority).to_be(tonumber(m.Priority))
  expect(r["default"].IsDefault).to_be(true)
  local cert = aws.client("acm"):DescribeCertificate{ CertificateArn = attributes(dir, "aws_acm_certificate.web").arn }.Certificate
  expect(cert.InUseBy[1]).to_be(attributes(dir, "aws_lb.web").arn)
  e:no_changes(dir)
end)

test("a rule's conditions, weights and priority change in place", function()
  local e = emulator(FLAGS)
  local dir = e:applied(MAIN)
  local vars = { "-var", "path=/v2/*", "-var", "blue=50", "-var", "priority=5" }
  local out = e:changes(dir, table.unpack(vars))
  expect(out).to_contain("# aws_lb_listener_rule.api will be updated in-place")
  expect(out).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  e:apply(dir, table.unpack(vars))
  e:use()
  local r = rules(attributes(dir, "aws_lb_listener.https").arn)
  expect(r["5"].Actions[1].ForwardConfig.TargetGroups[1].Weight).to_be(50)
  local paths
  for _, c in ipairs(r["5"].Conditions) do
    if c.Field == "path-pattern" then paths = c.PathPatternConfig.Values end
  end
  expect(paths[1]).to_be("/v2/*")
  e:no_changes(dir, table.unpack(vars))
end)

test("rules and certificates changed in the emulator are drift that the next apply repairs", function()
  local e = emulator(FLAGS)
  local dir = e:applied(MAIN)
  e:use()
  local elb = aws.client("elbv2")
  local rule = attributes(dir, "aws_lb_listener_rule.maintenance").arn
  elb:ModifyRule{ RuleArn = rule, Actions = { { Type = "fixed-response", FixedResponseConfig = {
    ContentType = "text/plain", StatusCode = "200", MessageBody = "up" } } } }
  elb:RemoveListenerCertificates{ ListenerArn = attributes(dir, "aws_lb_listener.https").arn,
    Certificates = { { CertificateArn = attributes(dir, "aws_acm_certificate.api").arn } } }
  local out = e:changes(dir)
  expect(out).to_contain("# aws_lb_listener_rule.maintenance will be updated in-place")
  expect(out).to_contain("# aws_lb_listener_certificate.api will be created")
  e:apply(dir)
  local r = elb:DescribeRules{ RuleArns = { rule } }.Rules[1]
  expect(r.Actions[1].FixedResponseConfig.StatusCode).to_be("503")
  expect(#elb:DescribeListenerCertificates{ ListenerArn = attributes(dir, "aws_lb_listener.https").arn }.Certificates).to_be(2)
  e:no_changes(dir)
end)

test("import of a rule and a listener certificate; destroy leaves no listener, rule or certificate", function()
  local e = emulator(FLAGS)
  local dir = e:applied(MAIN)
  for _, addr in ipairs({ "aws_lb_listener_rule.api", "aws_lb_listener_certificate.api" }) do
    e:reimport(dir, addr)
  end
  e:no_changes(dir)
  e:destroy(dir)
  local inv = e:inventory()
  expect(#inv.elasticloadbalancing.listener_rule).to_be(0)
  expect(#inv.elasticloadbalancing.listener).to_be(0)
  expect(#inv.acm.certificate).to_be(0)
  expect(#inv.route53.zone).to_be(0)
end)
