-- aws_iam_role_policy_attachment: a managed policy attached to a role.
--
-- The id is "ROLE/POLICY_ARN" (also the import form). AttachRolePolicy is
-- idempotent, so a lost create needs no recovery. A refresh lists each
-- role's attached policies once (read_batch groups attachments by role).
-- A role made moments ago may not be visible to IAM yet: attaching retries
-- NoSuchEntity for a while.
local ecs = require("luaform.providers.aws._ecs")

local M = {}

M.schema = {
  role = { type = "string", required = true, force_new = true },
  policy_arn = { type = "string", required = true, force_new = true },
}

local function client(ctx) return ecs.client(ctx, "iam") end

local function id_of(role, arn) return role .. "/" .. arn end

local function split(id)
  local role, arn = id:match("^([^/]+)/(arn:.+)$")
  return role, arn
end

-- The policy ARNs attached to a role, or nil when the role is gone.
local function attached(ctx, role)
  local c = client(ctx)
  local out, params = {}, { RoleName = role }
  while true do
    local ok, page = ecs.try(c.ListAttachedRolePolicies, c, params)
    if not ok then
      if ecs.is(page, "NoSuchEntity") then return nil end
      error(page, 0)
    end
    for _, p in ipairs(page.AttachedPolicies or {}) do out[p.PolicyArn] = true end
    if not page.IsTruncated or not page.Marker then break end
    params.Marker = page.Marker
  end
  return out
end

function M.read_batch(ctx, ids, entries)
  local by_role, found = {}, {}
  for i, id in ipairs(ids) do
    local a = entries[i].entry.attributes or {}
    local role = a.role or select(1, split(id))
    by_role[role] = by_role[role] or {}
    table.insert(by_role[role], { id = id, arn = a.policy_arn or select(2, split(id)) })
  end
  for role, list in pairs(by_role) do
    local set = attached(ctx, role)
    for _, x in ipairs(list) do
      if set and set[x.arn] then found[x.id] = { id = x.id, role = role, policy_arn = x.arn } end
    end
  end
  return found
end

function M.read(ctx, id, prior)
  local role, arn = split(id)
  if prior then role, arn = prior.role or role, prior.policy_arn or arn end
  local set = attached(ctx, role)
  if not set or not set[arn] then return nil end
  return { id = id, role = role, policy_arn = arn }
end

function M.create(ctx, args)
  local c = client(ctx)
  ecs.retry(ctx, 60, { "NoSuchEntity" }, function()
    return c:AttachRolePolicy{ RoleName = args.role, PolicyArn = args.policy_arn }
  end)
  return { id = id_of(args.role, args.policy_arn), role = args.role, policy_arn = args.policy_arn }
end

function M.delete(ctx, _, attrs)
  local c = client(ctx)
  local ok, err = ecs.try(c.DetachRolePolicy, c, { RoleName = attrs.role, PolicyArn = attrs.policy_arn })
  if not ok and not ecs.is(err, "NoSuchEntity") then error(err, 0) end
end

function M.import(ctx, id)
  local role, arn = split(id)
  if not role then error('import id must be "ROLE/POLICY_ARN", got "' .. tostring(id) .. '"', 0) end
  return M.read(ctx, id, nil)
end

return M
