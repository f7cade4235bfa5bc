-- luaform.functions: the stack functions for what Lua has no idiom for
-- (Terraform's cidrsubnet, templatefile, sha256, merge, try, ...), with
-- Terraform's behaviour and error texts.
--
-- Each works on references as fmt does: given known values it returns the
-- result at once; given a deferred value anywhere in its arguments it
-- returns a deferred call (deferred.call) computed when they are known,
-- and a secret argument keeps the result secret. uuid() and timestamp()
-- are known only at apply (Terraform's semantics), so a saved plan holding
-- them stays valid. An error names the function and the caller's
-- file:line, at the call or, for a deferred call, when it is computed.
local core = require("luaform.core")
local deferred = require("luaform.deferred")
local errors = require("luaform.errors")
local strict = require("luaform.strict")
local cidr = require("luaform.cidr")

local M = {}

local function fail(fmt, ...) error(string.format(fmt, ...), 0) end

local function message(e)
  if type(e) == "table" and e.message then return e.message end
  return tostring(e)
end

-- fn with its errors prefixed by its name.
local function named(name, fn)
  return function(...)
    local r = table.pack(pcall(fn, ...))
    if not r[1] then error({ message = name .. ": " .. message(r[2]) }, 0) end
    return table.unpack(r, 2, r.n)
  end
end

-- A stack function: computed now, or deferred while an argument is.
local function lift(name, fn, at_apply)
  local run = named(name, fn)
  M[name] = function(...)
    local args = table.pack(...)
    local where = strict.user_where(2)
    if at_apply then return deferred.call(name, run, args, where, true) end
    for i = 1, args.n do
      if deferred.has_deferred(args[i]) then return deferred.call(name, run, args, where) end
    end
    local r = table.pack(pcall(run, ...))
    if not r[1] then errors.raise(where, "%s", message(r[2])) end
    return table.unpack(r, 2, r.n)
  end
end

local function string_arg(v, what)
  if type(v) ~= "string" then fail("%s must be a string, got %s", what, type(v)) end
  return v
end

local function table_arg(v, what)
  if type(v) ~= "table" then fail("%s must be a table, got %s", what, type(v)) end
  return v
end

-- ---- network ----
lift("cidrsubnet", cidr.cidrsubnet)
lift("cidrsubnets", cidr.cidrsubnets)
lift("cidrhost", cidr.cidrhost)
lift("cidrnetmask", cidr.cidrnetmask)

-- ---- files: a path is relative to the directory of the calling file ----
-- (Terraform's path.module), so a module finds the files beside it.
local function read(path)
  local data, err = core.read_file(string_arg(path, "path"))
  if not data then
    if core.stat(path) == nil then fail("no file exists at %q", path) end
    fail("%s", err)
  end
  return data
end

local function text_of(path)
  local data = read(path)
  if not utf8.len(data) then fail("contents of %s are not valid UTF-8; use filebase64 to read it as bytes", path) end
  return data
end

lift("file", text_of)
lift("filebase64", function(path) return core.base64_encode(read(path)) end)
lift("filesha256", function(path) return core.sha256_hex(read(path)) end)
lift("templatefile", function(path, vars)
  vars = vars == nil and {} or table_arg(vars, "vars")
  return require("luaform.template").render(text_of(path), vars, path)
end)

-- The path as seen from the stack directory: relative to the caller's file.
local function from_caller(fn)
  return function(path, ...)
    if type(path) == "string" and path:sub(1, 1) ~= "/" then
      local level = 2
      while true do
        local info = debug.getinfo(level, "S")
        if not info then break end
        local src = info.source
        if src:sub(1, 1) == "@" and src:sub(1, #"@lua/luaform/") ~= "@lua/luaform/" then
          local dir = src:sub(2):match("^(.*)/[^/]*$")
          if dir and dir ~= "." then path = dir .. "/" .. path end
          break
        end
        level = level + 1
      end
    end
    return fn(path, ...)
  end
end
for _, name in ipairs({ "file", "filebase64", "filesha256", "templatefile" }) do M[name] = from_caller(M[name]) end

-- ---- encodings and hashes (OpenSSL, in the core) ----
lift("base64encode", function(s) return core.base64_encode(string_arg(s, "the argument")) end)
lift("base64decode", function(s)
  local ok, out = pcall(core.base64_decode, string_arg(s, "the argument"))
  if not ok or out == nil then fail("failed to decode base64 data %q", #s > 20 and s:sub(1, 20) .. "..." or s) end
  if not utf8.len(out) then fail("the result of decoding the provided string is not valid UTF-8") end
  return out
end)
lift("sha1", function(s) return core.sha1_hex(string_arg(s, "the argument")) end)
lift("sha256", function(s) return core.sha256_hex(string_arg(s, "the argument")) end)
lift("md5", function(s) return core.md5_hex(string_arg(s, "the argument")) end)
-- JSON null is Lua's nil: an object's null member is an absent key (a
-- list keeps core.null in its place, so that the positions stay).
local function without_null_members(v)
  if v == core.null then return nil end
  if type(v) ~= "table" then return v end
  local list = getmetatable(v) == core.json_array_mt
  for k, x in pairs(v) do
    if x ~= core.null or not list then v[k] = without_null_members(x) end
  end
  return v
end
lift("jsondecode", function(s)
  local out, err = core.json_decode(string_arg(s, "the argument"), "the argument")
  if err then fail("invalid JSON: %s", err) end
  return without_null_members(out)
end)

-- ---- known only at apply ----
lift("uuid", function() return core.uuid() end, true)
lift("timestamp", function() return core.iso8601() end, true)

-- ---- collections ----
lift("merge", function(...)
  local out = {}
  for i = 1, select("#", ...) do
    local m = select(i, ...)
    if m ~= nil then
      for k, v in pairs(table_arg(m, "argument " .. i)) do out[k] = v end
    end
  end
  return out
end)

lift("zipmap", function(keys, values)
  table_arg(keys, "keys"); table_arg(values, "values")
  if #keys ~= #values then fail("number of keys (%d) does not match number of values (%d)", #keys, #values) end
  local out = {}
  for i, k in ipairs(keys) do out[string_arg(k, "key " .. i)] = values[i] end
  return out
end)

local function flatten(list, out)
  for _, v in ipairs(list) do
    if type(v) == "table" and getmetatable(v) == nil and (#v > 0 or next(v) == nil) then flatten(v, out)
    else out[#out + 1] = v end
  end
  return out
end
lift("flatten", function(list) return flatten(table_arg(list, "the argument"), {}) end)

lift("distinct", function(list)
  local out, seen = {}, {}
  for _, v in ipairs(table_arg(list, "the argument")) do
    local key = type(v) == "table" and deferred.describe(v) or v
    if not seen[key] then seen[key] = true; out[#out + 1] = v end
  end
  return out
end)

lift("setproduct", function(...)
  local n = select("#", ...)
  if n < 2 then fail("at least two arguments are required") end
  local out = { {} }
  for i = 1, n do
    local next_out = {}
    for _, prefix in ipairs(out) do
      for _, v in ipairs(table_arg(select(i, ...), "argument " .. i)) do
        local t = { table.unpack(prefix) }
        t[#t + 1] = v
        next_out[#next_out + 1] = t
      end
    end
    out = next_out
  end
  return out
end)

lift("coalesce", function(...)
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if v ~= nil and v ~= "" then return v end
  end
  fail("no non-null, non-empty-string arguments")
end)

-- ---- errors as values: arguments are functions (Lua evaluates arguments
-- before the call; a function delays it as Terraform's try does) ----
function M.try(...)
  local n, last = select("#", ...), nil
  for i = 1, n do
    local f = select(i, ...)
    if type(f) ~= "function" then return f end
    local ok, v = pcall(f)
    if ok then return v end
    last = v
  end
  errors.raise(strict.user_where(2), "try: no expression succeeded%s",
    last ~= nil and (" (the last: " .. message(errors.wrap(last) and errors.tostring(last)) .. ")") or "")
end

function M.can(f)
  if type(f) ~= "function" then
    errors.raise(strict.user_where(2), "can: expects a function, as in can(function() return x.y end)")
  end
  return (pcall(f))
end

M.names = {}
for name in pairs(M) do if name ~= "names" then M.names[#M.names + 1] = name end end
table.sort(M.names)

return M
