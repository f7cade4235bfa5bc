-- luaform.values: comparing and copying attribute values.
--
-- equal() is the planner's notion of "no change": deep equality on
-- normalized values, with JSON documents (spec.type == "json") compared
-- as decoded data, so key order and whitespace never make a diff, and a
-- type's own spec.equal(a, b) for AWS's other normalizations. As in
-- Terraform's SDK, an empty string is "not set" for an optional string or
-- JSON document (SNS answers DeliveryPolicy "" for none; moto does too).
local core = require("luaform.core")
local deferred = require("luaform.deferred")

local M = {}
local UNKNOWN = deferred.UNKNOWN

local function deep_equal(a, b)
  if a == b then return true end
  if a == UNKNOWN or b == UNKNOWN then return false end
  if a == core.null then a = nil end
  if b == core.null then b = nil end
  if type(a) ~= "table" or type(b) ~= "table" then
    if type(a) == "number" and type(b) == "number" then return a == b end
    return a == b
  end
  for k, v in pairs(a) do
    if not deep_equal(v, b[k]) then return false end
  end
  for k, v in pairs(b) do
    if a[k] == nil and v ~= nil and v ~= core.null then return false end
  end
  return true
end
M.deep_equal = deep_equal

local function decode_json(v)
  if type(v) ~= "string" then return v end
  local ok, d = pcall(core.json_decode, v)
  if ok and d ~= nil then return d end
  return v
end

-- Empty collections and nil are the same "not set" for optional values;
-- so is "" for a string or document that is not required.
local function is_empty(spec, v)
  if v == "" then return spec ~= nil and not spec.required and (spec.type == "string" or spec.type == "json") end
  return v == nil or v == core.null or (type(v) == "table" and v ~= UNKNOWN and next(v) == nil)
end

function M.equal(spec, a, b)
  if rawequal(a, b) then return true end   -- the same value (what a no-change plan compares)
  if is_empty(spec, a) and is_empty(spec, b) then return true end
  if spec and spec.equal and a ~= UNKNOWN and b ~= UNKNOWN and a ~= nil and b ~= nil then
    return spec.equal(a, b)
  end
  if spec and spec.type == "json" then
    return deep_equal(decode_json(a), decode_json(b))
  end
  return deep_equal(a, b)
end

function M.copy(v)
  if type(v) ~= "table" or v == UNKNOWN then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = M.copy(x) end
  return setmetatable(out, getmetatable(v))
end

return M
