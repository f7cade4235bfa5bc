-- aws_route53_record: a Route 53 record set (simple, alias, weighted or
-- failover), as Terraform's AWS provider has it; declared for
-- aws._resource (contract v2).
--
-- The id is Terraform's "ZONEID_NAME_TYPE" (and "_SETIDENTIFIER" for a
-- routed set), also the import id. zone_id, name, type and set_identifier
-- force a new record; ttl, records, alias, the routing policies and
-- health_check_id change with one UPSERT of the whole set. Every change
-- waits until Route 53 says INSYNC. The create is a CREATE (an UPSERT with
-- allow_overwrite), so a re-sent create fails rather than taking someone
-- else's record: a lost create is found on the next run by its id. A
-- refresh lists each zone's record sets once (ListResourceRecordSets).
-- Delete sends DELETE with the set as Route 53 has it (it must match).
local resource = require("luaform.providers.aws._resource")
local r53 = require("luaform.providers.aws._route53")
local common = require("luaform.providers.aws._common")

local function id_of(zone, name, rtype, set_id)
  local id = r53.zone_id(zone) .. "_" .. r53.name(name) .. "_" .. rtype
  if set_id and set_id ~= "" then id = id .. "_" .. set_id end
  return id
end

local function split(id)
  local zone, rest = tostring(id):match("^([^_]+)_(.+)$")
  if not zone then error(string.format('aws_route53_record: id "%s" is not "ZONEID_NAME_TYPE[_SETIDENTIFIER]"', tostring(id)), 0) end
  local name, rtype, set_id = rest:match("^(.-)_(%u+)_(.+)$")
  if not name then name, rtype = rest:match("^(.-)_(%u+)$") end
  if not name then error(string.format('aws_route53_record: id "%s" is not "ZONEID_NAME_TYPE[_SETIDENTIFIER]"', tostring(id)), 0) end
  return zone, name, rtype, set_id
end

local function object_id(rr) return id_of(rr.ZoneId, rr.Name, rr.Type, rr.SetIdentifier) end

-- {id = record set} of ids: one paged listing per zone.
local function describe(ctx, ids)
  local c = ctx:client("route53")
  return common.read_children(ids, split, function(zones, keep)
    for _, zone in ipairs(zones) do
      local ok, sets = pcall(c.collect, c, "ListResourceRecordSets", { HostedZoneId = zone })
      if not ok and not (type(sets) == "table" and sets.code == "NoSuchHostedZone") then error(sets, 0) end
      for _, rr in ipairs(ok and sets or {}) do
        rr.ZoneId = zone
        keep(object_id(rr), rr)
      end
    end
  end)
end

