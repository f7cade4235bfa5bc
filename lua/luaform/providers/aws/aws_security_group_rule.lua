-- aws_security_group_rule: one ingress or egress permission of a
-- security group (the older form: one protocol and port range, any number
-- of peers), as Terraform's AWS provider has it; declared for
-- aws._resource, its rules built and synced by aws._sg_rules.
--
-- AWS gives such a permission no id of its own: the id is Terraform's,
-- "sgrule-" and the CRC-32 of the group, ports, protocol, type and sorted
-- peers, so a state moved over from Terraform keeps it; a read finds the
-- permission by its content (the prior attributes) in DescribeSecurityGroups
-- (200 groups per call), and a rule missing any of its peers is gone.
-- Every argument but description forces a new rule; description changes
-- in place (UpdateSecurityGroupRuleDescriptions*). A create authorizes the
-- peers not there yet (a re-send after a lost answer, or a repair after
-- some were revoked by hand), so a rule already there is taken over: it
-- carries no tag to tell ours from a twin. Import takes Terraform's form
-- SG_TYPE_PROTOCOL_FROM_TO_PEER[_PEER...].
local resource = require("luaform.providers.aws._resource")
local common = require("luaform.providers.aws._common")
local rules = require("luaform.providers.aws._sg_rules")
local core = require("luaform.core")

local PEERS = { "cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids" }

local function list(v) return type(v) == "table" and v or {} end

-- The rule as an aws_security_group rule block (aws._sg_rules), without
-- its description when bare.
local function block_of(a, bare)
  return { protocol = a.protocol, from_port = a.from_port, to_port = a.to_port, cidr_blocks = a.cidr_blocks,
    ipv6_cidr_blocks = a.ipv6_cidr_blocks, prefix_list_ids = a.prefix_list_ids,
    security_groups = a.source_security_group_id and { a.source_security_group_id } or nil,
    self = a.self == true, description = not bare and a.description or nil }
end

