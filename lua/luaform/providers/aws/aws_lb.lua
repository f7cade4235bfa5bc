-- aws_lb: an Application or Network Load Balancer (ELBv2), as Terraform's.
--
-- name, internal and load_balancer_type force a new load balancer;
-- security_groups (SetSecurityGroups), subnets (SetSubnets),
-- ip_address_type (SetIpAddressType), idle_timeout, deletion protection,
-- HTTP/2 and tags change in place. The id is the ARN.
-- Create waits with the model's LoadBalancerAvailable waiter, delete with
-- LoadBalancersDeleted. CreateLoadBalancer has no ClientToken, but names
-- are unique: a create whose answer was lost is found by its name and its
-- luaform:token tag. Refresh: one DescribeLoadBalancers with every ARN of
-- the state, one DescribeTags per 20, and DescribeLoadBalancerAttributes
-- per load balancer (attributes have no batch call).
local common = require("luaform.providers.aws._common")

local M = {}

M.schema = common.tag_schema({
  name = { type = "string", optional = true, computed = true, force_new = true },
  name_prefix = { type = "string", optional = true, force_new = true },
  internal = { type = "bool", optional = true, default = false, force_new = true },
  load_balancer_type = { type = "string", optional = true, default = "application", force_new = true },
  security_groups = { type = "set", elem = "string", optional = true, computed = true },
  subnets = { type = "set", elem = "string", optional = true, computed = true },
  ip_address_type = { type = "string", optional = true, computed = true },
  idle_timeout = { type = "number", optional = true, default = 60 },
  enable_deletion_protection = { type = "bool", optional = true, default = false },
  enable_http2 = { type = "bool", optional = true, default = true },
  drop_invalid_header_fields = { type = "bool", optional = true, default = false },
  arn = { type = "string", computed = true },
  arn_suffix = { type = "string", computed = true },
  dns_name = { type = "string", computed = true },
  zone_id = { type = "string", computed = true },
  vpc_id = { type = "string", computed = true },
})

-- argument -> load balancer attribute key (application load balancers)
local ATTRS = {
  idle_timeout = "idle_timeout.timeout_seconds",
  enable_deletion_protection = "deletion_protection.enabled",
  enable_http2 = "routing.http2.enabled",
  drop_invalid_header_fields = "routing.http.drop_invalid_header_fields.enabled",
}
local NLB_ATTRS = { enable_deletion_protection = true }

local function managed(lb_type, k)
  return lb_type == "application" or NLB_ATTRS[k]
end

local function attr_value(v)
  if type(v) == "boolean" then return v and "true" or "false" end
  return string.format("%d", math.tointeger(v) or v)
end

local function arn_suffix(arn)
  return arn and arn:match(":loadbalancer/(.+)$")
end

