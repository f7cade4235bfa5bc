-- aws_s3_bucket_public_access_block: a bucket's public access block, as
-- Terraform's AWS provider has it (aws._s3_bucket_config).
local config = require("luaform.providers.aws._s3_bucket_config")

local FLAGS = { block_public_acls = "BlockPublicAcls", block_public_policy = "BlockPublicPolicy",
  ignore_public_acls = "IgnorePublicAcls", restrict_public_buckets = "RestrictPublicBuckets" }

local fields = {}
for k, member in pairs(FLAGS) do
  fields[k] = { type = "bool", optional = true, default = false, wire = member }
end

return config{
  description = "The public access block of an S3 bucket.",
  get = "GetPublicAccessBlock", result = "PublicAccessBlockConfiguration", put = "PutPublicAccessBlock",
  document = function(args)
    local doc = {}
    for k, member in pairs(FLAGS) do doc[member] = args[k] == true end
    return { PublicAccessBlockConfiguration = doc }
  end,
  missing = { "NoSuchPublicAccessBlockConfiguration" },
  delete = "DeletePublicAccessBlock",
  fields = fields,
}
