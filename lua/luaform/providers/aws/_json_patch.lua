-- aws._json_patch: the RFC 6902 JSON Patch that turns one decoded JSON
-- document into another (Cloud Control's UpdateResource takes one).
--
-- diff(old, new, skip) -> list of operations: members only in new are
-- "add", only in old "remove", in both and different "replace" (objects
-- recursed into; arrays by index as Cloud Control expects: common
-- indexes recursed, extra items of new appended, extra items of old
-- removed from the end so every index stays valid). Scalars compare as
-- aws._json.loose_equal does (30 and "30" are one value, so a document
-- written with strings never patches CloudFormation's numbers). Object
-- members are visited in sorted order, so one change gives one patch.
-- skip(pointer) -> true leaves a member out (read-only properties).
local core = require("luaform.core")
local json = require("luaform.providers.aws._json")

local M = {}

local function is_array(v) return type(v) == "table" and getmetatable(v) == core.json_array_mt end
local function is_object(v) return type(v) == "table" and v ~= core.null and not is_array(v) end

-- RFC 6901: "~" is "~0", "/" is "~1".
function M.escape(key) return (tostring(key):gsub("~", "~0"):gsub("/", "~1")) end

local function sorted_keys(a, b)
  local seen, out = {}, {}
  for _, t in ipairs({ a, b }) do
    for k in pairs(t) do if not seen[k] then seen[k] = true; out[#out + 1] = k end end
  end
  table.sort(out)
  return out
end

local function walk(old, new, path, ops, skip)
  if skip and skip(path) then return end
  if is_object(old) and is_object(new) then
    for _, k in ipairs(sorted_keys(old, new)) do
      local p = path .. "/" .. M.escape(k)
      local o, n = old[k], new[k]
      if o == core.null then o = nil end
      if n == core.null then n = nil end
      if not (skip and skip(p)) then
        if o == nil and n ~= nil then ops[#ops + 1] = { op = "add", path = p, value = n }
        elseif o ~= nil and n == nil then ops[#ops + 1] = { op = "remove", path = p }
        elseif o ~= nil then walk(o, n, p, ops, skip) end
      end
    end
  elseif is_array(old) and is_array(new) then
    for i = 1, math.min(#old, #new) do walk(old[i], new[i], path .. "/" .. (i - 1), ops, skip) end
    for i = #old + 1, #new do ops[#ops + 1] = { op = "add", path = path .. "/" .. (i - 1), value = new[i] } end
    for i = #old, #new + 1, -1 do ops[#ops + 1] = { op = "remove", path = path .. "/" .. (i - 1) } end
  elseif not json.loose_equal(old, new) then
    ops[#ops + 1] = { op = "replace", path = path, value = new }
  end
end

function M.diff(old, new, skip)
  local ops = {}
  walk(old, new, "", ops, skip)
  return ops
end

return M
