-- aws_route: one route of a route table (the table's own `route` left out
-- so that it does not manage them), as Terraform's AWS provider has it;
-- declared for aws._resource through aws._put_whole (ReplaceRoute changes
-- the target in place).
--
-- The id is "ROUTE_TABLE_ID_DESTINATION" (Terraform's import form). The
-- table and the destination force a new route; gateway_id,
-- nat_gateway_id and vpc_endpoint_id (the target) change in place. A
-- refresh describes 200 route tables per call. Routes carry no tags: a
-- lost create is found by its table and destination.
local resource = require("luaform.providers.aws._resource")
local whole = require("luaform.providers.aws._put_whole")
local common = require("luaform.providers.aws._common")

local function id_of(table_id, dest) return table_id .. "_" .. dest end
local function split(id) return id:match("^(rtb%-[^_]+)_(.+)$") end

local TARGETS = { gateway_id = "GatewayId", nat_gateway_id = "NatGatewayId", vpc_endpoint_id = "VpcEndpointId" }

local function params(a)
  local p = { RouteTableId = a.route_table_id, DestinationCidrBlock = a.destination_cidr_block }
  for k, member in pairs(TARGETS) do p[member] = a[k] end
  return p
end

local fields = {
  route_table_id = { type = "string", required = true, force_new = true, wire = "RouteTableId" },
  destination_cidr_block = { type = "string", required = true, force_new = true, wire = "DestinationCidrBlock" },
  origin = { type = "string", computed = true, wire = "Origin" },
  state = { type = "string", computed = true, wire = "State" },
}
for k, member in pairs(TARGETS) do fields[k] = { type = "string", optional = true, wire = member } end

-- {id = route (with RouteTableId)} of the routes named by ids.
local function describe(ctx, ids)
  local c = ctx:client("ec2")
  return common.read_children(ids, split, function(tables, keep)
    for _, chunk in ipairs(common.chunks(tables, 200)) do
      local out = c:DescribeRouteTables{ Filters = { { Name = "route-table-id", Values = chunk } } }
      for _, t in ipairs(out.RouteTables or {}) do
        for _, r in ipairs(t.Routes or {}) do
          r.RouteTableId = t.RouteTableId
          keep(r.DestinationCidrBlock and id_of(t.RouteTableId, r.DestinationCidrBlock), r)
        end
      end
    end
  end)
end

local M
M = resource.define(whole.declare({
  service = "ec2", description = "One route of a route table.",
  id = function(r) return id_of(r.RouteTableId, r.DestinationCidrBlock) end,
  fields = fields,
  create = { op = "CreateRoute", exists = { "RouteAlreadyExists" },
    retry_codes = { "InvalidRouteTableID.NotFound", "InvalidGatewayID.NotFound", "InvalidNatGatewayID.NotFound" },
    result = function(_, a) return { RouteTableId = a.route_table_id, DestinationCidrBlock = a.destination_cidr_block } end,
    after = function() end },
  read_many = describe,
  find = function(ctx, a)
    local id = id_of(a.route_table_id, a.destination_cidr_block)
    return describe(ctx, { id })[id]
  end,
  not_found = { "InvalidRoute.NotFound", "InvalidRouteTableID.NotFound" },
  delete = { op = "DeleteRoute", params = function(id)
    local t, dest = split(id)
    return { RouteTableId = t, DestinationCidrBlock = dest }
  end },
}, params, function(c, _, a, opts) return c:ReplaceRoute(params(a), opts) end))

return M
