-- aws/_json: semantic comparison of the JSON documents AWS keeps.
--
-- A policy or a container definition read back from AWS rarely has the
-- bytes the user wrote: keys are reordered, whitespace differs, and AWS
-- rewrites the document in ways that mean the same thing. Each document
-- kind has a canonical form; two documents are equal when their canonical
-- forms are deeply equal, so an unchanged stack never shows a diff.
--
-- Policies (IAM, SQS, SNS): Statement as a list (a single object is a
-- list of one), Action/NotAction/Resource/NotResource and Principal values
-- as sorted lists (a string is a list of one), Principal "*" the same as
-- {AWS = "*"}, an account ID as an AWS principal the same as the account's
-- root ARN (IAM stores "123456789012" as "arn:aws:iam::123456789012:root"),
-- Condition values as sorted lists of strings (AWS returns numbers and
-- booleans as strings), empty Sid dropped, statements in any order.
--
-- Container definitions (ECS): the defaults RegisterTaskDefinition adds
-- (essential true, cpu 0, empty environment, mountPoints, volumesFrom,
-- systemControls, portMappings protocol tcp and hostPort = containerPort,
-- healthCheck interval 30, timeout 5 and retries 3; startPeriod has no
-- default) are dropped, empty values are absent values, numeric fields
-- written as strings are numbers, environment and secrets are sets by name.
--
-- Other documents (redrive policies, filter policies): numbers and
-- numeric strings are the same, key order never matters.
local core = require("luaform.core")

local M = {}

local function decode(v)
  if type(v) ~= "string" then return v end
  local ok, d = pcall(core.json_decode, v)
  if ok and d ~= nil then return d end
  return v
end
M.decode = decode

local function is_array(t)
  if type(t) ~= "table" then return false end
  if getmetatable(t) == core.json_array_mt then return true end
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n > 0 and n == #t
end

local function encode(v) return core.json_encode(v) end

local function sorted(list)
  table.sort(list, function(a, b) return encode(a) < encode(b) end)
  return list
end

local function scalar_string(v)
  if type(v) == "number" then
    if math.type(v) == "float" and v % 1 == 0 then return string.format("%d", v) end
    return tostring(v)
  elseif type(v) == "boolean" then
    return tostring(v)
  end
  return v
end

