-- aws._lb_subnets: where an aws_lb sits: subnets and subnet_mapping
-- (a subnet with its Elastic IP, private IPv4 or IPv6 address), read from
-- the load balancer's AvailabilityZones, sent as SubnetMappings, and
-- Terraform's replacement rules: an application load balancer changes its
-- subnets in place (SetSubnets) unless a kept mapping changes; a network
-- load balancer can only gain subnets and mappings, any other change
-- replaces it.
local deferred = require("luaform.deferred")

local M = {}

M.MAPPING = {
  subnet_id = { type = "string", required = true, description = "The subnet." },
  allocation_id = { type = "string", optional = true,
    description = "An Elastic IP's allocation id (internet-facing network load balancer)." },
  private_ipv4_address = { type = "string", optional = true,
    description = "A private IPv4 address of the subnet (internal network load balancer)." },
  ipv6_address = { type = "string", optional = true, description = "An IPv6 address of the subnet." },
  outpost_id = { type = "string", computed = true, description = "The subnet's Outpost." },
}

-- The subnet ids of AvailabilityZones.
function M.subnets_from(zones)
  local out = {}
  for _, z in ipairs(zones or {}) do out[#out + 1] = z.SubnetId end
  return out
end

-- subnet_mapping blocks of AvailabilityZones.
function M.mappings_from(zones)
  local out = {}
  for _, z in ipairs(zones or {}) do
    local a = (z.LoadBalancerAddresses or {})[1] or {}
    out[#out + 1] = { subnet_id = z.SubnetId, allocation_id = a.AllocationId,
      private_ipv4_address = a.PrivateIPv4Address, ipv6_address = a.IPv6Address, outpost_id = z.OutpostId }
  end
  return out
end

-- SubnetMappings of subnet_mapping blocks.
function M.mappings_to(list)
  local out = {}
  for i, m in ipairs(list or {}) do
    out[i] = { SubnetId = m.subnet_id, AllocationId = m.allocation_id,
      PrivateIPv4Address = m.private_ipv4_address, IPv6Address = m.ipv6_address }
  end
  return out
end

function M.set_mappings(_, c, arn, value, ch)
  c:SetSubnets({ LoadBalancerArn = arn, SubnetMappings = M.mappings_to(value) }, ch.opts)
end

-- Is every element of a known (no value known only after apply)?
local function known(list)
  if type(list) ~= "table" then return false end
  for _, v in ipairs(list) do
    if deferred.is(v) or v == deferred.UNKNOWN then return false end
    if type(v) == "table" then
      for _, x in pairs(v) do if deferred.is(x) or x == deferred.UNKNOWN then return false end end
    end
  end
  return true
end

local function key(v)
  if type(v) ~= "table" then return tostring(v) end
  return table.concat({ tostring(v.subnet_id), v.allocation_id or "", v.private_ipv4_address or "",
    v.ipv6_address or "" }, "|")
end

-- Is every element of a in b?
local function within(a, b)
  local set = {}
  for _, v in ipairs(b) do set[key(v)] = true end
  for _, v in ipairs(a) do if not set[key(v)] then return false end end
  return true
end

local function lb_type(prior, desired)
  return (desired or {}).load_balancer_type or (prior or {}).load_balancer_type or "application"
end

-- force_new of subnets: a network load balancer's list may only grow.
function M.subnets_force_new(old, new, prior, desired)
  if lb_type(prior, desired) ~= "network" or not known(new) or type(old) ~= "table" then return false end
  return #new <= #old
end

-- force_new of subnet_mapping: a changed kept mapping replaces; so does a
-- removed one on a network load balancer.
function M.mappings_force_new(old, new, prior, desired)
  if not known(new) or type(old) ~= "table" then return false end
  if #new == #old then return true end
  if #new > #old then return not within(old, new) end
  return lb_type(prior, desired) == "network" or not within(new, old)
end

return M