local function attributes(ctx, lb, tags_aws, lb_attrs)
  local tags, all = common.split_tags(ctx, tags_aws)
  local subnets = {}
  for _, z in ipairs(lb.AvailabilityZones or {}) do subnets[#subnets + 1] = z.SubnetId end
  local a = {
    id = lb.LoadBalancerArn, arn = lb.LoadBalancerArn, arn_suffix = arn_suffix(lb.LoadBalancerArn),
    name = lb.LoadBalancerName, internal = lb.Scheme == "internal", load_balancer_type = lb.Type,
    security_groups = lb.SecurityGroups or {}, subnets = subnets, ip_address_type = lb.IpAddressType,
    dns_name = lb.DNSName, zone_id = lb.CanonicalHostedZoneId, vpc_id = lb.VpcId,
    tags = tags, tags_all = all,
  }
  for k, key in pairs(ATTRS) do
    local v = lb_attrs and lb_attrs[key]
    if v ~= nil and managed(lb.Type, k) then
      if k == "idle_timeout" then a[k] = tonumber(v) else a[k] = v == "true" end
    end
  end
  return common.finish(M, a)
end

local function lb_attributes(ctx, c, arn)
  local r = common.retry_not_found(ctx, function()
    return common.call(ctx, c, "DescribeLoadBalancerAttributes", { LoadBalancerArn = arn })
  end)
  local out = {}
  for _, x in ipairs(r.Attributes or {}) do out[x.Key] = x.Value end
  return out
end

-- The attributes that differ from `old` (all given ones when old is nil).
local function set_attributes(ctx, c, arn, lb_type, old, new)
  local list = {}
  for k, key in pairs(ATTRS) do
    if managed(lb_type, k) and new[k] ~= nil and (old == nil or old[k] ~= new[k]) then
      list[#list + 1] = { Key = key, Value = attr_value(new[k]) }
    end
  end
  if #list == 0 then return end
  table.sort(list, function(a, b) return a.Key < b.Key end)
  common.retry_not_found(ctx, function()
    return common.call(ctx, c, "ModifyLoadBalancerAttributes", { LoadBalancerArn = arn, Attributes = list })
  end)
end

local DEFAULTS = { idle_timeout = 60, enable_deletion_protection = false, enable_http2 = true,
  drop_invalid_header_fields = false }

local function by_name(ctx, c, name)
  local ok, r = pcall(c.DescribeLoadBalancers, c, { Names = { name } })
  if not ok then
    if common.code(r) == "LoadBalancerNotFound" then return nil end
    error(r, 0)
  end
  return r.LoadBalancers[1]
end

function M.create(ctx, args)
  local c = ctx:client("elbv2")
  local name = args.name
  if not name then
    name = ((args.name_prefix or "lf-") .. ctx.token:gsub("%-", "")):sub(1, 32)
  end
  local lb = common.create(ctx, {
    call = function(o)
      return common.retry_not_found(ctx, function()
        return c:CreateLoadBalancer({ Name = name, Type = args.load_balancer_type,
          Scheme = args.internal and "internal" or "internet-facing",
          Subnets = args.subnets, SecurityGroups = args.security_groups, IpAddressType = args.ip_address_type,
          Tags = common.tag_list(common.create_tags(ctx, args.tags)) }, o).LoadBalancers[1]
      end)
    end,
    find = function()
      local lb = by_name(ctx, c, name)
      return lb and common.elb_with_token(ctx, { lb }, "LoadBalancerArn", ctx.token)
    end,
    conflict = function(e) return common.code(e) == "DuplicateLoadBalancerName" end,
  })
  local arn = lb.LoadBalancerArn
  common.after_create(ctx, arn, function()
    set_attributes(ctx, c, arn, lb.Type, DEFAULTS, args)
    common.wait(ctx, c, "LoadBalancerAvailable", { LoadBalancerArns = { arn } }, 900, 1)
  end)
  local lb_attrs = {}
  for k, key in pairs(ATTRS) do lb_attrs[key] = attr_value(args[k] == nil and DEFAULTS[k] or args[k]) end
  local a = attributes(ctx, lb, common.all_tags(ctx, args.tags), lb_attrs)
  a.name_prefix = args.name_prefix
  return a
end

-- Load balancers by ARN; when one is gone, all of them are listed instead.
local function describe_spec(ctx, c)
  return { op = "DescribeLoadBalancers", param = "LoadBalancerArns", key = "LoadBalancers",
    arn = "LoadBalancerArn", not_found = { LoadBalancerNotFound = true },
    fallback = function() return common.collect(ctx, c, "DescribeLoadBalancers", {}, "LoadBalancers", true) end }
end

function M.read_batch(ctx, ids, entries)
  local c = ctx:client("elbv2")
  local found, tags = common.elb_batch(ctx, ids, describe_spec(ctx, c))
  local out = {}
  for i, id in ipairs(ids) do
    local lb = found[id]
    if lb then
      out[id] = attributes(ctx, lb, tags[id], lb_attributes(ctx, c, id))
      local prior = entries and entries[i] and entries[i].entry.attributes
      out[id].name_prefix = prior and prior.name_prefix
    end
  end
  return out
end

function M.update(ctx, id, old, new)
  local c = ctx:client("elbv2")
  local values = require("luaform.values")
  if new.security_groups and not values.equal(M.schema.security_groups, old.security_groups, new.security_groups) then
    common.call(ctx, c, "SetSecurityGroups", { LoadBalancerArn = id, SecurityGroups = new.security_groups })
  end
  if new.subnets and not values.equal(M.schema.subnets, old.subnets, new.subnets) then
    common.call(ctx, c, "SetSubnets", { LoadBalancerArn = id, Subnets = new.subnets })
  end
  if new.ip_address_type and new.ip_address_type ~= old.ip_address_type then
    common.call(ctx, c, "SetIpAddressType", { LoadBalancerArn = id, IpAddressType = new.ip_address_type })
  end
  set_attributes(ctx, c, id, old.load_balancer_type, old, new)
  common.update_elb_tags(ctx, id, old.tags_all, new.tags)
  local a = {}
  for k, v in pairs(old) do a[k] = v end
  for _, k in ipairs({ "security_groups", "subnets", "ip_address_type", "idle_timeout", "enable_deletion_protection",
    "enable_http2", "drop_invalid_header_fields" }) do
    if new[k] ~= nil then a[k] = new[k] end
  end
  a.tags, a.tags_all = new.tags, common.all_tags(ctx, new.tags)
  return common.finish(M, a)
end

function M.delete(ctx, id)
  local c = ctx:client("elbv2")
  common.delete(ctx, function() return common.call(ctx, c, "DeleteLoadBalancer", { LoadBalancerArn = id }) end)
  common.wait(ctx, c, "LoadBalancersDeleted", { LoadBalancerArns = { id } }, 900, 1)
end

function M.import(ctx, id)
  local c = ctx:client("elbv2")
  local found = common.elb_describe(ctx, { id }, describe_spec(ctx, c))
  if not found[id] then error("importing aws_lb: no load balancer " .. id, 0) end
  return attributes(ctx, found[id], common.elb_tags(ctx, { id })[id], lb_attributes(ctx, c, id))
end

-- Load balancer names are unique, but the name may have been generated:
-- look among all of them for the token tag.
function M.recover(ctx, pending)
  common.settle(ctx, pending)
  local c = ctx:client("elbv2")
  local all = common.collect(ctx, c, "DescribeLoadBalancers", {}, "LoadBalancers", true)
  local lb, tags = common.elb_with_token(ctx, all, "LoadBalancerArn", pending.token)
  return lb and attributes(ctx, lb, tags, lb_attributes(ctx, c, lb.LoadBalancerArn))
end

return M
