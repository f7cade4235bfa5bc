-- aws_iam_policy: a customer-managed IAM policy, as Terraform's AWS
-- provider has it; declared for aws._resource (contract v2).
--
-- The id is the policy ARN. name, name_prefix, path and description force
-- a new policy; a change of policy makes a new default version
-- (CreatePolicyVersion), deleting the oldest non-default version first
-- when the policy already has IAM's five. A read is GetPolicy (with its
-- tags) and GetPolicyVersion of the default version; documents compare as
-- policies (aws/_json). CreatePolicy has no token: a lost create is found
-- by name under its path (ListPolicies) and proved ours by the token tag.
-- Delete removes the non-default versions first (IAM's DeleteConflict).
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local json = require("luaform.providers.aws._json")
local iam = require("luaform.providers.aws._iam")

local M

-- The policy with its default version's document, or nil.
local function read(ctx, arn)
  local c = ctx:client("iam")
  local ok, out = pcall(c.GetPolicy, c, { PolicyArn = arn })
  if not ok then
    if type(out) == "table" and out.code == "NoSuchEntity" then return nil end
    error(out, 0)
  end
  local p = out.Policy
  p.Document = iam.document(c:GetPolicyVersion{ PolicyArn = arn, VersionId = p.DefaultVersionId }
    .PolicyVersion.Document)
  return p
end

-- A new default version with the document; IAM keeps at most five.
local function set_policy(_, c, arn, value, ch)
  local versions = c:ListPolicyVersions({ PolicyArn = arn }, ch.opts).Versions or {}
  if #versions >= 5 then
    local oldest
    for _, v in ipairs(versions) do
      if not v.IsDefaultVersion and (not oldest or tonumber(v.VersionId:sub(2)) < tonumber(oldest:sub(2))) then
        oldest = v.VersionId
      end
    end
    c:DeletePolicyVersion({ PolicyArn = arn, VersionId = oldest }, ch.opts)
  end
  c:CreatePolicyVersion({ PolicyArn = arn, PolicyDocument = json.text(value), SetAsDefault = true }, ch.opts)
end

M = resource.define{
  service = "iam", description = "A customer-managed IAM policy.",
  identity = "PolicyArn", id = "Arn",
  fields = {
    name = { type = "string", optional = true, computed = true, force_new = true, wire = "PolicyName",
      description = "The policy's name (default: made from name_prefix)." },
    name_prefix = { type = "string", optional = true, force_new = true, keep = true,
      description = "A prefix for a unique name, when name is not given." },
    path = { type = "string", optional = true, default = "/", force_new = true, wire = "Path",
      description = "The policy's path." },
    description = { type = "string", optional = true, force_new = true, wire = "Description",
      description = "The policy's description." },
    policy = { type = "json", required = true, equal = json.policy_equal, wire = "Document",
      input = "PolicyDocument", set = set_policy, description = "The policy document (JSON)." },
    arn = { type = "string", computed = true, wire = "Arn", description = "The policy's ARN (also its id)." },
    policy_id = { type = "string", computed = true, wire = "PolicyId", description = "The policy's unique id." },
    attachment_count = { type = "number", computed = true, wire = "AttachmentCount",
      description = "How many users, groups and roles the policy is attached to." },
  },
  create = { op = "CreatePolicy",
    params = function(ctx, args, params) params.PolicyName = iam.name(args, ctx.token) end,
    result = function(out, _, params)
      local p = out.Policy
      p.Document = params.PolicyDocument
      return p
    end,
    exists = { "EntityAlreadyExists" } },
  read = read,
  find = function(ctx, args, token)
    local name = iam.name(args, token)
    for _, p in ipairs(ctx:client("iam"):collect("ListPolicies", { Scope = "Local", PathPrefix = args.path or "/" })) do
      if p.PolicyName == name then return read(ctx, p.Arn) end
    end
  end,
  not_found = { "NoSuchEntity" },
  not_visible = { "NoSuchEntity" },
  delete = { op = "DeletePolicy", busy = { "DeleteConflict" },
    before = function(_, c, arn)
      local ok, out = pcall(c.ListPolicyVersions, c, { PolicyArn = arn })
      for _, v in ipairs(ok and out.Versions or {}) do
        if not v.IsDefaultVersion then c:DeletePolicyVersion{ PolicyArn = arn, VersionId = v.VersionId } end
      end
    end },
  tags = tags.api{ create = "Tags", form = "list", by = "id", param = "PolicyArn", in_object = "Tags",
    tag = { op = "TagPolicy", member = "Tags" }, untag = { op = "UntagPolicy", member = "TagKeys" } },
}
return M
