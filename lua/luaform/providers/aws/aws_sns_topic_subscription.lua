-- aws_sns_topic_subscription: a subscription of an endpoint to a topic.
--
-- The id is the subscription ARN. Subscribe is idempotent for the same
-- topic, protocol and endpoint (it returns the existing subscription), so
-- a retried or recovered create never makes a second one; recover() finds
-- it with ListSubscriptionsByTopic. Subscribe returns the ARN at once
-- (ReturnSubscriptionArn); an sqs/lambda/firehose subscription is
-- confirmed immediately, others stay pending_confirmation. The topic may
-- be visible a moment after its create (eventual consistency), so
-- Subscribe is retried on NotFound for a while.
local ecs = require("luaform.providers.aws._ecs")
local json = require("luaform.providers.aws._json")

local M = {}

M.schema = {
  topic_arn = { type = "string", required = true, force_new = true },
  protocol = { type = "string", required = true, force_new = true },
  endpoint = { type = "string", required = true, force_new = true },
  raw_message_delivery = { type = "bool", optional = true, default = false },
  filter_policy = { type = "json", optional = true, equal = json.document_equal, absent_is_unset = true },
  filter_policy_scope = { type = "string", optional = true, computed = true },
  redrive_policy = { type = "json", optional = true, equal = json.document_equal, absent_is_unset = true },
  delivery_policy = { type = "json", optional = true, equal = json.document_equal, absent_is_unset = true },
  arn = { type = "string", computed = true },
  owner_id = { type = "string", computed = true },
  pending_confirmation = { type = "bool", computed = true },
  confirmation_was_authenticated = { type = "bool", computed = true },
}

local SETTABLE = {
  { "raw_message_delivery", "RawMessageDelivery", "bool" },
  { "filter_policy", "FilterPolicy", "json" },
  { "filter_policy_scope", "FilterPolicyScope", "string" },
  { "redrive_policy", "RedrivePolicy", "json" },
  { "delivery_policy", "DeliveryPolicy", "json" },
}

local function client(ctx) return ecs.client(ctx, "sns") end

local function not_found(e) return ecs.is(e, "NotFound", "NotFoundException", "InvalidParameter") end

local function attributes(arn, a, prior)
  prior = prior or {}
  local out = {
    id = arn, arn = arn, topic_arn = a.TopicArn, protocol = a.Protocol, endpoint = a.Endpoint,
    owner_id = a.Owner, pending_confirmation = a.PendingConfirmation == "true",
    confirmation_was_authenticated = a.ConfirmationWasAuthenticated == "true",
    raw_message_delivery = a.RawMessageDelivery == "true",
    filter_policy_scope = a.FilterPolicyScope,
  }
  for _, k in ipairs({ "filter_policy", "redrive_policy", "delivery_policy" }) do
    local name = k == "filter_policy" and "FilterPolicy" or k == "redrive_policy" and "RedrivePolicy" or "DeliveryPolicy"
    if a[name] and a[name] ~= "" then out[k] = json.keep(prior[k], a[name], json.document_equal) end
  end
  return out
end

function M.read(ctx, id, prior)
  local c = client(ctx)
  local ok, out = ecs.try(c.GetSubscriptionAttributes, c, { SubscriptionArn = id })
  if not ok then
    if not_found(out) then return nil end
    error(out, 0)
  end
  return attributes(id, out.Attributes or {}, prior)
end

local function aws_value(kind, v)
  if kind == "json" then return json.text(v) end
  if kind == "bool" then return tostring(v) end
  return v
end

function M.create(ctx, args)
  local c = client(ctx)
  local attrs = {}
  for _, p in ipairs(SETTABLE) do
    local v = args[p[1]]
    if v ~= nil and not (p[3] == "bool" and v == false) then attrs[p[2]] = aws_value(p[3], v) end
  end
  local out = ecs.retry(ctx, 120, { "NotFound" }, function()
    return c:Subscribe{ TopicArn = args.topic_arn, Protocol = args.protocol, Endpoint = args.endpoint,
      Attributes = attrs, ReturnSubscriptionArn = true }
  end)
  local arn = out.SubscriptionArn
  return ecs.created(arn, function()
    return ecs.wait(ctx, 120, 1, "subscription " .. arn .. " to be visible", function()
      return M.read(ctx, arn, args)
    end)
  end)
end

function M.update(ctx, id, old, new)
  local c = client(ctx)
  for _, p in ipairs(SETTABLE) do
    local k, name, kind = p[1], p[2], p[3]
    local eq = M.schema[k].equal or function(a, b) return a == b end
    local a, b = old[k], new[k]
    if not ((a == nil and b == nil) or (a ~= nil and b ~= nil and eq(a, b))) then
      if not (b == nil and M.schema[k].computed) then
        c:SetSubscriptionAttributes{ SubscriptionArn = id, AttributeName = name,
          AttributeValue = b ~= nil and aws_value(kind, b) or "" }
      end
    end
  end
  return M.read(ctx, id, new)
end

function M.delete(ctx, id)
  local c = client(ctx)
  local ok, err = ecs.try(c.Unsubscribe, c, { SubscriptionArn = id })
  if not ok and not not_found(err) then error(err, 0) end
end

-- Subscribe is idempotent: an existing subscription with the same topic,
-- protocol and endpoint is the one the lost create made (or would make).
function M.recover(ctx, pending)
  local a = pending.args
  if not a then return nil end
  local c = client(ctx)
  local ok, err = pcall(function()
    for page in c:paginate("ListSubscriptionsByTopic", { TopicArn = a.topic_arn }) do
      for _, s in ipairs(page.Subscriptions or {}) do
        if s.Protocol == a.protocol and s.Endpoint == a.endpoint and s.SubscriptionArn:match("^arn:") then
          error({ found = s.SubscriptionArn }, 0)
        end
      end
    end
  end)
  if ok then return nil end
  if type(err) == "table" and err.found then return M.read(ctx, err.found, a) end
  if not_found(err) then return nil end
  error(err, 0)
end

return M
