-- aws._common: helpers shared by every AWS resource type (the builder
-- aws._resource and the types not yet declared through it).
--
-- Tags: `tags` is what the user wrote, `tags_all` what the object carries
-- (the provider block's default_tags merged under the resource's own, as
-- Terraform's default_tags). Every object luaform creates also gets the tag
-- luaform:token = <the create's idempotency token> (ctx.token, saved in the
-- state's pending intent before the call), so a create whose response was
-- lost is found by that tag and adopted instead of being made twice; the
-- luaform: keys are hidden from `tags` and `tags_all`.
--
-- Calls: the transport's standard mode is the only retry loop. Creates
-- without a ClientToken are sent with throttles_only (a transport retry
-- after a lost response would create a second object); create(), when no
-- answer came (or the answer is a duplicate met by its own first send),
-- looks the object up by its token tag, waiting out eventual consistency,
-- before sending again. Deletes wait out DependencyViolation and in-use
-- errors for a bounded time (delete: dependents are still leaving) and
-- count NotFound as done.
local core = require("luaform.core")

local M = {}

M.TOKEN_TAG = "luaform:token"
M.HIDDEN_PREFIX = "luaform:"

-- ------------------------------------------------------------ errors

function M.code(err) return type(err) == "table" and err.code or nil end

-- An error that came with an HTTP answer (so the call was not applied
-- unless the code says otherwise); nil status means no answer arrived.
function M.answered(err) return type(err) == "table" and err.status ~= nil end

function M.is_not_found(err)
  local c = M.code(err)
  if not c then return false end
  return c:find("NotFound", 1, true) ~= nil or c == "InvalidAllocationID.NotFound"
end

function M.message(err)
  if type(err) == "table" then
    return (err.code and (err.code .. ": ") or "") .. tostring(err.message or "")
  end
  return tostring(err)
end

-- ------------------------------------------------------------ calls

-- Re-raises err as is (keeps code/status for the engine).
local function rethrow(err) error(err, 0) end

-- Polls fn() until it returns a non-nil value; nil after `seconds`.
function M.poll(ctx, fn, seconds, interval)
  local deadline = core.now() + seconds
  while true do
    local v = fn()
    if v ~= nil then return v end
    if core.now() >= deadline then return nil end
    ctx:sleep(interval or 0.5)
  end
end

-- How long a lost create is searched for before it is sent again: longer
-- than the read-after-write delay of EC2/ELBv2 Describe calls.
M.FIND_SECONDS = 6

-- How many times a create without an idempotency token is sent when its
-- answer was lost and the object was not found by its token tag.
M.LOST_CREATE_SENDS = 3

-- An error of a lookup that may go away by looking again: the object not
-- visible yet (NotFound), no answer, a 5xx, throttling past the
-- transport's attempts.
local function not_yet(err)
  if M.is_not_found(err) or not M.answered(err) or err.status >= 500 or err.status == 429 then return true end
  local c = M.code(err) or ""
  return c:find("Throttl") ~= nil or c == "RequestLimitExceeded" or c == "SlowDown"
end

-- Creates an object. spec:
--   call(opts)   sends the create (opts: {throttles_only = true}: the
--                transport re-sends a throttled answer, nothing else);
--                returns the object
--   find()       the object carrying luaform:token = ctx.token, or nil
--   conflict(e)  optional: an answered error that may mean "already made by
--                an earlier attempt of this create" (a duplicate name)
-- Returns the object, and true when it was found rather than created.
-- Only a create proven lost (no answer, or a 5xx, and nothing found by
-- the token) is sent again.
function M.create(ctx, spec)
  local opts = { throttles_only = true }
  for _ = 1, M.LOST_CREATE_SENDS do
    local ok, res = pcall(spec.call, opts)
    if ok then return res, false end
    local lost = not M.answered(res) or res.status >= 500
    if not lost and not (spec.conflict and spec.conflict(res)) then rethrow(res) end
    ctx:log("create: %s; looking for the object by its token", M.message(res))
    local found = M.poll(ctx, function()
      local fok, obj = pcall(spec.find)
      if fok then return obj end
      if not_yet(obj) then return nil end   -- look again
      rethrow(obj)
    end, M.FIND_SECONDS, 0.5)
    if found then return found, true end
    if not lost then rethrow(res) end
  end
  error(string.format("%s: the create got no answer after %d sends and made nothing",
    ctx.address, M.LOST_CREATE_SENDS), 0)
end

-- Runs the steps after a successful create call (attributes, waits).
-- If one fails, the object exists although the create did not finish: the
-- error is re-raised without an HTTP status, so the engine keeps the
-- pending intent and the next run adopts the object (recover()) and plans
-- what is still missing, instead of forgetting it.
function M.after_create(ctx, id, fn)
  local r = table.pack(pcall(fn))
  if r[1] then return table.unpack(r, 2, r.n) end
  local res = r[2]
  local msg = M.message(res)
  ctx:log("after create of %s: %s", tostring(id), msg)
  error({ message = string.format("%s was created (%s) but not finished: %s; the next run adopts it",
    ctx.address or "resource", tostring(id), msg), code = M.code(res) }, 0)
end

-- Runs a delete: NotFound counts as done; DependencyViolation and the
-- in-use codes are retried for `seconds` (default 300) while dependents go.
local BUSY = {
  DependencyViolation = true, ResourceInUse = true, InvalidIPAddress_InUse = true,
  ["InvalidIPAddress.InUse"] = true, AuthFailure = false,
}
function M.delete(ctx, fn, seconds, extra_busy)
  local deadline = core.now() + (seconds or 300)
  local attempt = 0
  while true do
    local ok, res = pcall(fn)
    if ok then return true end
    if M.is_not_found(res) then return false end
    attempt = attempt + 1
    local busy = BUSY[M.code(res)] or (extra_busy and extra_busy[M.code(res)])
    if not busy or core.now() >= deadline then rethrow(res) end
    ctx:log("delete: %s, waiting for dependents", M.message(res))
    ctx:sleep(math.min(0.5 * attempt, 5))
  end
end

-- A model waiter, polling every `delay` s (the models say 15 s; luaform
-- polls faster so short operations finish fast) for at most `seconds`.
function M.wait(_, client, name, params, seconds, delay)
  delay = delay or 2
  local n = math.max(1, math.ceil((seconds or 600) / delay))
  client:wait(name, params, { delay = delay, max_attempts = n })
end

-- read_batch's lookup: describe(ids) -> {id -> object} for those found.
-- Ids missing from the answer are asked again twice over ~3 s, as an
-- object made moments ago may not be visible yet: in a refresh only the
-- ids of ctx.recent (created within the last minute, luaform.plan), so a
-- plan after a deletion by hand answers at once; without ctx.recent (a
-- read right after a create, an import) every missing id.
M.BATCH_WAITS = { 1, 2 }   -- seconds before each second look at missing ids

function M.batch(ctx, ids, describe)
  local found = {}
  if #ids == 0 then return found end
  for k, v in pairs(describe(ids)) do found[k] = v end
  for _, wait in ipairs(M.BATCH_WAITS) do
    local missing = {}
    for _, id in ipairs(ids) do
      if found[id] == nil and (not ctx.recent or ctx.recent[id]) then missing[#missing + 1] = id end
    end
    if #missing == 0 then break end
    ctx:sleep(wait)
    for k, v in pairs(describe(missing)) do found[k] = v end
  end
  return found
end

-- { id = object } of the objects named by ids that live in a parent and
-- are read through it (a route in its table, an ACL entry, a record in its
-- zone): parent_of(id) is an id's parent (nil: not such an id); read(parents,
-- keep) reads those parents (sorted, each once) and calls keep(id, object)
-- for every object it meets in them (a nil id is passed over).
function M.read_children(ids, parent_of, read)
  local want, parents, found = {}, {}, {}
  for _, id in ipairs(ids) do
    local p = parent_of(id)
    if p then want[id] = true; parents[p] = true end
  end
  local list = {}
  for p in pairs(parents) do list[#list + 1] = p end
  table.sort(list)
  read(list, function(id, obj) if id ~= nil and want[id] then found[id] = obj end end)
  return found
end

-- ------------------------------------------------------------ tags

-- The provider block's default_tags: { tags = {...} } (Terraform's form)
-- or a plain map.
function M.default_tags(ctx)
  local d = ctx.config and ctx.config.default_tags
  if type(d) ~= "table" then return {} end
  if type(d.tags) == "table" then return d.tags end
  return d
end

-- tags_all for the user's tags.
function M.all_tags(ctx, tags)
  local out = {}
  for k, v in pairs(M.default_tags(ctx)) do out[k] = tostring(v) end
  for k, v in pairs(tags or {}) do out[k] = tostring(v) end
  return out
end

-- Splits what AWS holds into (tags, tags_all): luaform: keys hidden, and
-- `tags` without the default tags that still have their default value.
function M.split_tags(ctx, aws_tags)
  local all, own = {}, {}
  local defaults = M.default_tags(ctx)
  for k, v in pairs(aws_tags or {}) do
    if k:sub(1, #M.HIDDEN_PREFIX) ~= M.HIDDEN_PREFIX then
      all[k] = v
      if defaults[k] == nil or tostring(defaults[k]) ~= v then own[k] = v end
    end
  end
  return own, all
end

-- {Key, Value} list (EC2 and ELBv2 shapes) <-> map.
function M.tag_list(map)
  local out = {}
  for k, v in pairs(map or {}) do out[#out + 1] = { Key = k, Value = tostring(v) } end
  table.sort(out, function(a, b) return a.Key < b.Key end)
  return out
end

function M.tag_map(list)
  local out = {}
  for _, t in ipairs(list or {}) do out[t.Key] = t.Value or "" end
  return out
end

-- The tags a create sends: tags_all plus the token tag.
function M.create_tags(ctx, tags)
  local all = M.all_tags(ctx, tags)
  if ctx.token then all[M.TOKEN_TAG] = ctx.token end
  return all
end

-- EC2 TagSpecifications for a create.
function M.tag_specs(ctx, resource_type, tags)
  return { { ResourceType = resource_type, Tags = M.tag_list(M.create_tags(ctx, tags)) } }
end

-- The Describe filter that finds what this create made.
function M.token_filter(token)
  return { Name = "tag:" .. M.TOKEN_TAG, Values = { token } }
end

-- ------------------------------------------------------------ misc

-- Attributes normalized to the type's schema (sets sorted, blocks with
-- every key), so that reads compare equal to planned values.
function M.finish(mod, attrs)
  if attrs == nil then return nil end
  local schema = require("luaform.schema")
  local id = attrs.id
  local out = schema.normalize_block(mod.schema, attrs)
  out.id = id
  return out
end

-- Waits until a pending create's object would be visible to Describe
-- calls (recover() runs right after an interrupted run).
function M.settle(ctx, pending)
  local since = pending and tonumber(pending.since)
  if since then
    local left = since + M.FIND_SECONDS - core.time()
    if left > 0 then ctx:sleep(math.min(left, M.FIND_SECONDS)) end
  end
end

-- The region calls go to: the provider block's, else the environment's.
function M.region(ctx)
  local r = ctx.config and ctx.config.region
  if r then return r end
  r = core.getenv("AWS_REGION")
  if r and r ~= "" then return r end
  r = core.getenv("AWS_DEFAULT_REGION")
  if r and r ~= "" then return r end
  local ok, c = pcall(ctx.client, ctx, "ec2")
  return ok and c and c.region or "us-east-1"
end

-- arn:aws:ec2:<region>:<account>:<kind>/<id>
function M.ec2_arn(ctx, owner, kind, id)
  return string.format("arn:aws:ec2:%s:%s:%s/%s", M.region(ctx), owner or "", kind, id)
end

-- Splits ids into chunks of n (Describe filters take at most 200 values).
function M.chunks(ids, n)
  local out = {}
  for i = 1, #ids, n do
    local c = {}
    for j = i, math.min(i + n - 1, #ids) do c[#c + 1] = ids[j] end
    out[#out + 1] = c
  end
  return out
end

-- A boolean from an API value that may be a string.
function M.bool(v)
  if v == nil then return nil end
  if type(v) == "boolean" then return v end
  return v == "true" or v == true
end

return M
