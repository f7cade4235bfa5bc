-- aws_ecr_repository_policy: the access policy of an ECR repository, as
-- Terraform's AWS provider has it; declared for aws._resource through
-- aws._put_whole (SetRepositoryPolicy creates and replaces it). The id is
-- the repository name; the policy compares as a policy document.
local resource = require("luaform.providers.aws._resource")
local whole = require("luaform.providers.aws._put_whole")
local json = require("luaform.providers.aws._json")

return resource.define(whole.declare({
  service = "ecr", description = "The access policy of an ECR repository.",
  identity = "repositoryName", id = "repositoryName",
  fields = {
    repository = { type = "string", required = true, force_new = true, wire = "repositoryName" },
    policy = { type = "json", required = true, wire = "policyText", equal = json.policy_equal },
    registry_id = { type = "string", computed = true, wire = "registryId" },
  },
  create = { op = "SetRepositoryPolicy", idempotent = true, result = function(out) return out end,
    after = function() end },
  read = { op = "GetRepositoryPolicy" },
  find = function(ctx, args)
    local c = ctx:client("ecr")
    local ok, out = pcall(c.GetRepositoryPolicy, c, { repositoryName = args.repository })
    return ok and out or nil
  end,
  not_found = { "RepositoryPolicyNotFoundException", "RepositoryNotFoundException" },
  delete = { op = "DeleteRepositoryPolicy" },
}, function(a) return { repositoryName = a.repository, policyText = json.text(a.policy) } end))
