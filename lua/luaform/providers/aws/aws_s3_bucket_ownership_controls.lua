-- aws_s3_bucket_ownership_controls: a bucket's object ownership, as
-- Terraform's AWS provider has it (aws._s3_bucket_config).
local config = require("luaform.providers.aws._s3_bucket_config")

return config{
  description = "Object ownership controls of an S3 bucket.",
  get = "GetBucketOwnershipControls", result = "OwnershipControls", put = "PutBucketOwnershipControls",
  document = function(args)
    local rule = (args.rule or {})[1] or {}
    return { OwnershipControls = { Rules = { { ObjectOwnership = rule.object_ownership } } } }
  end,
  missing = { "OwnershipControlsNotFoundError" },
  delete = "DeleteBucketOwnershipControls",
  fields = {
    rule = { type = "list", max_items = 1, required = true,
      from_wire = function(_, o) return { { object_ownership = ((o.Rules or {})[1] or {}).ObjectOwnership } } end,
      block = { object_ownership = { type = "string", required = true,
        description = "BucketOwnerPreferred, ObjectWriter or BucketOwnerEnforced." } } },
  },
}
