-- data aws_subnet: one subnet, by id, VPC, CIDR block, zone, state, tags
-- or filters (DescribeSubnets), as Terraform's data source; its attributes
-- are read as resource aws_subnet reads them (aws._lookup).
local lookup = require("luaform.providers.aws._lookup")

return lookup.define{
  of = "aws_subnet", description = "A subnet, found by id, VPC, CIDR block, zone, state, tags or filters.",
  filters = true,
  by = {
    id = { filter = "subnet-id", description = "The subnet's id." },
    vpc_id = { filter = "vpc-id" },
    cidr_block = { filter = "cidr-block" },
    availability_zone = { filter = "availability-zone" },
    availability_zone_id = { filter = "availability-zone-id" },
    default_for_az = { filter = "default-for-az", type = "bool", wire = "DefaultForAz",
      description = "The zone's default subnet." },
    state = { filter = "state", type = "string", wire = "State", description = "pending or available." },
  },
}
