-- data aws_vpc: one VPC, by id, CIDR block, default, state, tags or
-- filters (DescribeVpcs), as Terraform's data source; its attributes are
-- read as resource aws_vpc reads them (aws._lookup).
local lookup = require("luaform.providers.aws._lookup")

return lookup.define{
  of = "aws_vpc", description = "A VPC, found by id, CIDR block, default, state, tags or filters.",
  filters = true,
  by = {
    id = { filter = "vpc-id", description = "The VPC's id." },
    cidr_block = { filter = "cidr" },
    default = { filter = "is-default", type = "bool", wire = "IsDefault", description = "The region's default VPC." },
    state = { filter = "state", type = "string", wire = "State", description = "pending or available." },
  },
}
