-- aws/_ecs: what aws_ecs_service (the one AWS type not yet declared for
-- aws._resource) needs: error codes (code() strips the "namespace#"
-- prefix json services put there, is() matches codes), retry() while a
-- dependency is not visible yet or a service of the name is draining, and
-- wait() for a state (steady, INACTIVE), both sleeping on the event loop;
-- tags split into `tags` and `tags_all` as aws/_common does.
local common = require("luaform.providers.aws._common")

local M = {}

M.TOKEN_TAG = common.TOKEN_TAG


-- A client of the service: retries are the transport's (standard mode).
function M.client(ctx, service) return ctx:client(service) end

function M.code(e)
  if type(e) ~= "table" then return nil end
  local c = e.code
  if type(c) ~= "string" then return nil end
  return (c:gsub("^.*#", ""))
end

-- Is e an AWS error with one of the codes (strings or Lua patterns)?
function M.is(e, ...)
  local c = M.code(e)
  if not c then return false end
  for _, want in ipairs({ ... }) do
    if c == want or c:find("^" .. want .. "$") then return true end
  end
  return false
end

-- The rest of a create once the object exists (reads, waits, settings):
-- a failure here must not look like an answered error, or the engine
-- would drop the pending intent and forget an object AWS has. It is
-- raised as a plain message, the intent stays, and the next run's
-- recover() adopts the object.
function M.created(what, fn)
  local ok, res = pcall(fn)
  if ok then return res end
  error(string.format("%s was created, but finishing the create failed: %s (the next run adopts it)",
    what, common.message(res)), 0)
end

-- Calls fn(); returns true, result or false, err (err an AWS error table;
-- any other error is raised again).
function M.try(fn, ...)
  local ok, r = pcall(fn, ...)
  if ok then return true, r end
  if type(r) == "table" and r.code then return false, r end
  error(r, 0)
end

-- fn() repeated while it raises an error with one of codes (or for which
-- codes(err) is true), for at most `timeout` seconds.
function M.retry(ctx, timeout, codes, fn)
  local deadline, delay = os.time() + timeout, 0.5
  while true do
    local ok, r = pcall(fn)
    if ok then return r end
    local match
    if type(codes) == "function" then match = codes(r)
    else match = type(r) == "table" and M.is(r, table.unpack(codes)) end
    if not match or os.time() >= deadline then error(r, 0) end
    ctx:log("retrying after %s", tostring(M.code(r) or r))
    ctx:sleep(delay)
    delay = math.min(delay * 2, 5)
  end
end

-- Polls check() (which returns a truthy value when done) every `interval`
-- seconds, for at most `timeout`; returns check's value or raises `what`.
function M.wait(ctx, timeout, interval, what, check)
  local deadline = os.time() + timeout
  while true do
    local v = check()
    if v then return v end
    if os.time() >= deadline then error(string.format("timed out after %ds waiting for %s", timeout, what), 0) end
    ctx:sleep(interval)
  end
end

-- Tags -------------------------------------------------------------------

M.tags_all = common.all_tags
M.split_tags = common.split_tags
-- A list of {Key=, Value=} (names as given) to a map, and back.
function M.from_list(list, kname, vname)
  local out = {}
  for _, t in ipairs(list or {}) do out[t[kname or "Key"]] = t[vname or "Value"] end
  return out
end

function M.to_list(map, kname, vname)
  local out, keys = {}, {}
  for k in pairs(map or {}) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do out[#out + 1] = { [kname or "Key"] = k, [vname or "Value"] = map[k] } end
  return out
end

-- The tags to set (a map) and the keys to remove to go from old to new
-- (both maps; the token tag is left alone).
function M.tag_changes(old, new)
  local set, remove = {}, {}
  for k, v in pairs(new or {}) do
    if (old or {})[k] ~= v then set[k] = v end
  end
  for k in pairs(old or {}) do
    if (new or {})[k] == nil and k ~= M.TOKEN_TAG then remove[#remove + 1] = k end
  end
  table.sort(remove)
  return set, remove
end

return M
