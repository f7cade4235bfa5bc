-- State encryption with a KMS key (README "State encryption") on the S3
-- backend, for scripts/moto-compare.sh (not run by `make test`): the
-- script makes the bucket and the key (alias/m-tfstate) first, and after
-- the stack's steps checks that the state object in the bucket is sealed.
-- Every run asks KMS for a data key (GenerateDataKey) and reads the state
-- back with Decrypt. Region and endpoint come from the script's
-- environment; -var changed=true changes the parameter (the script's
-- second apply).
local changed = var("changed", { type = "bool", default = false })
backend("s3", { bucket = "m-tfstate", key = "app/state.json" })
encryption{ key_provider = "aws_kms", kms_key_id = "alias/m-tfstate", enforced = true }
resource("aws_ssm_parameter", "url", { name = "/sealed/url", type = "String",
  value = changed and "http://b" or "http://a" })
