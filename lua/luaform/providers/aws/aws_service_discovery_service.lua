-- aws_service_discovery_service: a Cloud Map service (the DNS records its
-- instances get), as Terraform's AWS provider has it; declared for
-- aws._resource through aws._put_whole (UpdateService takes the whole
-- changeable part: description and the records' TTLs).
--
-- The id is the service id (srv-...). name, namespace, the routing policy,
-- the record types and the custom health check force a new service, as
-- Terraform has them. The create's token is the CreatorRequestId (Cloud
-- Map answers a repeated one with the first service). A refresh pages
-- ListServices (100 a call).
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local whole = require("luaform.providers.aws._put_whole")

local function records(list)
  local out = {}
  for i, r in ipairs(list or {}) do out[i] = { TTL = r.ttl, Type = r.type } end
  return out
end

local function dns(a)
  local d = (a.dns_config or {})[1]
  if not d then return nil end
  return { NamespaceId = d.namespace_id, RoutingPolicy = d.routing_policy, DnsRecords = records(d.dns_records) }
end

-- The part of dns_config Cloud Map cannot change: namespace, routing, record types.
local function dns_shape(v)
  local d = (v or {})[1]
  if not d then return "" end
  local parts = { tostring(d.namespace_id), tostring(d.routing_policy or "MULTIVALUE") }
  for _, r in ipairs(d.dns_records or {}) do parts[#parts + 1] = tostring(r.type) end
  return table.concat(parts, "|")
end

local function params(a)
  local custom = (a.health_check_custom_config or {})[1]
  return { Name = a.name, NamespaceId = a.namespace_id or ((a.dns_config or {})[1] or {}).namespace_id,
    Description = a.description, DnsConfig = dns(a), Type = a.type,
    HealthCheckCustomConfig = custom and { FailureThreshold = custom.failure_threshold } or nil }
end

local M
M = resource.define(whole.declare({
  service = "servicediscovery", description = "A Cloud Map service: DNS records for its instances.",
  identity = "Id", id = "Id",
  fields = {
    name = { type = "string", required = true, force_new = true, wire = "Name" },
    namespace_id = { type = "string", optional = true, computed = true, force_new = true, wire = "NamespaceId" },
    description = { type = "string", optional = true, wire = "Description" },
    type = { type = "string", optional = true, force_new = true, keep = true,
      description = "HTTP for an API-only service; left out: DNS and API." },
    dns_config = { type = "list", max_items = 1, optional = true, wire = "DnsConfig",
      force_new = function(old, new) return dns_shape(old) ~= dns_shape(new) end,
      block = {
        namespace_id = { type = "string", required = true, wire = "NamespaceId" },
        routing_policy = { type = "string", optional = true, default = "MULTIVALUE", wire = "RoutingPolicy" },
        dns_records = { type = "list", required = true, wire = "DnsRecords",
          block = { ttl = { type = "number", required = true, wire = "TTL" },
                    type = { type = "string", required = true, wire = "Type" } } } } },
    health_check_custom_config = { type = "list", max_items = 1, optional = true, force_new = true,
      wire = "HealthCheckCustomConfig",
      block = { failure_threshold = { type = "number", optional = true, wire = "FailureThreshold" } } },
    force_destroy = { type = "bool", optional = true, default = false, keep = true },
    arn = { type = "string", computed = true, wire = "Arn" },
  },
  create = { op = "CreateService", result = "Service", token = "CreatorRequestId",
    retry_codes = { "NamespaceNotFound" } },
  read = { op = "GetService", result = "Service" },
  read_many = function(ctx, ids)
    local want, found = {}, {}
    for _, id in ipairs(ids) do want[id] = true end
    for _, s in ipairs(ctx:client("servicediscovery"):collect("ListServices", { MaxResults = 100 })) do
      if want[s.Id] then found[s.Id] = s end
    end
    return found
  end,
  find = function(ctx, args)
    for _, s in ipairs(ctx:client("servicediscovery"):collect("ListServices", {})) do
      if s.Name == args.name then return M.read_object(ctx, s.Id) end
    end
  end,
  not_found = { "ServiceNotFound" },
  delete = { op = "DeleteService", busy = { "ResourceInUse" } },
  tags = tags.api{ create = "Tags", form = "list", by = "arn", param = "ResourceARN",
    read = { op = "ListTagsForResource", result = "Tags" },
    tag = { op = "TagResource", member = "Tags" }, untag = { op = "UntagResource", member = "TagKeys" } },
}, params, function(c, id, a, opts)
  local d = dns(a)
  return c:UpdateService({ Id = id, Service = { Description = a.description or "",
    DnsConfig = d and { DnsRecords = d.DnsRecords } or nil } }, opts)
end))

return M
