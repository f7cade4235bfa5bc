-- aws_sns_topic: an SNS topic, as Terraform's AWS provider has it;
-- declared for aws._resource (contract v2).
--
-- The id is the topic ARN. CreateTopic is idempotent by name (the token
-- tag tells a topic of ours from someone else's). Settings are topic
-- attributes (GetTopicAttributes, one SetTopicAttributes per change);
-- policy is optional+computed: SNS's default policy is kept and never a
-- diff; policy documents compare as data (aws/_json).
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local json = require("luaform.providers.aws._json")

local M
M = resource.define{
  service = "sns", description = "An SNS topic.",
  identity = "TopicArn", id = "Attributes.TopicArn",
  attributes = { read = "Attributes", create = "Attributes",
    set = { op = "SetTopicAttributes", name = "AttributeName", value = "AttributeValue" } },
  fields = {
    name = { type = "string", required = true, force_new = true, input = "Name", attribute = "TopicArn",
      from_wire = function(v) return v and v:match("[^:]+$") end, description = "The topic's name." },
    fifo_topic = { type = "bool", optional = true, default = false, force_new = true, attribute = "FifoTopic" },
    content_based_deduplication = { type = "bool", optional = true, default = false,
      attribute = "ContentBasedDeduplication" },
    display_name = { type = "string", optional = true, default = "", attribute = "DisplayName" },
    policy = { type = "json", optional = true, computed = true, equal = json.policy_equal, attribute = "Policy" },
    delivery_policy = { type = "json", optional = true, equal = json.document_equal, attribute = "DeliveryPolicy" },
    kms_master_key_id = { type = "string", optional = true, attribute = "KmsMasterKeyId" },
    arn = { type = "string", computed = true, attribute = "TopicArn" },
    owner = { type = "string", computed = true, attribute = "Owner" },
  },
  create = { op = "CreateTopic", id = "TopicArn", idempotent = true },
  read = { op = "GetTopicAttributes" },
  -- a lost create: the topic of that name (its token tag proves it ours)
  find = function(ctx, args)
    for _, t in ipairs(ctx:client("sns"):collect("ListTopics", {})) do
      if t.TopicArn:match("[^:]+$") == args.name then return M.read_object(ctx, t.TopicArn) end
    end
  end,
  not_found = { "NotFound", "ResourceNotFound", "NotFoundException" },
  delete = { op = "DeleteTopic" },
  tags = tags.api{ create = "Tags", form = "list", by = "id", param = "ResourceArn",
    read = { op = "ListTagsForResource", result = "Tags" },
    tag = { op = "TagResource", member = "Tags" }, untag = { op = "UntagResource", member = "TagKeys" } },
}
return M
