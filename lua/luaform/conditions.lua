-- luaform.conditions: Terraform's custom conditions - lifecycle
-- precondition and postcondition, and check{} blocks - with Terraform's
-- timing.
--
-- A condition is { condition = C, error_message = "..." }; C is a boolean,
-- a deferred value (ref:map(function(v) return ... end)) or, for a
-- postcondition, a function(self) given the resource's attributes.
--   precondition: checked in the plan when C is known, else at apply just
--     before the resource's operation; false stops the run.
--   postcondition: checked once the object's attributes are known: in the
--     plan for an object that does not change, else right after its apply
--     (the object then exists; the run stops before what depends on it).
--   check{ name, assert = { ... } }: after the plan and after the apply; a
--     false assertion is a warning, and nothing stops.
-- Every message gives the file:line of the resource or check block.
local deferred = require("luaform.deferred")
local errors = require("luaform.errors")

local M = {}

-- Checks the shape of a list of conditions at evaluation time.
function M.check_list(list, where, what)
  if list == nil then return {} end
  if type(list) ~= "table" or list.condition ~= nil then
    errors.raise(where, "%s is a list of { condition = ..., error_message = \"...\" }", what)
  end
  for _, c in ipairs(list) do
    if type(c) ~= "table" or c.condition == nil or type(c.error_message) ~= "string" then
      errors.raise(where, "%s: each entry needs condition = ... and error_message = \"...\"", what)
    end
    for k in pairs(c) do
      if k ~= "condition" and k ~= "error_message" then
        errors.raise(where, '%s: unsupported key "%s" (condition, error_message)', what, tostring(k))
      end
    end
  end
  return list
end

-- The value of condition c: true, false or nil (not known yet).
local function value(c, lookup, self, at_apply)
  local v = c.condition
  if type(v) == "function" then
    if self == nil or deferred.contains_unknown(self) then return nil end
    v = v(self)
  end
  v = deferred.resolve(v, lookup, at_apply)
  if deferred.contains_unknown(v) then return nil end
  if type(v) ~= "boolean" then return false, "the condition gave " .. type(v) .. ", not true or false" end
  return v
end

-- Raises for the first false condition; returns whether all were known.
local function check_all(list, kind, node, lookup, self, at_apply)
  if list == nil then return true end
  local known = true
  for _, c in ipairs(list) do
    local ok, why = value(c, lookup, self, at_apply)
    if ok == nil then known = false
    elseif not ok then
      errors.raise(node.where, "resource %s failed for %s: %s", kind, node.addr, why or c.error_message)
    end
  end
  return known
end

function M.preconditions(node, lookup, at_apply)
  return check_all(node.lifecycle.precondition, "precondition", node, lookup, nil, at_apply)
end

function M.postconditions(node, lookup, attrs, at_apply)
  return check_all(node.lifecycle.postcondition, "postcondition", node, lookup, attrs, at_apply)
end

-- check{ name = "...", assert = { ... } } blocks: the warnings they give now.
function M.check_blocks(cfg, lookup, at_apply)
  local warnings = {}
  for _, blk in ipairs(cfg.checks or {}) do
    for _, c in ipairs(blk.assert) do
      local ok, why = value(c, lookup, nil, at_apply)
      if ok == false then
        warnings[#warnings + 1] = string.format('%s: check "%s" failed: %s', blk.where, blk.name, why or c.error_message)
      end
    end
  end
  return warnings
end

return M
