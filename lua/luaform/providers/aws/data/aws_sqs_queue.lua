-- data aws_sqs_queue: a queue by name (GetQueueUrl), as Terraform's data
-- source; read as resource aws_sqs_queue reads it (url, arn, ...).
local lookup = require("luaform.providers.aws._lookup")

return lookup.define{
  of = "aws_sqs_queue", description = "An SQS queue, found by name.",
  by = { name = { find = true, required = true } },
}
