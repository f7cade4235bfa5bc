-- aws_scheduler_schedule: an EventBridge Scheduler schedule (a cron, rate
-- or one-time expression invoking a target: an ECS task, an SQS queue, a
-- universal target, ...), as Terraform's AWS provider has it; declared for
-- aws._resource through aws._put_whole, as UpdateSchedule replaces the
-- schedule whole (what it leaves out is reset).
--
-- The id is "GROUP/NAME" (also the import id; name_prefix is read back from
-- a name made from it, as Terraform). name, name_prefix and
-- group_name force a new schedule; the rest changes in place. CreateSchedule
-- carries the token as its ClientToken, so a re-send answers the same
-- schedule. Dates are RFC 3339 UTC text ("2030-01-01T01:00:00Z"). A target's
-- retry_policy left out means AWS's default (185 attempts over 86400 s).
-- A refresh asks GetSchedule per schedule: ListSchedules answers only a
-- summary (no target, window or dates).
local resource = require("luaform.providers.aws._resource")
local whole = require("luaform.providers.aws._put_whole")
local wire = require("luaform.providers.aws._wire")
local ecs_task_target = require("luaform.providers.aws._ecs_task_target")
local iam = require("luaform.providers.aws._iam")
local core = require("luaform.core")
local values = require("luaform.values")

local function split(id) return id:match("^(.-)/([^/]+)$") end

local function date(member)
  return { type = "string", optional = true, wire = member,
    description = "RFC 3339 UTC time, e.g. 2030-01-01T01:00:00Z.",
    validate = function(v)
      if not core.parse_iso8601(tostring(v)) then return "expected a UTC time like 2030-01-01T01:00:00Z" end
    end,
    from_wire = function(v) return v and core.iso8601(v) or nil end,
    to_wire = function(v) return core.parse_iso8601(v) end }
end

local RETRY_AGE, RETRY_ATTEMPTS = 86400, 185

-- A target with its retry_policy as read: AWS's defaults (written out or
-- left to AWS) as unset.
local function bare_retry(t)
  t = values.copy(t)
  local b = type(t) == "table" and type(t[1]) == "table" and t[1] or nil
  local r = b and type(b.retry_policy) == "table" and b.retry_policy[1] or nil
  if r and (tonumber(r.maximum_event_age_in_seconds) or RETRY_AGE) == RETRY_AGE
    and (tonumber(r.maximum_retry_attempts) or RETRY_ATTEMPTS) == RETRY_ATTEMPTS then
    b.retry_policy = nil
  end
  return t
end

