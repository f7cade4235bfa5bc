-- luaform.variable: a stack's input variables, var(name, spec).
--
-- The spec takes Terraform's variable options: type (a Terraform type
-- expression, parsed by schema.parse_type: the one schema language of
-- resources and variables), default, description, sensitive, nullable,
-- validation (function(value) -> ok, message); any other key is an error.
-- A value comes from -var, a -var-file, LUAFORM_VAR_<name> or the
-- default; text (-var, the environment) is read as the type says (a
-- number, true/false, JSON for collections and objects), and every value,
-- the default included, is then checked against the type and converted
-- to it (schema.normalize: "3" for a number is 3). Without a type a value
-- is taken as it is (text stays text), as in Terraform.
local core = require("luaform.core")
local errors = require("luaform.errors")
local schema = require("luaform.schema")

local M = {}

local OPTIONS = {
  type = true, default = true, description = true, sensitive = true, nullable = true, validation = true,
}

-- The parsed type of a checked spec ({ type = "any" } without one).
function M.check_spec(name, spec, where)
  if type(spec) ~= "table" then errors.raise(where, 'variable "%s": the options are a table: var("%s", { type = ... })', name, name) end
  local unknown = schema.unknown_option(spec, OPTIONS, "option")
  if unknown then errors.raise(where, 'variable "%s": %s', name, unknown) end
  if spec.description ~= nil and type(spec.description) ~= "string" then
    errors.raise(where, 'variable "%s": description is text', name)
  end
  for _, k in ipairs({ "sensitive", "nullable" }) do
    if spec[k] ~= nil and type(spec[k]) ~= "boolean" then
      errors.raise(where, 'variable "%s": %s is true or false', name, k)
    end
  end
  if spec.validation ~= nil and type(spec.validation) ~= "function" then
    errors.raise(where, 'variable "%s": validation is a function(value) returning ok, message', name)
  end
  if spec.type == nil then return { type = "any" } end
  local t, err = schema.parse_type(spec.type)
  if not t then errors.raise(where, 'variable "%s": type: %s', name, err) end
  return t
end

-- The value of text given on the command line or in the environment.
local function from_text(name, t, declared, raw, shown, where)
  if t.type == "number" then
    local n = tonumber(raw)
    if not n then errors.raise(where, 'variable "%s": expected a number, got %s', name, shown) end
    return n
  elseif t.type == "bool" then
    if raw == "true" then return true elseif raw == "false" then return false end
    errors.raise(where, 'variable "%s": expected true or false, got %s', name, shown)
  elseif t.type == "string" or not declared then
    return raw
  end
  local v, err = core.json_decode(raw, "-var " .. name)
  if v == nil and t.type ~= "any" then errors.raise(where, 'variable "%s": %s', name, err) end
  return v == nil and raw or v
end

-- The checked value of variable `name` from `raw` (nil: not given) and
-- its source ("-var", a file name, "LUAFORM_VAR_x"); not_given() is
-- called when there is neither a value nor a default, and its result
-- returned.
function M.value(name, spec, t, raw, source, where, not_given)
  if raw == core.null and spec.nullable == false then raw = nil end   -- null: as if not given
  if raw == core.null then return nil end
  local v
  if raw ~= nil then
    if type(raw) == "string" and source ~= "default" then
      local shown = spec.sensitive and "(sensitive value)" or string.format('"%s"', raw)
      v = from_text(name, t, spec.type ~= nil, raw, shown, where)
    else
      v = raw
    end
  elseif spec.default ~= nil then
    v, source = spec.default, "default"
  else
    return not_given()
  end
  local err = schema.check_value(t, v, name)
  if err then
    errors.raise(where, 'variable "%s" (%s): %s', name, source == "default" and "the default" or "from " .. source, err)
  end
  v = schema.normalize(t, v)
  if spec.validation then
    local ok, msg = spec.validation(v)
    if not ok then errors.raise(where, 'invalid value for variable "%s": %s', name, msg or "rejected") end
  end
  return v
end

return M
