-- aws_route_table: a VPC route table with inline routes, as Terraform's.
--
-- vpc_id forces a new table. `route` is a set of blocks keyed by their
-- destination (cidr_block / ipv6_cidr_block / destination_prefix_list_id):
-- on update each route is created, replaced (same destination, another
-- target) or deleted on its own. Left out, routes are not managed; `route =
-- {}` removes them all. The local route and propagated routes are never
-- shown nor touched. Tagged with the create's token (no ClientToken in the
-- model), so a lost create is found by it. Refresh: one DescribeRouteTables.
local common = require("luaform.providers.aws._common")

local M = {}

local ROUTE = {
  cidr_block = { type = "string", optional = true },
  ipv6_cidr_block = { type = "string", optional = true },
  destination_prefix_list_id = { type = "string", optional = true },
  gateway_id = { type = "string", optional = true },
  nat_gateway_id = { type = "string", optional = true },
  network_interface_id = { type = "string", optional = true },
  transit_gateway_id = { type = "string", optional = true },
  vpc_peering_connection_id = { type = "string", optional = true },
  vpc_endpoint_id = { type = "string", optional = true },
  egress_only_gateway_id = { type = "string", optional = true },
}

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

M.schema = common.tag_schema({
  vpc_id = { type = "string", required = true, force_new = true },
  route = { type = "set", block = ROUTE, optional = true, computed = true },
  arn = { type = "string", computed = true },
  owner_id = { type = "string", computed = true },
})

local function dest_key(r)
  return r.cidr_block or r.ipv6_cidr_block or r.destination_prefix_list_id
end

local function routes_of(t)
  local out = {}
  for _, r in ipairs(t.Routes or {}) do
    local local_route = r.GatewayId == "local"
    local propagated = r.Origin == "EnableVgwRoutePropagation"
    if not local_route and not propagated and r.Origin ~= "CreateRouteTable" then
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

local function attributes(ctx, t)
  local tags, all = common.split_tags(ctx, common.tag_map(t.Tags))
  return common.finish(M, {
    id = t.RouteTableId, vpc_id = t.VpcId, route = routes_of(t), owner_id = t.OwnerId,
    arn = common.ec2_arn(ctx, t.OwnerId, "route-table", t.RouteTableId),
    tags = tags, tags_all = all,
  })
end

local function route_params(id, r)
  local p = { RouteTableId = id }
  for field, member in pairs(DESTS) do p[member] = r[field] end
  for field, member in pairs(TARGETS) do p[member] = r[field] end
  return p
end

local function same_target(a, b)
  for field in pairs(TARGETS) do if a[field] ~= b[field] then return false end end
  return true
end

local function put_route(ctx, c, id, r, replace)
  common.retry_not_found(ctx, function()
    if replace then return common.call(ctx, c, "ReplaceRoute", route_params(id, r)) end
    local ok, err = common.try(ctx, c, "CreateRoute", route_params(id, r))
    if ok then return end
    -- a retry after a lost answer (or a route made by hand): make sure it
    -- points where it should
    if common.code(err) ~= "RouteAlreadyExists" then error(err, 0) end
    common.call(ctx, c, "ReplaceRoute", route_params(id, r))
  end)
end

local function delete_route(ctx, c, id, r)
  local p = { RouteTableId = id }
  for field, member in pairs(DESTS) do p[member] = r[field] end
  local ok, err = common.try(ctx, c, "DeleteRoute", p)
  if not ok and not common.is_not_found(err) then error(err, 0) end
end

-- Brings the table's routes from `old` to `new` one route at a time.
local function sync_routes(ctx, c, id, old, new)
  local have, want = {}, {}
  for _, r in ipairs(old or {}) do if dest_key(r) then have[dest_key(r)] = r end end
  for _, r in ipairs(new or {}) do
    local k = dest_key(r)
    if not k then error(ctx.address .. ": a route needs cidr_block, ipv6_cidr_block or destination_prefix_list_id", 0) end
    want[k] = r
  end
  for k, r in pairs(have) do if not want[k] then delete_route(ctx, c, id, r) end end
  for k, r in pairs(want) do
    if not have[k] then put_route(ctx, c, id, r, false)
    elseif not same_target(have[k], r) then put_route(ctx, c, id, r, true) end
  end
end

function M.create(ctx, args)
  local c = ctx:client("ec2")
  local t = common.create(ctx, {
    call = function(o)
      return common.retry_not_found(ctx, function()
        return c:CreateRouteTable({ VpcId = args.vpc_id,
          TagSpecifications = common.tag_specs(ctx, "route-table", args.tags) }, o).RouteTable
      end)
    end,
    find = function()
      return c:DescribeRouteTables({ Filters = { common.token_filter(ctx.token) } }).RouteTables[1]
    end,
  })
  local id = t.RouteTableId
  common.after_create(ctx, id, function() sync_routes(ctx, c, id, {}, args.route) end)
  local a = attributes(ctx, t)
  a.route = common.finish(M, { route = args.route }).route
  return a
end

function M.read_batch(ctx, ids)
  local found = common.ec2_batch(ctx, ids, "DescribeRouteTables", "route-table-id", "RouteTables", "RouteTableId")
  local out = {}
  for id, t in pairs(found) do out[id] = attributes(ctx, t) end
  return out
end

function M.read(ctx, id) return M.read_batch(ctx, { id })[id] end

function M.update(ctx, id, old, new)
  local c = ctx:client("ec2")
  sync_routes(ctx, c, id, old.route, new.route)
  common.update_ec2_tags(ctx, id, old.tags_all, new.tags)
  local a = {}
  for k, v in pairs(old) do a[k] = v end
  a.route, a.tags, a.tags_all = new.route, new.tags, common.all_tags(ctx, new.tags)
  return common.finish(M, a)
end

function M.delete(ctx, id)
  local c = ctx:client("ec2")
  common.delete(ctx, function() return common.call(ctx, c, "DeleteRouteTable", { RouteTableId = id }) end)
end

function M.import(ctx, id)
  local r = common.call(ctx, ctx:client("ec2"), "DescribeRouteTables", { RouteTableIds = { id } })
  if not r.RouteTables[1] then error("importing aws_route_table: no route table " .. id, 0) end
  return attributes(ctx, r.RouteTables[1])
end

function M.recover(ctx, pending)
  common.settle(ctx, pending)
  local t = common.call(ctx, ctx:client("ec2"), "DescribeRouteTables",
    { Filters = { common.token_filter(pending.token) } }).RouteTables[1]
  return t and attributes(ctx, t) or nil
end

return M
