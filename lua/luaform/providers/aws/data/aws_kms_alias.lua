-- data aws_kms_alias: a KMS alias and the key it names, as Terraform's
-- data source (DescribeKey takes the alias name).
local resource = require("luaform.providers.aws._resource")

return resource.data{
  service = "kms", description = "A KMS alias and its key.",
  read = { op = "DescribeKey", params = function(args) return { KeyId = args.name } end },
  id = function(_, out) return out.arn end,
  fields = {
    name = { type = "string", required = true, description = "The alias (\"alias/...\")." },
    target_key_id = { type = "string", computed = true, wire = "KeyMetadata.KeyId", description = "The key's id." },
    target_key_arn = { type = "string", computed = true, wire = "KeyMetadata.Arn", description = "The key's ARN." },
    arn = { type = "string", computed = true, description = "The alias's ARN." },
  },
  adjust = function(_, out, answer, args)
    local prefix = answer.KeyMetadata and answer.KeyMetadata.Arn:match("^(arn:[^:]+:kms:[^:]+:%d+):")
    out.arn = prefix and (prefix .. ":" .. args.name) or nil
  end,
}
