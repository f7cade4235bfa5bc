-- luaform.deferred: values that are known only after apply.
--
-- Attribute access on a resource handle (vpc.id) returns a reference; `..`,
-- fmt(), json() and ref:map(fn) combine references into new deferred values.
-- Nothing is computed during evaluation: a deferred value records what it
-- needs, deps() lists the resource addresses it refers to (the graph's
-- edges), and resolve() computes it once those resources have attributes,
-- returning UNKNOWN for anything still unknown (shown as
-- "(known after apply)" in plans).
local core = require("luaform.core")

local M = {}

local DEFERRED = { __name = "deferred" }
local HANDLE = { __name = "resource" }

M.UNKNOWN = setmetatable({}, {
  __name = "unknown",
  __tostring = function() return "(known after apply)" end,
})
local UNKNOWN = M.UNKNOWN

local function new(kind, t)
  t.kind = kind
  return setmetatable(t, DEFERRED)
end

function M.is(v) return getmetatable(v) == DEFERRED end
function M.is_handle(v) return getmetatable(v) == HANDLE end

-- A reference to attribute `path` (a list of keys) of the resource `addr`.
function M.ref(addr, path)
  return new("ref", { addr = addr, path = path })
end

function M.map(d, fn)
  assert(type(fn) == "function", "map expects a function")
  return new("map", { src = d, fn = fn })
end

DEFERRED.__index = function(d, k)
  if k == "map" then return M.map end
  if d.kind ~= "ref" then
    error("cannot index a computed value (" .. d.kind .. "); use :map(fn)", 2)
  end
  local path = { table.unpack(d.path) }
  path[#path + 1] = k
  return M.ref(d.addr, path)
end

local function concat(a, b)
  local parts = {}
  for _, x in ipairs({ a, b }) do
    if M.is(x) and x.kind == "concat" then
      for _, p in ipairs(x.parts) do parts[#parts + 1] = p end
    else
      parts[#parts + 1] = x
    end
  end
  return new("concat", { parts = parts })
end
DEFERRED.__concat = concat

DEFERRED.__tostring = function(d)
  if d.kind == "ref" then
    return "${" .. d.addr .. "." .. table.concat(d.path, ".") .. "}"
  end
  return "${" .. d.kind .. "}"
end

DEFERRED.__len = function() error("the length of a deferred value is not known before apply", 2) end

-- A resource handle: what resource()/data() return. Indexing it checks
-- that the type exports the attribute (check(k) returns an error message).
function M.handle(addr, check)
  return setmetatable({ ["@addr"] = addr, ["@check"] = check }, HANDLE)
end

function M.handle_address(h) return rawget(h, "@addr") end

HANDLE.__index = function(h, k)
  local msg = rawget(h, "@check")(k)
  if msg then
    local info = debug.getinfo(2, "Sl")
    error({ where = info and (info.short_src .. ":" .. info.currentline), message = msg }, 0)
  end
  return M.ref(rawget(h, "@addr"), { k })
end
HANDLE.__newindex = function() error("resource attributes are read-only", 2) end
HANDLE.__tostring = function(h) return rawget(h, "@addr") end
HANDLE.__concat = function(a, b)
  error("cannot concatenate a resource; use an attribute such as .id", 2)
end

-- Is any part of v (deep) deferred?
local function has_deferred(v, seen)
  if M.is(v) then return true end
  if type(v) ~= "table" or getmetatable(v) == HANDLE then return false end
  seen = seen or {}
  if seen[v] then return false end
  seen[v] = true
  for k, x in pairs(v) do
    if has_deferred(k, seen) or has_deferred(x, seen) then return true end
  end
  return false
end
M.has_deferred = has_deferred

-- fmt(format, ...): string.format, deferred when an argument is.
function M.fmt(f, ...)
  local args = table.pack(...)
  for i = 1, args.n do
    if has_deferred(args[i]) then return new("fmt", { format = f, args = args }) end
  end
  return string.format(f, ...)
end

-- json(value): JSON text of a table, deferred when the table holds deferreds.
function M.json(v)
  if has_deferred(v) then return new("json", { value = v }) end
  return core.json_encode(v)
end

-- Adds to `out` (a set) every resource address v refers to.
function M.deps(v, out, seen)
  out = out or {}
  local mt = getmetatable(v)
  if mt == HANDLE then
    out[rawget(v, "@addr")] = true
  elseif mt == DEFERRED then
    if v.kind == "ref" then out[v.addr] = true
    elseif v.kind == "concat" then for _, p in ipairs(v.parts) do M.deps(p, out, seen) end
    elseif v.kind == "fmt" then for i = 1, v.args.n do M.deps(v.args[i], out, seen) end
    elseif v.kind == "json" then M.deps(v.value, out, seen)
    elseif v.kind == "map" then M.deps(v.src, out, seen) end
  elseif type(v) == "table" then
    seen = seen or {}
    if seen[v] then return out end
    seen[v] = true
    for k, x in pairs(v) do
      M.deps(k, out, seen)
      M.deps(x, out, seen)
    end
  end
  return out
end

local function contains_unknown(v)
  if v == UNKNOWN then return true end
  if type(v) == "table" then
    for _, x in pairs(v) do if contains_unknown(x) then return true end end
  end
  return false
end
M.contains_unknown = contains_unknown

-- Resolves v with lookup(addr) -> attributes table | UNKNOWN. Tables are
-- copied; a part that is not known yet becomes UNKNOWN (a combination that
-- needs it becomes UNKNOWN as a whole).
function M.resolve(v, lookup)
  local mt = getmetatable(v)
  if mt == DEFERRED then
    if v.kind == "ref" then
      local attrs = lookup(v.addr)
      if attrs == UNKNOWN then return UNKNOWN end
      local x = attrs
      for _, k in ipairs(v.path) do
        if x == UNKNOWN then return UNKNOWN end
        if type(x) ~= "table" then return nil end
        -- Lua lists are 1-based, like the user's code.
        x = x[k]
      end
      return x
    elseif v.kind == "concat" then
      local out = {}
      for i, p in ipairs(v.parts) do
        local x = M.resolve(p, lookup)
        if contains_unknown(x) then return UNKNOWN end
        if x == nil then error("cannot concatenate a nil value (" .. tostring(p) .. ")", 0) end
        out[i] = tostring(x)
      end
      return table.concat(out)
    elseif v.kind == "fmt" then
      local args = {}
      for i = 1, v.args.n do
        local x = M.resolve(v.args[i], lookup)
        if contains_unknown(x) then return UNKNOWN end
        args[i] = x
      end
      return string.format(v.format, table.unpack(args, 1, v.args.n))
    elseif v.kind == "json" then
      local x = M.resolve(v.value, lookup)
      if contains_unknown(x) then return UNKNOWN end
      return core.json_encode(x)
    elseif v.kind == "map" then
      local x = M.resolve(v.src, lookup)
      if contains_unknown(x) then return UNKNOWN end
      return v.fn(x)
    end
  elseif mt == HANDLE then
    return M.resolve(M.ref(rawget(v, "@addr"), { "id" }), lookup)
  elseif v == UNKNOWN then
    return UNKNOWN
  elseif type(v) == "table" then
    local out = {}
    for k, x in pairs(v) do out[k] = M.resolve(x, lookup) end
    return setmetatable(out, getmetatable(v))
  end
  return v
end

return M
