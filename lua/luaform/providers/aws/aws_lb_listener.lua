-- aws_lb_listener: an ELBv2 listener, as Terraform's aws_lb_listener;
-- declared for aws._resource, its actions converted by aws._lb_actions.
--
-- load_balancer_arn forces a new listener; port, protocol, ssl_policy
-- (AWS's default for HTTPS and TLS when unset), certificate_arn,
-- alpn_policy (TLS) and default_action change in place, in one ModifyListener. Without a
-- protocol, a listener of an application load balancer is HTTP. A create whose answer was lost meets DuplicateListener
-- on a re-send and finds its listener by port and luaform:token tag.
-- Refresh: one DescribeListeners and one DescribeTags (per 20).
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local elbv2 = require("luaform.providers.aws._elbv2")
local actions = require("luaform.providers.aws._lb_actions")
local common = require("luaform.providers.aws._common")

local function modify(spec)
  spec.set, spec.group = "ModifyListener", true
  return spec
end

return resource.define{
  service = "elbv2", description = "A listener of an ELBv2 load balancer.",
  identity = "ListenerArn", id = "ListenerArn",
  fields = {
    load_balancer_arn = { type = "string", required = true, force_new = true, wire = "LoadBalancerArn" },
    port = modify{ type = "number", optional = true, wire = "Port" },
    protocol = modify{ type = "string", optional = true, computed = true, wire = "Protocol" },
    ssl_policy = modify{ type = "string", optional = true, computed = true, wire = "SslPolicy" },
    certificate_arn = modify{ type = "string", optional = true, wire = "Certificates",
      from_wire = function(certs)
        local cert
        for _, c in ipairs(certs or {}) do
          if c.IsDefault ~= false then cert = cert or c.CertificateArn end
        end
        return cert
      end,
      to_wire = function(v) return { { CertificateArn = v } } end },
    alpn_policy = modify{ type = "string", optional = true, wire = "AlpnPolicy",
      description = "A TLS listener's ALPN policy (HTTP1Only, HTTP2Only, HTTP2Optional, HTTP2Preferred, None).",
      from_wire = function(v) return type(v) == "table" and v[1] or nil end,
      to_wire = function(v) return { v } end },
    default_action = modify{ type = "list", block = actions.ACTION, required = true, equal = actions.same_actions,
      wire = "DefaultActions", from_wire = actions.from_api_list, to_wire = actions.to_api_list },
    arn = { type = "string", computed = true, wire = "ListenerArn" },
  },
  create = { op = "CreateListener", result = "Listeners.1", exists = { "DuplicateListener" },
    retry_codes = { "TargetGroupNotFound" },
    -- Terraform's default protocol: HTTP on an application load balancer
    params = function(_, args, params)
      local alb = tostring(args.load_balancer_arn):find(":loadbalancer/app/", 1, true)
      params.Protocol = args.protocol or (alb and "HTTP" or nil)
    end },
  -- when an ARN is gone: the listeners of the load balancers the state names
  read_many = { op = "DescribeListeners", ids = "ListenerArns", chunk = 20, fallback = function(_, c, priors)
    local lbs, out = {}, {}
    for _, p in pairs(priors) do if p.load_balancer_arn then lbs[p.load_balancer_arn] = true end end
    for lb in pairs(lbs) do
      local ok, list = pcall(c.collect, c, "DescribeListeners", { LoadBalancerArn = lb })
      if ok then
        for _, ls in ipairs(list) do out[#out + 1] = ls end
      elseif common.code(list) ~= "LoadBalancerNotFound" then
        error(list, 0)
      end
    end
    return out
  end },
  -- a lost create: among the listeners on its port (of every load balancer
  -- for an intent without arguments), the one with the token tag
  find = function(ctx, args, token)
    local c = ctx:client("elbv2")
    local lbs = { args.load_balancer_arn }
    if not args.load_balancer_arn then
      lbs = {}
      for _, lb in ipairs(c:collect("DescribeLoadBalancers", {})) do lbs[#lbs + 1] = lb.LoadBalancerArn end
    end
    for _, lb in ipairs(lbs) do
      local ok, list = pcall(c.collect, c, "DescribeListeners", { LoadBalancerArn = lb })
      if ok then
        local on_port = {}
        for _, ls in ipairs(list) do if not args.port or ls.Port == args.port then on_port[#on_port + 1] = ls end end
        local ls = elbv2.with_token(ctx, c, on_port, "ListenerArn", token)
        if ls then return ls end
      end
    end
    return nil
  end,
  not_visible = { "ListenerNotFound" },
  delete = { op = "DeleteListener" },
  tags = tags.elbv2(),
}
