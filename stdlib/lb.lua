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
-- idle_timeout (60), tags ({}).
-- Returns alb_arn, alb_sg_id, alb_dns_name, alb_zone_id, listener_port.
-- A misuse is reported at the caller's module() line.
local errors = require("luaform.errors")
local deferred = require("luaform.deferred")

local KNOWN = {
  vpc_id = true, public_subnet_ids = true, name = true, listener_port = true,
  ingress_cidr_blocks = true, internal = true, idle_timeout = true, tags = true,
}

local function check(where, args)
  local function fail(fmt, ...) errors.raise(where, "stdlib.lb: " .. fmt, ...) end
  if type(args) ~= "table" then fail("arguments must be a table") end
  local names = {}
  for k in pairs(KNOWN) do names[#names + 1] = k end
  table.sort(names)
  for k in pairs(args) do
    if not KNOWN[k] then
      fail('unsupported argument "%s"%s', tostring(k), require("luaform.schema").suggest(tostring(k), names))
    end
  end
  for _, k in ipairs({ "vpc_id", "public_subnet_ids" }) do
    if args[k] == nil then fail('missing required argument "%s"', k) end
  end
  local subnets = args.public_subnet_ids
  if type(subnets) == "table" and not deferred.is(subnets) and not deferred.is_handle(subnets) and #subnets < 2 then
    fail("public_subnet_ids: an Application Load Balancer needs at least two subnets in different zones, got %d", #subnets)
  end
  local name = args.name
  if name ~= nil and (type(name) ~= "string" or not name:match("^[%w][%w%-]*$") or #name > 32 or name:match("%-$")) then
    fail('name: "%s" must be 1-32 letters, digits or hyphens, not starting or ending with a hyphen', tostring(name))
  end
  local port = args.listener_port
  if port ~= nil and (math.type(port) ~= "integer" or port < 1 or port > 65535) then
    fail("listener_port: expected a port number 1-65535, got %s", tostring(port))
  end
  local cidrs = args.ingress_cidr_blocks
  if cidrs ~= nil then
    if type(cidrs) ~= "table" then fail("ingress_cidr_blocks: expected a list, got %s", type(cidrs)) end
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

return function(args)
  local where = errors.caller(3)   -- the module() call in the caller's file
  check(where, args)
  local name = args.name or "alb-base"
  local port = args.listener_port or 8080
  local tags = args.tags or {}

  local sg = resource("aws_security_group", "alb", {
    name = name .. "-sg",
    description = "Load balancer " .. name .. ": HTTP on " .. port,
    vpc_id = args.vpc_id,
    ingress = { {
      description = "listener", protocol = "tcp", from_port = port, to_port = port,
      cidr_blocks = args.ingress_cidr_blocks or { "0.0.0.0/0" },
    } },
    egress = { {
      description = "anywhere", protocol = "-1", from_port = 0, to_port = 0, cidr_blocks = { "0.0.0.0/0" },
    } },
    tags = with_name(tags, name .. "-sg"),
  })

  local alb = resource("aws_lb", "this", {
    name = name,
    internal = args.internal == true,
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
    alb_zone_id = alb.zone_id,
    listener_port = port,
  }
end
