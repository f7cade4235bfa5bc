-- aws_cloudwatch_event_rule: an EventBridge rule on the default event bus
-- (a schedule, an event pattern, or both), as Terraform's AWS provider has
-- it; declared for aws._resource through aws._put_whole (PutRule creates
-- and replaces the rule whole; tags change by TagResource).
--
-- The id is the rule name. event_pattern compares as a JSON document. A
-- refresh pages ListRules (100 rules a call) instead of one DescribeRule
-- per rule. state is ENABLED or DISABLED (is_enabled, Terraform's older
-- form, is not offered).
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local whole = require("luaform.providers.aws._put_whole")
local json = require("luaform.providers.aws._json")

local function params(a)
  return { Name = a.name, ScheduleExpression = a.schedule_expression,
    EventPattern = a.event_pattern and json.text(a.event_pattern) or nil, State = a.state,
    Description = a.description, RoleArn = a.role_arn }
end

return resource.define(whole.declare({
  service = "events", description = "An EventBridge rule: a schedule or an event pattern.",
  identity = "Name", id = "Name",
  fields = {
    name = { type = "string", required = true, force_new = true, wire = "Name",
      description = "The rule's name (also its id)." },
    schedule_expression = { type = "string", optional = true, wire = "ScheduleExpression",
      description = "rate(...) or cron(...)." },
    event_pattern = { type = "json", optional = true, wire = "EventPattern", equal = json.document_equal,
      description = "The event pattern (JSON text or a Lua table)." },
    state = { type = "string", optional = true, default = "ENABLED", wire = "State" },
    description = { type = "string", optional = true, wire = "Description" },
    role_arn = { type = "string", optional = true, wire = "RoleArn" },
    event_bus_name = { type = "string", optional = true, default = "default", force_new = true,
      wire = "EventBusName" },
    arn = { type = "string", computed = true, wire = "Arn" },
  },
  create = { op = "PutRule", idempotent = true,
    result = function(_, args) return { Name = args.name } end,
    after = function() end },   -- PutRule answers only the ARN: read the rule back
  read = { op = "DescribeRule" },
  read_many = function(ctx, names)
    local want, found = {}, {}
    for _, n in ipairs(names) do want[n] = true end
    for _, r in ipairs(ctx:client("events"):collect("ListRules", { Limit = 100 })) do
      if want[r.Name] then found[r.Name] = r end
    end
    return found
  end,
  not_found = { "ResourceNotFoundException" },
  delete = { op = "DeleteRule" },
  tags = tags.api{ create = "Tags", form = "list", by = "arn", param = "ResourceARN",
    read = { op = "ListTagsForResource", result = "Tags" },
    tag = { op = "TagResource", member = "Tags" }, untag = { op = "UntagResource", member = "TagKeys" } },
}, params))