-- The record set of the arguments, as ChangeResourceRecordSets takes it.
local function record_set(a)
  local rr = { Name = a.name, Type = a.type, SetIdentifier = a.set_identifier, HealthCheckId = a.health_check_id }
  local alias = a.alias and a.alias[1]
  if alias then
    rr.AliasTarget = { DNSName = alias.name, HostedZoneId = alias.zone_id,
      EvaluateTargetHealth = alias.evaluate_target_health or false }
  else
    rr.TTL = a.ttl
    rr.ResourceRecords = {}
    local values = {}
    for _, v in ipairs(a.records or {}) do values[#values + 1] = v end
    table.sort(values)
    for i, v in ipairs(values) do rr.ResourceRecords[i] = { Value = v } end
  end
  local w = a.weighted_routing_policy and a.weighted_routing_policy[1]
  if w then rr.Weight = w.weight end
  local f = a.failover_routing_policy and a.failover_routing_policy[1]
  if f then rr.Failover = f.type end
  return rr
end

local function change(ctx, c, zone, action, rr, opts)
  r53.wait(ctx, c, c:ChangeResourceRecordSets({ HostedZoneId = r53.zone_id(zone),
    ChangeBatch = { Changes = { { Action = action, ResourceRecordSet = rr } } } }, opts))
end

-- One UPSERT of the whole set per update.
local upserted = setmetatable({}, { __mode = "k" })
local function upsert(ctx, c, _, _, ch)
  if upserted[ch.new] then return end
  upserted[ch.new] = true
  change(ctx, c, ch.new.zone_id, "UPSERT", record_set(ch.new), ch.opts)
end

local function values_of(_, rr)
  if rr.AliasTarget then return nil end
  local out = {}
  for i, r in ipairs(rr.ResourceRecords or {}) do out[i] = r.Value end
  return out
end

local T
T = resource.define{
  service = "route53", description = "A Route 53 record set.",
  id = object_id,
  fields = {
    zone_id = { type = "string", required = true, force_new = true, wire = "ZoneId",
      description = "The hosted zone's id." },
    name = { type = "string", required = true, force_new = true, wire = "Name", equal = r53.same_name,
      from_wire = function(v) return r53.name(v) end, description = "The record's name." },
    type = { type = "string", required = true, force_new = true, wire = "Type",
      description = "A, AAAA, CNAME, TXT, MX, ..." },
    set_identifier = { type = "string", optional = true, force_new = true, wire = "SetIdentifier",
      description = "Tells apart the sets of a routing policy." },
    ttl = { type = "number", optional = true, wire = "TTL", set = upsert, description = "Seconds resolvers keep it." },
    records = { type = "set", elem = "string", optional = true, set = upsert, from_wire = values_of,
      description = "The values (not with alias)." },
    alias = { type = "list", max_items = 1, optional = true, set = upsert, wire = "AliasTarget",
      description = "Another AWS name (a load balancer) this name answers as.",
      block = {
        name = { type = "string", required = true, wire = "DNSName", equal = r53.same_name,
          from_wire = function(v) return r53.name(v) end },
        zone_id = { type = "string", required = true, wire = "HostedZoneId" },
        evaluate_target_health = { type = "bool", required = true, wire = "EvaluateTargetHealth" },
      } },
    weighted_routing_policy = { type = "list", max_items = 1, optional = true, set = upsert,
      description = "Weighted routing: this set's share.",
      from_wire = function(_, rr) return rr.Weight and { { weight = tonumber(rr.Weight) } } or nil end,
      block = { weight = { type = "number", required = true } } },
    failover_routing_policy = { type = "list", max_items = 1, optional = true, set = upsert,
      description = "Failover routing: PRIMARY or SECONDARY.",
      from_wire = function(_, rr) return rr.Failover and { { type = rr.Failover } } or nil end,
      block = { type = { type = "string", required = true } } },
    health_check_id = { type = "string", optional = true, wire = "HealthCheckId", set = upsert,
      description = "A health check of this set." },
    allow_overwrite = { type = "bool", optional = true, default = false, keep = true,
      description = "Create with UPSERT, taking over a set that exists." },
    fqdn = { type = "string", computed = true, from_wire = function(_, rr) return r53.name(rr.Name) end,
      description = "The record's full name." },
  },
  create = { op = "ChangeResourceRecordSets" },
  read_many = describe,
  not_found = { "NoSuchHostedZone" },
  delete = { op = "ChangeResourceRecordSets" },
}

-- Create and delete are changes of a batch and wait for INSYNC (irregular
-- for the builder: no object in the answer, no id in the call).
function T.create(ctx, args)
  local c = ctx:client("route53")
  change(ctx, c, args.zone_id, args.allow_overwrite and "UPSERT" or "CREATE", record_set(args))
  local id = id_of(args.zone_id, args.name, args.type, args.set_identifier)
  local a = T.read(ctx, id, args)
  if not a then error(string.format("route53 record %s is not listed after its change", id), 0) end
  return a
end

function T.delete(ctx, id)
  local c = ctx:client("route53")
  local rr = T.read_object(ctx, id)
  if not rr then return end
  rr.ZoneId = nil
  local ok, err = pcall(change, ctx, c, split(id), "DELETE", rr)
  if not ok and not (type(err) == "table" and (err.code == "NoSuchHostedZone" or
      (err.code == "InvalidChangeBatch" and tostring(err.message):find("not found", 1, true)))) then
    error(err, 0)
  end
end

function T.recover(ctx, pending)
  local args = pending and pending.args
  if not args or not args.zone_id then return nil end
  return T.read(ctx, id_of(args.zone_id, args.name, args.type, args.set_identifier), args)
end

return T
