-- The DNS and load balancer routing types of issue 13, for
-- scripts/moto-compare.sh (not run by `make test`): a public zone with
-- simple, alias, weighted and failover records and a private zone; two
-- DNS-validated certificates; an HTTPS listener with a second certificate
-- and listener rules (host, path, header; weighted forward,
-- fixed-response), HTTP redirected to HTTPS. Region and endpoint come from
-- the script's environment; -var changed=true changes updatable arguments
-- (the script's second apply).
local changed = var("changed", { type = "bool", default = false })
local function pick(before, after) if changed then return after end return before end
local vpc = resource("aws_vpc", "main", { cidr_block = "10.5.0.0/16" })
local igw = resource("aws_internet_gateway", "main", { vpc_id = vpc.id })
local a = resource("aws_subnet", "a", { vpc_id = vpc.id, cidr_block = "10.5.1.0/24", availability_zone = "us-east-1a" })
local b = resource("aws_subnet", "b", { vpc_id = vpc.id, cidr_block = "10.5.2.0/24", availability_zone = "us-east-1b" })
local sg = resource("aws_security_group", "lb", { name = "lb", description = "lb", vpc_id = vpc.id })
local lb = resource("aws_lb", "web", { name = "web", security_groups = { sg.id }, subnets = { a.id, b.id } },
  { depends_on = { igw } })
local blue = resource("aws_lb_target_group", "blue", { name = "blue", port = 80, protocol = "HTTP", vpc_id = vpc.id, target_type = "ip" })
local green = resource("aws_lb_target_group", "green", { name = "green", port = 80, protocol = "HTTP", vpc_id = vpc.id, target_type = "ip" })

local zone = resource("aws_route53_zone", "main", { name = "example.com", comment = pick("team zone", "the team's zone"),
  tags = { team = pick("web", "platform") }, force_destroy = true })
resource("aws_route53_zone", "private", { name = "internal.example.com", vpc = { { vpc_id = vpc.id } } })
local function certificate(name, domain, sans)
  local cert = resource("aws_acm_certificate", name, { domain_name = domain, subject_alternative_names = sans,
    validation_method = "DNS", tags = { team = pick("web", "platform") } })
  local dvo = cert.domain_validation_options
  local rec = resource("aws_route53_record", name .. "_validation", { zone_id = zone.zone_id, type = "CNAME", ttl = 60,
    allow_overwrite = true,
    name = dvo:map(function(o) return o[1].resource_record_name end),
    records = { dvo:map(function(o) return o[1].resource_record_value end) } })
  return resource("aws_acm_certificate_validation", name, { certificate_arn = cert.arn, validation_record_fqdns = { rec.fqdn } })
end
local web = certificate("web", "example.com", { "example.com", "*.example.com" })
local api = certificate("api", "api.example.com")

resource("aws_route53_record", "www", { zone_id = zone.zone_id, name = "www.example.com", type = "A",
  ttl = pick(300, 60), records = { pick("10.0.0.1", "10.0.0.2") } })
resource("aws_route53_record", "apex", { zone_id = zone.zone_id, name = "example.com", type = "A",
  alias = { { name = lb.dns_name, zone_id = lb.zone_id, evaluate_target_health = true } } })
resource("aws_route53_record", "blue", { zone_id = zone.zone_id, name = "app.example.com", type = "A", ttl = 60,
  records = { "10.0.1.1" }, set_identifier = "blue", weighted_routing_policy = { { weight = pick(90, 50) } } })
resource("aws_route53_record", "green", { zone_id = zone.zone_id, name = "app.example.com", type = "A", ttl = 60,
  records = { "10.0.2.1" }, set_identifier = "green", weighted_routing_policy = { { weight = 10 } } })
resource("aws_route53_record", "primary", { zone_id = zone.zone_id, name = "db.example.com", type = "A", ttl = 60,
  records = { "10.0.3.1" }, set_identifier = "primary", failover_routing_policy = { { type = "PRIMARY" } } })

local https = resource("aws_lb_listener", "https", { load_balancer_arn = lb.arn, port = 443, protocol = "HTTPS",
  ssl_policy = pick("ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"),
  certificate_arn = web.certificate_arn,
  default_action = { { type = "fixed-response", fixed_response = { { content_type = "text/plain",
    status_code = pick("404", "403") } } } } })
resource("aws_lb_listener", "http", { load_balancer_arn = lb.arn, port = 80, protocol = "HTTP",
  default_action = { { type = "redirect", redirect = { { port = "443", protocol = "HTTPS", status_code = "HTTP_301" } } } } })
resource("aws_lb_listener_certificate", "api", { listener_arn = https.arn, certificate_arn = api.certificate_arn })
resource("aws_lb_listener_rule", "api", { listener_arn = https.arn, priority = pick(10, 20),
  condition = {
    { host_header = { { values = { "api.example.com" } } } },
    { path_pattern = { { values = { pick("/v1/*", "/v2/*") } } } },
  },
  action = { { type = "forward", forward = { { target_group = {
    { arn = blue.arn, weight = pick(90, 50) }, { arn = green.arn, weight = pick(10, 50) } } } } } },
  tags = { team = pick("api", "platform") },
})
resource("aws_lb_listener_rule", "maintenance", { listener_arn = https.arn,
  condition = { { http_header = { { http_header_name = "X-Maintenance", values = { "on" } } } } },
  action = { { type = "fixed-response", fixed_response = { { content_type = "text/plain", status_code = "503",
    message_body = pick("down", "maintenance") } } } },
})

output("zone_id", zone.zone_id)
