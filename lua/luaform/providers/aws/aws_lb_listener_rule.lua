-- aws_lb_listener_rule: a rule of an ELBv2 listener (host, path, header,
-- method, query string and source address conditions; forward with
-- weights, redirect or fixed-response actions), as Terraform's AWS
-- provider has it; declared for aws._resource (contract v2), its actions
-- converted by aws._lb_actions.
--
-- The id is the rule's ARN. listener_arn forces a new rule; action and
-- condition change in place in one ModifyRule, priority with
-- SetRulePriorities. Without priority the rule takes the listener's
-- highest priority plus one. CreateRule has no token: a re-sent create
-- meets PriorityInUse and the rule with the create's token tag is ours.
-- Refresh: DescribeRules of 20 ARNs a call, DescribeTags of 20.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local elbv2 = require("luaform.providers.aws._elbv2")
local actions = require("luaform.providers.aws._lb_actions")

local VALUES = { type = "list", max_items = 1, optional = true, block = {
  values = { type = "set", elem = "string", required = true } } }

local CONDITION = {
  host_header = VALUES, path_pattern = VALUES, http_request_method = VALUES, source_ip = VALUES,
  http_header = { type = "list", max_items = 1, optional = true, block = {
    http_header_name = { type = "string", required = true },
    values = { type = "set", elem = "string", required = true } } },
  query_string = { type = "set", optional = true, block = {
    key = { type = "string", optional = true }, value = { type = "string", required = true } } },
}

-- condition block key -> (API Field, API config member)
local FIELDS = { host_header = { "host-header", "HostHeaderConfig" }, path_pattern = { "path-pattern", "PathPatternConfig" },
  http_request_method = { "http-request-method", "HttpRequestMethodConfig" }, source_ip = { "source-ip", "SourceIpConfig" },
  http_header = { "http-header", "HttpHeaderConfig" }, query_string = { "query-string", "QueryStringConfig" } }

local function sorted(list)
  local out = {}
  for i, v in ipairs(list or {}) do out[i] = v end
  table.sort(out)
  return out
end

local function conditions_to_api(list)
  local out = {}
  for _, cond in ipairs(list or {}) do
    for key, spec in pairs(FIELDS) do
      local v = cond[key]
      if v and #v > 0 then
        local api = { Field = spec[1] }
        if key == "query_string" then
          local pairs_ = {}
          for _, q in ipairs(v) do pairs_[#pairs_ + 1] = { Key = q.key, Value = q.value } end
          api[spec[2]] = { Values = pairs_ }
        elseif key == "http_header" then
          api[spec[2]] = { HttpHeaderName = v[1].http_header_name, Values = sorted(v[1].values) }
        else
          api[spec[2]] = { Values = sorted(v[1].values) }
        end
        out[#out + 1] = api
      end
    end
  end
  return out
end

local function conditions_from_api(list)
  local out = {}
  for _, api in ipairs(list or {}) do
    for key, spec in pairs(FIELDS) do
      if api.Field == spec[1] then
        local cfg = api[spec[2]] or {}
        local cond = {}
        if key == "query_string" then
          local qs = {}
          for _, q in ipairs(cfg.Values or {}) do qs[#qs + 1] = { key = q.Key, value = q.Value } end
          cond.query_string = qs
        elseif key == "http_header" then
          cond.http_header = { { http_header_name = cfg.HttpHeaderName, values = sorted(cfg.Values) } }
        else
          cond[key] = { { values = sorted(cfg.Values or api.Values) } }
        end
        out[#out + 1] = cond
      end
    end
  end
  return out
end

-- Conditions compare as what they match, in any order.
local function same_conditions(a, b)
  local function key(list)
    local parts = {}
    for _, c in ipairs(conditions_to_api(list)) do parts[#parts + 1] = require("luaform.core").json_encode(c) end
    table.sort(parts)
    return table.concat(parts, "\n")
  end
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  return key(a) == key(b)
end

local function modify(spec)
  spec.set, spec.group = "ModifyRule", true
  return spec
end

return resource.define{
  service = "elbv2", description = "A rule of an ELBv2 listener.",
  identity = "RuleArn", id = "RuleArn",
  fields = {
    listener_arn = { type = "string", required = true, force_new = true, input = "ListenerArn",
      from_wire = function(_, obj, prior) return prior or (obj.RuleArn and obj.RuleArn:gsub(":listener%-rule/", ":listener/"):gsub("/[^/]+$", "")) end,
      description = "The listener's ARN." },
    priority = { type = "number", optional = true, computed = true, wire = "Priority", description = "1-50000; lower first.",
      set = function(_, c, id, value, ch)
        c:SetRulePriorities({ RulePriorities = { { RuleArn = id, Priority = value } } }, ch.opts)
      end },
    action = modify{ type = "list", block = actions.ACTION, required = true, equal = actions.same_actions,
      wire = "Actions", from_wire = actions.from_api_list, to_wire = actions.to_api_list,
      description = "What the rule does (as aws_lb_listener's default_action)." },
    condition = modify{ type = "set", block = CONDITION, required = true, equal = same_conditions,
      wire = "Conditions", from_wire = conditions_from_api, to_wire = conditions_to_api,
      description = "What requests the rule matches." },
    arn = { type = "string", computed = true, wire = "RuleArn", description = "The rule's ARN (also its id)." },
  },
  create = { op = "CreateRule", result = "Rules.1", exists = { "PriorityInUse" },
    retry_codes = { "TargetGroupNotFound" },
    params = function(ctx, args, params)
      if params.Priority == nil then
        local top = 0
        for _, r in ipairs(ctx:client("elbv2"):collect("DescribeRules", { ListenerArn = args.listener_arn })) do
          top = math.max(top, tonumber(r.Priority) or 0)
        end
        params.Priority = top + 1
      end
    end },
  read_many = { op = "DescribeRules", ids = "RuleArns", chunk = 20 },
  find = function(ctx, args, token)
    if not args.listener_arn then return nil end
    local c = ctx:client("elbv2")
    local ok, list = pcall(c.collect, c, "DescribeRules", { ListenerArn = args.listener_arn })
    if not ok then return nil end
    local mine = {}
    for _, r in ipairs(list) do if not r.IsDefault then mine[#mine + 1] = r end end
    return elbv2.with_token(ctx, c, mine, "RuleArn", token)
  end,
  not_found = { "RuleNotFound" },
  not_visible = { "RuleNotFound" },
  delete = { op = "DeleteRule" },
  tags = tags.elbv2(),
}
