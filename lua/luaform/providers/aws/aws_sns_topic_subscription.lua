-- aws_sns_topic_subscription: a subscription to an SNS topic, as
-- Terraform's; declared for aws._resource. The id is the subscription ARN.
--
-- Settings are subscription attributes (GetSubscriptionAttributes, one
-- SetSubscriptionAttributes per change); policies compare as documents
-- (aws/_json). Subscribe is idempotent for the same topic, protocol and
-- endpoint; a lost one is found among the topic's subscriptions.
local resource = require("luaform.providers.aws._resource")
local json = require("luaform.providers.aws._json")

local function attribute(t, name, extra)
  local f = { type = t, optional = true, attribute = name }
  if t == "json" then f.equal = json.document_equal end
  for k, v in pairs(extra or {}) do f[k] = v end
  return f
end

local M
M = resource.define{
  service = "sns", description = "A subscription to an SNS topic.",
  identity = "SubscriptionArn", id = "Attributes.SubscriptionArn",
  attributes = { read = "Attributes", create = "Attributes",
    set = { op = "SetSubscriptionAttributes", name = "AttributeName", value = "AttributeValue" } },
  fields = {
    topic_arn = { type = "string", required = true, force_new = true, attribute = "TopicArn", input = "TopicArn" },
    protocol = { type = "string", required = true, force_new = true, attribute = "Protocol", input = "Protocol" },
    endpoint = { type = "string", required = true, force_new = true, attribute = "Endpoint", input = "Endpoint" },
    raw_message_delivery = attribute("bool", "RawMessageDelivery", { default = false }),
    filter_policy = attribute("json", "FilterPolicy"),
    filter_policy_scope = attribute("string", "FilterPolicyScope", { computed = true }),
    redrive_policy = attribute("json", "RedrivePolicy"),
    delivery_policy = attribute("json", "DeliveryPolicy"),
    arn = { type = "string", computed = true, attribute = "SubscriptionArn" },
    owner_id = { type = "string", computed = true, attribute = "Owner" },
    pending_confirmation = { type = "bool", computed = true, attribute = "PendingConfirmation" },
    confirmation_was_authenticated = { type = "bool", computed = true, attribute = "ConfirmationWasAuthenticated" },
  },
  create = { op = "Subscribe", id = "SubscriptionArn", idempotent = true, read_back = true,
    retry_codes = { "NotFound" }, params = function(_, _, p) p.ReturnSubscriptionArn = true end },
  read = { op = "GetSubscriptionAttributes" },
  -- a lost subscribe: the topic's subscription of that protocol and endpoint
  find = function(ctx, args)
    local c = ctx:client("sns")
    local ok, list = pcall(c.collect, c, "ListSubscriptionsByTopic", { TopicArn = args.topic_arn })
    if not ok then return nil end
    for _, s in ipairs(list) do
      if s.Protocol == args.protocol and s.Endpoint == args.endpoint and s.SubscriptionArn:match("^arn:") then
        return M.read_object(ctx, s.SubscriptionArn)
      end
    end
  end,
  not_found = { "NotFound", "NotFoundException", "InvalidParameter" },
  delete = { op = "Unsubscribe" },
}
return M
