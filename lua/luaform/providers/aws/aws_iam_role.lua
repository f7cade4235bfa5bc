-- aws_iam_role: an IAM role, as Terraform's AWS provider has it.
--
-- The id is the role name. IAM is global and eventually consistent. The
-- trust policy (assume_role_policy) comes back URL-encoded and rewritten;
-- it is decoded and compared as a policy (aws/_json), and the state keeps
-- the user's form while it means the same. CreateRole has no idempotency
-- token: it is sent once (aws/_common.create) with the token tag, and a
-- lost response or an EntityAlreadyExists met by our own earlier attempt
-- is settled by GetRole: the role is ours if it carries this create's
-- token. recover() does the same by name on the next run. Delete detaches
-- managed policies first when force_detach_policies is set, and waits out
-- DeleteConflict while attachments are being removed.
local ecs = require("luaform.providers.aws._ecs")
local json = require("luaform.providers.aws._json")

local M = {}

M.schema = {
  name = { type = "string", required = true, force_new = true },
  assume_role_policy = { type = "json", required = true, equal = json.policy_equal },
  path = { type = "string", optional = true, default = "/", force_new = true },
  description = { type = "string", optional = true, absent_is_unset = true },
  max_session_duration = { type = "number", optional = true, default = 3600 },
  permissions_boundary = { type = "string", optional = true, absent_is_unset = true },
  force_detach_policies = { type = "bool", optional = true, default = false },
  tags = { type = "map", elem = "string", optional = true },
  tags_all = { type = "map", elem = "string", computed = true },
  arn = { type = "string", computed = true },
  unique_id = { type = "string", computed = true },
  create_date = { type = "string", computed = true },
}

local function client(ctx) return ecs.client(ctx, "iam") end

local function get(ctx, name)
  local c = client(ctx)
  local ok, out = ecs.try(c.GetRole, c, { RoleName = name })
  if not ok then
    if ecs.is(out, "NoSuchEntity") then return nil end
    error(out, 0)
  end
  return out.Role
end

local function attributes(ctx, r, prior)
  prior = prior or {}
  local tags = ecs.from_list(r.Tags)
  local own, all = ecs.split_tags(ctx, tags)
  local doc = json.url_decode(r.AssumeRolePolicyDocument)
  local boundary = r.PermissionsBoundary and r.PermissionsBoundary.PermissionsBoundaryArn
  local created = r.CreateDate
  if type(created) == "number" then created = os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(created)) end
  return {
    id = r.RoleName, name = r.RoleName, arn = r.Arn, unique_id = r.RoleId, path = r.Path,
    create_date = created,
    assume_role_policy = json.keep(prior.assume_role_policy, doc, json.policy_equal),
    description = r.Description ~= "" and r.Description or nil,
    max_session_duration = tonumber(r.MaxSessionDuration),
    permissions_boundary = boundary,
    force_detach_policies = prior.force_detach_policies or false,
    tags = own, tags_all = all,
  }, tags
end

function M.read(ctx, id, prior)
  local r = get(ctx, id)
  if not r then return nil end
  return (attributes(ctx, r, prior))
end

function M.create(ctx, args)
  local c = client(ctx)
  local params = {
    RoleName = args.name, Path = args.path, AssumeRolePolicyDocument = json.text(args.assume_role_policy),
    Description = args.description, MaxSessionDuration = args.max_session_duration,
    PermissionsBoundary = args.permissions_boundary,
    Tags = ecs.to_list(ecs.create_tags(ctx, args.tags)),
  }
  local function mine()
    local r = get(ctx, args.name)
    if r and ecs.from_list(r.Tags)[ecs.TOKEN_TAG] == ctx.token then return r end
    return nil
  end
  local role = ecs.create(ctx, function(opts) return c:CreateRole(params, opts).Role end, mine,
    function(e) return ecs.is(e, "EntityAlreadyExists") end)
  -- GetRole may not see a new role for a moment.
  return ecs.created("role " .. args.name, function()
    local r = ecs.wait(ctx, 60, 1, "role " .. args.name .. " to be visible", function() return get(ctx, args.name) end)
    return (attributes(ctx, r or role, args))
  end)
end

function M.update(ctx, id, old, new)
  local c = client(ctx)
  if not json.policy_equal(old.assume_role_policy, new.assume_role_policy) then
    c:UpdateAssumeRolePolicy{ RoleName = id, PolicyDocument = json.text(new.assume_role_policy) }
  end
  if old.description ~= new.description or old.max_session_duration ~= new.max_session_duration then
    c:UpdateRole{ RoleName = id, Description = new.description or "", MaxSessionDuration = new.max_session_duration }
  end
  if old.permissions_boundary ~= new.permissions_boundary then
    if new.permissions_boundary then
      c:PutRolePermissionsBoundary{ RoleName = id, PermissionsBoundary = new.permissions_boundary }
    else
      c:DeleteRolePermissionsBoundary{ RoleName = id }
    end
  end
  local set, remove = ecs.tag_changes(old.tags_all, ecs.tags_all(ctx, new.tags))
  if next(set) then c:TagRole{ RoleName = id, Tags = ecs.to_list(set) } end
  if #remove > 0 then c:UntagRole{ RoleName = id, TagKeys = remove } end
  local attrs = M.read(ctx, id, new)
  attrs.force_detach_policies = new.force_detach_policies
  return attrs
end

function M.delete(ctx, id, attrs)
  local c = client(ctx)
  if attrs and attrs.force_detach_policies then
    local ok, out = ecs.try(c.ListAttachedRolePolicies, c, { RoleName = id })
    if ok then
      for _, p in ipairs(out.AttachedPolicies or {}) do
        pcall(c.DetachRolePolicy, c, { RoleName = id, PolicyArn = p.PolicyArn })
      end
    end
  end
  ecs.common.delete(ctx, function() return c:DeleteRole{ RoleName = id } end, 120, { DeleteConflict = true })
end

function M.recover(ctx, pending)
  local name = pending.args and pending.args.name
  if not name then return nil end
  local r = get(ctx, name)
  if not r or ecs.from_list(r.Tags)[ecs.TOKEN_TAG] ~= pending.token then return nil end
  return (attributes(ctx, r, pending.args))
end

return M
