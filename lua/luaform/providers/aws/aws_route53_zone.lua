-- aws_route53_zone: a Route 53 hosted zone, public or private (vpc
-- blocks), as Terraform's AWS provider has it; declared for aws._resource
-- (contract v2).
--
-- The id is the zone id ("Z.."). name forces a new zone; comment changes
-- with UpdateHostedZoneComment, vpc blocks with AssociateVPCWithHostedZone
-- / DisassociateVPCFromHostedZone (associations first, so a private zone
-- never has none). The create's CallerReference is its token: a re-sent
-- create is HostedZoneAlreadyExists and the zone with that reference is
-- ours; its tags (with the token tag) are written right after it. Delete
-- with force_destroy first deletes the zone's records (all but its own
-- SOA and NS), as Terraform.
local resource = require("luaform.providers.aws._resource")
local r53 = require("luaform.providers.aws._route53")
local common = require("luaform.providers.aws._common")

local function read(ctx, id)
  local c = ctx:client("route53")
  local ok, out = pcall(c.GetHostedZone, c, { Id = r53.zone_id(id) })
  if not ok then
    if type(out) == "table" and out.code == "NoSuchHostedZone" then return nil end
    error(out, 0)
  end
  local z = out.HostedZone
  z.Id = r53.zone_id(z.Id)
  z.NameServers = out.DelegationSet and out.DelegationSet.NameServers or {}
  z.VPCs = out.VPCs or {}
  return z
end

local function vpc_key(v) return v.vpc_id end

-- vpc blocks compare by VPC; a region left out is the provider's (what AWS answers).
local function same_vpcs(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  local function index(list)
    local out, n = {}, 0
    for _, v in ipairs(list) do out[v.vpc_id] = v.vpc_region or false; n = n + 1 end
    return out, n
  end
  local x, nx = index(a)
  local y, ny = index(b)
  if nx ~= ny then return false end
  for id, region in pairs(x) do
    if y[id] == nil then return false end
    if region and y[id] and region ~= y[id] then return false end
  end
  return true
end

local function set_vpcs(ctx, c, id, value, ch)
  local had, want = {}, {}
  -- right after the create, the zone has the first VPC (CreateHostedZone took it)
  local old = ch.create and { value and value[1] } or ch.old.vpc or {}
  for _, v in ipairs(old) do had[vpc_key(v)] = v end
  for _, v in ipairs(value or {}) do want[vpc_key(v)] = v end
  local region = common.region(ctx)
  for k, v in pairs(want) do
    if not had[k] then
      r53.wait(ctx, c, c:AssociateVPCWithHostedZone({ HostedZoneId = id,
        VPC = { VPCId = v.vpc_id, VPCRegion = v.vpc_region or region } }, ch.opts))
    end
  end
  for k, v in pairs(had) do
    if not want[k] then
      r53.wait(ctx, c, c:DisassociateVPCFromHostedZone({ HostedZoneId = id,
        VPC = { VPCId = v.vpc_id, VPCRegion = v.vpc_region } }, ch.opts))
    end
  end
end

-- Deletes every record but the zone's own SOA and NS (force_destroy).
local function empty_zone(ctx, c, id, attrs)
  if not attrs.force_destroy then return end
  local apex = r53.name(attrs.name)
  local changes = {}
  for _, rr in ipairs(c:collect("ListResourceRecordSets", { HostedZoneId = id })) do
    if not (r53.name(rr.Name) == apex and (rr.Type == "SOA" or rr.Type == "NS")) then
      changes[#changes + 1] = { Action = "DELETE", ResourceRecordSet = rr }
    end
  end
  if #changes > 0 then r53.wait(ctx, c, c:ChangeResourceRecordSets{ HostedZoneId = id, ChangeBatch = { Changes = changes } }) end
end

return resource.define{
  service = "route53", description = "A Route 53 hosted zone.",
  identity = "Id", id = "Id",
  fields = {
    name = { type = "string", required = true, force_new = true, wire = "Name", equal = r53.same_name,
      from_wire = function(v) return r53.name(v) end, description = "The zone's domain name." },
    comment = { type = "string", optional = true, default = "Managed by luaform", wire = "Config.Comment",
      input = "HostedZoneConfig.Comment", description = "The zone's comment.",
      set = function(_, c, id, value, ch) c:UpdateHostedZoneComment({ Id = id, Comment = value or "" }, ch.opts) end },
    vpc = { type = "set", optional = true, input = false, set = set_vpcs, wire = "VPCs", equal = same_vpcs,
      description = "VPCs of a private zone (none: a public zone).",
      block = {
        vpc_id = { type = "string", required = true, wire = "VPCId" },
        vpc_region = { type = "string", optional = true, computed = true, wire = "VPCRegion" },
      } },
    force_destroy = { type = "bool", optional = true, default = false, keep = true,
      description = "On destroy, delete the zone's records first." },
    zone_id = { type = "string", computed = true, wire = "Id", description = "The zone's id (also the id)." },
    arn = { type = "string", computed = true, from_wire = function(_, obj) return "arn:aws:route53:::hostedzone/" .. obj.Id end,
      description = "The zone's ARN." },
    name_servers = { type = "list", elem = "string", computed = true, wire = "NameServers",
      description = "The zone's name servers (public zones)." },
    primary_name_server = { type = "string", computed = true,
      from_wire = function(_, obj) return obj.NameServers and obj.NameServers[1] or nil end,
      description = "The first of the name servers." },
  },
  -- CallerReference is the create's token; a re-sent create is HostedZoneAlreadyExists
  create = { op = "CreateHostedZone", exists = { "HostedZoneAlreadyExists" },
    params = function(ctx, args, params)
      params.CallerReference = ctx.token
      local v = args.vpc and args.vpc[1]
      if v then
        params.VPC = { VPCId = v.vpc_id, VPCRegion = v.vpc_region or common.region(ctx) }
        params.HostedZoneConfig = params.HostedZoneConfig or {}
        params.HostedZoneConfig.PrivateZone = true
      end
    end,
    result = function(out)
      local z = out.HostedZone
      z.Id = r53.zone_id(z.Id)
      return z
    end,
    after = function(ctx, c, id, args)
      r53.write_tags(ctx, c, id, args.tags, ctx.token)
    end },
  read = read,
  -- the zone whose CallerReference is the token is ours (its tags may not be written yet)
  find = function(ctx, args, token)
    local c = ctx:client("route53")
    for _, z in ipairs(c:collect("ListHostedZones", {})) do
      if z.CallerReference == token then
        if r53.zone_tags.read(ctx, c, z.Id)[common.TOKEN_TAG] ~= token then r53.write_tags(ctx, c, z.Id, args.tags, token) end
        return read(ctx, z.Id)
      end
    end
  end,
  not_found = { "NoSuchHostedZone" },
  delete = { op = "DeleteHostedZone", before = empty_zone, busy = { "HostedZoneNotEmpty" } },
  tags = r53.zone_tags,
}
