-- aws_lb_target_group: an ELBv2 target group, as Terraform's.
--
-- name, port, protocol, protocol_version, vpc_id and target_type force a
-- new group; the health_check block (ModifyTargetGroup),
-- deregistration_delay and slow_start (target group attributes) and tags
-- change in place. The id is the ARN. Health check fields left out are
-- AWS's choice and never show as a difference. CreateTargetGroup returns
-- the existing group for the same name and settings, so a retry is safe;
-- the group is tagged with the create's token for recovery. Refresh: one
-- DescribeTargetGroups, one DescribeTags per 20, and
-- DescribeTargetGroupAttributes per group (no batch call exists). The
-- load balancers using the group are not exported: they change when a
-- listener is added, which would read as drift of the group.
local common = require("luaform.providers.aws._common")

local M = {}

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

M.schema = common.tag_schema({
  name = { type = "string", optional = true, computed = true, force_new = true },
  name_prefix = { type = "string", optional = true, force_new = true },
  port = { type = "number", optional = true, force_new = true },
  protocol = { type = "string", optional = true, force_new = true },
  protocol_version = { type = "string", optional = true, computed = true, force_new = true },
  vpc_id = { type = "string", optional = true, force_new = true },
  target_type = { type = "string", optional = true, default = "instance", force_new = true },
  deregistration_delay = { type = "number", optional = true, default = 300 },
  slow_start = { type = "number", optional = true, default = 0 },
  health_check = { type = "list", block = HEALTH, max_items = 1, optional = true, computed = true, equal = same_health },
  arn = { type = "string", computed = true },
  arn_suffix = { type = "string", computed = true },
})

local function arn_suffix(arn) return arn and arn:match(":(targetgroup/.+)$") end

local function attributes(ctx, tg, tags_aws, tg_attrs)
  local tags, all = common.split_tags(ctx, tags_aws)
  local hc = {
    enabled = common.bool(tg.HealthCheckEnabled), healthy_threshold = tg.HealthyThresholdCount,
    unhealthy_threshold = tg.UnhealthyThresholdCount, interval = tg.HealthCheckIntervalSeconds,
    timeout = tg.HealthCheckTimeoutSeconds, path = tg.HealthCheckPath, port = tg.HealthCheckPort,
    protocol = tg.HealthCheckProtocol, matcher = tg.Matcher and tg.Matcher.HttpCode,
  }
  tg_attrs = tg_attrs or {}
  return common.finish(M, {
    id = tg.TargetGroupArn, arn = tg.TargetGroupArn, arn_suffix = arn_suffix(tg.TargetGroupArn),
    name = tg.TargetGroupName, port = tg.Port, protocol = tg.Protocol, protocol_version = tg.ProtocolVersion,
    vpc_id = tg.VpcId, target_type = tg.TargetType, health_check = { hc },
    deregistration_delay = tonumber(tg_attrs["deregistration_delay.timeout_seconds"]),
    slow_start = tonumber(tg_attrs["slow_start.duration_seconds"]),
    tags = tags, tags_all = all,
  })
end

local function health_params(p, hc)
  if not hc then return p end
  p.HealthCheckEnabled = hc.enabled
  p.HealthyThresholdCount = hc.healthy_threshold
  p.UnhealthyThresholdCount = hc.unhealthy_threshold
  p.HealthCheckIntervalSeconds = hc.interval
  p.HealthCheckTimeoutSeconds = hc.timeout
  p.HealthCheckPath = hc.path
  p.HealthCheckPort = hc.port
  p.HealthCheckProtocol = hc.protocol
  if hc.matcher then p.Matcher = { HttpCode = hc.matcher } end
  return p
end

local function tg_attributes(ctx, c, arn)
  local r = common.retry_not_found(ctx, function()
    return common.call(ctx, c, "DescribeTargetGroupAttributes", { TargetGroupArn = arn })
  end)
  local out = {}
  for _, x in ipairs(r.Attributes or {}) do out[x.Key] = x.Value end
  return out
end