-- Terraform's IPPermissionIDHash of the permission the arguments make.
local function id_of(a)
  local p = rules.protocol(a.protocol)
  local parts = { a.security_group_id }
  if p ~= "-1" then
    if (tonumber(a.from_port) or 0) > 0 then parts[#parts + 1] = string.format("%d", a.from_port) end
    if (tonumber(a.to_port) or 0) > 0 then parts[#parts + 1] = string.format("%d", a.to_port) end
  end
  parts[#parts + 1] = p
  parts[#parts + 1] = a.type
  for _, k in ipairs(PEERS) do
    local s = {}
    for _, x in ipairs(list(a[k])) do s[#s + 1] = x end
    table.sort(s)
    for _, x in ipairs(s) do parts[#parts + 1] = x end
  end
  local groups = {}
  if a.source_security_group_id then groups[#groups + 1] = a.source_security_group_id end
  if a.self == true and a.source_security_group_id ~= a.security_group_id then
    groups[#groups + 1] = a.security_group_id
  end
  table.sort(groups)
  for _, g in ipairs(groups) do parts[#parts + 1] = g; parts[#parts + 1] = "" end   -- GroupId, no GroupName
  return "sgrule-" .. core.crc32(table.concat(parts, "-") .. "-")
end

-- The rule of prior in group g (its IpPermissions), or nil when any of
-- its peers is missing: the attributes the read reports.
local function match(g, prior)
  local perms = prior.type == "egress" and g.IpPermissionsEgress or g.IpPermissions
  local desc = {}
  for _, b in ipairs(rules.blocks_of(perms, g.GroupId)) do
    local d = b.description
    b.description = nil
    local key = rules.flatten({ b }, g.GroupId)[1]
    if key and desc[key] == nil then desc[key] = d or "" end
  end
  local found
  for _, key in ipairs((rules.flatten({ block_of(prior, true) }, g.GroupId))) do
    if desc[key] == nil then return nil end
    if found == nil or found == "" then found = desc[key] end
  end
  if found == nil then return nil end
  local out = {}
  for k, v in pairs(prior) do out[k] = v end
  out.description = found
  out.id = id_of(prior)
  return out
end

-- {id = rule} of ids, their arguments in priors: one DescribeSecurityGroups
-- per 200 groups.
local function describe(ctx, ids, priors)
  local groups, want = {}, {}
  for i, id in ipairs(ids) do
    local p = priors[i]
    if p and p.security_group_id then
      want[#want + 1] = { id = id, prior = p }
      groups[p.security_group_id] = true
    end
  end
  local gids = {}
  for g in pairs(groups) do gids[#gids + 1] = g end
  table.sort(gids)
  local c, by_id, found = ctx:client("ec2"), {}, {}
  for _, chunk in ipairs(common.chunks(gids, 200)) do
    for _, g in ipairs(c:collect("DescribeSecurityGroups", { Filters = { { Name = "group-id", Values = chunk } } })) do
      by_id[g.GroupId] = g
    end
  end
  for _, w in ipairs(want) do
    local g = by_id[w.prior.security_group_id]
    local r = g and match(g, w.prior)
    if r then found[w.id] = r end
  end
  return found
end

local function find(ctx, a)
  local id = id_of(a)
  return describe(ctx, { id }, { a })[id]
end

local function op(a, verb) return verb .. (a.type == "egress" and "Egress" or "Ingress") end

local M = resource.define{
  service = "ec2", description = "One ingress or egress permission of a security group (the older form).",
  id = "id",
  fields = {
    type = { type = "string", required = true, force_new = true, wire = "type", description = "ingress or egress.",
      validate = function(v) if v ~= "ingress" and v ~= "egress" then return "expected ingress or egress" end end },
    security_group_id = { type = "string", required = true, force_new = true, wire = "security_group_id" },
    protocol = { type = "string", required = true, force_new = true, wire = "protocol",
      description = "tcp, udp, icmp, icmpv6, all (-1) or a protocol number.",
      equal = function(a, b) return a == b or a ~= nil and b ~= nil and rules.protocol(a) == rules.protocol(b) end },
    from_port = { type = "number", required = true, force_new = true, wire = "from_port" },
    to_port = { type = "number", required = true, force_new = true, wire = "to_port" },
    cidr_blocks = { type = "list", elem = "string", optional = true, force_new = true, wire = "cidr_blocks" },
    ipv6_cidr_blocks = { type = "list", elem = "string", optional = true, force_new = true, wire = "ipv6_cidr_blocks" },
    prefix_list_ids = { type = "list", elem = "string", optional = true, force_new = true, wire = "prefix_list_ids" },
    source_security_group_id = { type = "string", optional = true, force_new = true, wire = "source_security_group_id" },
    self = { type = "bool", optional = true, default = false, force_new = true, wire = "self",
      description = "The group itself is the peer." },
    description = { type = "string", optional = true, wire = "description",
      set = function(_, c, _, _, ch)
        local a = ch.new
        return c[op(a, "UpdateSecurityGroupRuleDescriptions")](c, { GroupId = a.security_group_id,
          IpPermissions = rules.permissions({ block_of(a) }, a.security_group_id) }, ch.opts)
      end },
  },
  create = {},   -- M.create below: its call depends on type, and it sends only the missing peers
  read_many = describe,
  find = find,
}

function M.create(ctx, args)
  local c = ctx:client("ec2")
  common.create(ctx, {
    call = function(opts)
      rules.sync(ctx, c, args.security_group_id, args.type, {}, { block_of(args) }, opts)
      return true
    end,
    find = function() return find(ctx, args) end,
  })
  return common.after_create(ctx, id_of(args), function()
    local a = common.poll(ctx, function() return M.read(ctx, id_of(args), args) end, 60, 1)
    if not a then error(string.format("%s: the rule is not visible after 60 s", ctx.address), 0) end
    return a
  end)
end

function M.delete(ctx, _, a)
  local ok, err = pcall(rules.sync, ctx, ctx:client("ec2"), a.security_group_id, a.type, { block_of(a) }, {}, {})
  if not ok and common.code(err) ~= "InvalidGroup.NotFound" then error(err, 0) end
end

-- Terraform's import form: sg-1_ingress_tcp_80_80_10.0.0.0/8_sg-2_self_pl-3_2001:db8::/48
function M.import(ctx, text)
  local parts = {}
  for p in tostring(text):lower():gmatch("[^_]+") do parts[#parts + 1] = p end
  local from, to = tonumber(parts[4]), tonumber(parts[5])
  if #parts < 6 or not parts[1]:match("^sg%-") or (parts[2] ~= "ingress" and parts[2] ~= "egress")
    or not from or not to then
    error(string.format("importing aws_security_group_rule: %q is not SECURITYGROUPID_TYPE_PROTOCOL_FROMPORT_TOPORT_SOURCE[_SOURCE]*",
      tostring(text)), 0)
  end
  local a = { security_group_id = parts[1], type = parts[2], protocol = rules.protocol(parts[3]),
    from_port = from, to_port = to, self = false }
  if a.protocol == "-1" then a.from_port, a.to_port = 0, 0 end   -- all ports: AWS reports none, as Terraform reads
  for i = 6, #parts do
    local s = parts[i]
    local k = s == "self" and "self" or s:match("^sg%-") and "source_security_group_id"
      or s:match("^pl%-") and "prefix_list_ids" or s:find(":", 1, true) and "ipv6_cidr_blocks" or "cidr_blocks"
    if k == "self" then a.self = true
    elseif k == "source_security_group_id" then a[k] = s
    else a[k] = a[k] or {}; table.insert(a[k], s) end
  end
  local id = id_of(a)
  local found = M.read(ctx, id, a)
  if not found then error(string.format("importing aws_security_group_rule: no rule %s", text), 0) end
  return found
end

return M
