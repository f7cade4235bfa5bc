-- aws._sg_rules: the rules of an aws_security_group (the irregular part
-- of that type). ingress and egress are sets of rule blocks; each block
-- stands for one AWS rule per peer (cidr_blocks, ipv6_cidr_blocks,
-- prefix_list_ids, security_groups, self), and the planner compares those
-- flattened rules (same_rules), so how rules are grouped into blocks never
-- shows as a difference. sync() revokes and authorizes only the rules that
-- differ: all at once, then one by one when the batch meets a rule already
-- there (or already gone), e.g. after a re-send whose answer was lost.
local common = require("luaform.providers.aws._common")

local M = {}

M.RULE = {
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

-- A protocol as AWS names it: tcp, udp, icmp, icmpv6, -1 (all) or a number.
local function proto(p)
  p = string.lower(tostring(p))
  return PROTOCOLS[p] or p
end
M.protocol = proto

-- One string per AWS rule: proto|from|to|kind|peer|description.
function M.flatten(blocks, self_id)
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

function M.same_rules(a, b)
  local fa, ua = M.flatten(a)
  local fb, ub = M.flatten(b)
  if ua or ub or #fa ~= #fb then return false end
  for i = 1, #fa do if fa[i] ~= fb[i] then return false end end
  return true
end

-- IpPermissions (API) -> rule blocks, one block per peer.
function M.blocks_of(perms, self_id)
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

-- IpPermissions (API), one per AWS rule of blocks.
function M.permissions(blocks, self_id)
  local out = {}
  for _, r in ipairs((M.flatten(blocks, self_id))) do out[#out + 1] = permission(r, self_id) end
  return out
end

-- Authorize/Revoke a list of flattened rules: all at once, then one by one
-- when the batch meets a rule that is already there (or already gone),
-- e.g. after a retry of a call whose answer was lost.
local function change_rules(c, id, rules, op, tolerated, opts)
  if #rules == 0 then return end
  local perms = {}
  for _, r in ipairs(rules) do perms[#perms + 1] = permission(r, id) end
  local ok, err = pcall(c[op], c, { GroupId = id, IpPermissions = perms }, opts)
  if ok then return end
  if common.code(err) ~= tolerated then error(err, 0) end
  for _, perm in ipairs(perms) do
    local ok1, err1 = pcall(c[op], c, { GroupId = id, IpPermissions = { perm } }, opts)
    if not ok1 and common.code(err1) ~= tolerated then error(err1, 0) end
  end
end

-- Revokes and authorizes the rules that differ between blocks old and new
-- of direction ("ingress" or "egress"); opts: the calls' options.
function M.sync(ctx, c, id, direction, old, new, opts)
  local have, want = {}, {}
  for _, r in ipairs((M.flatten(old, id))) do have[r] = true end
  local fw, unknown = M.flatten(new, id)
  if unknown then error(ctx.address .. ": a rule of " .. direction .. " is still unknown", 0) end
  for _, r in ipairs(fw) do want[r] = true end
  local add, del = {}, {}
  for r in pairs(want) do if not have[r] then add[#add + 1] = r end end
  for r in pairs(have) do if not want[r] then del[#del + 1] = r end end
  table.sort(add); table.sort(del)
  local op = direction == "ingress" and "SecurityGroupIngress" or "SecurityGroupEgress"
  change_rules(c, id, del, "Revoke" .. op, "InvalidPermission.NotFound", opts)
  change_rules(c, id, add, "Authorize" .. op, "InvalidPermission.Duplicate", opts)
end

return M
