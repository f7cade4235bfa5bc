-- aws_cloudwatch_event_target: one target of an EventBridge rule (an SNS
-- topic, an SQS queue, an ECS task with its network configuration, ...),
-- as Terraform's AWS provider has it; declared for aws._resource through
-- aws._put_whole (PutTargets creates and replaces the target whole).
--
-- The id is "RULE/TARGET_ID" (also the import id). PutTargets reports a
-- refused target in FailedEntries, not as an error: it is raised as one.
-- A refresh lists each rule's targets once (ListTargetsByRule), whatever
-- the number of targets of that rule in the state.
local resource = require("luaform.providers.aws._resource")
local whole = require("luaform.providers.aws._put_whole")
local wire = require("luaform.providers.aws._wire")
local ecs_task_target = require("luaform.providers.aws._ecs_task_target")

local function split(id) return id:match("^(.-)/([^/]+)$") end

local fields = {
  rule = { type = "string", required = true, force_new = true, wire = "Rule" },
  target_id = { type = "string", required = true, force_new = true, wire = "Id" },
  arn = { type = "string", required = true, wire = "Arn", description = "What the rule invokes." },
  event_bus_name = { type = "string", optional = true, default = "default", force_new = true, keep = true },
  role_arn = { type = "string", optional = true, wire = "RoleArn" },
  input = { type = "json", optional = true, wire = "Input", description = "A constant JSON input." },
  input_path = { type = "string", optional = true, wire = "InputPath" },
  input_transformer = { type = "list", max_items = 1, optional = true, wire = "InputTransformer",
    block = { input_paths = { type = "map", elem = "string", optional = true, wire = "InputPathsMap" },
              input_template = { type = "string", required = true, wire = "InputTemplate" } } },
  ecs_target = ecs_task_target("list"),
  sqs_target = { type = "list", max_items = 1, optional = true, wire = "SqsParameters",
    block = { message_group_id = { type = "string", optional = true, wire = "MessageGroupId" } } },
  dead_letter_config = { type = "list", max_items = 1, optional = true, wire = "DeadLetterConfig",
    block = { arn = { type = "string", optional = true, wire = "Arn" } } },
  retry_policy = { type = "list", max_items = 1, optional = true, wire = "RetryPolicy",
    block = { maximum_event_age_in_seconds = { type = "number", optional = true, wire = "MaximumEventAgeInSeconds" },
              maximum_retry_attempts = { type = "number", optional = true, wire = "MaximumRetryAttempts" } } },
}

local function params(a)
  local t = { Id = a.target_id, Arn = a.arn, RoleArn = a.role_arn, InputPath = a.input_path,
    Input = a.input and wire.send(fields.input, a.input) or nil }
  for _, k in ipairs({ "input_transformer", "ecs_target", "sqs_target", "dead_letter_config", "retry_policy" }) do
    local v = wire.send(fields[k], a[k], a)
    if v then wire.put(t, fields[k].wire, v) end
  end
  return { Rule = a.rule, Targets = { t } }
end

-- {rule = {target id = target}} of the rules named in ids.
local function targets_of(ctx, ids)
  local c, by_rule = ctx:client("events"), {}
  for _, id in ipairs(ids) do
    local rule = split(id)
    if rule and not by_rule[rule] then
      local ok, list = pcall(c.collect, c, "ListTargetsByRule", { Rule = rule, Limit = 100 })
      by_rule[rule] = {}
      if ok then
        for _, t in ipairs(list) do by_rule[rule][t.Id] = t end
      elseif not (type(list) == "table" and list.code == "ResourceNotFoundException") then
        error(list, 0)
      end
    end
  end
  return by_rule
end

local M
M = resource.define(whole.declare({
  service = "events", description = "A target of an EventBridge rule (SNS, SQS, an ECS task, ...).",
  id = function(t) return t.Rule .. "/" .. t.Id end,
  fields = fields,
  create = { op = "PutTargets", idempotent = true,
    result = function(out, args)   -- a refused target is in FailedEntries, not an error
      local f = (out.FailedEntries or {})[1]
      if f then error({ code = f.ErrorCode, message = f.ErrorMessage }, 0) end
      return { Rule = args.rule, Id = args.target_id }
    end,
    after = function() end },
  read_many = function(ctx, ids)
    local by_rule, found = targets_of(ctx, ids), {}
    for _, id in ipairs(ids) do
      local rule, tid = split(id)
      local t = rule and by_rule[rule][tid]
      if t then t.Rule = rule; found[id] = t end
    end
    return found
  end,
  find = function(ctx, args)
    return M.describe(ctx, { args.rule .. "/" .. args.target_id })[args.rule .. "/" .. args.target_id]
  end,
  not_found = { "ResourceNotFoundException" },
  delete = { op = "RemoveTargets",
    params = function(id) local rule, tid = split(id); return { Rule = rule, Ids = { tid } } end },
}, params))

return M
