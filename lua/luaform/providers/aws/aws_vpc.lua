-- aws_vpc: a VPC, as Terraform's aws_vpc.
--
-- cidr_block forces a new VPC, and so does instance_tenancy except from
-- dedicated to default, which ModifyVpcTenancy does in place (the only
-- change AWS allows, as Terraform does); the DNS attributes and tags
-- change in place. CreateVpc has no ClientToken, so the VPC is tagged
-- with the create's token (aws/_common) and a lost create is found by it.
-- The main route table and the default security group AWS makes with the
-- VPC are exported (looked up once after the create, retried while not
-- yet visible). Refresh: one DescribeVpcs for all VPCs of the state, plus
-- DescribeVpcAttribute for the two DNS attributes (not in DescribeVpcs).
local common = require("luaform.providers.aws._common")

local M = {}

M.schema = common.tag_schema({
  cidr_block = { type = "string", required = true, force_new = true },
  instance_tenancy = { type = "string", optional = true, default = "default",
    force_new = function(old, new) return not (old == "dedicated" and new == "default") end },
  enable_dns_support = { type = "bool", optional = true, default = true },
  enable_dns_hostnames = { type = "bool", optional = true, default = false },
  arn = { type = "string", computed = true },
  owner_id = { type = "string", computed = true },
  dhcp_options_id = { type = "string", computed = true },
  main_route_table_id = { type = "string", computed = true },
  default_route_table_id = { type = "string", computed = true },
  default_security_group_id = { type = "string", computed = true },
})

local function dns_attrs(ctx, c, id)
  local function get(attr, key)
    local r = common.retry_not_found(ctx, function()
      return common.call(ctx, c, "DescribeVpcAttribute", { VpcId = id, Attribute = attr })
    end, 30)
    return r[key] and r[key].Value
  end
  return get("enableDnsSupport", "EnableDnsSupport"), get("enableDnsHostnames", "EnableDnsHostnames")
end

-- The main route table and default security group ids (made with the VPC).
local function defaults(ctx, c, id)
  local rtb = common.retry_not_found(ctx, function()
    local list = common.collect(ctx, c, "DescribeRouteTables", { Filters = {
      { Name = "vpc-id", Values = { id } }, { Name = "association.main", Values = { "true" } } } },
      "RouteTables")
    if not list[1] then error({ code = "InvalidRouteTableID.NotFound", message = "main route table of " .. id }, 0) end
    return list[1].RouteTableId
  end, 30)
  local sg = common.retry_not_found(ctx, function()
    local list = common.collect(ctx, c, "DescribeSecurityGroups", { Filters = {
      { Name = "vpc-id", Values = { id } }, { Name = "group-name", Values = { "default" } } } },
      "SecurityGroups")
    if not list[1] then error({ code = "InvalidGroup.NotFound", message = "default group of " .. id }, 0) end
    return list[1].GroupId
  end, 30)
  return rtb, sg
end

local function attributes(ctx, v, extra)
  local tags, all = common.split_tags(ctx, common.tag_map(v.Tags))
  local a = {
    id = v.VpcId, cidr_block = v.CidrBlock, instance_tenancy = v.InstanceTenancy,
    owner_id = v.OwnerId, dhcp_options_id = v.DhcpOptionsId,
    arn = common.ec2_arn(ctx, v.OwnerId, "vpc", v.VpcId),
    tags = tags, tags_all = all,
  }
  for k, x in pairs(extra or {}) do a[k] = x end
  return common.finish(M, a)
end

local function modify(ctx, c, id, attr, value)
  common.retry_not_found(ctx, function()
    return common.call(ctx, c, "ModifyVpcAttribute", { VpcId = id, [attr] = { Value = value } })
  end)
end

