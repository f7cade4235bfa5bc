-- aws_iam_role_policy: an inline policy of an IAM role, as Terraform's
-- AWS provider has it; declared for aws._resource (contract v2).
--
-- The id is "role:name" (Terraform's, also the import id). role, name and
-- name_prefix force a new policy; a change of policy is one PutRolePolicy
-- (the create's call too: it writes whatever is there, so a lost create
-- is simply found by GetRolePolicy). Documents compare as policies.
local resource = require("luaform.providers.aws._resource")
local json = require("luaform.providers.aws._json")
local iam = require("luaform.providers.aws._iam")

local function split(id)
  local role, name = tostring(id):match("^([^:]+):(.+)$")
  if not role then error(string.format('aws_iam_role_policy: id "%s" is not "role:name"', tostring(id)), 0) end
  return role, name
end

local function read(ctx, id)
  local role, name = split(id)
  local c = ctx:client("iam")
  local ok, out = pcall(c.GetRolePolicy, c, { RoleName = role, PolicyName = name })
  if not ok then
    if type(out) == "table" and out.code == "NoSuchEntity" then return nil end
    error(out, 0)
  end
  out.PolicyDocument = iam.document(out.PolicyDocument)
  return out
end

return resource.define{
  service = "iam", description = "An inline policy of an IAM role.",
  id = function(obj) return obj.RoleName .. ":" .. obj.PolicyName end,
  fields = {
    role = { type = "string", required = true, force_new = true, wire = "RoleName",
      description = "The role's name." },
    name = { type = "string", optional = true, computed = true, force_new = true, wire = "PolicyName",
      description = "The policy's name (default: made from name_prefix)." },
    name_prefix = { type = "string", optional = true, force_new = true, keep = true,
      description = "A prefix for a unique name, when name is not given." },
    policy = { type = "json", required = true, equal = json.policy_equal, wire = "PolicyDocument",
      description = "The policy document (JSON).",
      set = function(_, c, id, value, ch)
        local role, name = split(id)
        c:PutRolePolicy({ RoleName = role, PolicyName = name, PolicyDocument = json.text(value) }, ch.opts)
      end },
  },
  create = { op = "PutRolePolicy", idempotent = true,
    params = function(ctx, args, params) params.PolicyName = iam.name(args, ctx.token) end,
    result = function(_, _, params)
      return { RoleName = params.RoleName, PolicyName = params.PolicyName, PolicyDocument = params.PolicyDocument }
    end },
  read = read,
  find = function(ctx, args, token) return read(ctx, args.role .. ":" .. iam.name(args, token)) end,
  not_found = { "NoSuchEntity" },
  not_visible = { "NoSuchEntity" },
  delete = { op = "DeleteRolePolicy",
    params = function(id) local role, name = split(id); return { RoleName = role, PolicyName = name } end },
}
