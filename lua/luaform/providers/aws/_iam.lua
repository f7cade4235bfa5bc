-- aws._iam: what the IAM types share: the client (IAM is global), names
-- made from name_prefix (Terraform's: the prefix and a unique suffix; here
-- the suffix comes from the create's token, so a lost create is found by
-- the same name) and policy documents as IAM returns them (URL-encoded).
local json = require("luaform.providers.aws._json")

local M = {}

-- Terraform's default prefix when neither name nor name_prefix is given.
M.DEFAULT_PREFIX = "terraform-"

-- The name a create uses: args.name, else name_prefix + 26 characters of the token.
function M.name(args, token)
  if args.name then return args.name end
  local suffix = tostring(token or ""):gsub("%-", ""):sub(1, 26)
  return (args.name_prefix or M.DEFAULT_PREFIX) .. suffix
end

-- The name_prefix a name made by M.name carries (an import reads it back
-- so), or nil: a name not made so, or made with the default prefix.
function M.prefix_of(name)
  local prefix = type(name) == "string" and name:match("^(.+)" .. string.rep("%x", 26) .. "$")
  if prefix == M.DEFAULT_PREFIX then return nil end
  return prefix
end

-- A policy document IAM answered (URL-encoded JSON) as text.
function M.document(v) return json.url_decode(v) end

return M
