-- aws._wire: values between a declared type's fields (aws._resource) and
-- the model's shapes: a path in a request or answer ("a.b.c"), a field's
-- value read from an answer (numbers from strings, "" as unset, JSON
-- documents kept in the user's form when equal, nested blocks by their
-- fields' wire names) and the value a request sends.
local core = require("luaform.core")
local json = require("luaform.providers.aws._json")

local M = {}

-- The value at path in obj (nil for JSON null).
function M.get(obj, path)
  for part in path:gmatch("[^.]+") do
    if type(obj) ~= "table" then return nil end
    obj = obj[tonumber(part) or part]   -- "Listeners.1": the first of a list
  end
  if obj == core.null then return nil end
  return obj
end

-- Sets path in t to v, making the tables on the way.
function M.put(t, path, v)
  local parts = {}
  for part in path:gmatch("[^.]+") do parts[#parts + 1] = part end
  for i = 1, #parts - 1 do
    t[parts[i]] = t[parts[i]] or {}
    t = t[parts[i]]
  end
  t[parts[#parts]] = v
end

-- A value for an attributes map (SQS, SNS: strings only).
function M.attribute(f, v)
  if v == nil then return nil end
  if f.type == "json" then return json.text(v) end
  if type(v) == "number" then
    return math.type(v) == "float" and v % 1 == 0 and string.format("%d", v) or tostring(v)
  end
  return tostring(v)
end

-- A field's value from what AWS answered (obj: the whole read object).
function M.read(f, v, prior, obj)
  if f.from_wire then return f.from_wire(v, obj, prior) end
  if v == "" then v = nil end
  if v == nil then return f.default end
  local t = f.type
  if t == "number" then return tonumber(v)
  elseif t == "bool" then return v == true or v == "true"
  elseif t == "string" then return M.attribute(f, v)
  elseif t == "json" then return json.keep(prior, v, f.equal or json.document_equal)
  elseif f.block then
    local function one(o)
      local out = {}
      for k, sub in pairs(f.block) do out[k] = M.read(sub, M.get(o, sub.wire or k), nil, o) end
      return out
    end
    if next(v) == nil then return f.default end   -- an empty list (or object): none
    if f.max_items == 1 and v[1] == nil then return { one(v) } end
    local out = {}
    for i, o in ipairs(v) do out[i] = one(o) end
    return out
  end
  return v
end

-- A field's value for a request (args: the block it is in).
function M.send(f, v, args)
  if v == nil then return nil end
  if f.to_wire then return f.to_wire(v, args) end
  if f.type == "json" then return json.text(v) end
  if f.block then
    local function one(b)
      local out = {}
      for k, sub in pairs(f.block) do
        if b[k] ~= nil and sub.input ~= false then M.put(out, sub.input or sub.wire or k, M.send(sub, b[k], b)) end
      end
      return out
    end
    if f.max_items == 1 then return v[1] and one(v[1]) or nil end
    local out = {}
    for i, b in ipairs(v) do out[i] = one(b) end
    return out
  end
  return v
end

return M
