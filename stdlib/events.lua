-- stdlib.events: a topic fanning out to a queue.
--
--   local ev = module("events", require("stdlib.events"), { queue_name = "jobs" })
--
-- Creates an SNS topic, an SQS queue, the queue's subscription to the
-- topic, and a queue policy that lets only that topic send to the queue
-- (sns.amazonaws.com, sqs:SendMessage, aws:SourceArn = the topic).
-- Arguments (all optional): topic_name ("topic-base"), queue_name
-- ("sqs-base"), visibility_timeout_seconds (15), message_retention_seconds
-- (600), delay_seconds (0), receive_wait_time_seconds (0),
-- raw_message_delivery (false), tags ({}).
-- Returns topic_arn, queue_url, queue_arn, subscription_arn.
local errors = require("luaform.errors")
local deferred = require("luaform.deferred")

local NUMBERS = { visibility_timeout_seconds = { 0, 43200 }, message_retention_seconds = { 60, 1209600 },
  delay_seconds = { 0, 900 }, receive_wait_time_seconds = { 0, 20 } }
local OTHER = { topic_name = "string", queue_name = "string", raw_message_delivery = "boolean", tags = "table" }

-- Misuse is reported at the module() call in the user's stack.
local function check(args)
  local where = errors.caller(4)
  local function fail(fmt, ...) errors.raise(where, "module stdlib.events: " .. fmt, ...) end
  if type(args) ~= "table" then fail("arguments must be a table") end
  for k, v in pairs(args) do
    local range, t = NUMBERS[k], OTHER[k]
    if not range and not t then
      local names = {}
      for n in pairs(NUMBERS) do names[#names + 1] = n end
      for n in pairs(OTHER) do names[#names + 1] = n end
      table.sort(names)
      fail('unsupported argument "%s"%s', tostring(k), require("luaform.schema").suggest(tostring(k), names))
    end
    if not deferred.is(v) then
      if range then
        if type(v) ~= "number" then fail('"%s" must be a number, got %s', k, type(v)) end
        if v < range[1] or v > range[2] then fail('"%s" must be between %d and %d, got %s', k, range[1], range[2], tostring(v)) end
      elseif type(v) ~= t then
        fail('"%s" must be a %s, got %s', k, t, type(v))
      end
    end
  end
end

return function(args)
  args = args or {}
  check(args)
  local function arg(name, default)
    if args[name] == nil then return default end
    return args[name]
  end
  local tags = arg("tags", nil)

  local topic = resource("aws_sns_topic", "this", {
    name = arg("topic_name", "topic-base"),
    tags = tags,
  })

  local queue = resource("aws_sqs_queue", "this", {
    name = arg("queue_name", "sqs-base"),
    visibility_timeout_seconds = arg("visibility_timeout_seconds", 15),
    message_retention_seconds = arg("message_retention_seconds", 600),
    delay_seconds = arg("delay_seconds", 0),
    receive_wait_time_seconds = arg("receive_wait_time_seconds", 0),
    tags = tags,
  })

  local sub = resource("aws_sns_topic_subscription", "this", {
    topic_arn = topic.arn,
    protocol = "sqs",
    endpoint = queue.arn,
    raw_message_delivery = arg("raw_message_delivery", false),
  })

  resource("aws_sqs_queue_policy", "this", {
    queue_url = queue.url,
    policy = json{
      Version = "2012-10-17",
      Statement = { {
        Sid = "AllowTopicToSend",
        Effect = "Allow",
        Principal = { Service = "sns.amazonaws.com" },
        Action = "sqs:SendMessage",
        Resource = queue.arn,
        Condition = { ArnEquals = { ["aws:SourceArn"] = topic.arn } },
      } },
    },
  })

  return {
    topic_arn = topic.arn,
    queue_url = queue.url,
    queue_arn = queue.arn,
    subscription_arn = sub.arn,
  }
end
