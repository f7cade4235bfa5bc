-- luaform.schema: resource types and their schemas.
--
-- A resource type is a Lua module luaform.providers.<provider>.<type>
-- (the provider is the type's prefix: aws_vpc -> aws) returning a table
-- with `schema` and the operations of the provider contract (DESIGN.md),
-- or the same in a stack's or module's providers/<provider>/<type>.lua
-- (luaform.usertypes, asked first).
-- This module loads types, checks a resource's arguments against the
-- schema before any provider call, and normalizes values to the schema's
-- types so that the planner compares like with like.
--
-- Attribute spec fields: type ("string", "number", "bool", "list", "set",
-- "map", "block", "json", "any"), elem (element type of list/set/map),
-- block (a nested schema, for "block" and for lists/sets of blocks),
-- required, optional, computed, force_new, sensitive, default. force_new
-- is true, or function(old, new) -> true when that change needs a new
-- object (Terraform's ForceNewIfChange; other changes are in place).
local deferred = require("luaform.deferred")
local core = require("luaform.core")
local usertypes = require("luaform.usertypes")

local M = {}
local types = {}

local function distance(a, b)
  local prev, cur = {}, {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    cur[0] = i
    for j = 1, #b do
      local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev, cur = cur, prev
  end
  return prev[#b]
end

-- " (did you mean "x"?)" for the closest candidate, or "".
function M.suggest(word, candidates)
  local best, bestd
  for _, c in ipairs(candidates) do
    local d = distance(word, c)
    if not bestd or d < bestd then best, bestd = c, d end
  end
  if best and bestd <= math.max(2, #word // 3) then
    return string.format(' (did you mean "%s"?)', best)
  end
  return ""
end

-- Every type's name (built-in and the stack's own), sorted.
function M.type_names()
  local out = usertypes.names()
  for _, m in ipairs(core.embedded()) do
    local t = m:match("^luaform%.providers%.[%w_]+%.([%w_]+)$")
    -- _name: a provider's shared helpers, not a type
    if t and t:sub(1, 1) ~= "_" then out[#out + 1] = t end
  end
  table.sort(out)
  return out
end

-- A data source named like a resource type (Terraform has both
-- aws_route53_zone's) lives in providers/<provider>/data/<type>.lua; the
-- module for mode "data", else nil.
local function load_data(type_name)
  local key = "data." .. type_name
  if types[key] then return types[key] end
  local provider = type_name:match("^([%a%d]+)_%w")
  if not provider then return nil end
  local name = "luaform.providers." .. provider .. ".data." .. type_name
  local ok, mod = pcall(require, name)
  if not ok then
    if tostring(mod):find("module '[^']+' not found") then return nil end
    error(mod, 0)
  end
  mod.type, mod.provider = type_name, provider
  mod.file = mod.file or select(2, core.embedded(name))
  types[key] = mod
  return mod
end

-- The type's module (mode "data": its data source, when a resource type has
-- the same name), or nil and an error message.
function M.load(type_name, mode)
  if mode == "data" then
    local mod = load_data(type_name)
    if mod then return mod end
  end
  if types[type_name] then return types[type_name] end
  local provider = type_name:match("^([%a%d]+)_%w")
  local ok, mod = false, nil
  if provider and usertypes.file(type_name) then
    ok, mod = true, usertypes.load(type_name)
  elseif provider then
    ok, mod = pcall(require, "luaform.providers." .. provider .. "." .. type_name)
    if not ok and not tostring(mod):find("module '[^']+' not found") then error(mod, 0) end
  end
  if not ok then
    return nil, string.format('unknown resource type "%s"%s', type_name,
      M.suggest(type_name, M.type_names()))
  end
  mod.type = type_name
  mod.provider = provider
  mod.file = mod.file or select(2, core.embedded("luaform.providers." .. provider .. "." .. type_name))
  if not mod.read and mod.read_batch then   -- a type that reads in batches only
    function mod.read(ctx, id, prior)
      return mod.read_batch(ctx, { id }, { { entry = { attributes = prior } } })[id]
    end
  end
  types[type_name] = mod
  return mod
end

local function sorted_keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out)
  return out
end
M.sorted_keys = sorted_keys

local function is_list(v)
  if type(v) ~= "table" or getmetatable(v) == core.json_array_mt then return type(v) == "table" end
  local n = 0
  for _ in pairs(v) do n = n + 1 end
  return n == #v
end

local function settable(spec) return not spec.computed or spec.optional or spec.required end

-- Checks value v against spec; returns an error message or nil. Deferred
-- values are accepted (their type is known only at apply).
local function check(spec, v, path)
  if deferred.is(v) and v.kind == "sensitive" then v = v.value end   -- a secret is known now
  if v == nil or deferred.is(v) or v == deferred.UNKNOWN then return nil end
  local t = spec.type or "any"
  if t == "string" then
    if type(v) ~= "string" and type(v) ~= "number" then
      return string.format("%s: expected a string, got %s", path, type(v))
    end
  elseif t == "number" then
    if type(v) ~= "number" and not (type(v) == "string" and tonumber(v)) then
      return string.format("%s: expected a number, got %s", path, type(v))
    end
  elseif t == "bool" then
    if type(v) ~= "boolean" and v ~= "true" and v ~= "false" then
      return string.format("%s: expected a boolean, got %s", path, type(v))
    end
  elseif t == "map" then
    if type(v) ~= "table" then return string.format("%s: expected a map, got %s", path, type(v)) end
    for k, x in pairs(v) do
      local err = check({ type = spec.elem or "any" }, x, path .. "." .. tostring(k))
      if err then return err end
    end
  elseif t == "list" or t == "set" then
    if type(v) ~= "table" then return string.format("%s: expected a list, got %s", path, type(v)) end
    if spec.block and not is_list(v) then v = { v } end
    if not is_list(v) then return string.format("%s: expected a list, got a map", path) end
    if spec.max_items and #v > spec.max_items then
      return string.format("%s: at most %d allowed, got %d", path, spec.max_items, #v)
    end
    for i, x in ipairs(v) do
      local err
      if spec.block then err = M.check_block(spec.block, x, string.format("%s[%d]", path, i))
      else err = check({ type = spec.elem or "any" }, x, string.format("%s[%d]", path, i)) end
      if err then return err end
    end
  elseif t == "block" then
    return M.check_block(spec.block, v, path)
  elseif t == "json" then
    if type(v) ~= "string" and type(v) ~= "table" then
      return string.format("%s: expected a JSON document (string or table), got %s", path, type(v))
    end
  end
  return nil
end

-- Checks the table args against a block schema: unknown arguments (with a
-- suggestion), computed-only ones, missing required ones, wrong types.
function M.check_block(schema, args, path)
  if type(args) ~= "table" then
    return string.format("%s: expected a block (table), got %s", path, type(args))
  end
  local prefix = path and (path .. ".") or ""
  for _, k in ipairs(sorted_keys(args)) do
    local spec = schema[k]
    if type(k) ~= "string" then
      return string.format("%sarguments must be named, got key %s", prefix, tostring(k))
    end
    if not spec then
      local names = {}
      for name, s in pairs(schema) do if settable(s) then names[#names + 1] = name end end
      table.sort(names)
      return string.format('%sunsupported argument "%s"%s', prefix, k, M.suggest(k, names))
    end
    if not settable(spec) then
      return string.format('%s"%s" is computed by the provider and cannot be set', prefix, k)
    end
    local err = check(spec, args[k], prefix .. k)
    if err then return err end
  end
  for _, k in ipairs(sorted_keys(schema)) do
    if schema[k].required and args[k] == nil then
      return string.format('%smissing required argument "%s"', prefix, k)
    end
  end
  return nil
end

-- Every attribute a type exports (arguments and computed ones), plus id.
function M.exports(mod, name)
  return name == "id" or mod.schema[name] ~= nil
end

function M.export_names(mod)
  local out = { "id" }
  for k in pairs(mod.schema) do if k ~= "id" then out[#out + 1] = k end end
  table.sort(out)
  return out
end

-- Normalizes a known value to the spec's type (numbers from strings, and
-- the reverse, single blocks to lists); unknown parts pass through.
function M.normalize(spec, v)
  if v == nil or v == deferred.UNKNOWN or deferred.is(v) then return v end
  local t = spec and spec.type or "any"
  if t == "string" and type(v) == "number" then
    return math.type(v) == "float" and v % 1 ~= 0 and tostring(v) or string.format("%d", v)
  elseif t == "number" and type(v) == "string" then
    return tonumber(v) or v
  elseif t == "bool" and type(v) == "string" then
    if v == "true" then return true elseif v == "false" then return false end
  elseif (t == "list" or t == "set") and type(v) == "table" then
    if spec.block and not is_list(v) then v = { v } end
    local out = {}
    for i, x in ipairs(v) do
      out[i] = spec.block and M.normalize_block(spec.block, x) or M.normalize({ type = spec.elem }, x)
    end
    if t == "set" then
      table.sort(out, function(a, b) return core.json_encode(a) < core.json_encode(b) end)
    end
    return out
  elseif t == "map" and type(v) == "table" then
    local out = {}
    for k, x in pairs(v) do out[tostring(k)] = M.normalize({ type = spec.elem }, x) end
    return out
  elseif t == "block" and type(v) == "table" then
    return M.normalize_block(spec.block, v)
  elseif t == "json" and type(v) == "table" then
    return core.json_encode(v)
  end
  return v
end

-- Gives the arguments an adopted object's attributes lack their defaults
-- (settings AWS does not report, e.g. force_delete), in place.
function M.fill_defaults(schema, attrs)
  for k, spec in pairs(schema) do
    if attrs[k] == nil and spec.default ~= nil and (spec.optional or spec.required) then
      attrs[k] = spec.default
    end
  end
  return attrs
end

-- Normalizes a block and fills in defaults.
function M.normalize_block(schema, args)
  if type(args) ~= "table" then return args end
  local out = {}
  for k, spec in pairs(schema) do
    local v = args[k]
    if v == nil and spec.default ~= nil then v = spec.default end
    out[k] = M.normalize(spec, v)
  end
  return out
end

return M
