-- data aws_lb: a load balancer by arn or name (DescribeLoadBalancers), as
-- Terraform's data source; read as resource aws_lb reads it.
local lookup = require("luaform.providers.aws._lookup")

return lookup.define{
  of = "aws_lb", description = "An application or network load balancer, found by ARN or name.",
  by = { arn = { member = "LoadBalancerArns" }, name = { member = "Names" } },
}
