-- data aws_s3_bucket: a bucket by name (HeadBucket), as Terraform's data
-- source; read as resource aws_s3_bucket reads it (arn, region, domain
-- names, hosted zone).
local lookup = require("luaform.providers.aws._lookup")

return lookup.define{
  of = "aws_s3_bucket", description = "An S3 bucket, found by name.",
  by = { bucket = { find = true, required = true } },
}