-- A string or list as a sorted list of strings.
local function string_set(v)
  if v == nil or v == core.null then return nil end
  local out = {}
  if type(v) == "table" then
    for _, x in ipairs(v) do out[#out + 1] = scalar_string(x) end
  else
    out[1] = scalar_string(v)
  end
  table.sort(out, function(a, b) return tostring(a) < tostring(b) end)
  return out
end

-- An AWS principal: an account's root ARN (any partition) as the bare
-- account ID, which is what IAM rewrites into that ARN.
local function aws_principal(s)
  if type(s) ~= "string" then return s end
  return s:match("^arn:aws[%w-]*:iam::(%d+):root$") or s
end

local function principal(p)
  if p == nil or p == core.null then return nil end
  if p == "*" then p = { AWS = "*" } end
  if type(p) ~= "table" then return p end
  local out = {}
  for k, v in pairs(p) do
    local set = string_set(v)
    if k == "AWS" and set then
      for i, s in ipairs(set) do set[i] = aws_principal(s) end
      table.sort(set, function(a, b) return tostring(a) < tostring(b) end)
    end
    out[k] = set
  end
  return out
end

local function condition(c)
  if type(c) ~= "table" then return c end
  local out = {}
  for op, m in pairs(c) do
    if type(m) == "table" then
      local mm = {}
      for key, v in pairs(m) do mm[key] = string_set(v) end
      out[op] = mm
    else
      out[op] = m
    end
  end
  return out
end

local LIST_KEYS = { Action = true, NotAction = true, Resource = true, NotResource = true }

local function statement(s)
  if type(s) ~= "table" then return s end
  local out = {}
  for k, v in pairs(s) do
    if LIST_KEYS[k] then out[k] = string_set(v)
    elseif k == "Principal" or k == "NotPrincipal" then out[k] = principal(v)
    elseif k == "Condition" then out[k] = condition(v)
    elseif not (k == "Sid" and (v == "" or v == core.null)) then out[k] = v end  -- AWS drops an empty Sid
  end
  return out
end

-- The canonical form of a policy document (a table), or v unchanged when
-- it is not a policy.
function M.policy(v)
  local doc = decode(v)
  if type(doc) ~= "table" then return doc end
  local out = {}
  for k, x in pairs(doc) do out[k] = x end
  local st = doc.Statement
  if st ~= nil then
    if not is_array(st) then st = { st } end
    local list = {}
    for i, s in ipairs(st) do list[i] = statement(s) end
    out.Statement = sorted(list)
  end
  return out
end

-- Deep equality where numbers and numeric strings are the same value and
-- empty tables, nil and null are all "absent".
local function loose_equal(a, b)
  if a == core.null then a = nil end
  if b == core.null then b = nil end
  if type(a) == "table" and next(a) == nil then a = nil end
  if type(b) == "table" and next(b) == nil then b = nil end
  if a == b then return true end
  if type(a) == "table" and type(b) == "table" then
    for k, v in pairs(a) do if not loose_equal(v, b[k]) then return false end end
    for k, v in pairs(b) do if a[k] == nil and not loose_equal(nil, v) then return false end end
    return true
  end
  if (type(a) == "number" or type(a) == "string") and (type(b) == "number" or type(b) == "string") then
    local na, nb = tonumber(a), tonumber(b)
    if na and nb then return na == nb end
    return tostring(a) == tostring(b)
  end
  if type(a) == "boolean" and type(b) == "string" then return tostring(a) == b end
  if type(b) == "boolean" and type(a) == "string" then return tostring(b) == a end
  return false
end
M.loose_equal = loose_equal

function M.policy_equal(a, b)
  return loose_equal(M.policy(a), M.policy(b))
end

-- Any JSON document: key order, whitespace, numbers as strings.
function M.document_equal(a, b)
  return loose_equal(decode(a), decode(b))
end

-- Container definitions --------------------------------------------------

local NUMERIC = { cpu = true, memory = true, memoryReservation = true, startTimeout = true,
                  stopTimeout = true }
local DEFAULTS = { essential = true, cpu = 0 }
local HEALTH_CHECK_DEFAULTS = { interval = 30, timeout = 5, retries = 3 }
local BY_NAME = { environment = true, secrets = true, environmentFiles = false }

local function port_mapping(pm)
  if type(pm) ~= "table" then return pm end
  local out = {}
  for k, v in pairs(pm) do out[k] = v end
  out.containerPort = tonumber(out.containerPort) or out.containerPort
  out.hostPort = tonumber(out.hostPort) or out.hostPort
  if out.protocol == "tcp" then out.protocol = nil end
  if out.hostPort ~= nil and out.hostPort == out.containerPort then out.hostPort = nil end
  return out
end

-- A healthCheck without the values ECS fills in (numbers may be strings).
local function health_check(hc)
  if type(hc) ~= "table" then return hc end
  local out = {}
  for k, v in pairs(hc) do
    if HEALTH_CHECK_DEFAULTS[k] == nil or tonumber(v) ~= HEALTH_CHECK_DEFAULTS[k] then out[k] = v end
  end
  return out
end

local function container(cd)
  if type(cd) ~= "table" then return cd end
  local out = {}
  for k, v in pairs(cd) do
    if v == core.null then v = nil end
    if type(v) == "table" and next(v) == nil then v = nil end
    if NUMERIC[k] and type(v) == "string" then v = tonumber(v) or v end
    if DEFAULTS[k] ~= nil and v == DEFAULTS[k] then v = nil end
    if k == "healthCheck" then
      v = health_check(v)
    elseif k == "portMappings" and v then
      local list = {}
      for i, pm in ipairs(v) do list[i] = port_mapping(pm) end
      v = sorted(list)
    elseif BY_NAME[k] and v then
      local list = {}
      for i, e in ipairs(v) do list[i] = e end
      table.sort(list, function(x, y) return tostring(x.name) < tostring(y.name) end)
      v = list
    end
    out[k] = v
  end
  return out
end

-- The canonical form of a container_definitions document (a list).
function M.containers(v)
  local doc = decode(v)
  if type(doc) ~= "table" then return doc end
  local out = {}
  for i, cd in ipairs(doc) do out[i] = container(cd) end
  table.sort(out, function(x, y) return tostring(x.name) < tostring(y.name) end)
  return out
end

function M.containers_equal(a, b)
  return loose_equal(M.containers(a), M.containers(b))
end

-- Text of a document for the state: compact JSON with sorted keys.
function M.text(v)
  if v == nil or v == core.null then return nil end
  if type(v) == "table" then return core.json_encode(v) end
  local d = decode(v)
  if type(d) == "table" then return core.json_encode(d) end
  return v
end

-- The value to keep in the state after a read: the prior (the user's
-- form) when AWS's document means the same, else AWS's, so drift shows.
function M.keep(prior, actual, eq)
  if prior ~= nil and actual ~= nil and eq(prior, actual) then return prior end
  return M.text(actual)
end

-- Percent-decoding (IAM returns policy documents URL-encoded).
function M.url_decode(s)
  if type(s) ~= "string" then return s end
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

return M
