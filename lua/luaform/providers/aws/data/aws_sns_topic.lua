-- data aws_sns_topic: a topic by name (ListTopics), as Terraform's data
-- source; read as resource aws_sns_topic reads it.
local lookup = require("luaform.providers.aws._lookup")

return lookup.define{
  of = "aws_sns_topic", description = "An SNS topic, found by name.",
  by = { name = { find = true, required = true } },
}
