-- aws_s3_bucket_policy: a bucket's policy, as Terraform's AWS provider has
-- it (aws._s3_bucket_config); compared as a policy document (aws._json).
local config = require("luaform.providers.aws._s3_bucket_config")
local json = require("luaform.providers.aws._json")

return config{
  description = "The policy of an S3 bucket.",
  get = "GetBucketPolicy", put = "PutBucketPolicy",
  document = function(args) return { Policy = json.text(args.policy) } end,
  missing = { "NoSuchBucketPolicy" },
  delete = "DeleteBucketPolicy",
  fields = {
    policy = { type = "json", required = true, wire = "Policy", equal = json.policy_equal,
      description = "The policy document (JSON text or a Lua table)." },
  },
}
