-- data aws_caller_identity: who the provider's credentials are (STS
-- GetCallerIdentity): account_id (also the id), arn, user_id.
local common = require("luaform.providers.aws._common")

local M = { data_source = true }

M.schema = {
  account_id = { type = "string", computed = true },
  arn = { type = "string", computed = true },
  user_id = { type = "string", computed = true },
}

function M.read(ctx)
  local r = common.call(ctx, ctx:client("sts"), "GetCallerIdentity", {})
  return { id = r.Account, account_id = r.Account, arn = r.Arn, user_id = r.UserId }
end

return M
