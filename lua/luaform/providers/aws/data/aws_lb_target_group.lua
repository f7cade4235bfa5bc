-- data aws_lb_target_group: a target group by arn or name
-- (DescribeTargetGroups), as Terraform's data source; read as resource
-- aws_lb_target_group reads it.
local lookup = require("luaform.providers.aws._lookup")

return lookup.define{
  of = "aws_lb_target_group", description = "An ELBv2 target group, found by ARN or name.",
  by = { arn = { member = "TargetGroupArns" }, name = { member = "Names" } },
}
