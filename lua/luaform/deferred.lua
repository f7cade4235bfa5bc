-- luaform.deferred: values that are known only after apply.
--
-- Attribute access on a resource handle (vpc.id) returns a reference; `..`,
-- fmt(), json() and ref:map(fn) combine references into new deferred values.
-- Nothing is computed during evaluation: a deferred value records what it
-- needs, deps() lists the resource addresses it refers to (the graph's
-- edges), and resolve() computes it once those resources have attributes,
-- returning UNKNOWN for anything still unknown (shown as
-- "(known after apply)" in plans).
--
-- A secret (a sensitive variable's value) is wrapped by sensitive(v), a
-- deferred value too, so that whatever is computed from it stays an
-- expression: is_sensitive() then tells whether a value derives from a
-- secret or from an attribute the caller says is sensitive.
--
-- describe() gives a value as the expression it is, to compare configs
-- across runs (saved plans); a secret appears only as a digest.
local core = require("luaform.core")

local M = {}

local DEFERRED = { __name = "deferred" }
local HANDLE = { __name = "resource" }

M.UNKNOWN = setmetatable({}, {
  __name = "unknown",
  __tostring = function() return "(known after apply)" end,
})
local UNKNOWN = M.UNKNOWN

-- t names its kind itself ({ kind = "ref", ... }): a table built with all
-- its fields is not resized when one more is set.
local function new(t)
  return setmetatable(t, DEFERRED)
end

function M.is(v) return getmetatable(v) == DEFERRED end
function M.is_handle(v) return getmetatable(v) == HANDLE end

-- A reference to attribute `path` (a list of keys) of the resource `addr`.
-- Paths are never changed (a longer one is a copy), so references to one
-- attribute share theirs (attr_path).
function M.ref(addr, path)
  return new({ kind = "ref", addr = addr, path = path })
end

-- Functions that stand for another (strict.lua's guarded string
-- functions -> the originals), so that map(string.upper) is described
-- and run as string.upper.
M.plain_function = setmetatable({}, { __mode = "k" })

function M.map(d, fn)
  assert(type(fn) == "function", "map expects a function")
  return new({ kind = "map", src = d, fn = M.plain_function[fn] or fn })
end

-- A secret: resolves to v, and marks everything computed from it.
function M.sensitive(v)
  return new({ kind = "sensitive", value = v })
end

DEFERRED.__index = function(d, k)
  if k == "map" then return M.map end
  if d.kind == "sensitive" and type(d.value) == "table" then
    return M.sensitive(d.value[k])   -- a part of a secret map or list is secret
  end
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
  return new({ kind = "concat", parts = parts })
end
DEFERRED.__concat = concat

-- What a deferred value is, for error messages (a secret shows nothing).
local function what(d)
  if d.kind == "sensitive" then return "a sensitive value (kept as a secret)" end
  if d.kind == "ref" then
    local path = {}
    for i, k in ipairs(d.path) do path[i] = tostring(k) end
    return "a reference to " .. d.addr .. "." .. table.concat(path, ".") .. " (known only after apply)"
  end
  return "a value computed from references (" .. d.kind .. ", known only after apply)"
end

-- Text made from a reference would lose it, and the dependency with it
-- (tostring, print, string.format("%s")): refused, with the ways that keep it.
DEFERRED.__tostring = function(d)
  require("luaform.errors").raise(require("luaform.strict").user_where(2),
    "%s cannot be made into text here: use .., fmt(...) or ref:map(function(v) ... end)", what(d))
end

M.what = what

-- ref:sub(1, 3) indexes an attribute "sub" of ref and calls it.
DEFERRED.__call = function(d)
  local method = d.kind == "ref" and tostring(d.path[#d.path]) or "f"
  local src = d.kind == "ref" and #d.path > 1 and M.ref(d.addr, { table.unpack(d.path, 1, #d.path - 1) }) or d
  require("luaform.errors").raise(require("luaform.strict").user_where(2),
    "%s has no method %s: write ref:map(function(s) return s:%s(...) end)", what(src), method, method)
end

DEFERRED.__len = function() error("the length of a deferred value is not known before apply", 2) end

-- Arithmetic and ordering on a reference have no value before apply.
local function no_operator(verb, example)
  return function(a, b)
    local d = M.is(a) and a or b
    require("luaform.errors").raise(require("luaform.strict").user_where(2),
      "%s cannot be %s in Lua: write ref:map(function(v) return %s end)", what(d), verb, example)
  end
end
for op, sign in pairs({ add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^", idiv = "//", unm = "-" }) do
  DEFERRED["__" .. op] = no_operator("computed with " .. sign, op == "unm" and "-v" or ("v " .. sign .. " 1"))
end
DEFERRED.__lt = no_operator("compared", "v < 1")
DEFERRED.__le = no_operator("compared", "v <= 1")

-- The path { attr } of a reference to a resource's attribute, one per
-- attribute name while a reference holds it (a table less per reference).
local attr_paths = setmetatable({}, { __mode = "v" })
local function attr_path(attr)
  local path = attr_paths[attr]
  if not path then
    path = { attr }
    attr_paths[attr] = path
  end
  return path
end

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
  return M.ref(rawget(h, "@addr"), attr_path(k))
end
HANDLE.__newindex = function() error("resource attributes are read-only", 2) end
HANDLE.__tostring = function(h) return rawget(h, "@addr") end
HANDLE.__concat = function()
  error("cannot concatenate a resource; use an attribute such as .id", 2)
end

-- Is any part of v (deep) deferred?
local function has_deferred(v, seen)
  if type(v) ~= "table" then return false end
  local mt = getmetatable(v)
  if mt == DEFERRED then return true end
  if mt == HANDLE then return false end
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
    if has_deferred(args[i]) then return new({ kind = "fmt", format = f, args = args }) end
  end
  return string.format(f, ...)
end

-- json(value): JSON text of a table, deferred when the table holds deferreds.
function M.json(v)
  if has_deferred(v) then return new({ kind = "json", value = v }) end
  return core.json_encode(v)
end

-- A stack function (luaform.functions) applied to arguments of which some
-- are deferred: name says which (describe), fn computes it, where is the
-- caller's file:line for its errors at resolve time. at_apply: known only
-- when applied (uuid, timestamp), unknown in a plan.
function M.call(name, fn, args, where, at_apply)
  return new({ kind = "call", name = name, fn = fn, args = args, where = where or false, at_apply = at_apply == true })
end

-- Calls fn(part, a, b, c) for each value a combined deferred value is made
-- of (a walk passes its state on in a, b, c: no closure per value).
local function each_part(d, fn, a, b, c)
  local kind = d.kind
  if kind == "concat" then for _, p in ipairs(d.parts) do fn(p, a, b, c) end
  elseif kind == "fmt" or kind == "call" then for i = 1, d.args.n do fn(d.args[i], a, b, c) end
  elseif kind == "json" or kind == "sensitive" then fn(d.value, a, b, c)
  elseif kind == "map" then fn(d.src, a, b, c) end
end

-- Calls on_ref(arg, addr, ref) for each reference in v (deep: table keys
-- and values, a deferred value's parts); ref is the "ref" value, nil for a
-- resource handle. A secret (sensitive()) is reported first as
-- on_ref(arg, nil, secret), then its parts. seen: the tables walked
-- already; nil until v holds a nested table (most values are flat, and
-- a walk per resource argument should not cost a table).
local function each_ref(v, on_ref, arg, seen)
  if type(v) ~= "table" then return end
  local mt = getmetatable(v)
  if mt == HANDLE then
    on_ref(arg, rawget(v, "@addr"))
  elseif mt == DEFERRED then
    if v.kind == "ref" then on_ref(arg, v.addr, v)
    else
      if v.kind == "sensitive" then on_ref(arg, nil, v) end
      each_part(v, each_ref, on_ref, arg, seen)
    end
  else
    if seen then
      if seen[v] then return end
      seen[v] = true
    end
    for k, x in pairs(v) do
      local tk, tx = type(k), type(x)   -- (a plain value refers to nothing: not walked)
      if tk == "table" or tx == "table" then
        if seen == nil then seen = { [v] = true } end
        if tk == "table" then each_ref(k, on_ref, arg, seen) end
        if tx == "table" then each_ref(x, on_ref, arg, seen) end
      end
    end
  end
end
M.each_ref = each_ref

local function add_dep(out, addr)
  if addr then out[addr] = true end
end

-- Adds to `out` (a set) every resource address v refers to.
function M.deps(v, out)
  out = out or {}
  each_ref(v, add_dep, out)
  return out
end

local function add_reference(out, addr, ref)
  if not addr then return end
  out[addr] = true
  if ref and ref.path[1] ~= nil then out[addr .. "." .. tostring(ref.path[1])] = true end
end

-- Adds to `out` (a set) what v refers to as Terraform's JSON plan names
-- references: "ADDR.ATTR" and "ADDR" for each attribute reference.
function M.references(v, out)
  out = out or {}
  each_ref(v, add_reference, out)
  return out
end

-- Does v (deep) derive from a secret? attr_sensitive(addr, attr) says
-- whether a resource attribute that v refers to is sensitive.
function M.is_sensitive(v, attr_sensitive, seen)
  local mt = getmetatable(v)
  if mt == HANDLE then return attr_sensitive(rawget(v, "@addr"), "id") end
  if mt == DEFERRED then
    if v.kind == "sensitive" then return true end
    if v.kind == "ref" then return attr_sensitive(v.addr, v.path[1]) end
    local found = false
    each_part(v, function(p) found = found or M.is_sensitive(p, attr_sensitive, seen) end)
    return found
  end
  if type(v) ~= "table" then return false end
  seen = seen or {}
  if seen[v] then return false end
  seen[v] = true
  for k, x in pairs(v) do
    if M.is_sensitive(k, attr_sensitive, seen) or M.is_sensitive(x, attr_sensitive, seen) then return true end
  end
  return false
end

-- v with every secret unwrapped, for settings used as they are (the
-- provider and backend blocks); other deferred values are left alone.
function M.reveal(v)
  if M.is(v) and v.kind == "sensitive" then return M.reveal(v.value) end
  if type(v) ~= "table" or getmetatable(v) ~= nil then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = M.reveal(x) end
  return out
end

-- A C function (string.upper) has no bytecode and its address changes
-- from run to run: it is named by where the standard library keeps it.
local function c_function_name(fn)
  for _, lib in ipairs({ "string", "table", "math", "utf8", "os" }) do
    for name, f in pairs(_G[lib] or {}) do
      if f == fn then return lib .. "." .. name end
    end
  end
  for name, f in pairs(_G) do
    if f == fn then return name end
  end
  return "?"
end

-- The bytecode of fn (no debug info): the same function body gives the
-- same text in every run.
local function function_text(fn)
  local ok, code = pcall(string.dump, fn, true)
  return ok and ("function:" .. core.sha256_hex(code)) or ("cfunction:" .. c_function_name(fn))
end

local function sorted_pairs_text(t, describe)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    if type(a) == type(b) and (type(a) == "number" or type(a) == "string") then return a < b end
    return type(a) < type(b)
  end)
  local parts = {}
  for i, k in ipairs(keys) do parts[i] = describe(k) .. "=" .. describe(t[k]) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

-- A canonical text of v in which deferred values appear as expressions:
-- references by address, fmt/json/map with what they combine, map's
-- function by its bytecode. Two runs of a stack can so compare a value
-- before it is known (a saved plan against the stack at apply).
function M.describe(v)
  local mt = getmetatable(v)
  if mt == DEFERRED then
    if v.kind == "ref" then
      local path = {}
      for i, k in ipairs(v.path) do path[i] = tostring(k) end
      return "${" .. v.addr .. "." .. table.concat(path, ".") .. "}"
    elseif v.kind == "concat" then
      local parts = {}
      for i, p in ipairs(v.parts) do parts[i] = M.describe(p) end
      return "concat(" .. table.concat(parts, ", ") .. ")"
    elseif v.kind == "fmt" then
      local parts = { M.describe(v.format) }
      for i = 1, v.args.n do parts[#parts + 1] = M.describe(v.args[i]) end
      return "fmt(" .. table.concat(parts, ", ") .. ")"
    elseif v.kind == "json" then
      return "json(" .. M.describe(v.value) .. ")"
    elseif v.kind == "call" then
      local parts = {}
      for i = 1, v.args.n do parts[i] = M.describe(v.args[i]) end
      return v.name .. "(" .. table.concat(parts, ", ") .. ")"
    elseif v.kind == "map" then
      return "map(" .. M.describe(v.src) .. ", " .. function_text(v.fn) .. ")"
    elseif v.kind == "sensitive" then
      return "sensitive(" .. core.sha256_hex(M.describe(v.value)) .. ")"
    end
  elseif mt == HANDLE then
    return "${" .. rawget(v, "@addr") .. "}"
  elseif type(v) == "table" then
    return sorted_pairs_text(v, M.describe)
  elseif type(v) == "string" then
    return string.format("%q", v)
  elseif type(v) == "function" then
    return function_text(v)
  end
  return tostring(v)
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
-- needs it becomes UNKNOWN as a whole). at_apply: the values are for an
-- apply (uuid() and timestamp() are known only then).
function M.resolve(v, lookup, at_apply)
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
        local x = M.resolve(p, lookup, at_apply)
        if contains_unknown(x) then return UNKNOWN end
        if x == nil then error("cannot concatenate a nil value (" .. M.describe(p) .. ")", 0) end
        out[i] = tostring(x)
      end
      return table.concat(out)
    elseif v.kind == "fmt" then
      local args = {}
      for i = 1, v.args.n do
        local x = M.resolve(v.args[i], lookup, at_apply)
        if contains_unknown(x) then return UNKNOWN end
        args[i] = x
      end
      return string.format(v.format, table.unpack(args, 1, v.args.n))
    elseif v.kind == "json" then
      local x = M.resolve(v.value, lookup, at_apply)
      if contains_unknown(x) then return UNKNOWN end
      return core.json_encode(x)
    elseif v.kind == "map" then
      local x = M.resolve(v.src, lookup, at_apply)
      if contains_unknown(x) then return UNKNOWN end
      return v.fn(x)
    elseif v.kind == "sensitive" then
      return M.resolve(v.value, lookup, at_apply)
    elseif v.kind == "call" then
      if v.at_apply and not at_apply then return UNKNOWN end
      local args = {}
      for i = 1, v.args.n do
        local x = M.resolve(v.args[i], lookup, at_apply)
        if contains_unknown(x) then return UNKNOWN end
        args[i] = x
      end
      local ok, out = pcall(v.fn, table.unpack(args, 1, v.args.n))
      if not ok then
        require("luaform.errors").raise(v.where or nil, "%s", type(out) == "table" and out.message or tostring(out))
      end
      return out
    end
  elseif mt == HANDLE then
    return M.resolve(M.ref(rawget(v, "@addr"), { "id" }), lookup, at_apply)
  elseif v == UNKNOWN then
    return UNKNOWN
  elseif type(v) == "table" then
    local out = {}
    for k, x in pairs(v) do out[k] = M.resolve(x, lookup, at_apply) end
    return setmetatable(out, getmetatable(v))
  end
  return v
end

return M
