-- aws_s3_bucket_lifecycle_configuration: a bucket's lifecycle rules, as
-- Terraform's AWS provider has it (aws._s3_bucket_config). Rules are
-- blocks named by their wire members; date-based expirations and
-- transitions are left out (days only).
local config = require("luaform.providers.aws._s3_bucket_config")
local wire = require("luaform.providers.aws._wire")

local function days(name, member, extra)
  local block = { [name] = { type = "number", optional = true, wire = member } }
  for k, v in pairs(extra or {}) do block[k] = v end
  return block
end

local STORAGE = { type = "string", required = true, wire = "StorageClass" }

local fields = {
  rule = { type = "list", required = true, wire = "Rules",
    block = {
      id = { type = "string", required = true, wire = "ID" },
      status = { type = "string", required = true, wire = "Status", description = "Enabled or Disabled." },
      filter = { type = "list", max_items = 1, optional = true, wire = "Filter",
        block = { prefix = { type = "string", optional = true, wire = "Prefix" },
                  object_size_greater_than = { type = "number", optional = true, wire = "ObjectSizeGreaterThan" },
                  object_size_less_than = { type = "number", optional = true, wire = "ObjectSizeLessThan" } } },
      expiration = { type = "list", max_items = 1, optional = true, wire = "Expiration",
        block = days("days", "Days", { expired_object_delete_marker = { type = "bool", optional = true,
          wire = "ExpiredObjectDeleteMarker" } }) },
      transition = { type = "list", optional = true, wire = "Transitions",
        block = days("days", "Days", { storage_class = STORAGE }) },
      noncurrent_version_expiration = { type = "list", max_items = 1, optional = true,
        wire = "NoncurrentVersionExpiration",
        block = days("noncurrent_days", "NoncurrentDays", { newer_noncurrent_versions = { type = "number",
          optional = true, wire = "NewerNoncurrentVersions" } }) },
      noncurrent_version_transition = { type = "list", optional = true, wire = "NoncurrentVersionTransitions",
        block = days("noncurrent_days", "NoncurrentDays", { storage_class = STORAGE }) },
      abort_incomplete_multipart_upload = { type = "list", max_items = 1, optional = true,
        wire = "AbortIncompleteMultipartUpload",
        block = days("days_after_initiation", "DaysAfterInitiation") },
    } },
}

return config{
  description = "Lifecycle rules of an S3 bucket (expiration, transitions, noncurrent versions).",
  get = "GetBucketLifecycleConfiguration", put = "PutBucketLifecycleConfiguration",
  document = function(args)
    return { LifecycleConfiguration = { Rules = wire.send(fields.rule, args.rule, args) } }
  end,
  missing = { "NoSuchLifecycleConfiguration" },
  delete = "DeleteBucketLifecycle",
  fields = fields,
}
