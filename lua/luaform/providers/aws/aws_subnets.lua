-- data aws_subnets: the ids of every subnet matching filters and tags
-- (DescribeSubnets), as Terraform's data source; none is an empty list.
local lookup = require("luaform.providers.aws._lookup")

return lookup.define{
  of = "aws_subnet", description = "The ids of the subnets matching filters and tags.",
  filters = true, ids = true,
}
