-- stdlib._args: the argument checks the stdlib modules share.
--
-- A module lists its arguments in a spec, { arg = rule, ... }, and checks
-- them before it declares anything:
--
--   local where = errors.caller(3)     -- in the module function: the module() line
--   args_check(where, "stdlib.lb", SPEC, args)
--
-- Every misuse is raised at `where`, prefixed with the module's name: an
-- arguments value that is not a table, an unknown argument (with a "did
-- you mean"), a missing required one, a value of the wrong type or out of
-- range. A rule is a table:
--
--   type      "string" | "number" | "boolean" | "map" | "list"
--   required  the argument must be given
--   known     the value must be known when the stack is evaluated (the
--             module uses it to decide what to declare): no resource
--             attribute, and for a list none in its elements either
--   elem      "table": a list of tables (blocks) instead of strings
--   integer, min, max      numbers
--   pattern, max_len, one_of, what  strings known at evaluation: a Lua
--             pattern and a length the string must match, or the list of
--             values it must be one of; `what` says what it should be
--
-- A resource attribute (a deferred value) passes for a string, a number, a
-- map value, a list element or a whole list unless the rule says known; it
-- is checked by the resource type at plan time. A whole resource passed
-- where an attribute belongs (vpc_id = vpc) is always an error.
local errors = require("luaform.errors")
local deferred = require("luaform.deferred")

local function is_deferred(v) return deferred.is(v) or v == deferred.UNKNOWN end

-- What a value is, for "expected X, got Y".
local function kind(v)
  if deferred.is_handle(v) then return "a resource (use one of its attributes, such as .id)" end
  if is_deferred(v) then return "a resource attribute (known only after apply)" end
  if type(v) == "table" then return "a table" end
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) == "number" or type(v) == "boolean" then return tostring(v) end
  return type(v)
end

local function is_list(v)
  if type(v) ~= "table" or getmetatable(v) ~= nil then return false end
  local n = 0
  for _ in pairs(v) do n = n + 1 end
  return n == #v
end

local function is_scalar(v)
  return type(v) == "string" or type(v) == "number" or type(v) == "boolean"
end

local CHECK = {}

function CHECK.string(fail, k, v, rule)
  if is_deferred(v) and not rule.known then return end
  if type(v) ~= "string" then fail("%s: expected a string, got %s", k, kind(v)) end
  if rule.one_of then
    for _, x in ipairs(rule.one_of) do if v == x then return end end
    fail('%s: "%s" is not one of %s', k, v, table.concat(rule.one_of, ", "))
  end
  if (rule.pattern and not v:match(rule.pattern)) or (rule.max_len and #v > rule.max_len) then
    fail('%s: "%s" is not %s', k, v, rule.what)
  end
end

function CHECK.number(fail, k, v, rule)
  if is_deferred(v) and not rule.known then return end
  if type(v) ~= "number" then fail("%s: expected a number, got %s", k, kind(v)) end
  if rule.integer and math.type(v) ~= "integer" and v % 1 ~= 0 then
    fail("%s: expected a whole number, got %s", k, tostring(v))
  end
  if (rule.min and v < rule.min) or (rule.max and v > rule.max) then
    if rule.max then fail("%s: expected %s to %s, got %s", k, rule.min, rule.max, tostring(v)) end
    fail("%s: expected at least %s, got %s", k, rule.min, tostring(v))
  end
end

function CHECK.boolean(fail, k, v)
  -- Only true or false: "yes", 1 or "false" would silently mean something else.
  if type(v) ~= "boolean" then fail("%s: expected true or false, got %s", k, kind(v)) end
end

function CHECK.map(fail, k, v, rule)
  if is_deferred(v) and not rule.known then return end
  if type(v) ~= "table" or getmetatable(v) ~= nil or (next(v) ~= nil and is_list(v)) then
    fail("%s: expected a map of names to values ({ Name = \"value\" }), got %s", k, kind(v))
  end
  for name, x in pairs(v) do
    if type(name) ~= "string" then fail("%s: expected names as keys, got %s", k, kind(name)) end
    if not is_scalar(x) and (rule.known or not is_deferred(x)) then
      fail("%s.%s: expected a string, got %s", k, name, kind(x))
    end
  end
end

function CHECK.list(fail, k, v, rule)
  if is_deferred(v) and not rule.known then return end
  if not is_list(v) then
    fail("%s: expected a list%s, got %s", k, rule.known and " known when the stack is evaluated" or "", kind(v))
  end
  for i, x in ipairs(v) do
    if rule.elem == "table" then
      if type(x) ~= "table" or is_deferred(x) then fail("%s[%d]: expected a table, got %s", k, i, kind(x)) end
    elseif type(x) ~= "string" and (rule.known or not is_deferred(x)) then
      fail("%s[%d]: expected a string, got %s", k, i, kind(x))
    end
  end
end

-- Checks args against spec; module is the name errors start with.
return function(where, module, spec, args)
  local function fail(fmt, ...) errors.raise(where, module .. ": " .. fmt, ...) end
  if type(args) ~= "table" or getmetatable(args) ~= nil then
    fail("arguments must be a table, got %s", kind(args))
  end
  local names = {}
  for k in pairs(spec) do names[#names + 1] = k end
  table.sort(names)
  for k in pairs(args) do
    if spec[k] == nil then
      fail('unsupported argument "%s"%s', tostring(k), require("luaform.schema").suggest(tostring(k), names))
    end
  end
  for _, k in ipairs(names) do
    local rule, v = spec[k], args[k]
    if v == nil then
      if rule.required then fail('missing required argument "%s"', k) end
    else
      CHECK[rule.type](fail, k, v, rule)
    end
  end
end
