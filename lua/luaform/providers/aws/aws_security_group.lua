-- aws_security_group: a VPC security group with inline rules, as
-- Terraform's aws_security_group.
--
-- name, name_prefix, description and vpc_id force a new group. ingress and
-- egress are sets of rule blocks; each block stands for one AWS rule per
-- peer (cidr_blocks, ipv6_cidr_blocks, prefix_list_ids, security_groups,
-- self), and the planner compares those flattened rules, so how the rules
-- are grouped into blocks never shows as a difference. Updates revoke and
-- authorize only the rules that differ. Like Terraform, the group's
-- default allow-all egress rule is removed at creation (egress left out
-- means: not managed; `egress = {}` means none). CreateSecurityGroup has no
-- ClientToken: the group is tagged with the create's token; a retry that
-- meets InvalidGroup.Duplicate looks for it. Refresh: one
-- DescribeSecurityGroups for every group of the state.
local common = require("luaform.providers.aws._common")

local M = {}

local RULE = {
  from_port = { type = "number", required = true },
  to_port = { type = "number", required = true },
  protocol = { type = "string", required = true },
  cidr_blocks = { type = "set", elem = "string", optional = true },
  ipv6_cidr_blocks = { type = "set", elem = "string", optional = true },
  prefix_list_ids = { type = "set", elem = "string", optional = true },
  security_groups = { type = "set", elem = "string", optional = true },
  self = { type = "bool", optional = true, default = false },
  description = { type = "string", optional = true },
}

local PROTOCOLS = { ["6"] = "tcp", ["17"] = "udp", ["1"] = "icmp", ["58"] = "icmpv6", all = "-1" }

local function proto(p)
  p = string.lower(tostring(p))
  return PROTOCOLS[p] or p
end

