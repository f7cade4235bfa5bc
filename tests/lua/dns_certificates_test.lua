-- DNS and certificates (issue 13): aws_route53_zone, aws_route53_record,
-- aws_acm_certificate and aws_acm_certificate_validation against the
-- emulator (which issues a certificate once its validation CNAME is in
-- its Route 53): create, a second plan with no changes, in-place updates,
-- replacement where Terraform replaces, drift made in the emulator found
-- and repaired, import, a lost create, destroy.
local aws = require("luaform.aws")

local MAIN = [[
local zone = resource("aws_route53_zone", "main", { name = "example.com",
  comment = var("comment", { default = "team zone" }), tags = { team = "web" } })
local cert = resource("aws_acm_certificate", "web", { domain_name = "example.com",
  subject_alternative_names = { "example.com", "*.example.com" }, validation_method = "DNS",
  tags = { team = "web" } })
local dvo = cert.domain_validation_options
resource("aws_route53_record", "validation", {
  zone_id = zone.zone_id, ttl = 60, allow_overwrite = true,
  name = dvo:map(function(o) return o[1].resource_record_name end),
  type = "CNAME",
  records = { dvo:map(function(o) return o[1].resource_record_value end) },
})
resource("aws_acm_certificate_validation", "web", { certificate_arn = cert.arn })
resource("aws_route53_record", "www", { zone_id = zone.zone_id, name = "www.example.com", type = "A",
  ttl = var("ttl", { default = 300 }), records = { var("ip", { default = "10.0.0.1" }) } })
resource("aws_route53_record", "apex", { zone_id = zone.zone_id, name = "example.com", type = "A",
  alias = { { name = "web-1.ap-northeast-2.elb.amazonaws.com", zone_id = "ZWKZPGTI48KDX", evaluate_target_health = true } } })
resource("aws_route53_record", "blue", { zone_id = zone.zone_id, name = "app.example.com", type = "A", ttl = 60,
  records = { "10.0.1.1" }, set_identifier = "blue", weighted_routing_policy = { { weight = var("blue", { default = 90 }) } } })
resource("aws_route53_record", "green", { zone_id = zone.zone_id, name = "app.example.com", type = "A", ttl = 60,
  records = { "10.0.2.1" }, set_identifier = "green", weighted_routing_policy = { { weight = 10 } } })
resource("aws_route53_record", "primary", { zone_id = zone.zone_id, name = "db.example.com", type = "A", ttl = 60,
  records = { "10.0.3.1" }, set_identifier = "primary", failover_routing_policy = { { type = "PRIMARY" } } })
output("zone_id", zone.zone_id)
]]

local function sets(zone)
  local out = {}
  for _, rr in ipairs(aws.client("route53"):collect("ListResourceRecordSets", { HostedZoneId = zone })) do
    out[rr.Name .. " " .. rr.Type .. (rr.SetIdentifier and (" " .. rr.SetIdentifier) or "")] = rr
  end
  return out
end

