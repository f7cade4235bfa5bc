-- luaform.tfstate: converting a Terraform state (format version 4).
--
-- Each managed resource instance of a type luaform has becomes a state
-- entry at the same address (module path, name, count index or for_each
-- key), with the attributes luaform's schema knows (Terraform's "" and
-- null for unset values dropped, defaults filled in) and Terraform's
-- dependencies (and luaform's id where the type's differs from Terraform's);
-- the next refresh reads the real objects. Data sources are
-- not carried over (they are read again); instances of types luaform does
-- not have, tainted ones and deposed objects (the old half of an unfinished
-- create_before_destroy replacement: the current object stays) are listed
-- as skipped, never dropped silently.
local core = require("luaform.core")
local errors = require("luaform.errors")
local schema = require("luaform.schema")

local M = {}

-- Types whose Terraform id is not luaform's: the luaform id from the
-- Terraform attributes.
local ID_FROM_TERRAFORM = {
  aws_ecs_task_definition = function(a) return a.arn end,                 -- Terraform: the family
  aws_iam_role_policy_attachment = function(a) return a.role .. "/" .. a.policy_arn end,  -- a random id
}

local function key_suffix(k)
  if k == nil then return "" end
  if math.type(k) == "integer" or (type(k) == "number" and k == math.floor(k)) then
    return string.format("[%d]", math.tointeger(k))
  end
  return string.format('["%s"]', tostring(k))
end

-- luaform's provider id (luaform.provider_choice) of Terraform's provider
-- address: provider["registry.terraform.io/hashicorp/aws"].west -> aws.west
local function provider_name(p)
  p = tostring(p or "")
  local name = p:match('/([%w_-]+)"%]') or p:match("^provider%.([%w_-]+)")
  local alias = p:match('"%]%.([%w_-]+)$') or p:match("^provider%.[%w_-]+%.([%w_-]+)$")
  return name and (alias and (name .. "." .. alias) or name) or nil
end

-- The instance's address: module path, data., type.name, key.
local function address(r, inst)
  return (r.module and (r.module .. ".") or "") .. (r.mode == "data" and "data." or "")
    .. r.type .. "." .. r.name .. key_suffix(inst.index_key)
end

-- Why an instance is left out (nil: it is carried over).
local function skip_reason(r, inst, mod)
  if r.mode == "data" then return "data sources are read again, not imported" end
  if not mod then return "type " .. r.type .. " is not supported by luaform" end
  if inst.deposed then
    return string.format("deposed object %s (the old object of an unfinished create_before_destroy "
      .. "replacement) is not carried over; the current object is; delete the deposed one in AWS", inst.deposed)
  end
  if inst.status == "tainted" then return "tainted in Terraform: the next apply creates it again" end
end

-- The luaform state entry of a managed instance of a known type.
local function entry(r, inst, mod)
  local tf = inst.attributes or {}
  local attrs = { id = ID_FROM_TERRAFORM[r.type] and ID_FROM_TERRAFORM[r.type](tf) or tf.id }
  for k, v in pairs(tf) do
    -- Terraform stores "" and null for what was never set.
    if mod.schema[k] and k ~= "id" and v ~= "" and v ~= core.null then attrs[k] = v end
  end
  schema.fill_defaults(mod.schema, attrs)
  return {
    type = r.type, mode = "managed", provider = provider_name(r.provider) or mod.provider,
    module = r.module, schema_version = mod.schema_version or 0, attributes = attrs,
    dependencies = inst.dependencies or {},
  }
end

-- doc: the decoded tfstate. Returns a luaform state document and the
-- list of {address, reason} left out.
function M.convert(doc, path)
  if type(doc) ~= "table" or doc.version ~= 4 or type(doc.resources) ~= "table" then
    errors.raise(nil, "%s is not a Terraform state of format version 4", path)
  end
  local st = { version = 1, lineage = doc.lineage, serial = doc.serial or 0, resources = {}, outputs = {} }
  local skipped = {}
  for _, r in ipairs(doc.resources) do
    local mod = schema.load(r.type)
    for _, inst in ipairs(r.instances or {}) do
      local addr = address(r, inst)
      local reason = skip_reason(r, inst, mod)
      if reason then
        skipped[#skipped + 1] = { address = addr, reason = reason }
      else
        st.resources[addr] = entry(r, inst, mod)
      end
    end
  end
  for name, o in pairs(doc.outputs or {}) do
    st.outputs[name] = { value = o.value, sensitive = o.sensitive or false }
  end
  table.sort(skipped, function(a, b) return a.address < b.address end)
  return st, skipped
end

return M
