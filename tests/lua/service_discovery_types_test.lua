-- Cloud Map types against the emulator: a private DNS namespace (its
-- asynchronous operations waited for) and a service with A records;
-- created as declared, a clean second plan, description and TTL changed
-- in place, a new record type replaces the service, drift repaired,
-- import by id, destroy.
local aws = require("luaform.aws")

local function stack(o)
  o = o or {}
  return string.format([[
local vpc = resource("aws_vpc", "main", { cidr_block = "10.0.0.0/16" })
local ns = resource("aws_service_discovery_private_dns_namespace", "internal", { name = "internal.local",
  vpc = vpc.id, description = %q, tags = { Team = "platform" } })
resource("aws_service_discovery_service", "api", { name = "api", description = %q,
  dns_config = { { namespace_id = ns.id, routing_policy = "MULTIVALUE",
    dns_records = { { ttl = %d, type = %q } } } },
  health_check_custom_config = { { failure_threshold = 1 } } })
]], o.ns_description or "internal names", o.description or "the API", o.ttl or 10, o.type or "A")
end

local FLAGS = { ["nat-delay-ms"] = 100 }

local function sd(e)
  e:use()
  return aws.client("servicediscovery", { region = e.region })
end

test("the namespace and the service are created as declared; a second plan has no changes", function()
  local e = emulator(FLAGS)
  local dir = e:applied(stack())
  local ns = attributes(dir, "aws_service_discovery_private_dns_namespace.internal")
  expect(ns.id).to_match("^ns%-")
  local got = sd(e):GetNamespace{ Id = ns.id }.Namespace
  expect(got.Name).to_be("internal.local")
  expect(got.Type).to_be("DNS_PRIVATE")
  expect(ns.hosted_zone).to_be(got.Properties.DnsProperties.HostedZoneId)
  local svc = sd(e):GetService{ Id = attributes(dir, "aws_service_discovery_service.api").id }.Service
  expect(svc.DnsConfig.DnsRecords[1].TTL).to_be(10)
  expect(svc.NamespaceId).to_be(ns.id)
  e:no_changes(dir)
end)

test("descriptions and TTLs change in place; a new record type replaces the service", function()
  local e = emulator(FLAGS)
  local dir = e:applied(stack())
  local id = attributes(dir, "aws_service_discovery_service.api").id
  write(dir .. "/main.lua", stack{ ns_description = "names", description = "API v2", ttl = 60 })
  local out = e:changes(dir)
  expect(out).to_contain("Plan: 0 to add, 2 to change, 0 to destroy.")
  e:apply(dir)
  local svc = sd(e):GetService{ Id = id }.Service
  expect(svc.Description).to_be("API v2")
  expect(svc.DnsConfig.DnsRecords[1].TTL).to_be(60)
  local ns = attributes(dir, "aws_service_discovery_private_dns_namespace.internal")
  expect(sd(e):GetNamespace{ Id = ns.id }.Namespace.Description).to_be("names")
  e:no_changes(dir)
  write(dir .. "/main.lua", stack{ ns_description = "names", description = "API v2", ttl = 60, type = "AAAA" })
  out = e:plan(dir)
  expect(out).to_contain("# aws_service_discovery_service.api must be replaced")
  e:apply(dir)
  expect(attributes(dir, "aws_service_discovery_service.api").id ~= id).to_be(true)
end)

test("drift is repaired; both import by id; destroy waits for the namespace's deletion", function()
  local e = emulator(FLAGS)
  local dir = e:applied(stack())
  local c = sd(e)
  local svc = attributes(dir, "aws_service_discovery_service.api")
  c:UpdateService{ Id = svc.id, Service = { Description = "changed", DnsConfig = { DnsRecords = {
    { Type = "A", TTL = 300 } } } } }
  local out = e:changes(dir)
  expect(out).to_contain("# aws_service_discovery_service.api will be updated in-place")
  e:apply(dir)
  expect(c:GetService{ Id = svc.id }.Service.DnsConfig.DnsRecords[1].TTL).to_be(10)
  local fresh = e:imported(stack(), resource_ids(dir))
  -- Cloud Map does not answer a namespace's VPC: the first plan after the
  -- import takes it from the configuration (an update without AWS calls)
  local out2 = e:plan(fresh)
  expect(out2).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  expect(out2).to_match("%+ vpc%s+= \"vpc%-")
  e:apply(fresh)
  e:no_changes(fresh)
  e:destroy(dir)
  local inv = e:inventory()
  expect(#inv.servicediscovery.namespace).to_be(0)
  expect(#inv.servicediscovery.service).to_be(0)
end)
