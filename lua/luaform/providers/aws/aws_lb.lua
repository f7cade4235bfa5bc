-- aws_lb: an Application or Network Load Balancer (ELBv2), as Terraform's;
-- declared for aws._resource.
--
-- name, internal and load_balancer_type force a new load balancer;
-- security_groups, subnets, ip_address_type, the attributes (idle_timeout,
-- deletion protection, HTTP/2, invalid headers: application load balancers
-- only, but deletion protection) and tags change in place. The id is the
-- ARN. Create waits with the model's LoadBalancerAvailable waiter, delete
-- with LoadBalancersDeleted. Refresh: one DescribeLoadBalancers for 20
-- ARNs, one DescribeTags per 20, one DescribeLoadBalancerAttributes each.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local elbv2 = require("luaform.providers.aws._elbv2")

local function alb(a) return a.load_balancer_type == "application" end

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
      wire = "AvailabilityZones", set = "SetSubnets",
      from_wire = function(zones)
        local out = {}
        for _, z in ipairs(zones or {}) do out[#out + 1] = z.SubnetId end
        return out
      end },
    ip_address_type = { type = "string", optional = true, computed = true, wire = "IpAddressType",
      set = "SetIpAddressType" },
    idle_timeout = attr("number", "idle_timeout.timeout_seconds", 60, true),
    enable_deletion_protection = attr("bool", "deletion_protection.enabled", false),
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
