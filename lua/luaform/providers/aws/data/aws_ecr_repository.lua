-- data aws_ecr_repository: a repository by name (DescribeRepositories), as
-- Terraform's data source; read as resource aws_ecr_repository reads it.
local lookup = require("luaform.providers.aws._lookup")

return lookup.define{
  of = "aws_ecr_repository", description = "An ECR repository, found by name.",
  by = { name = { member = "repositoryNames", required = true } },
}
