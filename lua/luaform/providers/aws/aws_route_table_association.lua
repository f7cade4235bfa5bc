-- aws_route_table_association: a subnet's (or gateway's) association with
-- a route table, as Terraform's. The id is the association id.
--
-- subnet_id and gateway_id force a new association; route_table_id changes
-- in place (ReplaceRouteTableAssociation). Associations carry no tags: a
-- retry whose first attempt was applied meets Resource.AlreadyAssociated,
-- and the subnet's association with the same table is adopted; after an
-- interrupted run, recover() looks for it with the intent's arguments. Refresh:
-- one DescribeRouteTables filtered on the association ids.
local common = require("luaform.providers.aws._common")

local M = {}

M.schema = {
  subnet_id = { type = "string", optional = true, force_new = true },
  gateway_id = { type = "string", optional = true, force_new = true },
  route_table_id = { type = "string", required = true },
}

local function attributes(a)
  return common.finish(M, { id = a.RouteTableAssociationId, subnet_id = a.SubnetId,
    gateway_id = a.GatewayId, route_table_id = a.RouteTableId })
end

-- Associations by id, from DescribeRouteTables with the given filter.
local function associations(ctx, c, filter)
  local out = {}
  local tables = common.collect(ctx, c, "DescribeRouteTables", { Filters = { filter } }, "RouteTables")
  for _, t in ipairs(tables) do
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

-- The association of args.subnet_id (or gateway_id) with args.route_table_id.
local function find(ctx, c, args)
  local filter = args.subnet_id and { Name = "association.subnet-id", Values = { args.subnet_id } }
    or { Name = "association.gateway-id", Values = { args.gateway_id } }
  for _, a in pairs(associations(ctx, c, filter)) do
    local mine = args.subnet_id and a.SubnetId == args.subnet_id or (args.gateway_id and a.GatewayId == args.gateway_id)
    if mine and a.RouteTableId == args.route_table_id then return a end
  end
  return nil
end

function M.create(ctx, args)
  local c = ctx:client("ec2")
  if (args.subnet_id == nil) == (args.gateway_id == nil) then
    error(ctx.address .. ": exactly one of subnet_id and gateway_id must be set", 0)
  end
  local r = common.create(ctx, {
    call = function(o)
      return common.retry_not_found(ctx, function()
        local res = c:AssociateRouteTable({ RouteTableId = args.route_table_id,
          SubnetId = args.subnet_id, GatewayId = args.gateway_id }, o)
        return { RouteTableAssociationId = res.AssociationId, RouteTableId = args.route_table_id,
          SubnetId = args.subnet_id, GatewayId = args.gateway_id }
      end)
    end,
    find = function() return find(ctx, c, args) end,
    conflict = function(e) return common.code(e) == "Resource.AlreadyAssociated" end,
  })
  return attributes(r)
end

function M.read_batch(ctx, ids)
  local c = ctx:client("ec2")
  return (function()
    local found = common.batch(ctx, ids, function(want)
      local out = {}
      for _, chunk in ipairs(common.chunks(want, 200)) do
        for id, a in pairs(associations(ctx, c, { Name = "association.route-table-association-id", Values = chunk })) do
          out[id] = a
        end
      end
      return out
    end)
    local out = {}
    for id, a in pairs(found) do out[id] = attributes(a) end
    return out
  end)()
end

function M.read(ctx, id) return M.read_batch(ctx, { id })[id] end

function M.update(ctx, id, old, new)
  local c = ctx:client("ec2")
  local res = common.retry_not_found(ctx, function()
    return common.call(ctx, c, "ReplaceRouteTableAssociation", { AssociationId = id, RouteTableId = new.route_table_id })
  end)
  return common.finish(M, { id = res.NewAssociationId or id, subnet_id = old.subnet_id,
    gateway_id = old.gateway_id, route_table_id = new.route_table_id })
end
M.schema.id = { type = "string", computed = true, computed_on_update = true }

function M.delete(ctx, id)
  local c = ctx:client("ec2")
  common.delete(ctx, function() return common.call(ctx, c, "DisassociateRouteTable", { AssociationId = id }) end)
end

-- Terraform's import id: SUBNET_ID/ROUTE_TABLE_ID (or an association id).
function M.import(ctx, id)
  local c = ctx:client("ec2")
  local subnet, rtb = id:match("^([^/]+)/([^/]+)$")
  local filter = subnet
    and { Name = (subnet:match("^subnet%-") and "association.subnet-id" or "association.gateway-id"), Values = { subnet } }
    or { Name = "association.route-table-association-id", Values = { id } }
  for _, a in pairs(associations(ctx, c, filter)) do
    if not subnet or ((a.SubnetId == subnet or a.GatewayId == subnet) and a.RouteTableId == rtb) then
      return attributes(a)
    end
  end
  error("importing aws_route_table_association: no association " .. id, 0)
end

-- An interrupted create: the subnet's association with the table, if made
-- (the intent records the create's arguments).
function M.recover(ctx, pending)
  local args = pending and pending.args
  if type(args) ~= "table" or not args.route_table_id then return nil end
  common.settle(ctx, pending)
  local a = find(ctx, ctx:client("ec2"), args)
  return a and attributes(a) or nil
end

return M
