-- aws_sqs_queue: an SQS queue, as Terraform's AWS provider has it.
--
-- The id is the queue URL (also `url`). Every attribute is read with one
-- GetQueueAttributes(All), so a change made outside luaform (a visibility
-- timeout edited in the console) is drift the next plan repairs with
-- SetQueueAttributes. The numeric settings have AWS's defaults in the
-- schema, so they are always compared. policy is optional+computed and
-- tracked only once luaform has set it here (an aws_sqs_queue_policy
-- usually owns it); policy and redrive documents compare
-- as data (aws/_json). CreateQueue is idempotent for equal attributes and
-- carries the token tag, which recover() uses to adopt a queue whose
-- create response was lost.
local ecs = require("luaform.providers.aws._ecs")
local json = require("luaform.providers.aws._json")
local core = require("luaform.core")

local M = {}

M.schema = {
  name = { type = "string", required = true, force_new = true },
  fifo_queue = { type = "bool", optional = true, default = false, force_new = true },
  content_based_deduplication = { type = "bool", optional = true, default = false },
  visibility_timeout_seconds = { type = "number", optional = true, default = 30 },
  message_retention_seconds = { type = "number", optional = true, default = 345600 },
  max_message_size = { type = "number", optional = true, default = 262144 },
  delay_seconds = { type = "number", optional = true, default = 0 },
  receive_wait_time_seconds = { type = "number", optional = true, default = 0 },
  policy = { type = "json", optional = true, computed = true, equal = json.policy_equal, absent_is_unset = true },
  redrive_policy = { type = "json", optional = true, equal = json.document_equal, absent_is_unset = true },
  redrive_allow_policy = { type = "json", optional = true, equal = json.document_equal, absent_is_unset = true },
  kms_master_key_id = { type = "string", optional = true, absent_is_unset = true },
  sqs_managed_sse_enabled = { type = "bool", optional = true, computed = true },
  tags = { type = "map", elem = "string", optional = true },
  tags_all = { type = "map", elem = "string", computed = true },
  arn = { type = "string", computed = true },
  url = { type = "string", computed = true },
}

-- attribute -> SQS attribute name, kind
local ATTRS = {
  { "visibility_timeout_seconds", "VisibilityTimeout", "number" },
  { "message_retention_seconds", "MessageRetentionPeriod", "number" },
  { "max_message_size", "MaximumMessageSize", "number" },
  { "delay_seconds", "DelaySeconds", "number" },
  { "receive_wait_time_seconds", "ReceiveMessageWaitTimeSeconds", "number" },
  { "policy", "Policy", "json" },
  { "redrive_policy", "RedrivePolicy", "json" },
  { "redrive_allow_policy", "RedriveAllowPolicy", "json" },
  { "kms_master_key_id", "KmsMasterKeyId", "string" },
  { "sqs_managed_sse_enabled", "SqsManagedSseEnabled", "bool" },
  { "content_based_deduplication", "ContentBasedDeduplication", "bool" },
}

local function client(ctx) return ecs.client(ctx, "sqs") end

local function not_found(e)
  return ecs.is(e, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "NonExistentQueue")
end
M.not_found = not_found

local function to_aws(kind, v)
  if v == nil then return nil end
  if kind == "json" then return json.text(v) end
  return ecs.str(v)
end

local function attributes(ctx, url, a, tags, prior)
  prior = prior or {}
  local own, all = ecs.split_tags(ctx, tags)
  local out = {
    id = url, url = url, arn = a.QueueArn, name = url:match("[^/]+$"),
    fifo_queue = a.FifoQueue == "true", tags = own, tags_all = all,
  }
  for _, p in ipairs(ATTRS) do
    local k, name, kind = p[1], p[2], p[3]
    local v = a[name]
    if v == "" then v = nil end
    if kind == "number" then v = tonumber(v)
    elseif kind == "bool" then v = v ~= nil and v == "true" or (v == nil and nil)
    elseif kind == "json" and v ~= nil then v = json.keep(prior[k], v, M.schema[k].equal) end
    out[k] = v
  end
  if not out.fifo_queue then out.content_based_deduplication = false end
  -- A policy luaform never set belongs to an aws_sqs_queue_policy (or to
  -- someone else): not tracked here, so it is never "changed outside".
  if next(prior) ~= nil and prior.policy == nil then out.policy = nil end
  return out
end

local function read_tags(ctx, url)
  return client(ctx):ListQueueTags{ QueueUrl = url }.Tags or {}
end

