-- aws_s3_bucket_versioning: a bucket's versioning state, as Terraform's AWS
-- provider has it (aws._s3_bucket_config). Destroying it suspends
-- versioning (S3 cannot turn it off once enabled); a bucket whose
-- versioning was never set has no such object.
local config = require("luaform.providers.aws._s3_bucket_config")

return config{
  description = "Versioning of an S3 bucket (Enabled or Suspended).",
  get = "GetBucketVersioning", put = "PutBucketVersioning",
  gone = function(obj) return obj.Status == nil end,
  document = function(args)
    local v = (args.versioning_configuration or {})[1] or {}
    return { VersioningConfiguration = { Status = v.status, MFADelete = v.mfa_delete } }
  end,
  delete = { op = "PutBucketVersioning",
    params = function(id) return { Bucket = id, VersioningConfiguration = { Status = "Suspended" } } end },
  fields = {
    versioning_configuration = { type = "list", max_items = 1, required = true,
      from_wire = function(_, o) return { { status = o.Status, mfa_delete = o.MFADelete } } end,
      block = { status = { type = "string", required = true, description = "Enabled or Suspended." },
                mfa_delete = { type = "string", optional = true, description = "Enabled or Disabled." } } },
  },
}
