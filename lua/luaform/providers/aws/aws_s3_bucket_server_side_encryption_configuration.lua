-- aws_s3_bucket_server_side_encryption_configuration: a bucket's default
-- encryption, as Terraform's AWS provider has it (aws._s3_bucket_config).
-- Destroying it returns the bucket to S3's default (SSE-S3, AES256).
local config = require("luaform.providers.aws._s3_bucket_config")
local wire = require("luaform.providers.aws._wire")

local fields
fields = {
  rule = { type = "list", required = true, wire = "Rules",
    block = {
      apply_server_side_encryption_by_default = { type = "list", max_items = 1, optional = true,
        wire = "ApplyServerSideEncryptionByDefault",
        block = { sse_algorithm = { type = "string", required = true, wire = "SSEAlgorithm",
                    description = "AES256, aws:kms or aws:kms:dsse." },
                  kms_master_key_id = { type = "string", optional = true, wire = "KMSMasterKeyID" } } },
      bucket_key_enabled = { type = "bool", optional = true, wire = "BucketKeyEnabled" },
    } },
}

return config{
  description = "Default server-side encryption of an S3 bucket.",
  get = "GetBucketEncryption", result = "ServerSideEncryptionConfiguration", put = "PutBucketEncryption",
  document = function(args)
    return { ServerSideEncryptionConfiguration = { Rules = wire.send(fields.rule, args.rule, args) } }
  end,
  missing = { "ServerSideEncryptionConfigurationNotFoundError" },
  delete = "DeleteBucketEncryption",
  fields = fields,
}
