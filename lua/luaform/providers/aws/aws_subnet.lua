-- aws_subnet: a VPC subnet, as Terraform's aws_subnet.
--
-- vpc_id, cidr_block and the zone force a new subnet (the zone is chosen
-- by AWS when not given); map_public_ip_on_launch and tags change in
-- place. Tagged with the create's token, so a lost create is found by it.
-- Delete retries DependencyViolation (a NAT gateway or load balancer still
-- leaving) for a bounded time. Refresh: one DescribeSubnets.
local common = require("luaform.providers.aws._common")

local M = {}

M.schema = common.tag_schema({
  vpc_id = { type = "string", required = true, force_new = true },
  cidr_block = { type = "string", required = true, force_new = true },
  availability_zone = { type = "string", optional = true, computed = true, force_new = true },
  availability_zone_id = { type = "string", optional = true, computed = true, force_new = true },
  map_public_ip_on_launch = { type = "bool", optional = true, default = false },
  arn = { type = "string", computed = true },
  owner_id = { type = "string", computed = true },
})

local function attributes(ctx, s)
  local tags, all = common.split_tags(ctx, common.tag_map(s.Tags))
  return common.finish(M, {
    id = s.SubnetId, vpc_id = s.VpcId, cidr_block = s.CidrBlock,
    availability_zone = s.AvailabilityZone, availability_zone_id = s.AvailabilityZoneId,
    map_public_ip_on_launch = common.bool(s.MapPublicIpOnLaunch) == true,
    arn = s.SubnetArn or common.ec2_arn(ctx, s.OwnerId, "subnet", s.SubnetId), owner_id = s.OwnerId,
    tags = tags, tags_all = all,
  })
end

local function set_public(ctx, c, id, value)
  common.retry_not_found(ctx, function()
    return common.call(ctx, c, "ModifySubnetAttribute", { SubnetId = id, MapPublicIpOnLaunch = { Value = value } })
  end)
end

function M.create(ctx, args)
  local c = ctx:client("ec2")
  local s = common.create(ctx, {
    call = function(o)
      return common.retry_not_found(ctx, function()
        return c:CreateSubnet({ VpcId = args.vpc_id, CidrBlock = args.cidr_block,
          AvailabilityZone = args.availability_zone, AvailabilityZoneId = args.availability_zone_id,
          TagSpecifications = common.tag_specs(ctx, "subnet", args.tags) }, o).Subnet
      end)
    end,
    find = function()
      return c:DescribeSubnets({ Filters = { common.token_filter(ctx.token) } }).Subnets[1]
    end,
    -- a retry of a create whose answer was lost meets its own subnet
    conflict = function(e) return common.code(e) == "InvalidSubnet.Conflict" end,
  })
  if args.map_public_ip_on_launch then
    common.after_create(ctx, s.SubnetId, function() set_public(ctx, c, s.SubnetId, true) end)
    s.MapPublicIpOnLaunch = true
  end
  return attributes(ctx, s)
end

function M.read_batch(ctx, ids)
  local found = common.ec2_batch(ctx, ids, "DescribeSubnets", "subnet-id", "Subnets", "SubnetId")
  local out = {}
  for id, s in pairs(found) do out[id] = attributes(ctx, s) end
  return out
end

function M.read(ctx, id) return M.read_batch(ctx, { id })[id] end

function M.update(ctx, id, old, new)
  local c = ctx:client("ec2")
  if (old.map_public_ip_on_launch == true) ~= (new.map_public_ip_on_launch == true) then
    set_public(ctx, c, id, new.map_public_ip_on_launch == true)
  end
  common.update_ec2_tags(ctx, id, old.tags_all, new.tags)
  local a = {}
  for k, v in pairs(old) do a[k] = v end
  a.map_public_ip_on_launch = new.map_public_ip_on_launch == true
  a.tags, a.tags_all = new.tags, common.all_tags(ctx, new.tags)
  return common.finish(M, a)
end

function M.delete(ctx, id)
  local c = ctx:client("ec2")
  common.delete(ctx, function() return common.call(ctx, c, "DeleteSubnet", { SubnetId = id }) end)
end

function M.import(ctx, id)
  local r = common.call(ctx, ctx:client("ec2"), "DescribeSubnets", { SubnetIds = { id } })
  if not r.Subnets[1] then error("importing aws_subnet: no subnet " .. id, 0) end
  return attributes(ctx, r.Subnets[1])
end

function M.recover(ctx, pending)
  common.settle(ctx, pending)
  local s = common.call(ctx, ctx:client("ec2"), "DescribeSubnets",
    { Filters = { common.token_filter(pending.token) } }).Subnets[1]
  return s and attributes(ctx, s) or nil
end

return M
