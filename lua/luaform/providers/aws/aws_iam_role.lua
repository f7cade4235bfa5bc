-- aws_iam_role: an IAM role, as Terraform's AWS provider has it; declared
-- for aws._resource. The id is the role name.
--
-- assume_role_policy compares as a policy (aws/_json; IAM returns it
-- URL-encoded). description and max_session_duration change with one
-- UpdateRole, the permissions boundary with its own calls. force_detach_policies
-- detaches managed policies before the delete (else DeleteConflict is
-- waited out while their attachments go).
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local json = require("luaform.providers.aws._json")

return resource.define{
  service = "iam", description = "An IAM role.",
  identity = "RoleName", id = "RoleName",
  fields = {
    name = { type = "string", required = true, force_new = true, wire = "RoleName" },
    assume_role_policy = { type = "json", required = true, equal = json.policy_equal,
      wire = "AssumeRolePolicyDocument",
      from_wire = function(v, _, prior) return json.keep(prior, json.url_decode(v), json.policy_equal) end,
      set = function(_, c, id, v, ch)
        c:UpdateAssumeRolePolicy({ RoleName = id, PolicyDocument = json.text(v) }, ch.opts)
      end },
    path = { type = "string", optional = true, default = "/", force_new = true, wire = "Path" },
    description = { type = "string", optional = true, wire = "Description", set = "UpdateRole", group = true },
    max_session_duration = { type = "number", optional = true, default = 3600, wire = "MaxSessionDuration",
      set = "UpdateRole", group = true },
    permissions_boundary = { type = "string", optional = true, wire = "PermissionsBoundary.PermissionsBoundaryArn",
      input = "PermissionsBoundary", set = "PutRolePermissionsBoundary", unset = "DeleteRolePermissionsBoundary" },
    force_detach_policies = { type = "bool", optional = true, default = false, keep = true },
    arn = { type = "string", computed = true, wire = "Arn" },
    unique_id = { type = "string", computed = true, wire = "RoleId" },
    create_date = { type = "string", computed = true, wire = "CreateDate",
      from_wire = function(v)
        if type(v) == "number" then return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(v)) end
        return v
      end },
  },
  -- GetRole may not see a new role for a moment: read it back
  create = { op = "CreateRole", result = "Role", exists = { "EntityAlreadyExists" }, read_back = true },
  read = { op = "GetRole", result = "Role" },
  not_found = { "NoSuchEntity" },
  not_visible = { "NoSuchEntity" },
  delete = { op = "DeleteRole", seconds = 120, busy = { "DeleteConflict" },
    before = function(_, c, id, attrs)
      if not attrs.force_detach_policies then return end
      local ok, out = pcall(c.ListAttachedRolePolicies, c, { RoleName = id })
      for _, p in ipairs(ok and out.AttachedPolicies or {}) do
        pcall(c.DetachRolePolicy, c, { RoleName = id, PolicyArn = p.PolicyArn })
      end
    end },
  tags = tags.api{ create = "Tags", form = "list", in_object = "Tags", by = "id", param = "RoleName",
    tag = { op = "TagRole", member = "Tags" }, untag = { op = "UntagRole", member = "TagKeys" } },
}