function M.create(ctx, args)
  local c = ctx:client("ec2")
  local vpc = common.create(ctx, {
    call = function(o)
      return c:CreateVpc({ CidrBlock = args.cidr_block, InstanceTenancy = args.instance_tenancy,
        TagSpecifications = common.tag_specs(ctx, "vpc", args.tags) }, o).Vpc
    end,
    find = function()
      return c:DescribeVpcs({ Filters = { common.token_filter(ctx.token) } }).Vpcs[1]
    end,
  })
  local id = vpc.VpcId
  local rtb, sg = common.after_create(ctx, id, function()
    if args.enable_dns_support == false then modify(ctx, c, id, "EnableDnsSupport", false) end
    if args.enable_dns_hostnames then modify(ctx, c, id, "EnableDnsHostnames", true) end
    return defaults(ctx, c, id)
  end)
  return attributes(ctx, vpc, {
    enable_dns_support = args.enable_dns_support ~= false,
    enable_dns_hostnames = args.enable_dns_hostnames == true,
    main_route_table_id = rtb, default_route_table_id = rtb, default_security_group_id = sg,
  })
end

local function complete(ctx, c, v, prior)
  local support, hostnames = dns_attrs(ctx, c, v.VpcId)
  local extra = { enable_dns_support = support, enable_dns_hostnames = hostnames }
  if prior and prior.main_route_table_id then
    extra.main_route_table_id = prior.main_route_table_id
    extra.default_route_table_id = prior.default_route_table_id
    extra.default_security_group_id = prior.default_security_group_id
  else
    local rtb, sg = defaults(ctx, c, v.VpcId)
    extra.main_route_table_id, extra.default_route_table_id, extra.default_security_group_id = rtb, rtb, sg
  end
  return attributes(ctx, v, extra)
end

function M.read_batch(ctx, ids, entries)
  local c = ctx:client("ec2")
  local found = common.ec2_batch(ctx, ids, "DescribeVpcs", "vpc-id", "Vpcs", "VpcId")
  local out = {}
  for i, id in ipairs(ids) do
    if found[id] then out[id] = complete(ctx, c, found[id], entries[i] and entries[i].entry.attributes) end
  end
  return out
end

function M.update(ctx, id, old, new)
  local c = ctx:client("ec2")
  if new.instance_tenancy ~= old.instance_tenancy then   -- dedicated -> default (the schema)
    common.call(ctx, c, "ModifyVpcTenancy", { VpcId = id, InstanceTenancy = new.instance_tenancy })
  end
  -- support before hostnames when enabling, after when disabling
  if new.enable_dns_support and old.enable_dns_support ~= true then
    modify(ctx, c, id, "EnableDnsSupport", true)
  end
  if new.enable_dns_hostnames ~= old.enable_dns_hostnames then
    modify(ctx, c, id, "EnableDnsHostnames", new.enable_dns_hostnames == true)
  end
  if new.enable_dns_support == false and old.enable_dns_support ~= false then
    modify(ctx, c, id, "EnableDnsSupport", false)
  end
  common.update_ec2_tags(ctx, id, old.tags_all, new.tags)
  local a = {}
  for k, v in pairs(old) do a[k] = v end
  a.enable_dns_support = new.enable_dns_support ~= false
  a.enable_dns_hostnames = new.enable_dns_hostnames == true
  a.instance_tenancy = new.instance_tenancy
  a.tags = new.tags
  a.tags_all = common.all_tags(ctx, new.tags)
  return common.finish(M, a)
end

function M.delete(ctx, id)
  local c = ctx:client("ec2")
  common.delete(ctx, function() return common.call(ctx, c, "DeleteVpc", { VpcId = id }) end)
end

function M.import(ctx, id)
  local c = ctx:client("ec2")
  local v = common.call(ctx, c, "DescribeVpcs", { VpcIds = { id } }).Vpcs[1]
  if not v then error("importing aws_vpc: no VPC " .. id, 0) end
  return complete(ctx, c, v, nil)
end

function M.recover(ctx, pending)
  common.settle(ctx, pending)
  local c = ctx:client("ec2")
  local v = common.call(ctx, c, "DescribeVpcs", { Filters = { common.token_filter(pending.token) } }).Vpcs[1]
  if not v then return nil end
  return complete(ctx, c, v, nil)
end

return M
