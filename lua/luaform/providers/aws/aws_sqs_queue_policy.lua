-- aws_sqs_queue_policy: the access policy of an SQS queue.
--
-- The id is the queue URL. The policy is the queue's Policy attribute:
-- create and update set it, delete clears it, read returns nil when the
-- queue is gone or has no policy (one GetQueueAttributes shared with the
-- queue's read in a refresh, see aws_sqs_queue.get_attributes). Policies compare semantically
-- (aws/_json), so the form SQS returns never shows as a diff. Setting an
-- attribute is idempotent, so a lost create needs no recovery: the next
-- plan sets it again.
local ecs = require("luaform.providers.aws._ecs")
local json = require("luaform.providers.aws._json")
local queue = require("luaform.providers.aws.aws_sqs_queue")

local M = {}

M.schema = {
  queue_url = { type = "string", required = true, force_new = true },
  policy = { type = "json", required = true, equal = json.policy_equal },
}

local function client(ctx) return ecs.client(ctx, "sqs") end

function M.read(ctx, id, prior)
  -- the queue's attributes, shared with the queue's own read (one call)
  local ok, out = queue.get_attributes(ctx, id)
  if not ok then
    if queue.not_found(out) then return nil end
    error(out, 0)
  end
  local p = (out.Attributes or {}).Policy
  if not p or p == "" then return nil end
  return { id = id, queue_url = id, policy = json.keep(prior and prior.policy, p, json.policy_equal) }
end

local function put(ctx, url, policy)
  queue.forget(ctx, url)
  local c = client(ctx)
  ecs.retry(ctx, 120, { "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue" }, function()
    return c:SetQueueAttributes{ QueueUrl = url, Attributes = { Policy = policy } }
  end)
end

function M.create(ctx, args)
  put(ctx, args.queue_url, json.text(args.policy))
  return { id = args.queue_url, queue_url = args.queue_url, policy = args.policy }
end

function M.update(ctx, id, _, new)
  put(ctx, id, json.text(new.policy))
  return { id = id, queue_url = id, policy = new.policy }
end

function M.delete(ctx, id)
  queue.forget(ctx, id)
  local c = client(ctx)
  local ok, err = ecs.try(c.SetQueueAttributes, c, { QueueUrl = id, Attributes = { Policy = "" } })
  if not ok and not queue.not_found(err) then error(err, 0) end
end

return M
