-- aws_iam_role: an IAM role, as Terraform's AWS provider has it; declared
-- for aws._resource. The id is the role name.
--
-- name (or one made from name_prefix: the prefix and 26 characters of the
-- create's token, Terraform's length), path and name_prefix force a new
-- role. assume_role_policy compares as a policy (aws/_json; IAM returns it
-- URL-encoded). description and max_session_duration change with one
-- UpdateRole, the permissions boundary with its own calls.
--
-- inline_policy and managed_policy_arns are managed exclusively once the
-- state holds them (declared, or imported): a change deletes the inline
-- policies and detaches the managed ones AWS lists beyond the declared
-- ones; a refresh reads them (ListRolePolicies and a GetRolePolicy each,
-- ListAttachedRolePolicies). Not declared, the role leaves them alone and
-- reads nothing, as Terraform, so aws_iam_role_policy and
-- aws_iam_role_policy_attachment manage them without a fight.
-- Delete removes what the role manages first (IAM's DeleteConflict);
-- force_detach_policies removes every inline and managed policy.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local json = require("luaform.providers.aws._json")
local iam = require("luaform.providers.aws._iam")
local common = require("luaform.providers.aws._common")

local M

-- {name = policy} of an inline_policy set (blocks without a name are
-- Terraform's "none").
local function by_name(blocks)
  local out = {}
  for _, b in ipairs(blocks or {}) do
    if b.name and b.name ~= "" then out[b.name] = b.policy end
  end
  return out
end

local function same_inline(a, b)
  local x, y = by_name(a), by_name(b)
  for name, p in pairs(x) do
    if y[name] == nil or not json.policy_equal(p, y[name]) then return false end
  end
  for name in pairs(y) do if x[name] == nil then return false end end
  return true
end

local function same_set(a, b)
  local seen = {}
  for _, v in ipairs(a or {}) do seen[v] = true end
  for _, v in ipairs(b or {}) do
    if not seen[v] then return false end
    seen[v] = nil
  end
  return next(seen) == nil
end

local function inline_names(c, role)
  return c:collect("ListRolePolicies", { RoleName = role })
end

local function attached_arns(c, role)
  local out = {}
  for _, p in ipairs(c:collect("ListAttachedRolePolicies", { RoleName = role })) do out[#out + 1] = p.PolicyArn end
  return out
end

-- Exactly the declared inline policies: new or changed ones put, the
-- others AWS lists deleted.
local function set_inline(_, c, role, value, ch)
  local want, had = by_name(value), by_name(ch.old.inline_policy)
  for name, policy in pairs(want) do
    if ch.old.inline_policy == nil or had[name] == nil
        or not json.policy_equal(policy, had[name]) then
      c:PutRolePolicy({ RoleName = role, PolicyName = name, PolicyDocument = json.text(policy) }, ch.opts)
    end
  end
  if ch.create then return end
  for _, name in ipairs(inline_names(c, role)) do
    if want[name] == nil then c:DeleteRolePolicy({ RoleName = role, PolicyName = name }, ch.opts) end
  end
end

-- Exactly the declared managed policies attached.
local function set_managed(_, c, role, value, ch)
  local want, have = {}, {}
  for _, arn in ipairs(value or {}) do want[arn] = true end
  if not ch.create then
    for _, arn in ipairs(attached_arns(c, role)) do
      have[arn] = true
      if not want[arn] then c:DetachRolePolicy({ RoleName = role, PolicyArn = arn }, ch.opts) end
    end
  end
  for arn in pairs(want) do
    if not have[arn] then c:AttachRolePolicy({ RoleName = role, PolicyArn = arn }, ch.opts) end
  end
end

-- The inline and managed policies, for a state that manages them.
local function read_policies(_, c, obj, prior, opts)
  local out, role = {}, obj.RoleName
  if prior.inline_policy ~= nil then
    out.inline_policy = {}
    for _, name in ipairs(inline_names(c, role)) do
      local p = c:GetRolePolicy({ RoleName = role, PolicyName = name }, opts)
      local keep = by_name(prior.inline_policy)[name]
      out.inline_policy[#out.inline_policy + 1] = { name = name,
        policy = json.keep(keep, iam.document(p.PolicyDocument), json.policy_equal) }
    end
  end
  if prior.managed_policy_arns ~= nil then out.managed_policy_arns = attached_arns(c, role) end
  return out
end

M = resource.define{
  service = "iam", description = "An IAM role.",
  identity = "RoleName", id = "RoleName",
  fields = {
    name = { type = "string", optional = true, computed = true, force_new = true, wire = "RoleName",
      conflicts_with = { "name_prefix" }, description = "The role's name (default: made from name_prefix)." },
    name_prefix = { type = "string", optional = true, computed = true, force_new = true,
      from_wire = function(_, obj, prior) return prior or iam.prefix_of(obj.RoleName) end,
      conflicts_with = { "name" }, description = "A prefix for a unique name: the prefix and 26 characters." },
    assume_role_policy = { type = "json", required = true, equal = json.policy_equal,
      wire = "AssumeRolePolicyDocument",
      from_wire = function(v, _, prior) return json.keep(prior, json.url_decode(v), json.policy_equal) end,
      set = function(_, c, id, v, ch)
        c:UpdateAssumeRolePolicy({ RoleName = id, PolicyDocument = json.text(v) }, ch.opts)
      end },
    path = { type = "string", optional = true, default = "/", force_new = true, wire = "Path" },
    description = { type = "string", optional = true, absent_is_unset = true, wire = "Description", set = "UpdateRole", group = true },
    max_session_duration = { type = "number", optional = true, default = 3600, wire = "MaxSessionDuration",
      set = "UpdateRole", group = true },
    permissions_boundary = { type = "string", optional = true, absent_is_unset = true, wire = "PermissionsBoundary.PermissionsBoundaryArn",
      input = "PermissionsBoundary", set = "PutRolePermissionsBoundary", unset = "DeleteRolePermissionsBoundary" },
    inline_policy = { type = "set", optional = true, computed = true, input = false, equal = same_inline,
      set = set_inline, block = {
        name = { type = "string", optional = true, description = "The policy's name." },
        policy = { type = "json", optional = true, equal = json.policy_equal, description = "The policy document (JSON)." },
      }, description = "The role's inline policies, exactly (declared: others are deleted; { {} }: none)." },
    managed_policy_arns = { type = "set", elem = "string", optional = true, computed = true, input = false,
      equal = same_set, set = set_managed,
      description = "The managed policies attached, exactly (declared: others are detached)." },
    force_detach_policies = { type = "bool", optional = true, default = false, keep = true,
      description = "Delete every inline policy and detach every managed one before the delete." },
    arn = { type = "string", computed = true, wire = "Arn" },
    unique_id = { type = "string", computed = true, wire = "RoleId" },
    create_date = { type = "string", computed = true, wire = "CreateDate",
      from_wire = function(v)
        if type(v) == "number" then return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(v)) end
        return v
      end },
  },
  -- GetRole may not see a new role for a moment: read it back
  create = { op = "CreateRole", result = "Role", exists = { "EntityAlreadyExists" }, read_back = true,
    params = function(ctx, args, params) params.RoleName = iam.name(args, ctx.token) end },
  read = { op = "GetRole", result = "Role" },
  read_extra = read_policies,
  -- a lost create: the role of the name the token made (its token tag proves it ours)
  find = function(ctx, args, token)
    local c = ctx:client("iam")
    local ok, out = pcall(c.GetRole, c, { RoleName = iam.name(args, token) })
    if ok then return out.Role end
    if common.code(out) == "NoSuchEntity" then return nil end
    error(out, 0)
  end,
  not_found = { "NoSuchEntity" },
  not_visible = { "NoSuchEntity" },
  delete = { op = "DeleteRole", seconds = 120, busy = { "DeleteConflict" },
    before = function(_, c, id, attrs)
      local force = attrs.force_detach_policies
      if force or next(by_name(attrs.inline_policy)) then
        local ok, names = pcall(inline_names, c, id)
        for _, name in ipairs(ok and names or {}) do pcall(c.DeleteRolePolicy, c, { RoleName = id, PolicyName = name }) end
      end
      if force or next(attrs.managed_policy_arns or {}) then
        local ok, arns = pcall(attached_arns, c, id)
        for _, arn in ipairs(ok and arns or {}) do pcall(c.DetachRolePolicy, c, { RoleName = id, PolicyArn = arn }) end
      end
    end },
  tags = tags.api{ create = "Tags", form = "list", in_object = "Tags", by = "id", param = "RoleName",
    tag = { op = "TagRole", member = "Tags" }, untag = { op = "UntagRole", member = "TagKeys" } },
}

-- An import reads the inline and managed policies too (the state then
-- manages them: a stack that declares them sees their difference).
local read = M.read
function M.import(ctx, id)
  local a = read(ctx, id, { inline_policy = {}, managed_policy_arns = {} })
  if not a then error(string.format("importing aws_iam_role: no role %s", id), 0) end
  return a
end

return M
