-- stdlib.lb: an internet-facing Application Load Balancer and its
-- security group.
--
--   local alb = module("lb", require("stdlib.lb"), {
--     vpc_id = net.vpc_id, public_subnet_ids = net.public_subnet_ids,
--   })
--
-- Creates the ALB's security group (ingress on listener_port from
-- ingress_cidr_blocks, egress to anywhere) and the ALB in the public
-- subnets. Listeners and target groups belong to what it fronts (see
-- stdlib.service), which uses listener_port.
-- Arguments: vpc_id, public_subnet_ids (required; at least two subnets in
-- different zones, as AWS requires); name ("alb-base"), listener_port
-- (8080), ingress_cidr_blocks ({"0.0.0.0/0"}), internal (false),
-- idle_timeout (60), tags ({}), https (false: true also opens 443 and 80 from
-- ingress_cidr_blocks, for stdlib.service's domain_name).
-- Returns alb_arn, alb_sg_id, alb_dns_name, alb_arn_suffix, alb_zone_id,
-- listener_port.
-- The interface is checked at the call (luaform.interface); a misuse is
-- reported at the caller's module() line.
local errors = require("luaform.errors")
local strict = require("luaform.strict")

local valid = require("luaform.interface").valid

local NAME_WHAT = "1-32 letters, digits or hyphens, not starting or ending with a hyphen"

local INPUTS = {
  vpc_id = { type = "string", required = true },
  public_subnet_ids = { type = "list(string)", required = true, description = "at least two, in different zones" },
  name = { type = "string", description = 'default "alb-base"', validation = valid.text("^%w[%w%-]*$", 32, NAME_WHAT) },
  listener_port = { type = "number", validation = valid.whole(1, 65535), description = "default 8080" },
  ingress_cidr_blocks = { type = "list(string)", description = 'default { "0.0.0.0/0" }' },
  internal = { type = "bool", description = "default false" },
  idle_timeout = { type = "number", validation = valid.whole(1, 4000), description = "seconds, default 60" },
  tags = { type = "map(string)" },
  https = { type = "bool", description = "default false; true also opens 443 and 80 (stdlib.service's domain_name)" },
}

local OUTPUTS = { alb_arn = {}, alb_sg_id = {}, alb_dns_name = {}, alb_arn_suffix = {}, alb_zone_id = {}, listener_port = {} }

-- What the types cannot say.
local function check(where, args)
  local function fail(fmt, ...) errors.raise(where, "stdlib.lb: " .. fmt, ...) end
  -- (lists are plain tables here, or a resource attribute checked at plan time)
  local subnets, cidrs = args.public_subnet_ids, args.ingress_cidr_blocks
  if getmetatable(subnets) == nil and #subnets < 2 then
    fail("public_subnet_ids: an Application Load Balancer needs at least two subnets in different zones, got %d", #subnets)
  end
  if type(args.name) == "string" and args.name:match("%-$") then
    fail('name: "%s" is not %s', args.name, NAME_WHAT)
  end
  if cidrs ~= nil and getmetatable(cidrs) == nil then
    for i, c in ipairs(cidrs) do
      if type(c) == "string" and not c:match("^%d+%.%d+%.%d+%.%d+/%d+$") then
        fail('ingress_cidr_blocks[%d]: "%s" is not an IPv4 CIDR block', i, c)
      end
    end
  end
end

local function with_name(tags, name)
  local out = {}
  for k, v in pairs(tags or {}) do out[k] = v end
  out.Name = name
  return out
end

local function body(args)
  check(strict.user_where(2), args)   -- the module() call in the caller's file
  local name = args.name or "alb-base"
  local port = args.listener_port or 8080
  local tags = args.tags or {}

  local cidrs = args.ingress_cidr_blocks or { "0.0.0.0/0" }
  local ingress = { { description = "listener", protocol = "tcp", from_port = port, to_port = port, cidr_blocks = cidrs } }
  if args.https then
    ingress[2] = { description = "HTTPS", protocol = "tcp", from_port = 443, to_port = 443, cidr_blocks = cidrs }
    ingress[3] = { description = "HTTP, redirected to HTTPS", protocol = "tcp", from_port = 80, to_port = 80, cidr_blocks = cidrs }
  end
  local sg = resource("aws_security_group", "alb", {
    name = name .. "-sg",
    description = "Load balancer " .. name .. ": HTTP on " .. port,
    vpc_id = args.vpc_id,
    ingress = ingress,
    egress = { {
      description = "anywhere", protocol = "-1", from_port = 0, to_port = 0, cidr_blocks = { "0.0.0.0/0" },
    } },
    tags = with_name(tags, name .. "-sg"),
  })

  local alb = resource("aws_lb", "this", {
    name = name,
    internal = args.internal or false,
    load_balancer_type = "application",
    security_groups = { sg.id },
    subnets = args.public_subnet_ids,
    idle_timeout = args.idle_timeout or 60,
    tags = with_name(tags, name),
  })

  return {
    alb_arn = alb.arn,
    alb_sg_id = sg.id,
    alb_dns_name = alb.dns_name,
    alb_arn_suffix = alb.arn_suffix,
    alb_zone_id = alb.zone_id,
    listener_port = port,
  }
end

return { inputs = INPUTS, outputs = OUTPUTS, body = body }
