-- aws_lb_listener: an ELBv2 listener, as Terraform's aws_lb_listener.
--
-- load_balancer_arn forces a new listener; port, protocol, ssl_policy,
-- certificate_arn and default_action change in place (ModifyListener).
-- default_action is a list of blocks: type = "forward" (target_group_arn,
-- or a forward block with weighted target groups and stickiness),
-- "fixed-response" (fixed_response block) or "redirect" (redirect block).
-- Actions compare on what they do, so AWS's expansion of a single-target
-- forward into a ForwardConfig is no difference. A create whose answer
-- was lost meets DuplicateListener on retry and finds its listener by port
-- and luaform:token tag. Refresh: one DescribeListeners and one
-- DescribeTags (per 20).
local common = require("luaform.providers.aws._common")

local M = {}

local ACTION = {
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
local function to_api(a, i)
  local out = { Type = a.type, Order = a.order or i }
  if a.type == "forward" then
    local f = first(a.forward)
    if f and f.target_group and #f.target_group > 0 then
      local tgs = {}
      for _, t in ipairs(f.target_group) do tgs[#tgs + 1] = { TargetGroupArn = t.arn, Weight = t.weight or 1 } end
      out.ForwardConfig = { TargetGroups = tgs }
      local s = first(f.stickiness)
      if s then out.ForwardConfig.TargetGroupStickinessConfig = { Enabled = s.enabled == true, DurationSeconds = s.duration } end
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
local function from_api(x)
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
  local api = to_api(a, i)
  local parts = { tostring(api.Type), tostring(math.tointeger(tonumber(api.Order)) or api.Order) }
  if api.Type == "forward" then
    local tgs = api.ForwardConfig and api.ForwardConfig.TargetGroups or { { TargetGroupArn = api.TargetGroupArn, Weight = 1 } }
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

local function same_actions(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do
    local x, y = canonical(a[i], i), canonical(b[i], i)
    if x == "?" or x ~= y then return false end
  end
  return true
end

M.schema = common.tag_schema({
  load_balancer_arn = { type = "string", required = true, force_new = true },
  port = { type = "number", optional = true },
  protocol = { type = "string", optional = true, computed = true },
  ssl_policy = { type = "string", optional = true, computed = true },
  certificate_arn = { type = "string", optional = true },
  default_action = { type = "list", block = ACTION, required = true, equal = same_actions },
  arn = { type = "string", computed = true },
})

local function attributes(ctx, ls, tags_aws)
  local tags, all = common.split_tags(ctx, tags_aws)
  local actions = {}
  for _, x in ipairs(ls.DefaultActions or {}) do actions[#actions + 1] = from_api(x) end
  table.sort(actions, function(a, b) return (a.order or 0) < (b.order or 0) end)
  local cert
  for _, c in ipairs(ls.Certificates or {}) do
    if c.IsDefault ~= false then cert = cert or c.CertificateArn end
  end
  return common.finish(M, {
    id = ls.ListenerArn, arn = ls.ListenerArn, load_balancer_arn = ls.LoadBalancerArn, port = ls.Port,
    protocol = ls.Protocol, ssl_policy = ls.SslPolicy, certificate_arn = cert, default_action = actions,
    tags = tags, tags_all = all,
  })
end

local function api_actions(list)
  local out = {}
  for i, a in ipairs(list or {}) do out[i] = to_api(a, i) end
  return out
end

function M.create(ctx, args)
  local c = ctx:client("elbv2")
  local function find()
    local on_port = {}
    for _, ls in ipairs(c:DescribeListeners({ LoadBalancerArn = args.load_balancer_arn }).Listeners or {}) do
      if ls.Port == args.port then on_port[#on_port + 1] = ls end
    end
    return (common.elb_with_token(ctx, on_port, "ListenerArn", ctx.token))
  end
  local ls = common.create(ctx, {
    call = function(o)
      return common.retry_not_found(ctx, function()
        return c:CreateListener({ LoadBalancerArn = args.load_balancer_arn, Port = args.port,
          Protocol = args.protocol or "HTTP", SslPolicy = args.ssl_policy,
          Certificates = args.certificate_arn and { { CertificateArn = args.certificate_arn } } or nil,
          DefaultActions = api_actions(args.default_action),
          Tags = common.tag_list(common.create_tags(ctx, args.tags)) }, o).Listeners[1]
      end)
    end,
    find = find,
    conflict = function(e) return common.code(e) == "DuplicateListener" end,
  })
  return attributes(ctx, ls, common.all_tags(ctx, args.tags))
end

-- Listeners by ARN; when one is gone, the listeners of each load balancer
-- the state names (entries) are listed instead.
local function describe_spec(ctx, c, entries)
  local function fallback()
    local lbs, out = {}, {}
    for _, e in ipairs(entries or {}) do
      local lb = e.entry and e.entry.attributes and e.entry.attributes.load_balancer_arn
      if lb then lbs[lb] = true end
    end
    for lb in pairs(lbs) do
      local ok, list = pcall(common.collect, ctx, c, "DescribeListeners", { LoadBalancerArn = lb }, "Listeners", true)
      if ok then
        for _, ls in ipairs(list) do out[#out + 1] = ls end
      elseif common.code(list) ~= "LoadBalancerNotFound" then
        error(list, 0)
      end
    end
    return out
  end
  return { op = "DescribeListeners", param = "ListenerArns", key = "Listeners", arn = "ListenerArn",
    not_found = { ListenerNotFound = true, LoadBalancerNotFound = true }, fallback = fallback }
end

function M.read_batch(ctx, ids, entries)
  local c = ctx:client("elbv2")
  local found, tags = common.elb_batch(ctx, ids, describe_spec(ctx, c, entries))
  local out = {}
  for id, ls in pairs(found) do out[id] = attributes(ctx, ls, tags[id]) end
  return out
end

function M.update(ctx, id, old, new)
  local c = ctx:client("elbv2")
  local p = { ListenerArn = id }
  local changed = false
  if new.port ~= old.port then p.Port, changed = new.port, true end
  if new.protocol and new.protocol ~= old.protocol then p.Protocol, changed = new.protocol, true end
  if new.ssl_policy and new.ssl_policy ~= old.ssl_policy then p.SslPolicy, changed = new.ssl_policy, true end
  if new.certificate_arn ~= old.certificate_arn and new.certificate_arn then
    p.Certificates, changed = { { CertificateArn = new.certificate_arn } }, true
  end
  if not same_actions(old.default_action or {}, new.default_action or {}) then
    p.DefaultActions, changed = api_actions(new.default_action), true
  end
  local ls
  if changed then ls = common.call(ctx, c, "ModifyListener", p).Listeners[1] end
  common.update_elb_tags(ctx, id, old.tags_all, new.tags)
  if ls then return attributes(ctx, ls, common.all_tags(ctx, new.tags)) end
  local a = {}
  for k, v in pairs(old) do a[k] = v end
  a.tags, a.tags_all = new.tags, common.all_tags(ctx, new.tags)
  return common.finish(M, a)
end

function M.delete(ctx, id)
  local c = ctx:client("elbv2")
  common.delete(ctx, function() return common.call(ctx, c, "DeleteListener", { ListenerArn = id }) end)
end

function M.import(ctx, id)
  local c = ctx:client("elbv2")
  local r = common.call(ctx, c, "DescribeListeners", { ListenerArns = { id } })
  if not r.Listeners[1] then error("importing aws_lb_listener: no listener " .. id, 0) end
  return attributes(ctx, r.Listeners[1], common.elb_tags(ctx, { id })[id])
end

-- The token tag is looked for on the listeners of the load balancer the
-- intent names (of every load balancer, for an intent without arguments).
function M.recover(ctx, pending)
  common.settle(ctx, pending)
  local c = ctx:client("elbv2")
  local lbs
  local args = pending and pending.args
  if type(args) == "table" and type(args.load_balancer_arn) == "string" then
    lbs = { { LoadBalancerArn = args.load_balancer_arn } }
  else
    lbs = common.collect(ctx, c, "DescribeLoadBalancers", {}, "LoadBalancers", true)
  end
  for _, lb in ipairs(lbs) do
    local ok, list = pcall(common.collect, ctx, c, "DescribeListeners", { LoadBalancerArn = lb.LoadBalancerArn },
      "Listeners", true)
    if ok then
      local ls, tags = common.elb_with_token(ctx, list, "ListenerArn", pending.token)
      if ls then return attributes(ctx, ls, tags) end
    end
  end
  return nil
end

return M
