-- aws._lb_actions: the actions of an aws_lb_listener (its irregular
-- part). default_action is a list of blocks: type = "forward"
-- (target_group_arn, or a forward block with weighted target groups and
-- stickiness), "fixed-response" (fixed_response block) or "redirect"
-- (redirect block). Actions compare on what they do (same_actions), so
-- AWS's expansion of a single-target forward into a ForwardConfig is no
-- difference.
local common = require("luaform.providers.aws._common")

local M = {}

M.ACTION = {
  type = { type = "string", required = true },
  target_group_arn = { type = "string", optional = true },
  order = { type = "number", optional = true },
  forward = { type = "list", max_items = 1, optional = true, block = {
    target_group = { type = "set", optional = true, block = {
      arn = { type = "string", required = true },
      weight = { type = "number", optional = true, default = 1 },
    } },
    stickiness = { type = "list", max_items = 1, optional = true, block = {
      enabled = { type = "bool", optional = true, default = false },
      duration = { type = "number", optional = true },
    } },
  } },
  fixed_response = { type = "list", max_items = 1, optional = true, block = {
    content_type = { type = "string", required = true },
    message_body = { type = "string", optional = true },
    status_code = { type = "string", optional = true },
  } },
  redirect = { type = "list", max_items = 1, optional = true, block = {
    host = { type = "string", optional = true, default = "#{host}" },
    path = { type = "string", optional = true, default = "/#{path}" },
    port = { type = "string", optional = true, default = "#{port}" },
    protocol = { type = "string", optional = true, default = "#{protocol}" },
    query = { type = "string", optional = true, default = "#{query}" },
    status_code = { type = "string", required = true },
  } },
}

local function first(v) return type(v) == "table" and (v[1] or (next(v) and v)) or nil end

-- An action as the API takes it.
function M.to_api(a, i)
  local out = { Type = a.type, Order = a.order or i }
  if a.type == "forward" then
    local f = first(a.forward)
    if f and f.target_group and #f.target_group > 0 then
      local tgs = {}
      for _, t in ipairs(f.target_group) do tgs[#tgs + 1] = { TargetGroupArn = t.arn, Weight = t.weight or 1 } end
      out.ForwardConfig = { TargetGroups = tgs }
      local s = first(f.stickiness)
      if s then
        out.ForwardConfig.TargetGroupStickinessConfig = { Enabled = s.enabled == true, DurationSeconds = s.duration }
      end
    else
      out.TargetGroupArn = a.target_group_arn
    end
  elseif a.type == "fixed-response" then
    local f = first(a.fixed_response) or {}
    out.FixedResponseConfig = { ContentType = f.content_type, MessageBody = f.message_body, StatusCode = f.status_code }
  elseif a.type == "redirect" then
    local r = first(a.redirect) or {}
    out.RedirectConfig = { Host = r.host, Path = r.path, Port = r.port, Protocol = r.protocol,
      Query = r.query, StatusCode = r.status_code }
  end
  return out
end

-- An API action as a block.
function M.from_api(x)
  local a = { type = x.Type, order = x.Order }
  if x.Type == "forward" then
    local tgs = x.ForwardConfig and x.ForwardConfig.TargetGroups or {}
    if x.TargetGroupArn or #tgs == 1 then
      a.target_group_arn = x.TargetGroupArn or tgs[1].TargetGroupArn
    else
      local list = {}
      for _, t in ipairs(tgs) do list[#list + 1] = { arn = t.TargetGroupArn, weight = t.Weight } end
      local st = x.ForwardConfig.TargetGroupStickinessConfig
      a.forward = { { target_group = list,
        stickiness = st and { { enabled = common.bool(st.Enabled) == true, duration = st.DurationSeconds } } or nil } }
    end
  elseif x.Type == "fixed-response" then
    local f = x.FixedResponseConfig or {}
    a.fixed_response = { { content_type = f.ContentType, message_body = f.MessageBody, status_code = f.StatusCode } }
  elseif x.Type == "redirect" then
    local r = x.RedirectConfig or {}
    a.redirect = { { host = r.Host, path = r.Path, port = r.Port, protocol = r.Protocol, query = r.Query,
      status_code = r.StatusCode } }
  end
  return a
end

-- What an action does, as a string: forwards compare on their target
-- groups and weights, whichever form they were written in.
local function canonical(a, i)
  if type(a) ~= "table" then return "?" end
  local api = M.to_api(a, i)
  local parts = { tostring(api.Type), tostring(math.tointeger(tonumber(api.Order)) or api.Order) }
  if api.Type == "forward" then
    local tgs = api.ForwardConfig and api.ForwardConfig.TargetGroups
      or { { TargetGroupArn = api.TargetGroupArn, Weight = 1 } }
    local list = {}
    for _, t in ipairs(tgs) do
      if type(t.TargetGroupArn) ~= "string" then return "?" end
      list[#list + 1] = t.TargetGroupArn .. "=" .. tostring(math.tointeger(tonumber(t.Weight) or 1))
    end
    table.sort(list)
    parts[#parts + 1] = table.concat(list, ",")
    local st = api.ForwardConfig and api.ForwardConfig.TargetGroupStickinessConfig
    if st and st.Enabled then parts[#parts + 1] = "sticky=" .. tostring(st.DurationSeconds) end
  else
    local cfg = api.FixedResponseConfig or api.RedirectConfig or {}
    local keys = {}
    for k in pairs(cfg) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do
      if type(cfg[k]) == "table" then return "?" end
      parts[#parts + 1] = k .. "=" .. tostring(cfg[k])
    end
  end
  return table.concat(parts, "|")
end

function M.same_actions(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do
    local x, y = canonical(a[i], i), canonical(b[i], i)
    if x == "?" or x ~= y then return false end
  end
  return true
end

-- The actions of a list as the API takes them, and back (sorted by order).
function M.to_api_list(list)
  local out = {}
  for i, a in ipairs(list or {}) do out[i] = M.to_api(a, i) end
  return out
end

function M.from_api_list(list)
  local out = {}
  for _, x in ipairs(list or {}) do out[#out + 1] = M.from_api(x) end
  table.sort(out, function(a, b) return (a.order or 0) < (b.order or 0) end)
  return out
end

return M
