-- The secrets, configuration and IAM types of issue 13, for
-- scripts/moto-compare.sh (not run by `make test`): a KMS key and alias, a
-- secret and its version, String, StringList and SecureString parameters,
-- a managed policy attached to a role and an inline role policy, from
-- policy documents. Region and endpoint come from the script's environment;
-- -var changed=true changes every updatable argument (the script's second apply).
local changed = var("changed", { type = "bool", default = false })
local function pick(before, after) if changed then return after end return before end
local team = pick("web", "platform")
local key = resource("aws_kms_key", "app", { description = pick("app secrets", "app secrets v2"),
  enable_key_rotation = pick(true, false), deletion_window_in_days = 7, tags = { team = team } })
local next_key = resource("aws_kms_key", "next", { description = "next key", deletion_window_in_days = 7 })
resource("aws_kms_alias", "app", { name = "alias/app", target_key_id = pick(key.key_id, next_key.key_id) })
local secret = resource("aws_secretsmanager_secret", "db", { name = "app/db", description = pick("db", "database"),
  kms_key_id = key.arn, recovery_window_in_days = 0, tags = { team = team } })
resource("aws_secretsmanager_secret_version", "db", { secret_id = secret.id, secret_string = pick("pa55-w0rd-xyz", "pa55-w0rd-v2") })
resource("aws_ssm_parameter", "url", { name = "/app/url", type = "String", value = pick("http://a", "http://b"),
  description = pick("url", "the url"), tags = { team = team } })
resource("aws_ssm_parameter", "hosts", { name = "/app/hosts", type = "StringList", value = pick("a,b", "a,b,c") })
resource("aws_ssm_parameter", "token", { name = "/app/token", type = "SecureString", value = pick("pa55-w0rd-xyz", "pa55-w0rd-v2"),
  key_id = key.arn })

local doc = data("aws_iam_policy_document", "read", {
  statement = { { sid = "Read", actions = { pick("s3:GetObject", "s3:ListBucket") }, resources = { "arn:aws:s3:::assets/*" } } },
})
local trust = data("aws_iam_policy_document", "trust", {
  statement = { { actions = { "sts:AssumeRole" },
    principals = { { type = "Service", identifiers = { "ecs-tasks.amazonaws.com" } } } } },
})
local role = resource("aws_iam_role", "task", { name = "task", assume_role_policy = trust.json })
local policy = resource("aws_iam_policy", "read", { name = "read-assets", path = "/app/",
  description = "reads assets", policy = doc.json, tags = { team = team } })
resource("aws_iam_role_policy_attachment", "read", { role = role.name, policy_arn = policy.arn })
resource("aws_iam_role_policy", "inline", { role = role.name, name = "inline", policy = doc.json })
