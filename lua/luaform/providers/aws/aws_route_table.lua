-- aws_route_table: a VPC route table with inline routes, as Terraform's;
-- declared for aws._resource.
--
-- `route` is a set of blocks keyed by their destination (cidr_block /
-- ipv6_cidr_block / destination_prefix_list_id): each route is created,
-- replaced (same destination, another target) or deleted on its own. Left
-- out, routes are not managed; `route = {}` removes them all. The local
-- route and propagated routes are never shown nor touched.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local common = require("luaform.providers.aws._common")
local ec2 = require("luaform.providers.aws._ec2")

-- route block field -> API member (CreateRoute input and Route output)
local TARGETS = {
  gateway_id = "GatewayId", nat_gateway_id = "NatGatewayId", network_interface_id = "NetworkInterfaceId",
  transit_gateway_id = "TransitGatewayId", vpc_peering_connection_id = "VpcPeeringConnectionId",
  vpc_endpoint_id = "VpcEndpointId", egress_only_gateway_id = "EgressOnlyInternetGatewayId",
}
local DESTS = {
  cidr_block = "DestinationCidrBlock", ipv6_cidr_block = "DestinationIpv6CidrBlock",
  destination_prefix_list_id = "DestinationPrefixListId",
}

local ROUTE = {}
for field in pairs(TARGETS) do ROUTE[field] = { type = "string", optional = true } end
for field in pairs(DESTS) do ROUTE[field] = { type = "string", optional = true } end

local function dest_key(r) return r.cidr_block or r.ipv6_cidr_block or r.destination_prefix_list_id end

-- The routes a user manages, from DescribeRouteTables' Routes.
local function routes_of(list)
  local out = {}
  for _, r in ipairs(list or {}) do
    if r.GatewayId ~= "local" and r.Origin ~= "EnableVgwRoutePropagation" and r.Origin ~= "CreateRouteTable" then
      local b = {}
      for field, member in pairs(DESTS) do b[field] = r[member] end
      for field, member in pairs(TARGETS) do b[field] = r[member] end
      -- VPC endpoints show up as gateway ids in DescribeRouteTables
      if b.gateway_id and b.gateway_id:match("^vpce%-") then b.vpc_endpoint_id, b.gateway_id = b.gateway_id, nil end
      out[#out + 1] = b
    end
  end
  return out
end

local function route_params(id, r, members)
  local p = { RouteTableId = id }
  for _, m in ipairs(members) do for field, member in pairs(m) do p[member] = r[field] end end
  return p
end

local function same_target(a, b)
  for field in pairs(TARGETS) do if a[field] ~= b[field] then return false end end
  return true
end

-- Brings the table's routes from `old` to `new` one route at a time; a
-- route already there (a re-send after a lost answer, or made by hand) is
-- pointed where it should.
local function sync_routes(ctx, c, id, old, new, opts)
  local have, want = {}, {}
  for _, r in ipairs(old or {}) do if dest_key(r) then have[dest_key(r)] = r end end
  for _, r in ipairs(new or {}) do
    local k = dest_key(r)
    if not k then
      error(ctx.address .. ": a route needs cidr_block, ipv6_cidr_block or destination_prefix_list_id", 0)
    end
    want[k] = r
  end
  for k, r in pairs(have) do
    if not want[k] then
      local ok, err = pcall(c.DeleteRoute, c, route_params(id, r, { DESTS }))
      if not ok and not common.is_not_found(err) then error(err, 0) end
    end
  end
  for k, r in pairs(want) do
    local p = route_params(id, r, { DESTS, TARGETS })
    if not have[k] then
      local ok, err = pcall(c.CreateRoute, c, p, opts)
      if not ok and common.code(err) ~= "RouteAlreadyExists" then error(err, 0) end
      if not ok then c:ReplaceRoute(p, opts) end
    elseif not same_target(have[k], r) then
      c:ReplaceRoute(p, opts)
    end
  end
end

local arn = ec2.arn("route-table")

return resource.define{
  service = "ec2", description = "A VPC route table with inline routes.",
  identity = "RouteTableId", id = "RouteTableId",
  fields = {
    vpc_id = { type = "string", required = true, force_new = true, wire = "VpcId" },
    route = { type = "set", block = ROUTE, optional = true, computed = true, input = false,
      wire = "Routes", from_wire = routes_of,
      set = function(ctx, c, id, v, ch) sync_routes(ctx, c, id, ch.old.route, v, ch.opts) end },
    arn = { type = "string", computed = true },
    owner_id = { type = "string", computed = true, wire = "OwnerId" },
  },
  create = { op = "CreateRouteTable", result = "RouteTable", retry_codes = { "InvalidVpcID.NotFound" } },
  read_many = { op = "DescribeRouteTables", filter = "route-table-id" },
  not_visible = { "InvalidRouteTableID.NotFound", "InvalidNatGatewayID.NotFound", "InvalidGatewayID.NotFound" },
  adjust = function(ctx, out, t) arn(ctx, out, t, "RouteTableId") end,
  delete = { op = "DeleteRouteTable" },
  tags = tags.ec2("route-table"),
}
