-- data aws_secretsmanager_secret_version: a secret's value (AWSCURRENT, or
-- the version_id / version_stage given), as Terraform's data source;
-- secret_string and secret_binary are sensitive. The id is
-- "secret ARN|version id".
local resource = require("luaform.providers.aws._resource")

return resource.data{
  service = "secretsmanager", description = "A value of a Secrets Manager secret.",
  read = { op = "GetSecretValue", params = function(args)
    return { SecretId = args.secret_id, VersionId = args.version_id,
      VersionStage = not args.version_id and (args.version_stage or "AWSCURRENT") or nil }
  end },
  id = function(_, out) return out.arn .. "|" .. out.version_id end,
  fields = {
    secret_id = { type = "string", required = true, description = "The secret's ARN or name." },
    version_id = { type = "string", optional = true, computed = true, wire = "VersionId", description = "The version's id." },
    version_stage = { type = "string", optional = true, default = "AWSCURRENT", description = "The staging label to read." },
    secret_string = { type = "string", computed = true, sensitive = true, wire = "SecretString", description = "The value as text." },
    secret_binary = { type = "string", computed = true, sensitive = true, wire = "SecretBinary", description = "The value as base64." },
    version_stages = { type = "set", elem = "string", computed = true, wire = "VersionStages", description = "Its labels." },
    arn = { type = "string", computed = true, wire = "ARN", description = "The secret's ARN." },
  },
}