test("a zone, its records and a DNS-validated certificate apply; the certificate is issued; a second plan has no changes", function()
  local e = emulator()
  local dir = e:applied(MAIN)
  e:use()
  local zone = attributes(dir, "aws_route53_zone.main").zone_id
  expect(zone).to_match("^Z[A-Z0-9]+$")
  expect(#attributes(dir, "aws_route53_zone.main").name_servers).to_be(4)
  local cert = aws.client("acm"):DescribeCertificate{ CertificateArn = attributes(dir, "aws_acm_certificate.web").arn }.Certificate
  expect(cert.Status).to_be("ISSUED")
  local s = sets(zone)
  expect(s["www.example.com. A"].ResourceRecords[1].Value).to_be("10.0.0.1")
  expect(s["example.com. A"].AliasTarget.DNSName).to_be("web-1.ap-northeast-2.elb.amazonaws.com.")
  expect(s["app.example.com. A blue"].Weight).to_be(90)
  expect(s["db.example.com. A primary"].Failover).to_be("PRIMARY")
  expect(attributes(dir, "aws_route53_record.blue").id).to_be(zone .. "_app.example.com_A_blue")
  e:no_changes(dir)
end)

test("ttl, records, weights and the zone's comment change in place", function()
  local e = emulator()
  local dir = e:applied(MAIN)
  local vars = { "-var", "ttl=60", "-var", "ip=10.0.0.2", "-var", "blue=50", "-var", "comment=renamed" }
  local out = e:changes(dir, table.unpack(vars))
  expect(out).to_contain("# aws_route53_record.www will be updated in-place")
  expect(out).to_contain("# aws_route53_record.blue will be updated in-place")
  expect(out).to_contain("# aws_route53_zone.main will be updated in-place")
  expect(out).to_contain("Plan: 0 to add, 3 to change, 0 to destroy.")
  e:apply(dir, table.unpack(vars))
  e:use()
  local zone = attributes(dir, "aws_route53_zone.main").zone_id
  local s = sets(zone)
  expect(s["www.example.com. A"].TTL).to_be(60)
  expect(s["www.example.com. A"].ResourceRecords[1].Value).to_be("10.0.0.2")
  expect(s["app.example.com. A blue"].Weight).to_be(50)
  expect(aws.client("route53"):GetHostedZone{ Id = zone }.HostedZone.Config.Comment).to_be("renamed")
  e:no_changes(dir, table.unpack(vars))
end)

test("a record's name and a certificate's domain force replacement, as Terraform", function()
  local e = emulator()
  local dir = new_stack([[
local zone = resource("aws_route53_zone", "main", { name = "example.com" })
resource("aws_route53_record", "r", { zone_id = zone.zone_id, name = var("name", { default = "a.example.com" }),
  type = "TXT", ttl = 60, records = { "hello" } })
resource("aws_acm_certificate", "c", { domain_name = var("domain", { default = "a.example.com" }) },
  { create_before_destroy = true })
]])
  e:apply(dir)
  local old = attributes(dir, "aws_acm_certificate.c").arn
  local out = e:changes(dir, "-var", "name=b.example.com", "-var", "domain=b.example.com")
  expect(out).to_contain("# aws_route53_record.r must be replaced")
  expect(out).to_contain("# aws_acm_certificate.c must be replaced")
  e:apply(dir, "-var", "name=b.example.com", "-var", "domain=b.example.com")
  e:use()
  local s = sets(attributes(dir, "aws_route53_zone.main").zone_id)
  expect(s["a.example.com. TXT"]).to_be(nil)
  expect(s["b.example.com. TXT"].ResourceRecords[1].Value).to_be("hello")
  expect(attributes(dir, "aws_acm_certificate.c").arn).not_to_contain(old)
  local ok = pcall(aws.client("acm").DescribeCertificate, aws.client("acm"), { CertificateArn = old })
  expect(ok).to_be(false)
end)

test("records and tags changed in the emulator are drift that the next apply repairs", function()
  local e = emulator()
  local dir = e:applied(MAIN)
  e:use()
  local r53 = aws.client("route53")
  local zone = attributes(dir, "aws_route53_zone.main").zone_id
  r53:ChangeResourceRecordSets{ HostedZoneId = zone, ChangeBatch = { Changes = {
    { Action = "UPSERT", ResourceRecordSet = { Name = "www.example.com", Type = "A", TTL = 5,
      ResourceRecords = { { Value = "6.6.6.6" } } } },
    { Action = "DELETE", ResourceRecordSet = sets(zone)["db.example.com. A primary"] } } } }
  r53:ChangeTagsForResource{ ResourceType = "hostedzone", ResourceId = zone, AddTags = { { Key = "owner", Value = "x" } } }
  r53:UpdateHostedZoneComment{ Id = zone, Comment = "changed" }
  local out = e:changes(dir)
  expect(out).to_contain("Objects have changed outside of luaform")
  expect(out).to_contain("# aws_route53_record.www will be updated in-place")
  expect(out).to_contain("# aws_route53_record.primary will be created")
  expect(out).to_contain("# aws_route53_zone.main will be updated in-place")
  e:apply(dir)
  local s = sets(zone)
  expect(s["www.example.com. A"].ResourceRecords[1].Value).to_be("10.0.0.1")
  expect(s["www.example.com. A"].TTL).to_be(300)
  expect(s["db.example.com. A primary"].Failover).to_be("PRIMARY")
  local tags = r53:ListTagsForResource{ ResourceType = "hostedzone", ResourceId = zone }.ResourceTagSet.Tags
  for _, t in ipairs(tags) do expect(t.Key).not_to_contain("owner") end
  e:no_changes(dir)
end)

test("import by id gives the same state; destroy leaves no zone, record or certificate", function()
  local e = emulator()
  local dir = e:applied(MAIN)
  for _, addr in ipairs({ "aws_route53_zone.main", "aws_route53_record.www", "aws_route53_record.apex",
      "aws_route53_record.blue", "aws_acm_certificate.web", "aws_acm_certificate_validation.web" }) do
    e:reimport(dir, addr)
  end
  e:no_changes(dir)
  e:destroy(dir)
  local inv = e:inventory()
  expect(#inv.route53.zone).to_be(0)
  expect(#inv.route53.record).to_be(0)
  expect(#inv.acm.certificate).to_be(0)
end)

test("lost creates: the zone by its caller reference, the certificate by its token; nothing made twice", function()
  local e = emulator()
  local dir = new_stack([[
resource("aws_route53_zone", "main", { name = "example.com", tags = { team = "web" } })
resource("aws_acm_certificate", "web", { domain_name = "example.com" })
]])
  e:faults{ lose_pct = 100 }
  local _, code = e:luaform(dir, "apply", "-auto-approve")
  e:faults{}
  if code ~= 0 then e:apply(dir) end
  local inv = e:inventory()
  expect(#inv.route53.zone).to_be(1)
  expect(#inv.acm.certificate).to_be(1)
  e:no_changes(dir)
end)

test("a private zone: its VPCs (region left to the provider's) plan no change; another VPC is associated in place", function()
  local e = emulator()
  local dir = new_stack([[
local a = resource("aws_vpc", "a", { cidr_block = "10.0.0.0/16" })
local b = resource("aws_vpc", "b", { cidr_block = "10.1.0.0/16" })
local two = var("two", { type = "bool", default = false })
resource("aws_route53_zone", "p", { name = "internal", vpc = two and { { vpc_id = a.id }, { vpc_id = b.id } } or { { vpc_id = a.id } } })
]])
  e:apply(dir)
  e:no_changes(dir)
  local out = e:changes(dir, "-var", "two=true")
  expect(out).to_contain("# aws_route53_zone.p will be updated in-place")
  e:apply(dir, "-var", "two=true")
  e:use()
  local z = aws.client("route53"):GetHostedZone{ Id = state_of(dir).resources["aws_route53_zone.p"].attributes.zone_id }
  expect(z.HostedZone.Config.PrivateZone).to_be(true)
  expect(#z.VPCs).to_be(2)
  e:no_changes(dir, "-var", "two=true")
  e:apply(dir)
  expect(#aws.client("route53"):GetHostedZone{ Id = z.HostedZone.Id:match("[^/]+$") }.VPCs).to_be(1)
end)
