-- data aws_ssm_parameter: a Parameter Store parameter read by name, as
-- Terraform's data source (value decrypted unless with_decryption is
-- false; value sensitive).
local resource = require("luaform.providers.aws._resource")

return resource.data{
  service = "ssm", description = "A Parameter Store parameter, read by name.",
  read = { op = "GetParameter", params = function(args)
    return { Name = args.name, WithDecryption = args.with_decryption ~= false }
  end },
  id = "name",
  fields = {
    name = { type = "string", required = true, description = "The parameter's name." },
    with_decryption = { type = "bool", optional = true, default = true, description = "Decrypt a SecureString." },
    value = { type = "string", computed = true, sensitive = true, wire = "Parameter.Value", description = "The value." },
    type = { type = "string", computed = true, wire = "Parameter.Type", description = "The parameter's type." },
    version = { type = "number", computed = true, wire = "Parameter.Version", description = "Its version." },
    arn = { type = "string", computed = true, wire = "Parameter.ARN", description = "Its ARN." },
  },
}
