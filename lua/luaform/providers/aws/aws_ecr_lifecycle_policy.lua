-- aws_ecr_lifecycle_policy: the lifecycle policy of an ECR repository, as
-- Terraform's AWS provider has it; declared for aws._resource through
-- aws._put_whole (PutLifecyclePolicy creates and replaces it). The id is
-- the repository name; the policy compares as a JSON document.
local resource = require("luaform.providers.aws._resource")
local whole = require("luaform.providers.aws._put_whole")
local json = require("luaform.providers.aws._json")

return resource.define(whole.declare({
  service = "ecr", description = "The lifecycle policy of an ECR repository (which images expire).",
  identity = "repositoryName", id = "repositoryName",
  fields = {
    repository = { type = "string", required = true, force_new = true, wire = "repositoryName" },
    policy = { type = "json", required = true, wire = "lifecyclePolicyText", equal = json.document_equal },
    registry_id = { type = "string", computed = true, wire = "registryId" },
  },
  create = { op = "PutLifecyclePolicy", idempotent = true, result = function(out) return out end,
    after = function() end },
  read = { op = "GetLifecyclePolicy" },
  find = function(ctx, args)
    local c = ctx:client("ecr")
    local ok, out = pcall(c.GetLifecyclePolicy, c, { repositoryName = args.repository })
    return ok and out or nil
  end,
  not_found = { "LifecyclePolicyNotFoundException", "RepositoryNotFoundException" },
  delete = { op = "DeleteLifecyclePolicy" },
}, function(a) return { repositoryName = a.repository, lifecyclePolicyText = json.text(a.policy) } end))
