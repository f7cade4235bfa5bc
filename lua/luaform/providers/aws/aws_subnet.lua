-- aws_subnet: a VPC subnet, as Terraform's aws_subnet; declared for
-- aws._resource (contract v2).
--
-- vpc_id, cidr_block and the zone force a new subnet (the zone is chosen
-- by AWS when not given); map_public_ip_on_launch and tags change in
-- place. Delete waits out DependencyViolation (a NAT gateway or load
-- balancer still leaving). Refresh: one DescribeSubnets.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local ec2 = require("luaform.providers.aws._ec2")

local arn = ec2.arn("subnet")

return resource.define{
  service = "ec2", description = "A subnet of a VPC.",
  identity = "SubnetId", id = "SubnetId",
  fields = {
    vpc_id = { type = "string", required = true, force_new = true, wire = "VpcId" },
    cidr_block = { type = "string", required = true, force_new = true, wire = "CidrBlock" },
    availability_zone = { type = "string", optional = true, computed = true, force_new = true,
      wire = "AvailabilityZone" },
    availability_zone_id = { type = "string", optional = true, computed = true, force_new = true,
      wire = "AvailabilityZoneId" },
    map_public_ip_on_launch = { type = "bool", optional = true, default = false, wire = "MapPublicIpOnLaunch",
      input = false, description = "Give instances launched here a public IP address.",
      set = function(_, c, id, v, ch)
        return c:ModifySubnetAttribute({ SubnetId = id, MapPublicIpOnLaunch = { Value = v == true } }, ch.opts)
      end },
    arn = { type = "string", computed = true, wire = "SubnetArn" },
    owner_id = { type = "string", computed = true, wire = "OwnerId" },
  },
  -- the VPC made moments ago may not be visible yet; a retry of a create
  -- whose answer was lost meets its own subnet (InvalidSubnet.Conflict)
  create = { op = "CreateSubnet", result = "Subnet", retry_codes = { "InvalidVpcID.NotFound" },
    exists = { "InvalidSubnet.Conflict" } },
  read_many = { op = "DescribeSubnets", filter = "subnet-id" },
  not_visible = { "InvalidSubnetID.NotFound" },
  adjust = function(ctx, out, s) arn(ctx, out, s, "SubnetId") end,
  delete = { op = "DeleteSubnet" },
  tags = tags.ec2("subnet"),
}