-- One string per AWS rule: proto|from|to|kind|peer|description.
local function flatten(blocks, self_id)
  local out = {}
  local unknown = false
  local function add(b, kind, peer)
    if type(peer) ~= "string" then unknown = true; return end
    local p = proto(b.protocol)
    local from, to = tonumber(b.from_port) or 0, tonumber(b.to_port) or 0
    if p == "-1" then from, to = 0, 0 end
    out[#out + 1] = table.concat({ p, math.tointeger(from) or from, math.tointeger(to) or to, kind, peer,
      b.description or "" }, "|")
  end
  for _, b in ipairs(blocks or {}) do
    if type(b) ~= "table" or type(b.protocol) ~= "string" and type(b.protocol) ~= "number" then
      unknown = true
    else
      for _, x in ipairs(type(b.cidr_blocks) == "table" and b.cidr_blocks or {}) do add(b, "cidr", x) end
      for _, x in ipairs(type(b.ipv6_cidr_blocks) == "table" and b.ipv6_cidr_blocks or {}) do add(b, "cidr6", x) end
      for _, x in ipairs(type(b.prefix_list_ids) == "table" and b.prefix_list_ids or {}) do add(b, "pl", x) end
      for _, x in ipairs(type(b.security_groups) == "table" and b.security_groups or {}) do
        if x == self_id then add(b, "self", "self") else add(b, "sg", x) end
      end
      if b.self == true then add(b, "self", "self") end
      for _, k in ipairs({ "cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups" }) do
        if b[k] ~= nil and type(b[k]) ~= "table" then unknown = true end
      end
    end
  end
  table.sort(out)
  local dedup = {}
  for _, s in ipairs(out) do if dedup[#dedup] ~= s then dedup[#dedup + 1] = s end end
  return dedup, unknown
end

local function same_rules(a, b)
  local fa, ua = flatten(a)
  local fb, ub = flatten(b)
  if ua or ub or #fa ~= #fb then return false end
  for i = 1, #fa do if fa[i] ~= fb[i] then return false end end
  return true
end

M.schema = common.tag_schema({
  name = { type = "string", optional = true, computed = true, force_new = true },
  name_prefix = { type = "string", optional = true, force_new = true },
  -- Terraform's default, so that groups moved over are not replaced
  description = { type = "string", optional = true, default = "Managed by Terraform", force_new = true },
  vpc_id = { type = "string", optional = true, computed = true, force_new = true },
  ingress = { type = "set", block = RULE, optional = true, computed = true, equal = same_rules },
  egress = { type = "set", block = RULE, optional = true, computed = true, equal = same_rules },
  revoke_rules_on_delete = { type = "bool", optional = true, default = false },
  arn = { type = "string", computed = true },
  owner_id = { type = "string", computed = true },
})

-- IpPermissions (API) -> rule blocks, one block per peer.
local function blocks_of(perms, self_id)
  local out = {}
  for _, p in ipairs(perms or {}) do
    local pr = proto(p.IpProtocol)
    local from, to = p.FromPort, p.ToPort
    if pr == "-1" or from == nil then from, to = from or 0, to or 0 end
    if pr == "-1" then from, to = 0, 0 end
    local function block(desc)
      return { protocol = pr, from_port = from, to_port = to, description = desc, self = false }
    end
    for _, r in ipairs(p.IpRanges or {}) do
      local b = block(r.Description); b.cidr_blocks = { r.CidrIp }; out[#out + 1] = b
    end
    for _, r in ipairs(p.Ipv6Ranges or {}) do
      local b = block(r.Description); b.ipv6_cidr_blocks = { r.CidrIpv6 }; out[#out + 1] = b
    end
    for _, r in ipairs(p.PrefixListIds or {}) do
      local b = block(r.Description); b.prefix_list_ids = { r.PrefixListId }; out[#out + 1] = b
    end
    for _, r in ipairs(p.UserIdGroupPairs or {}) do
      local b = block(r.Description)
      if r.GroupId == self_id then b.self = true else b.security_groups = { r.GroupId } end
      out[#out + 1] = b
    end
  end
  return out
end

-- A flattened rule string -> one IpPermission.
local function permission(rule, self_id)
  local p, from, to, kind, peer, desc = rule:match("^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|(.*)$")
  desc = desc ~= "" and desc or nil
  local perm = { IpProtocol = p }
  if p ~= "-1" then perm.FromPort, perm.ToPort = tonumber(from), tonumber(to) end
  if kind == "cidr" then perm.IpRanges = { { CidrIp = peer, Description = desc } }
  elseif kind == "cidr6" then perm.Ipv6Ranges = { { CidrIpv6 = peer, Description = desc } }
  elseif kind == "pl" then perm.PrefixListIds = { { PrefixListId = peer, Description = desc } }
  elseif kind == "self" then perm.UserIdGroupPairs = { { GroupId = self_id, Description = desc } }
  else perm.UserIdGroupPairs = { { GroupId = peer, Description = desc } } end
  return perm
end

-- Authorize/Revoke a list of flattened rules: all at once, then one by one
-- when the batch meets a rule that is already there (or already gone),
-- e.g. after a retry of a call whose answer was lost.
local function change_rules(ctx, c, id, rules, op, tolerated)
  if #rules == 0 then return end
  local perms = {}
  for _, r in ipairs(rules) do perms[#perms + 1] = permission(r, id) end
  local ok, err = common.try(ctx, c, op, { GroupId = id, IpPermissions = perms })
  if ok then return end
  if common.code(err) ~= tolerated then error(err, 0) end
  for _, perm in ipairs(perms) do
    local ok1, err1 = common.try(ctx, c, op, { GroupId = id, IpPermissions = { perm } })
    if not ok1 and common.code(err1) ~= tolerated then error(err1, 0) end
  end
end

local function sync(ctx, c, id, direction, old, new)
  local have, want = {}, {}
  for _, r in ipairs((flatten(old, id))) do have[r] = true end
  local fw, unknown = flatten(new, id)
  if unknown then error(ctx.address .. ": a rule of " .. direction .. " is still unknown", 0) end
  for _, r in ipairs(fw) do want[r] = true end
  local add, del = {}, {}
  for r in pairs(want) do if not have[r] then add[#add + 1] = r end end
  for r in pairs(have) do if not want[r] then del[#del + 1] = r end end
  table.sort(add); table.sort(del)
  local op = direction == "ingress" and "SecurityGroupIngress" or "SecurityGroupEgress"
  change_rules(ctx, c, id, del, "Revoke" .. op, "InvalidPermission.NotFound")
  change_rules(ctx, c, id, add, "Authorize" .. op, "InvalidPermission.Duplicate")
end

local function attributes(ctx, g)
  local tags, all = common.split_tags(ctx, common.tag_map(g.Tags))
  return common.finish(M, {
    id = g.GroupId, name = g.GroupName, description = g.Description, vpc_id = g.VpcId,
    ingress = blocks_of(g.IpPermissions, g.GroupId), egress = blocks_of(g.IpPermissionsEgress, g.GroupId),
    owner_id = g.OwnerId, arn = g.SecurityGroupArn or common.ec2_arn(ctx, g.OwnerId, "security-group", g.GroupId),
    tags = tags, tags_all = all,
  })
end

local ALL_EGRESS = { { protocol = "-1", from_port = 0, to_port = 0, cidr_blocks = { "0.0.0.0/0" } } }

function M.create(ctx, args)
  local c = ctx:client("ec2")
  local name = args.name
  if not name then
    name = (args.name_prefix or "luaform-") .. ctx.token:gsub("%-", ""):sub(1, 26)
  end
  local g = common.create(ctx, {
    call = function(o)
      return common.retry_not_found(ctx, function()
        return c:CreateSecurityGroup({ GroupName = name, Description = args.description, VpcId = args.vpc_id,
          TagSpecifications = common.tag_specs(ctx, "security-group", args.tags) }, o)
      end)
    end,
    find = function()
      return c:DescribeSecurityGroups({ Filters = { common.token_filter(ctx.token) } }).SecurityGroups[1]
    end,
    conflict = function(e) return common.code(e) == "InvalidGroup.Duplicate" end,
  })
  local id = g.GroupId
  common.after_create(ctx, id, function()
    common.retry_not_found(ctx, function()
      sync(ctx, c, id, "egress", ALL_EGRESS, args.egress or {})
      sync(ctx, c, id, "ingress", {}, args.ingress or {})
    end)
    if not g.OwnerId then
      -- CreateSecurityGroup does not say the owner: read it once visible
      g.OwnerId = common.retry_not_found(ctx, function()
        local r = common.call(ctx, c, "DescribeSecurityGroups", { Filters = { { Name = "group-id", Values = { id } } } })
        if not r.SecurityGroups[1] then error({ code = "InvalidGroup.NotFound", message = id }, 0) end
        return r.SecurityGroups[1].OwnerId
      end)
    end
  end)
  return common.finish(M, {
    id = id, name = name, name_prefix = args.name_prefix, description = args.description,
    vpc_id = args.vpc_id, ingress = args.ingress or {}, egress = args.egress or {},
    revoke_rules_on_delete = args.revoke_rules_on_delete,
    owner_id = g.OwnerId, arn = g.SecurityGroupArn or common.ec2_arn(ctx, g.OwnerId, "security-group", id),
    tags = args.tags, tags_all = common.all_tags(ctx, args.tags),
  })
end

local function keep_settings(a, prior)
  if a and prior then
    a.name_prefix = prior.name_prefix
    a.revoke_rules_on_delete = prior.revoke_rules_on_delete
  end
  return a
end

function M.read_batch(ctx, ids, entries)
  local found = common.ec2_batch(ctx, ids, "DescribeSecurityGroups", "group-id", "SecurityGroups", "GroupId")
  local out = {}
  for i, id in ipairs(ids) do
    if found[id] then
      out[id] = keep_settings(attributes(ctx, found[id]), entries and entries[i] and entries[i].entry.attributes)
    end
  end
  return out
end

function M.update(ctx, id, old, new)
  local c = ctx:client("ec2")
  if new.egress ~= nil then sync(ctx, c, id, "egress", old.egress, new.egress) end
  if new.ingress ~= nil then sync(ctx, c, id, "ingress", old.ingress, new.ingress) end
  common.update_ec2_tags(ctx, id, old.tags_all, new.tags)
  local a = {}
  for k, v in pairs(old) do a[k] = v end
  a.ingress, a.egress = new.ingress or old.ingress, new.egress or old.egress
  a.revoke_rules_on_delete = new.revoke_rules_on_delete
  a.tags, a.tags_all = new.tags, common.all_tags(ctx, new.tags)
  return common.finish(M, a)
end

function M.delete(ctx, id, attrs)
  local c = ctx:client("ec2")
  if attrs and attrs.revoke_rules_on_delete then
    pcall(sync, ctx, c, id, "ingress", attrs.ingress, {})
    pcall(sync, ctx, c, id, "egress", attrs.egress, {})
  end
  common.delete(ctx, function() return common.call(ctx, c, "DeleteSecurityGroup", { GroupId = id }) end)
end

function M.import(ctx, id)
  local r = common.call(ctx, ctx:client("ec2"), "DescribeSecurityGroups", { GroupIds = { id } })
  if not r.SecurityGroups[1] then error("importing aws_security_group: no group " .. id, 0) end
  return attributes(ctx, r.SecurityGroups[1])
end

function M.recover(ctx, pending)
  common.settle(ctx, pending)
  local g = common.call(ctx, ctx:client("ec2"), "DescribeSecurityGroups",
    { Filters = { common.token_filter(pending.token) } }).SecurityGroups[1]
  return g and attributes(ctx, g) or nil
end

M.flatten = flatten
return M
