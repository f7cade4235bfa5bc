-- aws_lb_target_group: an ELBv2 target group, as Terraform's; declared for
-- aws._resource.
--
-- name, port, protocol, protocol_version, vpc_id and target_type force a
-- new group; the health_check block (ModifyTargetGroup),
-- deregistration_delay and slow_start (target group attributes) and tags
-- change in place. The id is the ARN. Health check fields left out are
-- AWS's choice and never show as a difference. The load balancers using
-- the group are not exported: they change when a listener is added, which
-- would read as drift of the group.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local elbv2 = require("luaform.providers.aws._elbv2")
local common = require("luaform.providers.aws._common")
local wire = require("luaform.providers.aws._wire")

-- health_check field -> the group's member
local HEALTH_MEMBERS = {
  enabled = "HealthCheckEnabled", healthy_threshold = "HealthyThresholdCount",
  unhealthy_threshold = "UnhealthyThresholdCount", interval = "HealthCheckIntervalSeconds",
  timeout = "HealthCheckTimeoutSeconds", path = "HealthCheckPath", port = "HealthCheckPort",
  protocol = "HealthCheckProtocol", matcher = "Matcher.HttpCode",
}

local HEALTH = {
  enabled = { type = "bool", optional = true, default = true },
  healthy_threshold = { type = "number", optional = true, default = 3 },
  unhealthy_threshold = { type = "number", optional = true, default = 3 },
  interval = { type = "number", optional = true, default = 30 },
  timeout = { type = "number", optional = true },
  path = { type = "string", optional = true },
  port = { type = "string", optional = true, default = "traffic-port" },
  protocol = { type = "string", optional = true },
  matcher = { type = "string", optional = true },
}
for k, f in pairs(HEALTH) do f.wire = HEALTH_MEMBERS[k] end

-- Health checks compare on the fields both sides have (a field the user
-- left out is whatever AWS chose).
local function same_health(a, b)
  a, b = a[1] or a, b[1] or b
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  for k in pairs(HEALTH) do
    local x, y = a[k], b[k]
    if x ~= nil and y ~= nil and tostring(x) ~= tostring(y) then return false end
  end
  return true
end

return resource.define{
  service = "elbv2", description = "An ELBv2 target group.",
  identity = "TargetGroupArn", id = "TargetGroupArn",
  attributes = elbv2.attributes("TargetGroup", "TargetGroupArn", "TargetGroupArn"),
  fields = {
    name = { type = "string", optional = true, computed = true, force_new = true, wire = "TargetGroupName",
      input = "Name" },
    name_prefix = { type = "string", optional = true, force_new = true, keep = true },
    port = { type = "number", optional = true, force_new = true, wire = "Port" },
    protocol = { type = "string", optional = true, force_new = true, wire = "Protocol" },
    protocol_version = { type = "string", optional = true, computed = true, force_new = true,
      wire = "ProtocolVersion" },
    vpc_id = { type = "string", optional = true, force_new = true, wire = "VpcId" },
    target_type = { type = "string", optional = true, default = "instance", force_new = true, wire = "TargetType" },
    deregistration_delay = { type = "number", optional = true, default = 300,
      attribute = "deregistration_delay.timeout_seconds" },
    slow_start = { type = "number", optional = true, default = 0, attribute = "slow_start.duration_seconds" },
    health_check = { type = "list", block = HEALTH, max_items = 1, optional = true, computed = true,
      equal = same_health, set = "ModifyTargetGroup",
      from_wire = function(_, tg)
        local hc = {}
        for k, f in pairs(HEALTH) do hc[k] = wire.get(tg, f.wire) end
        hc.enabled = common.bool(tg.HealthCheckEnabled)
        return { hc }
      end,
      to_params = function(p, v)
        local hc = v and v[1]
        if not hc then return end
        for k, f in pairs(HEALTH) do
          if hc[k] ~= nil then wire.put(p, f.wire, hc[k]) end
        end
      end },
    arn = { type = "string", computed = true, wire = "TargetGroupArn" },
    arn_suffix = { type = "string", computed = true, wire = "TargetGroupArn",
      from_wire = function(v) return v and v:match(":(targetgroup/.+)$") end },
  },
  create = { op = "CreateTargetGroup", result = "TargetGroups.1", exists = { "DuplicateTargetGroupName" },
    params = function(ctx, args, params) params.Name = elbv2.name(ctx, args, "lf-") end },
  read_many = { op = "DescribeTargetGroups", ids = "TargetGroupArns", chunk = 20,
    fallback = function(_, c) return c:collect("DescribeTargetGroups", {}) end },
  find = elbv2.find("DescribeTargetGroups", "TargetGroupArn"),
  not_visible = { "TargetGroupNotFound" },
  -- in use while the listener that forwards to it is being deleted
  delete = { op = "DeleteTargetGroup", seconds = 120 },
  tags = tags.elbv2(),
}
