-- aws._common: helpers shared by every AWS resource type.
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
-- before sending again. Reads right after a
-- create retry NotFound (retry_not_found); deletes retry DependencyViolation
-- and in-use errors for a bounded time (delete) and count NotFound as done.
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

-- Re-raises err as is (keeps code/status for the engine).
local function rethrow(err) error(err, 0) end

local function backoff(ctx, attempt)
  local d = math.min(0.2 * 2 ^ (attempt - 1), 5) * (0.5 + math.random() / 2)
  if ctx and ctx.sleep then ctx:sleep(d) else core.sleep(d) end
end
M.backoff = backoff

-- ------------------------------------------------------------ calls

-- c:op(params, opts): the transport's standard mode is the only retry
-- loop (opts.retry_codes adds a type's "not visible yet" codes to it).
function M.call(_, client, op, params, opts)
  return client[op](client, params or {}, opts)
end

-- Like call() but returns ok, result-or-error instead of raising.
function M.try(ctx, client, op, params, opts)
  return pcall(M.call, ctx, client, op, params, opts)
end

-- fn() repeated while it raises NotFound (eventual consistency after a
-- create), up to `seconds` (default 30).
function M.retry_not_found(ctx, fn, seconds)
  local deadline = core.now() + (seconds or 30)
  local attempt = 0
  while true do
    local ok, res = pcall(fn)
    if ok then return res end
    attempt = attempt + 1
    if not M.is_not_found(res) or core.now() >= deadline then rethrow(res) end
    backoff(ctx, math.min(attempt, 4))
  end
end

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
    local found = M.poll(ctx, function() return spec.find() end, M.FIND_SECONDS, 0.5)
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

-- All pages of a paginated call, flattened by the result key. ELBv2 pages
-- with Marker/NextMarker (markers = true), EC2 with NextToken.
function M.collect(ctx, client, op, params, key, markers)
  local out, p = {}, {}
  for k, v in pairs(params or {}) do p[k] = v end
  local token_in, token_out = "NextToken", "NextToken"
  if markers then token_in, token_out = "Marker", "NextMarker" end
  for _ = 1, 1000 do
    local page = M.call(ctx, client, op, p)
    for _, x in ipairs(page[key] or {}) do out[#out + 1] = x end
    local nxt = page[token_out]
    if not nxt or nxt == "" or nxt == core.null then break end
    p[token_in] = nxt
  end
  return out
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

local function tag_diff(old, new)
  local set, del = {}, {}
  for k, v in pairs(new or {}) do if (old or {})[k] ~= v then set[k] = v end end
  for k in pairs(old or {}) do if (new or {})[k] == nil then del[#del + 1] = k end end
  table.sort(del)
  return set, del
end

-- Brings an EC2 object's tags from old_all to tags_all(new tags).
function M.update_ec2_tags(ctx, id, old_all, new_tags)
  local c = ctx:client("ec2")
  local set, del = tag_diff(old_all, M.all_tags(ctx, new_tags))
  if #del > 0 then
    local keys = {}
    for _, k in ipairs(del) do keys[#keys + 1] = { Key = k } end
    M.call(ctx, c, "DeleteTags", { Resources = { id }, Tags = keys })
  end
  if next(set) then M.call(ctx, c, "CreateTags", { Resources = { id }, Tags = M.tag_list(set) }) end
end

-- The same for ELBv2 (AddTags / RemoveTags by ARN).
function M.update_elb_tags(ctx, arn, old_all, new_tags)
  local c = ctx:client("elbv2")
  local set, del = tag_diff(old_all, M.all_tags(ctx, new_tags))
  if #del > 0 then M.call(ctx, c, "RemoveTags", { ResourceArns = { arn }, TagKeys = del }) end
  if next(set) then M.call(ctx, c, "AddTags", { ResourceArns = { arn }, Tags = M.tag_list(set) }) end
end

-- ELBv2 tags of many ARNs: DescribeTags takes 20 at a time.
function M.elb_tags(ctx, arns)
  local c = ctx:client("elbv2")
  local out = {}
  for _, chunk in ipairs(M.chunks(arns, 20)) do
    local res = M.call(ctx, c, "DescribeTags", { ResourceArns = chunk })
    for _, d in ipairs(res.TagDescriptions or {}) do out[d.ResourceArn] = M.tag_map(d.Tags) end
  end
  return out
end

-- ELBv2 objects by ARN: spec.op (DescribeListeners) with spec.param
-- (ListenerArns), 20 ARNs a call, answered in spec.key (Listeners), each
-- object's ARN in spec.arn (ListenerArn). One ARN that no longer exists
-- fails its whole call with a code in spec.not_found; spec.fallback(chunk)
-- then lists the candidates another way. Returns {arn -> object} of those
-- asked for and found.
function M.elb_describe(ctx, arns, spec)
  local c = ctx:client("elbv2")
  local found = {}
  for _, chunk in ipairs(M.chunks(arns, 20)) do
    local ok, r = M.try(ctx, c, spec.op, { [spec.param] = chunk })
    local list
    if ok then list = r[spec.key] or {}
    elseif spec.not_found[M.code(r)] then list = spec.fallback(chunk)
    else error(r, 0) end
    local asked = {}
    for _, a in ipairs(chunk) do asked[a] = true end
    for _, o in ipairs(list) do
      if asked[o[spec.arn]] then found[o[spec.arn]] = o end
    end
  end
  return found
end

-- read_batch of an ELBv2 type: elb_describe with read-after-create
-- retries (batch), and the tags of the objects found.
function M.elb_batch(ctx, ids, spec)
  local found = M.batch(ctx, ids, function(want) return M.elb_describe(ctx, want, spec) end)
  local arns = {}
  for _, id in ipairs(ids) do if found[id] then arns[#arns + 1] = id end end
  return found, M.elb_tags(ctx, arns)
end

-- The ELBv2 object of list whose token tag is token, and its tags (nil if
-- none): how a create whose answer was lost finds what it made.
function M.elb_with_token(ctx, list, arn_key, token)
  local arns = {}
  for _, o in ipairs(list) do arns[#arns + 1] = o[arn_key] end
  local tags = M.elb_tags(ctx, arns)
  for _, o in ipairs(list) do
    local t = tags[o[arn_key]] or {}
    if t[M.TOKEN_TAG] == token then return o, t end
  end
  return nil
end

-- Schema entries every taggable type has.
function M.tag_schema(schema)
  schema.tags = { type = "map", elem = "string", optional = true }
  schema.tags_all = { type = "map", elem = "string", computed = true, computed_on_update = true }
  return schema
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

-- Pairs a list of {id=...} with a list of ids (order of ids), for read_batch.
function M.index(list, key)
  local out = {}
  for _, x in ipairs(list or {}) do out[x[key]] = x end
  return out
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

-- EC2 read_batch: one Describe<Op> with a filter on the ids (a filter,
-- not the id list, so one deleted object does not fail the whole call).
-- member: the request's filter list member ("Filters"; NAT gateways: "Filter").
function M.ec2_batch(ctx, ids, op, filter, key, id_key, member)
  local c = ctx:client("ec2")
  return M.batch(ctx, ids, function(want)
    local found = {}
    for _, chunk in ipairs(M.chunks(want, 200)) do
      local list = M.collect(ctx, c, op, { [member or "Filters"] = { { Name = filter, Values = chunk } } }, key)
      for _, o in ipairs(list) do found[o[id_key]] = o end
    end
    return found
  end)
end

-- A boolean from an API value that may be a string.
function M.bool(v)
  if v == nil then return nil end
  if type(v) == "boolean" then return v end
  return v == "true" or v == true
end

return M
