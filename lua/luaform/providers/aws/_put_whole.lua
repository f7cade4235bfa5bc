-- aws._put_whole: a declaration (aws._resource) for an object AWS writes
-- whole with one Put call: PutMetricAlarm, PutRule, PutTargets,
-- PutDashboard, PutMetricFilter, PutScheduledAction, ... The same call
-- creates the object and applies any change, and it takes every argument
-- each time (what it leaves out is reset), so the create and an update
-- both send params(args) built from all the fields, once per update
-- however many fields changed.
--
-- M.declare(d, params, update): d is the declaration; params(args) -> the
-- Put's parameters (the create's op is d.create.op); tags, if declared, are
-- added to the create by aws._tags as usual. Every settable field gets a
-- set that re-sends the whole object (fields keeping their own set are
-- left alone): the create's call again, or update(c, id, args, opts) where
-- AWS changes the object with another call that also takes all of it
-- (ModifySecurityGroupRules).
local M = {}

function M.declare(d, params, update)
  local sent = setmetatable({}, { __mode = "k" })   -- the update's `new` tables already sent
  local function put(_, c, id, _, ch)
    if sent[ch.new] then return end
    sent[ch.new] = true
    if update then return update(c, id, ch.new, ch.opts) end
    local out = c[d.create.op](c, params(ch.new), ch.opts)
    if type(d.create.result) == "function" then d.create.result(out, ch.new) end   -- its checks
    return out
  end
  for k, f in pairs(d.fields) do
    if (f.required or f.optional) and not f.keep and k ~= "tags" and not f.set then
      f.to_params = function() end   -- the create's params come from params(args)
      if not f.force_new then f.set = put end
    end
  end
  local user_params = d.create.params
  d.create.params = function(ctx, args, p)
    for k, v in pairs(params(args)) do p[k] = v end
    if user_params then user_params(ctx, args, p) end
  end
  return d
end

return M