local function set_attributes(ctx, c, arn, old, new)
  local list = {}
  if new.deregistration_delay ~= nil and (old == nil or old.deregistration_delay ~= new.deregistration_delay) then
    list[#list + 1] = { Key = "deregistration_delay.timeout_seconds", Value = string.format("%d", new.deregistration_delay) }
  end
  if new.slow_start ~= nil and (old == nil or old.slow_start ~= new.slow_start) then
    list[#list + 1] = { Key = "slow_start.duration_seconds", Value = string.format("%d", new.slow_start) }
  end
  if #list == 0 then return end
  common.retry_not_found(ctx, function()
    return common.call(ctx, c, "ModifyTargetGroupAttributes", { TargetGroupArn = arn, Attributes = list })
  end)
end

local function by_name(c, name)
  local ok, r = pcall(c.DescribeTargetGroups, c, { Names = { name } })
  if not ok then
    if common.code(r) == "TargetGroupNotFound" then return nil end
    error(r, 0)
  end
  return r.TargetGroups[1]
end

function M.create(ctx, args)
  local c = ctx:client("elbv2")
  local name = args.name or ((args.name_prefix or "lf-") .. ctx.token:gsub("%-", "")):sub(1, 32)
  local hc = args.health_check and args.health_check[1]
  local tg = common.create(ctx, {
    call = function(o)
      return common.retry_not_found(ctx, function()
        return c:CreateTargetGroup(health_params({ Name = name, Port = args.port, Protocol = args.protocol,
          ProtocolVersion = args.protocol_version, VpcId = args.vpc_id, TargetType = args.target_type,
          Tags = common.tag_list(common.create_tags(ctx, args.tags)) }, hc), o).TargetGroups[1]
      end)
    end,
    find = function()
      local tg = by_name(c, name)
      return tg and common.elb_with_token(ctx, { tg }, "TargetGroupArn", ctx.token)
    end,
    conflict = function(e) return common.code(e) == "DuplicateTargetGroupName" end,
  })
  local arn = tg.TargetGroupArn
  common.after_create(ctx, arn, function()
    set_attributes(ctx, c, arn, { deregistration_delay = 300, slow_start = 0 }, args)
  end)
  local a = attributes(ctx, tg, common.all_tags(ctx, args.tags), {
    ["deregistration_delay.timeout_seconds"] = args.deregistration_delay,
    ["slow_start.duration_seconds"] = args.slow_start })
  a.name_prefix = args.name_prefix
  return a
end

-- Target groups by ARN; when one is gone, all of them are listed instead.
local function describe_spec(ctx, c)
  return { op = "DescribeTargetGroups", param = "TargetGroupArns", key = "TargetGroups",
    arn = "TargetGroupArn", not_found = { TargetGroupNotFound = true },
    fallback = function() return common.collect(ctx, c, "DescribeTargetGroups", {}, "TargetGroups", true) end }
end

function M.read_batch(ctx, ids, entries)
  local c = ctx:client("elbv2")
  local found, tags = common.elb_batch(ctx, ids, describe_spec(ctx, c))
  local out = {}
  for i, id in ipairs(ids) do
    if found[id] then
      out[id] = attributes(ctx, found[id], tags[id], tg_attributes(ctx, c, id))
      local prior = entries and entries[i] and entries[i].entry.attributes
      out[id].name_prefix = prior and prior.name_prefix
    end
  end
  return out
end

function M.update(ctx, id, old, new)
  local c = ctx:client("elbv2")
  local hc = new.health_check and new.health_check[1]
  if hc and not same_health(old.health_check or {}, new.health_check) then
    common.call(ctx, c, "ModifyTargetGroup", health_params({ TargetGroupArn = id }, hc))
  end
  set_attributes(ctx, c, id, old, new)
  common.update_elb_tags(ctx, id, old.tags_all, new.tags)
  local a = {}
  for k, v in pairs(old) do a[k] = v end
  if hc then
    local merged = {}
    for k, v in pairs((old.health_check or {})[1] or {}) do merged[k] = v end
    for k, v in pairs(hc) do merged[k] = v end
    a.health_check = { merged }
  end
  a.deregistration_delay, a.slow_start = new.deregistration_delay, new.slow_start
  a.tags, a.tags_all = new.tags, common.all_tags(ctx, new.tags)
  return common.finish(M, a)
end

function M.delete(ctx, id)
  local c = ctx:client("elbv2")
  -- in use while the listener that forwards to it is being deleted
  common.delete(ctx, function() return common.call(ctx, c, "DeleteTargetGroup", { TargetGroupArn = id }) end, 120)
end

function M.import(ctx, id)
  local c = ctx:client("elbv2")
  local found = common.elb_describe(ctx, { id }, describe_spec(ctx, c))
  if not found[id] then error("importing aws_lb_target_group: no target group " .. id, 0) end
  return attributes(ctx, found[id], common.elb_tags(ctx, { id })[id], tg_attributes(ctx, c, id))
end

function M.recover(ctx, pending)
  common.settle(ctx, pending)
  local c = ctx:client("elbv2")
  local all = common.collect(ctx, c, "DescribeTargetGroups", {}, "TargetGroups", true)
  local tg, tags = common.elb_with_token(ctx, all, "TargetGroupArn", pending.token)
  return tg and attributes(ctx, tg, tags, tg_attributes(ctx, c, tg.TargetGroupArn))
end

return M
