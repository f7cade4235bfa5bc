-- aws_sns_topic_policy: the access policy of an SNS topic, as Terraform's
-- AWS provider has it; declared for aws._resource. The id is the topic
-- ARN; the policy compares as a policy document (aws._json). Destroying
-- it puts back SNS's default policy (the owner account only), as
-- Terraform does.
local resource = require("luaform.providers.aws._resource")
local json = require("luaform.providers.aws._json")

local function default_policy(arn)
  local account = arn:match("^arn:[^:]+:sns:[^:]*:(%d+):")
  return json.text({ Version = "2008-10-17", Id = "__default_policy_ID", Statement = { {
    Sid = "__default_statement_ID", Effect = "Allow", Principal = { AWS = "*" },
    Action = { "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
      "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic",
      "SNS:Publish" },
    Resource = arn, Condition = { StringEquals = { ["AWS:SourceOwner"] = account } } } } })
end

local function set_policy(_, c, id, value)
  return c:SetTopicAttributes{ TopicArn = id, AttributeName = "Policy", AttributeValue = json.text(value) }
end

return resource.define{
  service = "sns", description = "The access policy of an SNS topic.",
  identity = "TopicArn", id = "Attributes.TopicArn",
  fields = {
    arn = { type = "string", required = true, force_new = true, wire = "Attributes.TopicArn",
      input = false, description = "The topic's ARN (also the id)." },
    policy = { type = "json", required = true, wire = "Attributes.Policy", equal = json.policy_equal,
      input = false, set = set_policy },
    owner = { type = "string", computed = true, wire = "Attributes.Owner" },
  },
  create = { op = "GetTopicAttributes", idempotent = true, result = function(out) return out end,
    params = function(_, args, params) params.TopicArn = args.arn end },
  read = { op = "GetTopicAttributes" },
  find = function(ctx, args)
    local ok, out = pcall(ctx:client("sns").GetTopicAttributes, ctx:client("sns"), { TopicArn = args.arn })
    return ok and out or nil
  end,
  not_found = { "NotFound" },
  delete = { op = "SetTopicAttributes", params = function(id)
    return { TopicArn = id, AttributeName = "Policy", AttributeValue = default_policy(id) }
  end },
}
