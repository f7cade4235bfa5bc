-- aws_sns_topic: an SNS topic, as Terraform's AWS provider has it.
--
-- The id is the topic ARN. CreateTopic is idempotent by name, and the
-- create carries the token tag, so a retried create returns the same
-- topic and a topic of that name made by someone else is refused by SNS
-- (different tags). Attributes are read with GetTopicAttributes; policy
-- and delivery_policy are compared as documents (aws/_json), and policy
-- is optional+computed: when unset, the default policy SNS writes is kept
-- and never shown as a diff. Tags are read only when the topic has some in
-- the state (one call less per topic in a refresh).
local ecs = require("luaform.providers.aws._ecs")
local json = require("luaform.providers.aws._json")

local M = {}

M.schema = {
  name = { type = "string", required = true, force_new = true },
  fifo_topic = { type = "bool", optional = true, default = false, force_new = true },
  content_based_deduplication = { type = "bool", optional = true, default = false },
  display_name = { type = "string", optional = true, default = "" },
  policy = { type = "json", optional = true, computed = true, equal = json.policy_equal },
  delivery_policy = { type = "json", optional = true, equal = json.document_equal, absent_is_unset = true },
  kms_master_key_id = { type = "string", optional = true, absent_is_unset = true },
  tags = { type = "map", elem = "string", optional = true },
  tags_all = { type = "map", elem = "string", computed = true },
  arn = { type = "string", computed = true },
  owner = { type = "string", computed = true },
}

local function client(ctx) return ecs.client(ctx, "sns") end

local function not_found(e) return ecs.is(e, "NotFound", "ResourceNotFound", "NotFoundException") end

local function attributes(ctx, arn, a, tags, prior)
  prior = prior or {}
  local own, all = ecs.split_tags(ctx, tags)
  return {
    id = arn, arn = arn, name = arn:match("[^:]+$"), owner = a.Owner,
    fifo_topic = a.FifoTopic == "true",
    content_based_deduplication = a.ContentBasedDeduplication == "true",
    display_name = a.DisplayName or "",
    policy = json.keep(prior.policy, a.Policy, json.policy_equal),
    delivery_policy = a.DeliveryPolicy and json.keep(prior.delivery_policy, a.DeliveryPolicy, json.document_equal) or nil,
    kms_master_key_id = a.KmsMasterKeyId ~= "" and a.KmsMasterKeyId or nil,
    tags = own, tags_all = all,
  }
end

local function read_tags(ctx, arn)
  local out = client(ctx):ListTagsForResource{ ResourceArn = arn }
  return ecs.from_list(out.Tags)
end

function M.read(ctx, id, prior)
  local ok, out = ecs.try(client(ctx).GetTopicAttributes, client(ctx), { TopicArn = id })
  if not ok then
    if not_found(out) then return nil end
    error(out, 0)
  end
  local tags = {}
  if not prior or next(prior.tags_all or {}) then tags = read_tags(ctx, id) end
  return attributes(ctx, id, out.Attributes or {}, tags, prior)
end

local function wanted_attributes(args)
  local a = {}
  if args.fifo_topic then
    a.FifoTopic = "true"
    a.ContentBasedDeduplication = tostring(args.content_based_deduplication or false)
  end
  if args.display_name and args.display_name ~= "" then a.DisplayName = args.display_name end
  if args.policy then a.Policy = json.text(args.policy) end
  if args.delivery_policy then a.DeliveryPolicy = json.text(args.delivery_policy) end
  if args.kms_master_key_id then a.KmsMasterKeyId = args.kms_master_key_id end
  return a
end

function M.create(ctx, args)
  local out = client(ctx):CreateTopic{
    Name = args.name, Attributes = wanted_attributes(args),
    Tags = ecs.to_list(ecs.create_tags(ctx, args.tags)),
  }
  local arn = out.TopicArn
  return ecs.created(arn, function()
    return ecs.wait(ctx, 120, 1, "topic " .. arn .. " to be visible", function()
      return M.read(ctx, arn, { tags_all = ecs.tags_all(ctx, args.tags), policy = args.policy,
        delivery_policy = args.delivery_policy })
    end)
  end)
end

local SETTABLE = {
  { "display_name", "DisplayName" }, { "policy", "Policy" }, { "delivery_policy", "DeliveryPolicy" },
  { "kms_master_key_id", "KmsMasterKeyId" }, { "content_based_deduplication", "ContentBasedDeduplication" },
}

function M.update(ctx, id, old, new)
  local c = client(ctx)
  for _, p in ipairs(SETTABLE) do
    local k, name = p[1], p[2]
    local spec = M.schema[k]
    local eq = spec.equal or function(a, b) return a == b end
    local a, b = old[k], new[k]
    if not ((a == nil and b == nil) or (a ~= nil and b ~= nil and eq(a, b))) then
      local v = b
      if type(v) == "boolean" then v = tostring(v) end
      if spec.type == "json" then v = json.text(v) end
      c:SetTopicAttributes{ TopicArn = id, AttributeName = name, AttributeValue = v or "" }
    end
  end
  local set, remove = ecs.tag_changes(old.tags_all, ecs.tags_all(ctx, new.tags))
  if next(set) then c:TagResource{ ResourceArn = id, Tags = ecs.to_list(set) } end
  if #remove > 0 then c:UntagResource{ ResourceArn = id, TagKeys = remove } end
  return M.read(ctx, id, { tags_all = ecs.tags_all(ctx, new.tags), policy = new.policy,
    delivery_policy = new.delivery_policy })
end

function M.delete(ctx, id)
  client(ctx):DeleteTopic{ TopicArn = id }
end

-- A create whose response was lost: the topic of that name, if it
-- carries this create's token.
function M.recover(ctx, pending)
  local name = pending.args and pending.args.name
  if not name then return nil end
  for page in client(ctx):paginate("ListTopics", {}) do
    for _, t in ipairs(page.Topics or {}) do
      if t.TopicArn:match("[^:]+$") == name then
        local tags = read_tags(ctx, t.TopicArn)
        if tags[ecs.TOKEN_TAG] ~= pending.token then return nil end
        return M.read(ctx, t.TopicArn, { tags_all = tags, policy = pending.args.policy })
      end
    end
  end
  return nil
end

return M
