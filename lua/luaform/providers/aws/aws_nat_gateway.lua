-- aws_nat_gateway: a NAT gateway, as Terraform's aws_nat_gateway.
--
-- Every argument but tags forces a new gateway. CreateNatGateway takes a
-- ClientToken: the create's token is passed, so a transport retry after a
-- lost answer returns the same gateway; the gateway is also tagged with the
-- token so that a later run finds it (recover). Create waits with the
-- model's NatGatewayAvailable waiter, delete with NatGatewayDeleted. A
-- gateway that is deleting, deleted or failed counts as gone. Refresh: one
-- DescribeNatGateways for every gateway of the state.
local common = require("luaform.providers.aws._common")

local M = {}

M.schema = common.tag_schema({
  allocation_id = { type = "string", optional = true, force_new = true },
  subnet_id = { type = "string", required = true, force_new = true },
  connectivity_type = { type = "string", optional = true, default = "public", force_new = true },
  private_ip = { type = "string", optional = true, computed = true, force_new = true },
  network_interface_id = { type = "string", computed = true },
  public_ip = { type = "string", computed = true },
  association_id = { type = "string", computed = true },
})

local GONE = { deleting = true, deleted = true, failed = true }

local function attributes(ctx, n)
  local tags, all = common.split_tags(ctx, common.tag_map(n.Tags))
  local addr = (n.NatGatewayAddresses or {})[1] or {}
  return common.finish(M, {
    id = n.NatGatewayId, subnet_id = n.SubnetId, connectivity_type = n.ConnectivityType or "public",
    allocation_id = addr.AllocationId, private_ip = addr.PrivateIp, public_ip = addr.PublicIp,
    network_interface_id = addr.NetworkInterfaceId, association_id = addr.AssociationId,
    tags = tags, tags_all = all,
  })
end

local function describe(ctx, c, filters)
  local list = common.collect(ctx, c, "DescribeNatGateways", { Filter = filters }, "NatGateways")
  for _, n in ipairs(list) do if not GONE[n.State] then return n end end
  return nil
end

function M.create(ctx, args)
  local c = ctx:client("ec2")
  local params = {
    SubnetId = args.subnet_id, AllocationId = args.allocation_id, ConnectivityType = args.connectivity_type,
    PrivateIpAddress = args.private_ip, ClientToken = ctx.token,
    TagSpecifications = common.tag_specs(ctx, "natgateway", args.tags),
  }
  local n = common.retry_not_found(ctx, function()
    return common.call(ctx, c, "CreateNatGateway", params).NatGateway
  end)
  local id = n.NatGatewayId
  common.after_create(ctx, id, function()
    common.wait(ctx, c, "NatGatewayAvailable", { NatGatewayIds = { id } }, 900, 1)
    n = common.retry_not_found(ctx, function()
      return common.call(ctx, c, "DescribeNatGateways", { NatGatewayIds = { id } }).NatGateways[1]
    end)
  end)
  return attributes(ctx, n)
end

function M.read_batch(ctx, ids)
  local found = common.ec2_batch(ctx, ids, "DescribeNatGateways", "nat-gateway-id", "NatGateways", "NatGatewayId", "Filter")
  local out = {}
  for id, n in pairs(found) do
    if not GONE[n.State] then out[id] = attributes(ctx, n) end
  end
  return out
end

function M.read(ctx, id) return M.read_batch(ctx, { id })[id] end

function M.update(ctx, id, old, new)
  common.update_ec2_tags(ctx, id, old.tags_all, new.tags)
  local a = {}
  for k, v in pairs(old) do a[k] = v end
  a.tags, a.tags_all = new.tags, common.all_tags(ctx, new.tags)
  return common.finish(M, a)
end

function M.delete(ctx, id)
  local c = ctx:client("ec2")
  if common.delete(ctx, function() return common.call(ctx, c, "DeleteNatGateway", { NatGatewayId = id }) end) then
    common.wait(ctx, c, "NatGatewayDeleted", { NatGatewayIds = { id } }, 900, 1)
  end
end

function M.import(ctx, id)
  local n = describe(ctx, ctx:client("ec2"), { { Name = "nat-gateway-id", Values = { id } } })
  if not n then error("importing aws_nat_gateway: no NAT gateway " .. id, 0) end
  return attributes(ctx, n)
end

function M.recover(ctx, pending)
  common.settle(ctx, pending)
  local c = ctx:client("ec2")
  local n = describe(ctx, c, { common.token_filter(pending.token) })
  if not n then return nil end
  if n.State == "pending" then
    common.wait(ctx, c, "NatGatewayAvailable", { NatGatewayIds = { n.NatGatewayId } }, 900, 1)
    n = describe(ctx, c, { common.token_filter(pending.token) }) or n
  end
  return attributes(ctx, n)
end

return M
