-- data aws_caller_identity: who the provider's credentials are (STS
-- GetCallerIdentity): account_id (also the id), arn, user_id.
local resource = require("luaform.providers.aws._resource")

return resource.data{
  service = "sts", description = "The account, ARN and user id of the provider's credentials.",
  read = { op = "GetCallerIdentity" }, id = "account_id",
  fields = {
    account_id = { type = "string", computed = true, wire = "Account" },
    arn = { type = "string", computed = true, wire = "Arn" },
    user_id = { type = "string", computed = true, wire = "UserId" },
  },
}
