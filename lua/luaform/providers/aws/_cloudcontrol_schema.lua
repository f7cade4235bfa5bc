-- aws._cloudcontrol_schema: what aws_cloudcontrolapi_resource reads from a
-- CloudFormation resource schema, and how it compares a desired state with
-- the properties Cloud Control reports.
--
-- facts(schema) -> { create_only, read_only, write_only }: each a list of
-- property paths (token lists) from the schema's createOnlyProperties,
-- readOnlyProperties and writeOnlyProperties ("/properties/A/B" -> {A, B};
-- a path through an array ("*") stops before it). No schema, no facts.
-- project(real, wanted, facts) -> the part of real the user set in wanted:
-- only wanted's members (the service adds defaults), arrays by index, a
-- scalar equal to wanted's (numbers and numeric strings alike) in wanted's
-- form; a member real lacks, or a write-only one, keeps wanted's value
-- (write-only values are never read back, so never drift); read-only
-- members keep wanted's value too (never diffed).
local core = require("luaform.core")
local json = require("luaform.providers.aws._json")

local M = {}

local function is_array(v) return type(v) == "table" and getmetatable(v) == core.json_array_mt end
local function is_object(v) return type(v) == "table" and v ~= core.null and not is_array(v) end

local function paths(list)
  local out = {}
  for _, p in ipairs(list or {}) do
    local tokens = {}
    for t in tostring(p):gmatch("[^/]+") do
      t = t:gsub("~1", "/"):gsub("~0", "~")
      if t == "*" then break end
      tokens[#tokens + 1] = t
    end
    if tokens[1] == "properties" and #tokens > 1 then
      table.remove(tokens, 1)
      out[#out + 1] = tokens
    end
  end
  return out
end

-- The facts of a schema document (string or table); nil when there is none.
function M.facts(schema)
  local doc = json.decode(schema)
  if not is_object(doc) then return nil end
  return { create_only = paths(doc.createOnlyProperties), read_only = paths(doc.readOnlyProperties),
           write_only = paths(doc.writeOnlyProperties) }
end

-- The value at tokens in doc, or nil.
function M.at(doc, tokens)
  local v = doc
  for _, t in ipairs(tokens) do
    if is_object(v) then v = v[t]
    elseif is_array(v) and tonumber(t) then v = v[tonumber(t) + 1]
    else return nil end
  end
  if v == core.null then return nil end
  return v
end

-- "/A/B" of tokens, as JSON Patch paths are written.
function M.pointer(tokens)
  local parts = {}
  for i, t in ipairs(tokens) do parts[i] = "/" .. t:gsub("~", "~0"):gsub("/", "~1") end
  return table.concat(parts)
end

-- Does any path of list hold a different value in old and new?
function M.differs(list, old, new)
  for _, tokens in ipairs(list or {}) do
    if not json.loose_equal(M.at(old, tokens), M.at(new, tokens)) then return M.pointer(tokens) end
  end
  return nil
end

-- Is the member at pointer (a JSON Patch path) one of list's paths?
function M.lists(list, pointer)
  for _, tokens in ipairs(list or {}) do
    if M.pointer(tokens) == pointer then return true end
  end
  return false
end

local function project(real, wanted, facts, path)
  if facts and (M.lists(facts.write_only, path) or M.lists(facts.read_only, path)) then return wanted end
  if real == nil or real == core.null then return wanted end
  if is_object(wanted) and is_object(real) then
    local out = {}
    for k, v in pairs(wanted) do
      out[k] = project(real[k], v, facts, path .. "/" .. tostring(k):gsub("~", "~0"):gsub("/", "~1"))
    end
    return out
  end
  if is_array(wanted) and is_array(real) then
    local out = setmetatable({}, core.json_array_mt)
    for i, v in ipairs(real) do
      out[i] = wanted[i] ~= nil and project(v, wanted[i], facts, path .. "/" .. (i - 1)) or v
    end
    return out
  end
  if json.loose_equal(real, wanted) then return wanted end
  return real
end

function M.project(real, wanted, facts)
  return project(real, wanted, facts, "")
end

return M
