-- aws_iam_role_policy_attachment: a managed policy attached to a role, as
-- Terraform's; declared for aws._resource. The id is ROLE/POLICY_ARN.
--
-- Attaching twice is harmless, so a re-send is safe; a role made moments
-- ago may not be visible yet (NoSuchEntity, retried by the transport). A
-- refresh lists the attached policies once per role of the state.
local resource = require("luaform.providers.aws._resource")

local function split(id) return id:match("^([^/]+)/(arn:.+)$") end

-- {policy arn = true} attached to role ({} when the role is gone).
local function attached(ctx, role)
  local c = ctx:client("iam")
  local ok, list = pcall(c.collect, c, "ListAttachedRolePolicies", { RoleName = role })
  if not ok then
    if tostring(list.code):find("NoSuchEntity") then return {} end
    error(list, 0)
  end
  local out = {}
  for _, p in ipairs(list) do out[p.PolicyArn] = true end
  return out
end

local M = resource.define{
  service = "iam", description = "A managed policy attached to an IAM role.",
  id = function(o) return o.RoleName .. "/" .. o.PolicyArn end,
  fields = {
    role = { type = "string", required = true, force_new = true, wire = "RoleName" },
    policy_arn = { type = "string", required = true, force_new = true, wire = "PolicyArn" },
  },
  create = { op = "AttachRolePolicy", idempotent = true, retry_codes = { "NoSuchEntity" },
    result = function(_, args) return { RoleName = args.role, PolicyArn = args.policy_arn } end },
  read_many = function(ctx, ids, priors)
    local by_role, found = {}, {}
    for i, id in ipairs(ids) do
      local role, arn = split(id)
      role = (priors[i] or {}).role or role
      by_role[role] = by_role[role] or {}
      by_role[role][#by_role[role] + 1] = { id = id, arn = (priors[i] or {}).policy_arn or arn }
    end
    for role, list in pairs(by_role) do
      local set = attached(ctx, role)
      for _, x in ipairs(list) do
        if set[x.arn] then found[x.id] = { RoleName = role, PolicyArn = x.arn } end
      end
    end
    return found
  end,
  find_id = function(args) return args.role and args.policy_arn and args.role .. "/" .. args.policy_arn end,
  not_found = { "NoSuchEntity" },
  delete = { op = "DetachRolePolicy",
    params = function(_, attrs) return { RoleName = attrs.role, PolicyArn = attrs.policy_arn } end },
}

-- Terraform's import id: ROLE/POLICY_ARN.
function M.import(ctx, id)
  if not split(id) then error('import id must be "ROLE/POLICY_ARN", got "' .. tostring(id) .. '"', 0) end
  local a = M.read(ctx, id, nil)
  if not a then error("importing aws_iam_role_policy_attachment: no attachment " .. id, 0) end
  return a
end

return M
