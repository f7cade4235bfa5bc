-- aws_sqs_queue: an SQS queue, as Terraform's AWS provider has it;
-- declared for aws._resource (contract v2).
--
-- The id is the queue URL (also `url`). Every setting is a queue attribute
-- read with one GetQueueAttributes(All) and changed with one
-- SetQueueAttributes, so an edit in the console is drift the next plan
-- repairs. policy is optional+computed and tracked only once luaform has
-- set it here (an aws_sqs_queue_policy usually owns it). CreateQueue is
-- idempotent for equal attributes; a name deleted less than 60 s ago is
-- waited out (QueueDeletedRecently).
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local json = require("luaform.providers.aws._json")
local core = require("luaform.core")

local NOT_FOUND = { "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "NonExistentQueue" }

-- GetQueueAttributes(All) of a queue, shared by the reads of one refresh
-- (the queue and its aws_sqs_queue_policy: one call answers both). An
-- answer is reused for 2 s at most and forgotten on every write.
local MEMO_SECONDS = 2

local function forget(ctx, url)
  local memo = ctx.run and ctx.run.sqs_attributes
  if memo then memo[url] = nil end
end

local function get_attributes(ctx, url, fresh)
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
  local c = ctx:client("sqs")
  local ok, res = pcall(c.GetQueueAttributes, c, { QueueUrl = url, AttributeNames = { "All" } })
  m.ok, m.res, m.pending = ok, res, false
  if not ok and not (type(res) == "table" and res.code) then memo[url] = nil; error(res, 0) end
  return ok, res
end

local function not_found(e)
  local c = type(e) == "table" and type(e.code) == "string" and e.code:gsub("^.*#", "")
  for _, n in ipairs(NOT_FOUND) do if c == n then return true end end
  return false
end

-- A numeric setting, sent at create even at its default, as Terraform does:
-- AWS's defaults move (a queue made since 2025 holds MaximumMessageSize 1 MiB).
local function num(attr, default)
  return { type = "number", optional = true, default = default, attribute = attr, create_default = true }
end

local M = resource.define{
  service = "sqs", description = "An SQS queue.",
  identity = "QueueUrl", id = "QueueUrl",
  attributes = { read = "Attributes", create = "Attributes",
    set = { op = "SetQueueAttributes", member = "Attributes" } },
  fields = {
    name = { type = "string", required = true, force_new = true, input = "QueueName", wire = "QueueUrl",
      from_wire = function(v) return v and v:match("[^/]+$") end, description = "The queue's name." },
    fifo_queue = { type = "bool", optional = true, default = false, force_new = true, attribute = "FifoQueue" },
    content_based_deduplication = { type = "bool", optional = true, default = false,
      attribute = "ContentBasedDeduplication" },
    visibility_timeout_seconds = num("VisibilityTimeout", 30),
    message_retention_seconds = num("MessageRetentionPeriod", 345600),
    max_message_size = num("MaximumMessageSize", 262144),
    delay_seconds = num("DelaySeconds", 0),
    receive_wait_time_seconds = num("ReceiveMessageWaitTimeSeconds", 0),
    policy = { type = "json", optional = true, computed = true, absent_is_unset = true, equal = json.policy_equal, attribute = "Policy" },
    redrive_policy = { type = "json", optional = true, absent_is_unset = true, equal = json.document_equal, attribute = "RedrivePolicy" },
    redrive_allow_policy = { type = "json", optional = true, absent_is_unset = true, equal = json.document_equal,
      attribute = "RedriveAllowPolicy" },
    kms_master_key_id = { type = "string", optional = true, absent_is_unset = true, attribute = "KmsMasterKeyId" },
    sqs_managed_sse_enabled = { type = "bool", optional = true, computed = true, attribute = "SqsManagedSseEnabled" },
    arn = { type = "string", computed = true, attribute = "QueueArn" },
    url = { type = "string", computed = true, wire = "QueueUrl" },
  },
  create = { op = "CreateQueue", id = "QueueUrl", idempotent = true, wait_seconds = 90,
    wait_codes = { "QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently" },
    params = function(_, args, params)
      if not args.fifo_queue then params.Attributes.ContentBasedDeduplication = nil end
    end },
  read = function(ctx, url)
    local ok, out = get_attributes(ctx, url)
    if ok then return { QueueUrl = url, Attributes = out.Attributes or {} } end
    if not_found(out) then return nil end
    error(out, 0)
  end,
  find = function(ctx, args)
    local c = ctx:client("sqs")
    local ok, out = pcall(c.GetQueueUrl, c, { QueueName = args.name })
    if not ok then
      if not_found(out) then return nil end
      error(out, 0)
    end
    return { QueueUrl = out.QueueUrl, Attributes = select(2, get_attributes(ctx, out.QueueUrl, true)).Attributes }
  end,
  -- A policy luaform never set belongs to an aws_sqs_queue_policy (or to
  -- someone else): not tracked here, so it is never "changed outside".
  adjust = function(_, out, _, prior)
    if not out.fifo_queue then out.content_based_deduplication = false end
    if next(prior) ~= nil and prior.policy == nil then out.policy = nil end
  end,
  after_write = forget,
  not_found = NOT_FOUND,
  not_visible = { "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue" },
  delete = { op = "DeleteQueue" },
  tags = tags.api{ create = "tags", form = "map", by = "id", param = "QueueUrl",
    read = { op = "ListQueueTags", result = "Tags" },
    tag = { op = "TagQueue", member = "Tags" }, untag = { op = "UntagQueue", member = "TagKeys" } },
}

-- Shared with aws_sqs_queue_policy.
M.not_found, M.forget, M.get_attributes = not_found, forget, get_attributes
return M
