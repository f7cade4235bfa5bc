-- luaform.interface: checked module interfaces.
--
-- A module is a function(args) -> outputs (unchecked), or a table
--
--   { inputs = { NAME = { type = "list(string)", required = true, default = ...,
--                         description = "...", validation = function(v) return ok, msg end,
--                         sensitive = true, known = true }, ... },
--     outputs = { NAME = { description = "...", sensitive = true }, ... },
--     body = function(args) ... return outputs end }
--
-- whose inputs module() checks at the call, with the schema language of
-- resources and variables (schema.parse_type, schema.check_value): an
-- unknown input (with a suggestion), a missing required one, a value of
-- the wrong type, a validation failure; each error names the caller's
-- file:line, the module and the input. `known` inputs must be known when
-- the stack is evaluated (the module decides what to declare from them):
-- no resource attribute in them. The body gets the inputs with their
-- defaults; a value it returns under a name `outputs` lacks, or a declared
-- output it does not return, is an error at the body's file:line. A bad
-- interface (an unknown option, a type that does not parse, a default of
-- the wrong type) is an error at the module() call.
local deferred = require("luaform.deferred")
local errors = require("luaform.errors")
local schema = require("luaform.schema")

local M = {}

local MODULE_KEYS = { inputs = true, outputs = true, body = true, description = true }
local INPUT_OPTIONS = {
  type = true, required = true, default = true, description = true, validation = true,
  sensitive = true, known = true,
}
local OUTPUT_OPTIONS = { description = true, sensitive = true }

-- Is m a module table (rather than a bare function)?
function M.is(m)
  return type(m) == "table" and getmetatable(m) == nil and type(m.body) == "function"
end

-- "file:line" where the module's body is defined.
local function body_where(m)
  local info = debug.getinfo(m.body, "S")
  return info.short_src .. ":" .. info.linedefined
end

local parsed = setmetatable({}, { __mode = "k" })   -- module table -> { input name -> type spec }

-- Checks the interface itself once; returns its inputs' type specs.
local function types_of(m, fail)
  if parsed[m] then return parsed[m] end
  local bad = schema.unknown_option(m, MODULE_KEYS, "module key")
  if bad then fail("%s (a module is { inputs = {...}, outputs = {...}, body = function(args) ... end })", bad) end
  local types = {}
  for _, k in ipairs(schema.sorted_keys(m.inputs or {})) do
    local spec = m.inputs[k]
    if type(spec) ~= "table" then fail('input "%s": its spec is a table ({ type = "string" })', k) end
    bad = schema.unknown_option(spec, INPUT_OPTIONS, "option")
    if bad then fail('input "%s": %s', k, bad) end
    local t, err = schema.parse_type(spec.type or "any")
    if not t then fail('input "%s": type: %s', k, err) end
    if spec.default ~= nil then
      local derr = schema.check_value(t, spec.default, k)
      if derr then fail('input "%s": the default: %s', k, derr) end
    end
    types[k] = t
  end
  for _, k in ipairs(schema.sorted_keys(m.outputs or {})) do
    if type(m.outputs[k]) ~= "table" then fail('output "%s": its spec is a table ({ description = "..." })', k) end
    bad = schema.unknown_option(m.outputs[k], OUTPUT_OPTIONS, "option")
    if bad then fail('output "%s": %s', k, bad) end
  end
  parsed[m] = types
  return types
end

-- The inputs the body gets: args checked against the interface, with defaults.
local function inputs(m, types, args, fail)
  if type(args) ~= "table" or getmetatable(args) ~= nil then fail("the inputs are a table, got %s", type(args)) end
  local declared = m.inputs or {}
  local bad = schema.unknown_option(args, declared, "input")
  if bad then fail("%s", bad) end
  local out = {}
  for _, k in ipairs(schema.sorted_keys(declared)) do
    local spec, v = declared[k], args[k]
    if v == nil then
      if spec.required then fail('missing required input "%s"', k) end
      v = spec.default
    end
    if v ~= nil then
      if deferred.is_handle(v) and types[k].type ~= "any" then
        fail('input "%s": expected %s, got the resource %s (use one of its attributes, such as .id)', k,
          spec.type, deferred.handle_address(v))
      end
      local err = schema.check_value(types[k], v, k)
      if err then fail('input "%s": %s', k, err) end
      if spec.known and deferred.has_deferred(v) then
        fail('input "%s" must be known when the stack is evaluated: the module declares resources from it; '
          .. 'a resource attribute is known only after apply', k)
      end
      if not deferred.has_deferred(v) then v = schema.normalize(types[k], v) end
      if spec.validation then
        local ok, msg = spec.validation(v)
        if not ok then fail('input "%s": invalid value: %s', k, msg or "rejected") end
      end
      if spec.sensitive and not (deferred.is(v) and v.kind == "sensitive") then v = deferred.sensitive(v) end
    end
    out[k] = v
  end
  return out
end

-- Checks what the body returned against the declared outputs.
local function check_outputs(m, label, out)
  if m.outputs == nil then return end
  local where = body_where(m)
  if type(out) ~= "table" then
    errors.raise(where, "%s: returns %s, not its outputs (a table)", label, type(out))
  end
  local bad = schema.unknown_option(out, m.outputs, "output")
  if bad then errors.raise(where, "%s: %s: it is returned but not declared in outputs", label, bad) end
  for _, k in ipairs(schema.sorted_keys(m.outputs)) do
    if out[k] == nil then errors.raise(where, '%s: does not return its declared output "%s"', label, k) end
  end
end

-- Validations modules share (the stdlib's): each passes a deferred value,
-- which the resource it goes to checks at plan time.
M.valid = {}

-- A whole number from min to max (max optional).
function M.valid.whole(min, max)
  return function(v)
    if deferred.is(v) or (math.type(v) == "integer" or v == math.floor(v)) and v >= min and (not max or v <= max) then
      return true
    end
    if max then return false, string.format("expected a whole number from %s to %s, got %s", min, max, tostring(v)) end
    return false, string.format("expected a whole number of at least %s, got %s", min, tostring(v))
  end
end

-- A number of at least min.
function M.valid.at_least(min)
  return function(v)
    if deferred.is(v) or v >= min then return true end
    return false, string.format("expected at least %s, got %s", min, tostring(v))
  end
end

-- A number from min to max.
function M.valid.between(min, max)
  return function(v)
    if deferred.is(v) or (v >= min and v <= max) then return true end
    return false, string.format("expected a number from %s to %s, got %s", min, max, tostring(v))
  end
end

-- Text matching a Lua pattern, of at most max_len characters (optional);
-- what: what it should be, for the message.
function M.valid.text(pattern, max_len, what)
  return function(v)
    if deferred.is(v) or (v:match(pattern) and (not max_len or #v <= max_len)) then return true end
    return false, string.format('"%s" is not %s', v, what)
  end
end

-- One of the texts in list.
function M.valid.one_of(list)
  return function(v)
    if deferred.is(v) then return true end
    for _, x in ipairs(list) do if v == x then return true end end
    return false, string.format('"%s" is not one of %s', v, table.concat(list, ", "))
  end
end

-- Runs the module table m as module `name` called at `where` with args.
function M.call(m, name, args, where)
  local label = string.format('module "%s"', name)
  local function fail(fmt, ...) errors.raise(where, label .. ": " .. fmt, ...) end
  local types = types_of(m, fail)
  local out = m.body(inputs(m, types, args, fail))
  check_outputs(m, label, out)
  return out
end

return M
