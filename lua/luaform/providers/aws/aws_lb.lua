-- aws_lb: an Application or Network Load Balancer (ELBv2), as Terraform's;
-- declared for aws._resource.
--
-- name, internal and load_balancer_type force a new load balancer;
-- security_groups, ip_address_type, the attributes (idle_timeout, HTTP/2,
-- invalid headers: application load balancers only; cross-zone load
-- balancing: network ones only (always on for an application one); access
-- logs and deletion protection: both) and tags change in place. subnets
-- and subnet_mapping change with SetSubnets, or force a new load balancer
-- by Terraform's rules (aws._lb_subnets). access_logs is three attributes
-- (access_logs.s3.enabled, .bucket, .prefix); undeclared, it is left as
-- it is, and logs that are off compare equal whatever their bucket, as in
-- Terraform. With deletion protection on, a destroy fails with AWS's
-- OperationNotPermitted. The id is the ARN. Create waits with the model's
-- LoadBalancerAvailable waiter, delete with LoadBalancersDeleted.
-- Refresh: one DescribeLoadBalancers for 20 ARNs, one DescribeTags per 20,
-- one DescribeLoadBalancerAttributes each.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local elbv2 = require("luaform.providers.aws._elbv2")
local subnets = require("luaform.providers.aws._lb_subnets")

local function alb(a) return a.load_balancer_type == "application" end
local function not_alb(a) return not alb(a) end
local function not_gateway(a) return a.load_balancer_type ~= "gateway" end

-- access_logs: a block kept in three attributes.
local LOGS = { enabled = "access_logs.s3.enabled", bucket = "access_logs.s3.bucket", prefix = "access_logs.s3.prefix" }

local function logs_block(v) return type(v) == "table" and (v[1] or (next(v) and v)) or nil end

-- What access logging does: "off", or where the logs go.
local function logging(v)
  local b = logs_block(v)
  if not b or (b.enabled ~= true and b.enabled ~= "true") then return "off" end
  return tostring(b.bucket or "") .. "/" .. tostring(b.prefix or "")
end

local ACCESS_LOGS = { type = "list", max_items = 1, optional = true, computed = true, applies = not_gateway,
  description = "Access logs to S3 (Terraform's: enabled defaults to false, even with a bucket).",
  block = {
    bucket = { type = "string", required = true, description = "The S3 bucket of the logs." },
    prefix = { type = "string", optional = true, description = "The logs' prefix in the bucket." },
    enabled = { type = "bool", optional = true, default = false, description = "Whether logs are written." },
  },
  equal = function(a, b) return logging(a) == logging(b) end,
  from_attributes = function(m)
    local function set(x) return x ~= nil and x ~= "" and x or nil end
    return { { enabled = m[LOGS.enabled] == "true", bucket = set(m[LOGS.bucket]), prefix = set(m[LOGS.prefix]) } }
  end,
  -- as Terraform: the bucket and prefix only when logs are on (an update
  -- also sends an empty prefix, to clear it)
  to_attributes = function(v, updating)
    local b = logs_block(v) or {}
    local on = b.enabled == true
    local out = { [LOGS.enabled] = tostring(on) }
    if on then
      if updating or (b.bucket or "") ~= "" then out[LOGS.bucket] = b.bucket or "" end
      if updating or (b.prefix or "") ~= "" then out[LOGS.prefix] = b.prefix or "" end
    end
    return out
  end }

local function attr(t, key, default, only_alb)
  return { type = t, optional = true, default = default, attribute = key, applies = only_alb and alb or nil }
end

return resource.define{
  service = "elbv2", description = "An application or network load balancer.",
  identity = "LoadBalancerArn", id = "LoadBalancerArn",
  attributes = elbv2.attributes("LoadBalancer", "LoadBalancerArn", "LoadBalancerArn"),
  fields = {
    name = { type = "string", optional = true, computed = true, force_new = true, wire = "LoadBalancerName",
      input = "Name" },
    name_prefix = { type = "string", optional = true, force_new = true, keep = true },
    internal = { type = "bool", optional = true, default = false, force_new = true, wire = "Scheme",
      from_wire = function(v) return v == "internal" end,
      to_wire = function(v) return v and "internal" or "internet-facing" end },
    load_balancer_type = { type = "string", optional = true, default = "application", force_new = true,
      wire = "Type" },
    security_groups = { type = "set", elem = "string", optional = true, computed = true, wire = "SecurityGroups",
      set = "SetSecurityGroups" },
    subnets = { type = "set", elem = "string", optional = true, computed = true, input = "Subnets",
      wire = "AvailabilityZones", set = "SetSubnets", force_new = subnets.subnets_force_new,
      from_wire = subnets.subnets_from },
    subnet_mapping = { type = "set", block = subnets.MAPPING, optional = true, computed = true,
      input = "SubnetMappings", wire = "AvailabilityZones", from_wire = subnets.mappings_from,
      to_wire = subnets.mappings_to, set = subnets.set_mappings, force_new = subnets.mappings_force_new,
      conflicts_with = { "subnets" },
      description = "Subnets with their addresses (instead of subnets); a network load balancer's can only grow." },
    ip_address_type = { type = "string", optional = true, computed = true, wire = "IpAddressType",
      set = "SetIpAddressType" },
    idle_timeout = attr("number", "idle_timeout.timeout_seconds", 60, true),
    enable_deletion_protection = attr("bool", "deletion_protection.enabled", false),
    enable_cross_zone_load_balancing = { type = "bool", optional = true, default = false,
      attribute = "load_balancing.cross_zone.enabled", applies = not_alb },
    access_logs = ACCESS_LOGS,
    enable_http2 = attr("bool", "routing.http2.enabled", true, true),
    drop_invalid_header_fields = attr("bool", "routing.http.drop_invalid_header_fields.enabled", false, true),
    arn = { type = "string", computed = true, wire = "LoadBalancerArn" },
    arn_suffix = { type = "string", computed = true, wire = "LoadBalancerArn",
      from_wire = function(v) return v and v:match(":loadbalancer/(.+)$") end },
    dns_name = { type = "string", computed = true, wire = "DNSName" },
    zone_id = { type = "string", computed = true, wire = "CanonicalHostedZoneId" },
    vpc_id = { type = "string", computed = true, wire = "VpcId" },
  },
  create = { op = "CreateLoadBalancer", result = "LoadBalancers.1", exists = { "DuplicateLoadBalancerName" },
    retry_codes = { "SubnetNotFound", "InvalidSecurityGroup" },
    params = function(ctx, args, params) params.Name = elbv2.name(ctx, args, "lf-") end,
    waiter = { "LoadBalancerAvailable", "LoadBalancerArns" } },
  read_many = { op = "DescribeLoadBalancers", ids = "LoadBalancerArns", chunk = 20,
    fallback = function(_, c) return c:collect("DescribeLoadBalancers", {}) end },
  find = elbv2.find("DescribeLoadBalancers", "LoadBalancerArn"),
  not_visible = { "LoadBalancerNotFound" },
  delete = { op = "DeleteLoadBalancer", waiter = { "LoadBalancersDeleted", "LoadBalancerArns" } },
  tags = tags.elbv2(),
}
