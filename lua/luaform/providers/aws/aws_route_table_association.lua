-- aws_route_table_association: a subnet's (or gateway's) association with
-- a route table, as Terraform's; declared for aws._resource. The id is the
-- association id.
--
-- subnet_id and gateway_id force a new association; route_table_id changes
-- in place (ReplaceRouteTableAssociation, which gives a new id: update is
-- this type's own). Associations carry no tags: a re-send whose first send
-- was applied meets Resource.AlreadyAssociated, and the association with
-- the same table is adopted (find); so is an interrupted create's.
-- Refresh: one DescribeRouteTables filtered on the association ids.
local resource = require("luaform.providers.aws._resource")
local common = require("luaform.providers.aws._common")

-- Associations by id (each with its table's id), from DescribeRouteTables.
local function associations(ctx, filter)
  local out = {}
  for _, t in ipairs(ctx:client("ec2"):collect("DescribeRouteTables", { Filters = { filter } })) do
    for _, a in ipairs(t.Associations or {}) do
      local state = a.AssociationState and a.AssociationState.State
      if not a.Main and state ~= "disassociated" and state ~= "disassociating" then
        a.RouteTableId = a.RouteTableId or t.RouteTableId
        out[a.RouteTableAssociationId] = a
      end
    end
  end
  return out
end

-- The association of `target` (a subnet or gateway id) with table rtb.
local function association_of(ctx, target, rtb)
  local kind = target:match("^subnet%-") and "association.subnet-id" or "association.gateway-id"
  for _, a in pairs(associations(ctx, { Name = kind, Values = { target } })) do
    if (a.SubnetId == target or a.GatewayId == target) and (not rtb or a.RouteTableId == rtb) then return a end
  end
  return nil
end

local M = resource.define{
  service = "ec2", description = "The association of a subnet or gateway with a route table.",
  identity = "AssociationId", id = "RouteTableAssociationId",
  fields = {
    subnet_id = { type = "string", optional = true, force_new = true, wire = "SubnetId" },
    gateway_id = { type = "string", optional = true, force_new = true, wire = "GatewayId" },
    route_table_id = { type = "string", required = true, wire = "RouteTableId" },
    id = { type = "string", computed = true, computed_on_update = true },
  },
  create = { op = "AssociateRouteTable", retry_codes = { "InvalidSubnetID.NotFound", "InvalidRouteTableID.NotFound" },
    exists = { "Resource.AlreadyAssociated" },
    params = function(ctx, args)
      if (args.subnet_id == nil) == (args.gateway_id == nil) then
        error(ctx.address .. ": exactly one of subnet_id and gateway_id must be set", 0)
      end
    end,
    result = function(res, args)
      return { RouteTableAssociationId = res.AssociationId, RouteTableId = args.route_table_id,
        SubnetId = args.subnet_id, GatewayId = args.gateway_id }
    end },
  read_many = function(ctx, ids)
    local out = {}
    for _, chunk in ipairs(common.chunks(ids, 200)) do
      for id, a in pairs(associations(ctx, { Name = "association.route-table-association-id", Values = chunk })) do
        out[id] = a
      end
    end
    return out
  end,
  find = function(ctx, args) return association_of(ctx, args.subnet_id or args.gateway_id, args.route_table_id) end,
  delete = { op = "DisassociateRouteTable" },
}

function M.update(ctx, id, old, new)
  local res = ctx:client("ec2"):ReplaceRouteTableAssociation({ AssociationId = id, RouteTableId = new.route_table_id },
    { retry_codes = { "InvalidRouteTableID.NotFound" } })
  return common.finish(M, { id = res.NewAssociationId or id, subnet_id = old.subnet_id,
    gateway_id = old.gateway_id, route_table_id = new.route_table_id })
end

-- Terraform's import id: SUBNET_ID/ROUTE_TABLE_ID (or an association id).
function M.import(ctx, id)
  local target, rtb = id:match("^([^/]+)/([^/]+)$")
  local a
  if target then a = association_of(ctx, target, rtb) else a = M.describe(ctx, { id })[id] end
  if not a then error("importing aws_route_table_association: no association " .. id, 0) end
  return M.read(ctx, a.RouteTableAssociationId)
end

return M
