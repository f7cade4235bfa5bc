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
-- raw_message_delivery (false), tags ({}); off unless given:
-- dead_letter_queue (true: a "<queue_name>-dlq" queue receives what failed
-- max_receive_count (5) times, through the queue's redrive_policy),
-- schedule_expression and/or event_pattern (an EventBridge rule
-- "<topic_name>-rule" publishing to the topic, with a topic policy that
-- lets EventBridge publish and the account manage the topic).
-- Returns topic_arn, queue_url, queue_arn, subscription_arn, dlq_arn and
-- rule_arn (null when off).
-- The interface is checked at the call (luaform.interface); a misuse is
-- reported at the caller's module() line.
local core = require("luaform.core")
local valid = require("luaform.interface").valid

local function seconds(min, max) return { type = "number", validation = valid.whole(min, max) } end

local INPUTS = {
  -- standard (not FIFO) topic and queue names
  topic_name = { type = "string", validation = valid.text("^[%w_%-]+$", 256, "1-256 letters, digits, hyphens or underscores") },
  queue_name = { type = "string", validation = valid.text("^[%w_%-]+$", 80, "1-80 letters, digits, hyphens or underscores") },
  visibility_timeout_seconds = seconds(0, 43200),
  message_retention_seconds = seconds(60, 1209600),
  delay_seconds = seconds(0, 900),
  receive_wait_time_seconds = seconds(0, 20),
  raw_message_delivery = { type = "bool" },
  tags = { type = "map(string)" },
  dead_letter_queue = { type = "bool" },
  max_receive_count = { type = "number", validation = valid.whole(1, 1000) },
  schedule_expression = { type = "string", validation = valid.text("^%l+%(.+%)$", nil, "rate(...) or cron(...)") },
  event_pattern = { type = "any", description = "an EventBridge event pattern (a document)" },
}

local OUTPUTS = { topic_arn = {}, queue_url = {}, queue_arn = {}, subscription_arn = {}, dlq_arn = {}, rule_arn = {} }

local function body(args)
  local function arg(name, default)
    if args[name] == nil then return default end
    return args[name]
  end
  local tags = arg("tags", nil)

  local topic = resource("aws_sns_topic", "this", {
    name = arg("topic_name", "topic-base"),
    tags = tags,
  })

  local dlq = nil
  if arg("dead_letter_queue", false) then
    dlq = resource("aws_sqs_queue", "dlq", { name = arg("queue_name", "sqs-base") .. "-dlq",
      message_retention_seconds = 1209600, tags = tags })
  end
  local queue = resource("aws_sqs_queue", "this", {
    name = arg("queue_name", "sqs-base"),
    visibility_timeout_seconds = arg("visibility_timeout_seconds", 15),
    message_retention_seconds = arg("message_retention_seconds", 600),
    delay_seconds = arg("delay_seconds", 0),
    receive_wait_time_seconds = arg("receive_wait_time_seconds", 0),
    redrive_policy = dlq and json{ deadLetterTargetArn = dlq.arn, maxReceiveCount = arg("max_receive_count", 5) }
      or nil,
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

  local rule = nil
  if args.schedule_expression or args.event_pattern then
    rule = resource("aws_cloudwatch_event_rule", "this", { name = arg("topic_name", "topic-base") .. "-rule",
      schedule_expression = args.schedule_expression, event_pattern = args.event_pattern, tags = tags })
    resource("aws_cloudwatch_event_target", "this", { rule = rule.name, target_id = "topic", arn = topic.arn })
    resource("aws_sns_topic_policy", "this", { arn = topic.arn, policy = json{
      Version = "2012-10-17",
      Statement = {
        { Sid = "AllowEventBridgeToPublish", Effect = "Allow", Principal = { Service = "events.amazonaws.com" },
          Action = "sns:Publish", Resource = topic.arn },
        { Sid = "AllowOwner", Effect = "Allow", Principal = { AWS = "*" },
          Action = { "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:Subscribe", "SNS:Publish",
            "SNS:DeleteTopic", "SNS:ListSubscriptionsByTopic" },
          Resource = topic.arn, Condition = { StringEquals = { ["AWS:SourceOwner"] = topic.owner } } },
      } } })
  end
  -- declared outputs are returned even when off (null)
  return {
    topic_arn = topic.arn,
    queue_url = queue.url,
    queue_arn = queue.arn,
    subscription_arn = sub.arn,
    dlq_arn = dlq and dlq.arn or core.null,
    rule_arn = rule and rule.arn or core.null,
  }
end

return { inputs = INPUTS, outputs = OUTPUTS, body = body }
