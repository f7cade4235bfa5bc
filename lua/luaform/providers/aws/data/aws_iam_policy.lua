-- data aws_iam_policy: a managed IAM policy by ARN (or by name among the
-- account's own), with its default version's document, as Terraform's
-- data source.
local resource = require("luaform.providers.aws._resource")
local lookup = require("luaform.providers.aws._lookup")
local json = require("luaform.providers.aws._json")

return resource.data{
  service = "iam", description = "A managed IAM policy and its document.",
  id = "arn",
  fields = {
    arn = { type = "string", optional = true, computed = true, description = "The policy's ARN." },
    name = { type = "string", optional = true, computed = true, description = "The policy's name." },
    path = { type = "string", computed = true, description = "Its path." },
    description = { type = "string", computed = true, description = "Its description." },
    policy = { type = "string", computed = true, description = "The default version's document." },
    policy_id = { type = "string", computed = true, description = "Its unique id." },
  },
  adjust = function(ctx, out, _, args)
    local c = ctx:client("iam")
    local arn = args.arn
    if not arn then
      for _, p in ipairs(c:collect("ListPolicies", { Scope = "Local" })) do
        if p.PolicyName == args.name then arn = p.Arn end
      end
      if not arn then lookup.fail(ctx, 'no policy named "%s"', tostring(args.name)) end
    end
    local p = c:GetPolicy{ PolicyArn = arn }.Policy
    local v = c:GetPolicyVersion{ PolicyArn = arn, VersionId = p.DefaultVersionId }.PolicyVersion
    out.arn, out.name, out.path, out.description, out.policy_id = p.Arn, p.PolicyName, p.Path, p.Description, p.PolicyId
    out.policy = json.url_decode(v.Document)
  end,
}
