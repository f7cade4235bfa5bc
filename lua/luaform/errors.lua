-- luaform.errors: errors as values with a place.
--
-- An error raised by the engine is a table {where = "main.lua:12",
-- message = "..."}; tostring gives "main.lua:12: message". The CLI prints
-- it once, as one line, prefixed with "Error: ".
local M = {}

local ERROR = { __name = "luaform.error" }
ERROR.__tostring = function(e)
  if e.where then return e.where .. ": " .. e.message end
  return e.message
end

function M.new(where, fmt, ...)
  local msg = select("#", ...) > 0 and string.format(fmt, ...) or fmt
  return setmetatable({ where = where, message = msg }, ERROR)
end

function M.raise(where, fmt, ...)
  error(M.new(where, fmt, ...), 0)
end

-- Plain tables with where/message (from deferred.lua) become errors too.
function M.wrap(e)
  if type(e) == "table" and getmetatable(e) == nil and e.message then
    return setmetatable(e, ERROR)
  end
  return e
end

function M.tostring(e)
  e = M.wrap(e)
  if type(e) == "table" and getmetatable(e) and getmetatable(e).__tostring then
    return tostring(e)
  end
  return tostring(e)
end

-- "file:line" of each line of each function, made once: caller() runs
-- once per resource, where debug.getinfo's full answer ("Sl") and the
-- text made from it were a large part of a resource() call.
local places = setmetatable({}, { __mode = "k" })   -- function -> line -> "file:line"

-- "file:line" of the caller `level` frames up, for user-facing errors.
function M.caller(level)
  local info = debug.getinfo(level + 1, "fl")
  if not info then return nil end
  local fn, line = info.func, info.currentline or 0
  local lines = places[fn]
  if not lines then
    lines = {}
    places[fn] = lines
  end
  local where = lines[line]
  if not where then
    where = debug.getinfo(fn, "S").short_src .. ":" .. line
    lines[line] = where
  end
  return where
end

return M
