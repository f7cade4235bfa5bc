-- aws_internet_gateway: an internet gateway, as Terraform's.
--
-- vpc_id is optional and changes in place: the gateway is detached from
-- the old VPC and attached to the new one. Delete detaches first, retrying
-- DependencyViolation (public addresses still mapped, e.g. a NAT gateway
-- being deleted) for a bounded time. Tagged with the create's token; a
-- lost create is found by it. Refresh: one DescribeInternetGateways.
local common = require("luaform.providers.aws._common")

local M = {}

M.schema = common.tag_schema({
  vpc_id = { type = "string", optional = true, absent_is_unset = true },
  arn = { type = "string", computed = true },
  owner_id = { type = "string", computed = true },
})

local function attributes(ctx, g)
  local tags, all = common.split_tags(ctx, common.tag_map(g.Tags))
  local vpc
  for _, a in ipairs(g.Attachments or {}) do
    if a.State ~= "detached" and a.State ~= "detaching" then vpc = a.VpcId end
  end
  return common.finish(M, {
    id = g.InternetGatewayId, vpc_id = vpc, owner_id = g.OwnerId,
    arn = common.ec2_arn(ctx, g.OwnerId, "internet-gateway", g.InternetGatewayId),
    tags = tags, tags_all = all,
  })
end

local function attach(ctx, c, id, vpc)
  common.retry_not_found(ctx, function()
    local ok, err = common.try(ctx, c, "AttachInternetGateway", { InternetGatewayId = id, VpcId = vpc })
    -- a retry after a lost answer finds its own attachment
    if not ok and common.code(err) ~= "Resource.AlreadyAssociated" then error(err, 0) end
  end)
end

local function detach(ctx, c, id, vpc)
  common.delete(ctx, function()
    local ok, err = common.try(ctx, c, "DetachInternetGateway", { InternetGatewayId = id, VpcId = vpc })
    if not ok and common.code(err) ~= "Gateway.NotAttached" then error(err, 0) end
  end)
end

function M.create(ctx, args)
  local c = ctx:client("ec2")
  local g = common.create(ctx, {
    call = function(o)
      return c:CreateInternetGateway({
        TagSpecifications = common.tag_specs(ctx, "internet-gateway", args.tags) }, o).InternetGateway
    end,
    find = function()
      return c:DescribeInternetGateways({ Filters = { common.token_filter(ctx.token) } }).InternetGateways[1]
    end,
  })
  if args.vpc_id then
    common.after_create(ctx, g.InternetGatewayId, function() attach(ctx, c, g.InternetGatewayId, args.vpc_id) end)
  end
  local a = attributes(ctx, g)
  a.vpc_id = args.vpc_id
  return a
end

function M.read_batch(ctx, ids)
  local found = common.ec2_batch(ctx, ids, "DescribeInternetGateways", "internet-gateway-id",
    "InternetGateways", "InternetGatewayId")
  local out = {}
  for id, g in pairs(found) do out[id] = attributes(ctx, g) end
  return out
end

function M.read(ctx, id) return M.read_batch(ctx, { id })[id] end

function M.update(ctx, id, old, new)
  local c = ctx:client("ec2")
  if old.vpc_id ~= new.vpc_id then
    if old.vpc_id then detach(ctx, c, id, old.vpc_id) end
    if new.vpc_id then attach(ctx, c, id, new.vpc_id) end
  end
  common.update_ec2_tags(ctx, id, old.tags_all, new.tags)
  local a = {}
  for k, v in pairs(old) do a[k] = v end
  a.vpc_id, a.tags, a.tags_all = new.vpc_id, new.tags, common.all_tags(ctx, new.tags)
  return common.finish(M, a)
end

function M.delete(ctx, id, attrs)
  local c = ctx:client("ec2")
  if attrs and attrs.vpc_id then detach(ctx, c, id, attrs.vpc_id) end
  common.delete(ctx, function() return common.call(ctx, c, "DeleteInternetGateway", { InternetGatewayId = id }) end)
end

function M.import(ctx, id)
  local g = common.call(ctx, ctx:client("ec2"), "DescribeInternetGateways", { InternetGatewayIds = { id } })
  if not g.InternetGateways[1] then error("importing aws_internet_gateway: no gateway " .. id, 0) end
  return attributes(ctx, g.InternetGateways[1])
end

function M.recover(ctx, pending)
  common.settle(ctx, pending)
  local g = common.call(ctx, ctx:client("ec2"), "DescribeInternetGateways",
    { Filters = { common.token_filter(pending.token) } }).InternetGateways[1]
  return g and attributes(ctx, g) or nil
end

return M
