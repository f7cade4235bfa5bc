-- luaform.strict: mistakes Lua lets pass that a stack must not.
--
-- While a stack is evaluated (enter() ... leave()), stack and module code
-- (any file that is not the engine's own lua/luaform/) may not:
--   - read a global that does not exist: `ignore_changes = { name }` would
--     otherwise silently be `{}`; the error names it, with a suggestion;
--   - create a global: a stack has no globals (as in Terraform), and every
--     module shares Lua's global table, so a global would leak between
--     modules; `local` is the way;
--   - turn a reference into text with a string function (string.format,
--     ("x"):rep, string.sub, table.concat...): the text would lose the
--     reference (and the dependency). tostring(ref), ref:method(),
--     arithmetic and ordering are refused by the deferred value itself
--     (deferred.lua), at every time.
-- check_meta_arguments() refuses Terraform's meta-arguments (depends_on,
-- lifecycle, count...) written among a resource's arguments.
-- Each error is raised at the file:line of the stack or module code.
-- While a stack runs, string.* and table.concat are swapped for guarded ones:
-- luacheck: globals string table

local deferred = require("luaform.deferred")
local errors = require("luaform.errors")

local M = {}

local ENGINE = "@lua/luaform/"

local function is_user_source(source)
  return source:sub(1, 1) == "@" and source:sub(1, #ENGINE) ~= ENGINE
end

-- "file:line" of the innermost stack or module frame above `level`, or nil.
function M.user_where(level)
  level = (level or 1) + 1
  while true do
    local info = debug.getinfo(level, "Sl")
    if not info then return nil end
    if is_user_source(info.source) then return info.short_src .. ":" .. info.currentline end
    level = level + 1
  end
end

-- Is the function `level` frames up stack or module code?
local function user_frame(level)
  local info = debug.getinfo(level + 1, "S")
  return info ~= nil and is_user_source(info.source)
end

local function global_names()
  local out = {}
  for k in pairs(_G) do if type(k) == "string" then out[#out + 1] = k end end
  return out
end

local GLOBALS = {}
GLOBALS.__index = function(_, k)
  if not user_frame(2) then return nil end
  local schema = require("luaform.schema")
  local hint = schema.suggest(tostring(k), global_names())
  if hint == "" then hint = string.format(' (a name is text: "%s"; a value of your own: declare it local first)', tostring(k)) end
  errors.raise(M.user_where(2), 'undefined global "%s"%s', tostring(k), hint)
end
GLOBALS.__newindex = function(t, k, v)
  if user_frame(2) then
    errors.raise(M.user_where(2), 'assignment to global "%s": a stack has no globals; declare it local (local %s = ...)',
      tostring(k), tostring(k))
  end
  rawset(t, k, v)
end

local function is_reference(v) return deferred.is(v) end

-- The error for a reference given to a string function.
local function refuse(name, ref, where)
  local how = name == "format" and 'use fmt(...), which keeps the reference'
    or name == "concat" and 'join with .. (a .. "," .. b) or fmt(...)'
    or string.format('use .., fmt(...) or ref:map(function(s) return s:%s(...) end)', name)
  errors.raise(where, "%s cannot be made into text by %s: %s",
    deferred.what(ref), name == "concat" and "table.concat" or "string." .. name, how)
end

-- A string function that refuses references among its arguments.
local function guarded_string(name, fn)
  return function(...)
    for i = 1, select("#", ...) do
      local v = select(i, ...)
      if is_reference(v) then refuse(name, v, M.user_where(2)) end
    end
    return fn(...)
  end
end

local function guarded_concat(fn)
  return function(list, ...)
    if type(list) == "table" then
      for _, x in ipairs(list) do
        if is_reference(x) then refuse("concat", x, M.user_where(2)) end
      end
    end
    return fn(list, ...)
  end
end

-- Terraform's meta-arguments written among a resource's arguments (that
-- its type does not have): each says where it belongs. lifecycle is the
-- set of keys the 4th table takes.
function M.check_meta_arguments(schema, args, lifecycle, where, kind, type_name, name)
  for k in pairs(args) do
    if schema[k] == nil then
      local call = string.format('%s("%s", "%s", { ... }, { %%s })', kind, type_name, name)
      if lifecycle[k] then
        errors.raise(where, '%s %s.%s: "%s" is not an argument; it belongs in the 4th table: ' .. call,
          kind, type_name, name, k, k .. " = ...")
      elseif k == "lifecycle" then
        errors.raise(where, '%s %s.%s: lifecycle options go in the 4th table, without "lifecycle = { }": ' .. call,
          kind, type_name, name, "ignore_changes = ...")
      elseif k == "count" or k == "for_each" then
        errors.raise(where, '%s %s.%s: "%s" is not an argument; a Lua loop declares several, each with a key: '
          .. 'for k, v in pairs(t) do %s("%s", "%s[" .. k .. "]", { ... }) end',
          kind, type_name, name, k, kind, type_name, name)
      end
    end
  end
end

local active = nil

-- Makes the stack language strict; returns nothing. Re-entrant.
function M.enter()
  local saved = { depth = active and active.depth + 1 or 1, prev = active }
  if saved.depth == 1 then
    saved.mt = getmetatable(_G)
    setmetatable(_G, GLOBALS)
    saved.string = {}
    for name, fn in pairs(string) do
      saved.string[name] = fn
      local g = guarded_string(name, fn)
      deferred.plain_function[g] = fn
      string[name] = g
    end
    saved.concat = table.concat
    table.concat = guarded_concat(saved.concat)
    deferred.plain_function[table.concat] = saved.concat
  end
  active = saved
end

-- Undoes the innermost enter().
function M.leave()
  local saved = active
  active = saved.prev
  if saved.depth == 1 then
    setmetatable(_G, saved.mt)
    for name, fn in pairs(saved.string) do string[name] = fn end
    table.concat = saved.concat
  end
end

return M
