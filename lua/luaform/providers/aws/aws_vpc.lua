-- aws_vpc: a VPC, as Terraform's aws_vpc; declared for aws._resource.
--
-- instance_tenancy changes in place only from dedicated to default (the
-- only change AWS allows). The DNS attributes are not in DescribeVpcs: a
-- refresh asks DescribeVpcAttribute for each (read_extra), and support is
-- enabled before hostnames and disabled after them. The main route table
-- and default security group AWS makes with the VPC are looked up once.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local ec2 = require("luaform.providers.aws._ec2")

local function modify(c, id, attr, value, opts)
  return c:ModifyVpcAttribute({ VpcId = id, [attr] = { Value = value == true } }, opts)
end

local arn = ec2.arn("vpc")

return resource.define{
  service = "ec2", description = "A virtual private cloud.",
  identity = "VpcId", id = "VpcId",
  fields = {
    cidr_block = { type = "string", required = true, force_new = true, wire = "CidrBlock" },
    instance_tenancy = { type = "string", optional = true, default = "default", wire = "InstanceTenancy",
      force_new = function(old, new) return not (old == "dedicated" and new == "default") end,
      set = function(_, c, id, v) return c:ModifyVpcTenancy{ VpcId = id, InstanceTenancy = v } end },
    enable_dns_support = { type = "bool", optional = true, default = true, input = false,
      set = function(_, c, id, v, ch) return modify(c, id, "EnableDnsSupport", v, ch.opts) end },
    enable_dns_hostnames = { type = "bool", optional = true, default = false, input = false,
      set = function(_, c, id, v, ch)
        if v and ch.new.enable_dns_support ~= false then modify(c, id, "EnableDnsSupport", true, ch.opts) end
        return modify(c, id, "EnableDnsHostnames", v, ch.opts)
      end },
    arn = { type = "string", computed = true },
    owner_id = { type = "string", computed = true, wire = "OwnerId" },
    dhcp_options_id = { type = "string", computed = true, wire = "DhcpOptionsId" },
    main_route_table_id = { type = "string", computed = true },
    default_route_table_id = { type = "string", computed = true },
    default_security_group_id = { type = "string", computed = true },
  },
  create = { op = "CreateVpc", result = "Vpc" },
  read_many = { op = "DescribeVpcs", filter = "vpc-id" },
  read_extra = function(ctx, c, v, prior, opts)
    local function attr(name, key)
      local r = c:DescribeVpcAttribute({ VpcId = v.VpcId, Attribute = name }, opts)
      return r[key] and r[key].Value
    end
    local out = { enable_dns_support = attr("enableDnsSupport", "EnableDnsSupport"),
      enable_dns_hostnames = attr("enableDnsHostnames", "EnableDnsHostnames"),
      main_route_table_id = prior.main_route_table_id, default_security_group_id = prior.default_security_group_id }
    if not out.main_route_table_id then
      local vpc = { Name = "vpc-id", Values = { v.VpcId } }
      out.main_route_table_id = ec2.first(ctx, c, "DescribeRouteTables",
        { vpc, { Name = "association.main", Values = { "true" } } }).RouteTableId
      out.default_security_group_id = ec2.first(ctx, c, "DescribeSecurityGroups",
        { vpc, { Name = "group-name", Values = { "default" } } }).GroupId
    end
    out.default_route_table_id = out.main_route_table_id
    return out
  end,
  not_visible = { "InvalidVpcID.NotFound" },
  adjust = function(ctx, out, v) arn(ctx, out, v, "VpcId") end,
  delete = { op = "DeleteVpc" },
  tags = tags.ec2("vpc"),
}
