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
-- "map", "block", "json", "any"), elem (element type of list/set/map: a
-- type name or a spec),
-- block (a nested schema, for "block" and for lists/sets of blocks),
-- required, optional, computed, force_new, sensitive, default. force_new
-- is true, or function(old, new) -> true when that change needs a new
-- object (Terraform's ForceNewIfChange; other changes are in place).
-- validate: fn(v) -> message or nil, a check of a known value beyond its
-- type (a date's form), reported with the argument's path.
-- conflicts_with: the arguments that may not be set with this one
-- (Terraform's ConflictsWith: name and name_prefix).
-- suppress_diff = fn(desired, prior) -> true when the argument does not
-- matter for this object, so a difference is none (Terraform's
-- DiffSuppressFunc: an application load balancer's cross-zone setting).
-- absent_is_unset: AWS leaves this attribute out of its answers to mean
-- "not set" (a removed KMS key or delivery policy), so a read without it
-- is drift; any other attribute a read leaves out keeps its prior value
-- (merge_read).
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

-- Every type's name (built-in and the stack's own), sorted; a data source
-- named like a resource type is "data.<type>" (load() takes that name).
function M.type_names()
  local out = usertypes.names()
  for _, m in ipairs(core.embedded()) do
    local t = m:match("^luaform%.providers%.[%w_]+%.([%w_]+)$")
    -- _name: a provider's shared helpers, not a type
    if t and t:sub(1, 1) ~= "_" then out[#out + 1] = t end
    t = m:match("^luaform%.providers%.[%w_]+%.data%.([%w_]+)$")
    if t then out[#out + 1] = "data." .. t end
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
  mod.type, mod.provider, mod.name = type_name, provider, key
  mod.file = mod.file or select(2, core.embedded(name))
  types[key] = mod
  return mod
end

-- The type's module (mode "data": its data source, when a resource type has
-- the same name; "data.<type>": only that data source), or nil and an
-- error message. mod.name is the name type_names() lists.
function M.load(type_name, mode)
  if mode ~= "data" and types[type_name] then return types[type_name] end   -- loaded: once per entry of a refresh
  local data_name = type_name:match("^data%.(.+)$")
  if data_name then
    return load_data(data_name) or nil, string.format('unknown data source "%s"', type_name)
  end
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
  mod.type, mod.name = type_name, type_name
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
  local out = core.sorted_string_keys(t)   -- the usual case, in C
  if out then return out end
  out = {}
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

-- The spec of a list's, set's or map's elements (made once per spec when
-- elem is a type name: it is asked per element).
local elem_specs = setmetatable({}, { __mode = "k" })
local function elem_spec(spec)
  local es = elem_specs[spec]
  if not es then
    es = type(spec.elem) == "table" and spec.elem or { type = spec.elem or "any" }
    elem_specs[spec] = es
  end
  return es
end

local check

-- The problem of element x of a list or map (block: the elements' block
-- schema, if they are blocks; es: their spec), or nil; at: its path.
local function element_problem(block, es, x, at)
  if block then return M.check_block(block, x, at) end
  return check(es, x, at)
end

-- Checks value v against spec; returns an error message or nil (path nil:
-- true or nil). Deferred values are accepted (their type is known only at
-- apply). (tv: v's type, asked once: type() is a C call, per value.)
function check(spec, v, path)
  local tv, mt = type(v), nil
  if tv == "table" then
    if deferred.is(v) then
      if v.kind ~= "sensitive" then return nil end
      v = v.value   -- a secret is known now
      tv = type(v)
      if tv == "table" and (deferred.is(v) or v == deferred.UNKNOWN) then return nil end
    elseif v == deferred.UNKNOWN then return nil end
    mt = getmetatable(v)
  end
  if v == nil then return nil end
  local t = spec.type or "any"
  if t == "string" then
    if tv ~= "string" and tv ~= "number" then
      return string.format("%s: expected a string, got %s", path, tv)
    end
  elseif t == "number" then
    if tv ~= "number" and not (tv == "string" and tonumber(v)) then
      return string.format("%s: expected a number, got %s", path, tv)
    end
  elseif t == "bool" then
    if tv ~= "boolean" and v ~= "true" and v ~= "false" then
      return string.format("%s: expected a boolean, got %s", path, tv)
    end
  elseif t == "map" then
    if tv ~= "table" then return string.format("%s: expected a map, got %s", path, tv) end
    -- (a table without a length is no list: is_list need not count it)
    if mt ~= core.json_object_mt and (#v > 0 or mt == core.json_array_mt and next(v) ~= nil) and is_list(v) then
      return string.format("%s: expected a map, got a list", path)
    end
    -- An element's path is a new string, made only for its error: each is
    -- checked first without one (path nil: the message only says there is
    -- a problem), which costs less than a string per element.
    local es = elem_spec(spec)
    for k, x in pairs(v) do
      if type(k) == "table" then tostring(k) end   -- a reference as a key is refused, as its text is made
      if check(es, x, nil) then
        if path == nil then return true end
        return check(es, x, path .. "." .. tostring(k))
      end
    end
  elseif t == "list" or t == "set" then
    if tv ~= "table" then return string.format("%s: expected a list, got %s", path, tv) end
    if spec.block and not is_list(v) then v = { v } end
    if not is_list(v) then return string.format("%s: expected a list, got a map", path) end
    if spec.max_items and #v > spec.max_items then
      return string.format("%s: at most %d allowed, got %d", path, spec.max_items, #v)
    end
    local block, es = spec.block, elem_spec(spec)
    for i, x in ipairs(v) do   -- (paths as for a map's elements)
      if element_problem(block, es, x, nil) then
        if path == nil then return true end
        return element_problem(block, es, x, string.format("%s[%d]", path, i))
      end
    end
  elseif t == "block" then
    return M.check_block(spec.block, v, path)
  elseif t == "json" then
    if tv ~= "string" and tv ~= "table" then
      return string.format("%s: expected a JSON document (string or table), got %s", path, tv)
    end
  end
  local bad = spec.validate and spec.validate(v)
  if bad then return string.format("%s: %s", path, bad) end
  return nil
end

-- Checks the value v of `name` (a variable, a module input) against spec;
-- the error gives the path inside v ("azs[2]: ..."), or none at the top.
function M.check_value(spec, v, name)
  local err = check(spec, v, name)
  if err and err:sub(1, #name + 2) == name .. ": " then err = err:sub(#name + 3) end
  return err
end

-- 'unsupported <what> "k" (did you mean ...)' for the first key of the
-- options table t that the set `allowed` lacks, or nil.
function M.unknown_option(t, allowed, what)
  local bad
  for k in pairs(t) do
    if not allowed[k] and (bad == nil or tostring(k) < tostring(bad)) then bad = k end
  end
  if bad == nil then return nil end
  return string.format('unsupported %s "%s"%s', what, tostring(bad), M.suggest(tostring(bad), sorted_keys(allowed)))
end

-- Checks the table args against a block schema: unknown arguments (with a
-- suggestion), computed-only ones, missing required ones, wrong types.
-- key_problem: the problem of args[k], or nil; first_problem: the first
-- problem of args in sorted key order (the error a user sees does not
-- depend on table order); keys: the keys to look at, in order.
local function key_problem(schema, args, k, prefix, at)
  local spec = schema[k]
  -- (a schema's keys are names: a key it has is one)
  if not spec and type(k) ~= "string" then
    return string.format("%sarguments must be named, got key %s", prefix, tostring(k))
  end
  if not spec then
    local names = {}
    for name, s in pairs(schema) do if settable(s) then names[#names + 1] = name end end
    table.sort(names)
    return string.format('%sunsupported argument "%s"%s', at, k, M.suggest(k, names))
  end
  if spec.computed and not settable(spec) then
    return string.format('%s"%s" is computed by the provider and cannot be set', at, k)
  end
  local err = check(spec, args[k], prefix .. k)
  if err then return err end
  if spec.conflicts_with then
    for _, other in ipairs(spec.conflicts_with) do
      if args[other] ~= nil then return string.format('%s"%s" conflicts with "%s"', at, k, other) end
    end
  end
  return nil
end

-- Orders keys of any types (arguments may hold a positional one by
-- mistake): by type name, then numbers and strings by value.
local function key_order(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  return (ta == "number" or ta == "string") and a < b
end

local function first_problem(schema, args, keys, prefix, at)
  for _, k in ipairs(keys) do
    local err = key_problem(schema, args, k, prefix, at)
    if err then return err end
  end
  return nil
end

-- A schema's required arguments, sorted (schemas are fixed once loaded;
-- checked once per resource, so computed once per schema).
local required_of = setmetatable({}, { __mode = "k" })
local function required_keys(schema)
  local list = required_of[schema]
  if not list then
    list = {}
    for _, k in ipairs(sorted_keys(schema)) do
      if schema[k].required then list[#list + 1] = k end
    end
    required_of[schema] = list
  end
  return list
end

function M.check_block(schema, args, path)
  if type(args) ~= "table" then
    return string.format("%s: expected a block (table), got %s", path, type(args))
  end
  local prefix = path and (path .. ".") or ""
  local at = path and (path .. ": ") or ""   -- a nested block's messages start with its path
  -- args in table order first: sorting them is needed only to pick the
  -- first of several problems
  for k in pairs(args) do
    if key_problem(schema, args, k, prefix, at) then
      local keys = {}
      for key in pairs(args) do keys[#keys + 1] = key end
      table.sort(keys, key_order)
      local err = first_problem(schema, args, keys, prefix, at)
      if err then return err end
      break
    end
  end
  local required = required_keys(schema)
  for i = 1, #required do   -- (a plain list: no ipairs, a C call per step)
    if args[required[i]] == nil then
      return string.format('%smissing required argument "%s"', at, required[i])
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
  local tv = type(v)
  if tv == "nil" or tv == "boolean" then return v end
  local t = spec and spec.type or "any"
  if tv == "string" then   -- the common case, first
    if t == "number" then return tonumber(v) or v end
    if t == "bool" and (v == "true" or v == "false") then return v == "true" end
    return v
  end
  if tv == "number" then
    if t ~= "string" then return v end
    return math.type(v) == "float" and v % 1 ~= 0 and tostring(v) or string.format("%d", v)
  end
  if v == deferred.UNKNOWN or deferred.is(v) then return v end
  if (t == "list" or t == "set") and type(v) == "table" then
    if spec.block and not is_list(v) then v = { v } end
    local out = {}
    for i, x in ipairs(v) do
      out[i] = spec.block and M.normalize_block(spec.block, x) or M.normalize(elem_spec(spec), x)
    end
    if t == "set" then
      table.sort(out, function(a, b) return core.json_encode(a) < core.json_encode(b) end)
    end
    return out
  elseif t == "map" and type(v) == "table" then
    local out = {}
    for k, x in pairs(v) do out[tostring(k)] = M.normalize(elem_spec(spec), x) end
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

-- What a read (refresh, or the read that ends a create or update) found,
-- completed from what was known before (the state, or the arguments just
-- sent): an attribute the read does not carry at all was left out by the
-- API (moto leaves out ECS's deploymentConfiguration), not removed, so
-- prior's value stands; unless the schema says absent_is_unset. An object
-- the read did not find (nil) stays nil. Returns a new table.
function M.merge_read(schema, prior, found)
  if found == nil or prior == nil then return found end
  local out = {}
  for k, v in pairs(found) do out[k] = v end
  for k, spec in pairs(schema) do
    if out[k] == nil and prior[k] ~= nil and prior[k] ~= deferred.UNKNOWN and not spec.absent_is_unset then
      out[k] = prior[k]
    end
  end
  return out
end

-- Normalizes a block and fills in defaults. lookup (the planner's): the
-- arguments are first resolved with it (deferred.resolve), one by one,
-- without a copy of the whole block.
function M.normalize_block(schema, args, lookup)
  if lookup and getmetatable(args) ~= nil then args = deferred.resolve(args, lookup); lookup = nil end
  if type(args) ~= "table" then return args end
  local out = {}
  for k, spec in pairs(schema) do
    local v = args[k]
    if v ~= nil and lookup then v = deferred.resolve(v, lookup) end
    if v == nil and spec.default ~= nil then v = spec.default end
    out[k] = M.normalize(spec, v)
  end
  return out
end

-- Terraform type expressions, the types of var(): "string", "number",
-- "bool", "any", "list(T)", "set(T)", "map(T)" (bare "list", "set", "map":
-- of any), "object({ name = T, port = optional(T) })" (attributes required
-- unless optional; optional(T, DEFAULT) with a JSON value fills in a
-- missing one). Returns the spec check_value takes (an object is a block),
-- or nil and an error message.
local PRIMITIVE = { string = true, number = true, bool = true, any = true }
local COLLECTION = { list = true, set = true, map = true }
local TYPE_NAMES = { "any", "bool", "list", "map", "number", "object", "set", "string" }

function M.parse_type(text)
  if type(text) ~= "string" then return nil, 'a type is text, such as "list(string)"' end
  -- tokens (names, punctuation, and the JSON text of defaults), with where each starts
  local toks, starts, pos = {}, {}, 1
  while pos <= #text do
    local tok = text:match("^%s+", pos)
    if not tok then
      if text:sub(pos, pos) == '"' then
        local e = pos + 1
        while e <= #text and text:sub(e, e) ~= '"' do e = e + (text:sub(e, e) == "\\" and 2 or 1) end
        if e > #text then return nil, string.format('unterminated text in type "%s"', text) end
        tok = text:sub(pos, e)
      else
        tok = text:match("^[%a_][%w_]*", pos) or text:match("^%-?%d[%w%.%+%-]*", pos) or text:match("^[(){}%[%]=,:]", pos)
      end
      if not tok then return nil, string.format('unexpected "%s" in type "%s"', text:sub(pos, pos), text) end
      toks[#toks + 1], starts[#toks + 1] = tok, pos
    end
    pos = pos + #tok
  end
  local i = 1
  local function fail(fmt, ...) error({ type_error = string.format(fmt, ...) }, 0) end
  local function near() return toks[i] and string.format(' before "%s"', toks[i]) or " at the end" end
  local function expect(tok)
    if toks[i] ~= tok then fail('expected "%s"%s in type "%s"', tok, near(), text) end
    i = i + 1
  end
  local function parse()
    local name = toks[i]
    if not name or not name:match("^[%a_]") then fail('expected a type%s in type "%s"', near(), text) end
    i = i + 1
    if PRIMITIVE[name] then return { type = name } end
    if COLLECTION[name] then
      if toks[i] ~= "(" then return { type = name } end
      expect("(")
      local elem = parse()
      expect(")")
      return { type = name, elem = elem }
    end
    if name == "object" then
      expect("(")
      expect("{")
      local block = {}
      while toks[i] ~= "}" do
        local attr = toks[i]
        if not attr or not attr:match("^[%a_]") then fail('expected an attribute name%s in type "%s"', near(), text) end
        i = i + 1
        expect("=")
        local spec
        if toks[i] == "optional" then
          i = i + 1
          expect("(")
          spec = parse()
          if toks[i] == "," then   -- the default: JSON text up to the closing parenthesis
            i = i + 1
            local from, depth = starts[i], 0
            while toks[i] and (depth > 0 or toks[i] ~= ")") do
              if toks[i]:match("^[%(%[{]$") then depth = depth + 1 elseif toks[i]:match("^[%)%]}]$") then depth = depth - 1 end
              i = i + 1
            end
            local literal = from and text:sub(from, (starts[i] or #text + 1) - 1) or ""
            local v = core.json_decode(literal)
            if v == nil then fail('attribute "%s": the default in optional() is a JSON value, got "%s"', attr, literal) end
            local err = v ~= core.null and M.check_value(spec, v, attr)
            if err then fail('attribute "%s": the default in optional(): %s', attr, err) end
            if v ~= core.null then spec.default = M.normalize(spec, v) end
          end
          expect(")")
          spec.optional = true
        else
          spec = parse()
          spec.required = true
        end
        block[attr] = spec
        if toks[i] == "," then i = i + 1 elseif toks[i] ~= "}" then expect("}") end
      end
      expect("}")
      expect(")")
      return { type = "block", block = block }
    end
    fail('unknown type "%s"%s', name, M.suggest(name, TYPE_NAMES))
  end
  local ok, spec = pcall(parse)
  if not ok then
    if type(spec) == "table" and spec.type_error then return nil, spec.type_error end
    error(spec, 0)
  end
  if toks[i] then return nil, string.format('unexpected "%s" after the type in "%s"', toks[i], text) end
  return spec
end

return M