local fields = {
  name = { type = "string", optional = true, computed = true, force_new = true, wire = "Name",
    description = "Default: name_prefix (or terraform-) and a unique suffix." },
  name_prefix = { type = "string", optional = true, force_new = true, keep = true },
  group_name = { type = "string", optional = true, default = "default", force_new = true, wire = "GroupName" },
  schedule_expression = { type = "string", required = true, wire = "ScheduleExpression",
    description = "at(...), rate(...) or cron(...)." },
  schedule_expression_timezone = { type = "string", optional = true, default = "UTC",
    wire = "ScheduleExpressionTimezone" },
  description = { type = "string", optional = true, wire = "Description" },
  state = { type = "string", optional = true, default = "ENABLED", wire = "State", description = "ENABLED or DISABLED." },
  start_date = date("StartDate"),
  end_date = date("EndDate"),
  kms_key_arn = { type = "string", optional = true, wire = "KmsKeyArn" },
  flexible_time_window = { type = "list", max_items = 1, required = true, wire = "FlexibleTimeWindow",
    block = { mode = { type = "string", required = true, wire = "Mode", description = "OFF or FLEXIBLE." },
              maximum_window_in_minutes = { type = "number", optional = true, wire = "MaximumWindowInMinutes" } } },
  target = { type = "list", max_items = 1, required = true, wire = "Target",
    equal = function(a, b) return values.equal(nil, bare_retry(a), bare_retry(b)) end, block = {
    arn = { type = "string", required = true, wire = "Arn", description = "What the schedule invokes." },
    role_arn = { type = "string", required = true, wire = "RoleArn" },
    input = { type = "string", optional = true, wire = "Input" },
    dead_letter_config = { type = "list", max_items = 1, optional = true, wire = "DeadLetterConfig",
      block = { arn = { type = "string", required = true, wire = "Arn" } } },
    retry_policy = { type = "list", max_items = 1, optional = true, wire = "RetryPolicy",
      from_wire = function(v)
        if type(v) ~= "table" then return nil end
        local age, tries = v.MaximumEventAgeInSeconds or RETRY_AGE, v.MaximumRetryAttempts or RETRY_ATTEMPTS
        if age == RETRY_AGE and tries == RETRY_ATTEMPTS then return nil end
        return { { maximum_event_age_in_seconds = age, maximum_retry_attempts = tries } }
      end,
      block = { maximum_event_age_in_seconds = { type = "number", optional = true, default = RETRY_AGE,
                  wire = "MaximumEventAgeInSeconds" },
                maximum_retry_attempts = { type = "number", optional = true, default = RETRY_ATTEMPTS,
                  wire = "MaximumRetryAttempts" } } },
    ecs_parameters = ecs_task_target("set", {
      reference_id = { type = "string", optional = true, wire = "ReferenceId" },
      capacity_provider_strategy = { type = "list", optional = true, wire = "CapacityProviderStrategy",
        block = { capacity_provider = { type = "string", required = true, wire = "capacityProvider" },
                  base = { type = "number", optional = true, default = 0, wire = "base" },
                  weight = { type = "number", optional = true, default = 0, wire = "weight" } } },
    }),
    sqs_parameters = { type = "list", max_items = 1, optional = true, wire = "SqsParameters",
      block = { message_group_id = { type = "string", optional = true, wire = "MessageGroupId" } } },
    eventbridge_parameters = { type = "list", max_items = 1, optional = true, wire = "EventBridgeParameters",
      block = { detail_type = { type = "string", required = true, wire = "DetailType" },
                source = { type = "string", required = true, wire = "Source" } } },
    kinesis_parameters = { type = "list", max_items = 1, optional = true, wire = "KinesisParameters",
      block = { partition_key = { type = "string", required = true, wire = "PartitionKey" } } },
  } },
  arn = { type = "string", computed = true, wire = "Arn" },
}

-- The whole schedule, as CreateSchedule and UpdateSchedule take it.
local function params(a)
  local p = {}
  for k, f in pairs(fields) do
    if (f.required or f.optional) and not f.keep and a[k] ~= nil then wire.put(p, f.wire, wire.send(f, a[k], a)) end
  end
  return p
end

local M
M = resource.define(whole.declare({
  service = "scheduler", description = "An EventBridge Scheduler schedule invoking a target.",
  id = function(s) return s.GroupName .. "/" .. s.Name end,
  fields = fields,
  create = { op = "CreateSchedule", token = "ClientToken", read_back = true,
    params = function(ctx, args, p) p.Name = iam.name(args, ctx.token) end,
    result = function(_, _, p) return { GroupName = p.GroupName or "default", Name = p.Name } end },
  read = { op = "GetSchedule", params = function(id)
    local group, name = split(id)
    return { GroupName = group, Name = name }
  end },
  find = function(ctx, args, token)
    return M.read_object(ctx, (args.group_name or "default") .. "/" .. iam.name(args, token))
  end,
  adjust = function(_, out, _, prior)   -- an import: name_prefix from the name
    if prior.name == nil and out.name_prefix == nil then out.name_prefix = iam.prefix_of(out.name) end
  end,
  not_found = { "ResourceNotFoundException" },
  delete = { op = "DeleteSchedule", params = function(id)
    local group, name = split(id)
    return { GroupName = group, Name = name }
  end },
}, params, function(c, id, a, opts)
  local p = params(a)
  p.GroupName, p.Name = split(id)
  return c:UpdateSchedule(p, opts)
end))

return M