-- GetQueueAttributes(All) of a queue, shared by the reads of one refresh:
-- the queue and its aws_sqs_queue_policy are read at the same moment, and
-- one call answers both. An answer is reused for 2 s at most and
-- forgotten on every write of the queue (fresh = true skips it).
local MEMO_SECONDS = 2

function M.forget(ctx, url)
  local memo = ctx.run and ctx.run.sqs_attributes
  if memo then memo[url] = nil end
end

function M.get_attributes(ctx, url, fresh)
  local run = ctx.run or {}
  run.sqs_attributes = run.sqs_attributes or {}
  local memo = run.sqs_attributes
  local m = memo[url]
  if not fresh and m and core.now() - m.t < MEMO_SECONDS then
    while m.pending do ctx:sleep(0.005) end
    return m.ok, m.res
  end
  m = { t = core.now(), pending = true }
  memo[url] = m
  local c = client(ctx)
  local ok, res = pcall(c.GetQueueAttributes, c, { QueueUrl = url, AttributeNames = { "All" } })
  m.ok, m.res, m.pending = ok, res, false
  if not ok and not (type(res) == "table" and res.code) then memo[url] = nil; error(res, 0) end
  return ok, res
end

function M.read(ctx, id, prior, fresh)
  local ok, out = M.get_attributes(ctx, id, fresh)
  if not ok then
    if not_found(out) then return nil end
    error(out, 0)
  end
  local tags = {}
  if not prior or next(prior.tags_all or {}) then tags = read_tags(ctx, id) end
  return attributes(ctx, id, out.Attributes or {}, tags, prior)
end

local function wanted(args, creating)
  local a = {}
  for _, p in ipairs(ATTRS) do
    local k, name, kind = p[1], p[2], p[3]
    if args[k] ~= nil and not (k == "content_based_deduplication" and not args.fifo_queue) then
      a[name] = to_aws(kind, args[k])
    end
  end
  if creating and args.fifo_queue then a.FifoQueue = "true" end
  return a
end

local function after_write(ctx, url, args)
  M.forget(ctx, url)
  return ecs.wait(ctx, 120, 1, "queue " .. url .. " to be visible", function()
    return M.read(ctx, url, { tags_all = ecs.tags_all(ctx, args.tags), policy = args.policy,
      redrive_policy = args.redrive_policy, redrive_allow_policy = args.redrive_allow_policy }, true)
  end)
end

function M.create(ctx, args)
  local c = client(ctx)
  local out = ecs.retry(ctx, 90, { "QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently" },
    function()
      return c:CreateQueue{ QueueName = args.name, Attributes = wanted(args, true),
        tags = ecs.create_tags(ctx, args.tags) }
    end)
  return ecs.created(out.QueueUrl, function() return after_write(ctx, out.QueueUrl, args) end)
end

function M.update(ctx, id, old, new)
  local c = client(ctx)
  local changed = {}
  for _, p in ipairs(ATTRS) do
    local k, name, kind = p[1], p[2], p[3]
    local eq = M.schema[k].equal or function(a, b) return a == b end
    local a, b = old[k], new[k]
    if not ((a == nil and b == nil) or (a ~= nil and b ~= nil and eq(a, b))) then
      if not (b == nil and M.schema[k].computed) then changed[name] = to_aws(kind, b) or "" end
    end
  end
  if next(changed) then
    ecs.retry(ctx, 60, { "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue" }, function()
      return c:SetQueueAttributes{ QueueUrl = id, Attributes = changed }
    end)
  end
  local set, remove = ecs.tag_changes(old.tags_all, ecs.tags_all(ctx, new.tags))
  if next(set) then c:TagQueue{ QueueUrl = id, Tags = set } end
  if #remove > 0 then c:UntagQueue{ QueueUrl = id, TagKeys = remove } end
  return after_write(ctx, id, new)
end

function M.delete(ctx, id)
  M.forget(ctx, id)
  local c = client(ctx)
  local ok, err = ecs.try(c.DeleteQueue, c, { QueueUrl = id })
  if not ok and not not_found(err) then error(err, 0) end
end

function M.recover(ctx, pending)
  local name = pending.args and pending.args.name
  if not name then return nil end
  local c = client(ctx)
  local ok, out = ecs.try(c.GetQueueUrl, c, { QueueName = name })
  if not ok then
    if not_found(out) then return nil end
    error(out, 0)
  end
  local tags = read_tags(ctx, out.QueueUrl)
  if tags[ecs.TOKEN_TAG] ~= pending.token then return nil end
  return M.read(ctx, out.QueueUrl, { tags_all = tags, policy = pending.args.policy,
    redrive_policy = pending.args.redrive_policy })
end

return M
