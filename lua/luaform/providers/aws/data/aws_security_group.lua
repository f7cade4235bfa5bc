-- data aws_security_group: one security group, by id, name, VPC, tags or
-- filters (DescribeSecurityGroups), as Terraform's data source; its rules
-- and attributes are read as resource aws_security_group reads them.
local lookup = require("luaform.providers.aws._lookup")

return lookup.define{
  of = "aws_security_group", description = "A security group, found by id, name, VPC, tags or filters.",
  filters = true,
  by = {
    id = { filter = "group-id", description = "The group's id." },
    name = { filter = "group-name" },
    vpc_id = { filter = "vpc-id" },
  },
}
