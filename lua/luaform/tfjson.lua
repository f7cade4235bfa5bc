-- luaform.tfjson: plans, state and validation in Terraform's JSON formats.
--
-- What tools written for Terraform read (policy checks, cost estimators,
-- PR bots), in the shapes of Terraform's "JSON Output Format":
--   state(st)        `show -json`: {format_version, terraform_version,
--                    values = {outputs, root_module = {resources,
--                    child_modules}}}
--   plan(run, plan)  `show -json PLANFILE` (format_version 1.2):
--                    variables, planned_values, resource_drift,
--                    resource_changes, output_changes, prior_state,
--                    configuration (provider_config, root_module with
--                    resources' expressions, module_calls, variables),
--                    relevant_attributes, timestamp, applyable, complete,
--                    errored
--   validate(err)    `validate -json`: {format_version, valid,
--                    error_count, warning_count, diagnostics}
-- luaform keeps secrets out of all output: a sensitive value is
-- "(sensitive value)" where Terraform prints it, and marked true in the
-- *_sensitive / sensitive_values objects as Terraform marks it. An
-- unknown value is null in `after` and true in `after_unknown`, and left
-- out of planned_values. provider_name is Terraform's address of the
-- provider of the same name (registry.terraform.io/hashicorp/aws).
local core = require("luaform.core")
local deferred = require("luaform.deferred")
local errors = require("luaform.errors")
local jsonview = require("luaform.jsonview")
local provider_choice = require("luaform.provider_choice")
local schema = require("luaform.schema")
local values = require("luaform.values")

local M = {}
local UNKNOWN = deferred.UNKNOWN
local SECRET = "(sensitive value)"

local function object(t) return setmetatable(t or {}, core.json_object_mt) end
local function array(t) return setmetatable(t or {}, core.json_array_mt) end

-- The parts of an address: module.net.aws_subnet.public["a"], data.x.y.
local resource_of = jsonview.resource_of

local function provider_name(id)
  return "registry.terraform.io/hashicorp/" .. (id or ""):match("^[^.]*")
end

-- The attributes to hide of a type (of mode "data" or not), node (config)
-- or state entry.
local function hidden_attrs(type_name, mode, node, entry)
  local set = {}
  local mod = type_name and schema.load(type_name, mode)
  for k, spec in pairs(mod and mod.schema or {}) do if spec.sensitive then set[k] = true end end
  for k in pairs(node and node.sensitive or {}) do set[k] = true end
  for _, k in ipairs(entry and entry.sensitive_attributes or {}) do set[k] = true end
  return set
end

-- v with unknown parts null, and Terraform's after_unknown for it: true
-- (all of it), a table of the unknown parts, or false.
local function known_and_unknown(v)
  if v == UNKNOWN then return core.null, true end
  if type(v) ~= "table" or not deferred.contains_unknown(v) then
    if v == nil then return core.null, false end
    return v, false
  end
  local known, unknown = {}, {}
  for k, x in pairs(v) do
    local kx, ux = known_and_unknown(x)
    known[k] = kx
    if ux then unknown[k] = ux end
  end
  return setmetatable(known, getmetatable(v)), object(unknown)
end

-- attrs for JSON: {values, unknown (after_unknown), sensitive marks};
-- omit_unknown leaves unknown attributes out (planned_values).
local function redacted(attrs, hidden, omit_unknown)
  if attrs == nil then return core.null, object(), false end
  local out, unknown, marks = object(), object(), object()
  for k, v in pairs(attrs) do
    local known, u = known_and_unknown(v)
    if u == true then
      unknown[k] = true
      if not omit_unknown then out[k] = core.null end
    else
      if u then unknown[k] = u end
      out[k] = hidden[k] and known ~= core.null and SECRET or known
    end
    if hidden[k] then marks[k] = true end
  end
  return out, unknown, marks
end

---------------------------------------------------------------- values

-- One resource of a values representation.
local function resource_value(addr, mode, type_name, provider, attrs, hidden, omit_unknown)
  local r = resource_of(addr)
  local vals, _, marks = redacted(attrs, hidden, omit_unknown)
  return {
    address = addr, mode = mode == "data" and "data" or "managed", type = type_name,
    name = r.resource_name, index = r.resource_key ~= core.null and r.resource_key or nil,
    provider_name = provider_name(provider), schema_version = 0,
    values = vals, sensitive_values = marks,
  }, r.module
end

-- {outputs, root_module} of resources {module, resource} and outputs
-- {NAME = {value, sensitive}}: modules nest by their address.
local function values_repr(list, outputs)
  local modules = {}
  local root = { resources = array(), child_modules = array() }
  local function module_of(addr)
    if addr == "" then return root end
    if modules[addr] then return modules[addr] end
    local m = { address = addr, resources = array(), child_modules = array() }
    modules[addr] = m
    local parent = addr:match("^(.*)%.module%.[^.]+$") or ""
    local p = module_of(parent)
    p.child_modules[#p.child_modules + 1] = m
    return m
  end
  table.sort(list, function(a, b) return a[2].address < b[2].address end)
  for _, item in ipairs(list) do
    local m = module_of(item[1])
    m.resources[#m.resources + 1] = item[2]
  end
  local outs = object()
  for name, o in pairs(outputs or {}) do
    local v = o.value
    if v == UNKNOWN then v = nil end
    outs[name] = { sensitive = o.sensitive or false, value = o.sensitive and SECRET or v }
  end
  return { outputs = outs, root_module = root }
end

local function state_values(st)
  local list = {}
  for addr, entry in pairs(st.resources or {}) do
    if entry.attributes then
      local res, module = resource_value(addr, entry.mode, entry.type, provider_choice.of_entry(entry),
        entry.attributes, hidden_attrs(entry.type, entry.mode, nil, entry))
      if entry.dependencies and #entry.dependencies > 0 then res.depends_on = entry.dependencies end
      list[#list + 1] = { module, res }
    end
  end
  return values_repr(list, st.outputs)
end

function M.state(st)
  return { format_version = "1.0", terraform_version = core.version, values = state_values(st) }
end

---------------------------------------------------------------- plan

local ACTIONS = {
  create = { "create" }, update = { "update" }, delete = { "delete" }, noop = { "no-op" },
  read = { "read" }, forget = { "delete" },
}

local function actions_of(ch)
  if ch.action == "replace" then
    return ch.create_before_destroy and { "create", "delete" } or { "delete", "create" }
  end
  return ACTIONS[ch.action] or { "no-op" }
end

-- A resource change object (resource_changes and resource_drift).
local function change_object(ch, imports, provider)
  local r = resource_of(ch.addr)
  local hidden = hidden_attrs(ch.type, ch.mode, ch.node, ch.entry)
  local before, _, before_marks = redacted(ch.before, hidden)
  local after, unknown, after_marks = redacted(ch.after, hidden)
  local change = {
    actions = actions_of(ch), before = before, after = after, after_unknown = unknown,
    before_sensitive = ch.before and before_marks or false, after_sensitive = ch.after and after_marks or false,
  }
  if ch.forces and next(ch.forces) then
    local paths = array()
    for _, k in ipairs(schema.sorted_keys(ch.forces)) do paths[#paths + 1] = array({ k }) end
    change.replace_paths = paths
  end
  if imports and imports[ch.addr] then change.importing = { id = imports[ch.addr] } end
  return {
    address = ch.addr, module_address = r.module ~= "" and r.module or nil,
    mode = ch.mode == "data" and "data" or "managed", type = ch.type, name = r.resource_name,
    index = r.resource_key ~= core.null and r.resource_key or nil,
    provider_name = provider_name(provider), change = change,
    action_reason = ch.action == "replace" and "replace_because_cannot_update" or nil,
  }
end

local function provider_of(ch)
  if ch.node then return provider_choice.of_node(ch.node) end
  if ch.entry then return provider_choice.of_entry(ch.entry) end
  return ch.type and ch.type:match("^[^_]+")
end

-- An expression: the constant, or what it refers to.
local function expression(v, secret)
  if secret then return { constant_value = SECRET } end
  if deferred.has_deferred(v) then
    local refs = array(schema.sorted_keys(deferred.references(v)))
    if #refs > 0 then return { references = refs } end
    local revealed = deferred.reveal(v)
    return { constant_value = deferred.has_deferred(revealed) and core.null or revealed }
  end
  return { constant_value = v }
end

-- configuration: the stack's resources per module (one entry per
-- resource, whatever its instances), provider configurations, variables.
local function configuration(run)
  local cfg = run.cfg or { nodes = {}, order = {}, providers = {}, variables = {}, outputs = {} }
  local root = { resources = array(), module_calls = object(), outputs = object(), variables = object() }
  local calls, seen = { [""] = root }, {}
  local function module_of(addr)
    if calls[addr] then return calls[addr] end
    local parent, name = addr:match("^(.-)%.?module%.([^.]+)$")
    local p = module_of(parent)
    local m = { resources = array(), module_calls = object() }
    p.module_calls[name] = { source = name, expressions = object(), module = m }
    calls[addr] = m
    return m
  end
  for _, addr in ipairs(cfg.order or {}) do
    local node = cfg.nodes[addr]
    local local_addr = (node.mode == "data" and "data." or "") .. node.type .. "." .. node.name
    local key = (node.module or "") .. "|" .. local_addr
    if not seen[key] then
      seen[key] = true
      local exprs = object()
      for k, v in pairs(node.args or {}) do exprs[k] = expression(v, node.sensitive and node.sensitive[k]) end
      local m = module_of(node.module or "")
      m.resources[#m.resources + 1] = {
        address = local_addr, mode = node.mode == "data" and "data" or "managed", type = node.type,
        name = node.name, provider_config_key = provider_choice.of_node(node), expressions = exprs,
        schema_version = 0,
      }
    end
  end
  for name, o in pairs(cfg.outputs or {}) do
    root.outputs[name] = { expression = expression(o.value, o.sensitive), sensitive = o.sensitive or nil }
  end
  for name, v in pairs(cfg.variables or {}) do
    root.variables[name] = { sensitive = v.sensitive or nil }
  end
  local providers = object()
  for id, p in pairs(cfg.providers or {}) do
    local exprs = object()
    for k, v in pairs(p.config or {}) do
      local secret = deferred.is_sensitive(v, function() return false end)
        or tostring(k):find("secret") or tostring(k):find("token") or tostring(k):find("access_key")
      exprs[k] = expression(v, secret)
    end
    providers[id] = { name = p.name, full_name = provider_name(p.name), alias = id:match("%.(.+)$"),
                      expressions = exprs }
  end
  return { provider_config = providers, root_module = root }
end

local function output_changes(plan)
  local out = object()
  for _, oc in ipairs(plan.output_changes or {}) do
    local after, unknown = known_and_unknown(oc.after)
    local before = oc.before == nil and core.null or oc.before
    if oc.sensitive then
      if before ~= core.null then before = SECRET end
      if after ~= core.null then after = SECRET end
    end
    out[oc.name] = { actions = ACTIONS[oc.action] or { "no-op" }, before = before, after = after,
                     after_unknown = unknown, before_sensitive = oc.sensitive or false,
                     after_sensitive = oc.sensitive or false }
  end
  return out
end

function M.plan(run, plan)
  local changes, drift, relevant, planned = array(), array(), array(), {}
  for _, ch in ipairs(plan.changes) do
    local provider = provider_of(ch)
    changes[#changes + 1] = change_object(ch, plan.imports, provider)
    if ch.after ~= nil and ch.action ~= "delete" and ch.action ~= "forget" then
      local res, module = resource_value(ch.addr, ch.mode, ch.type, provider, ch.after,
        hidden_attrs(ch.type, ch.mode, ch.node, ch.entry), true)
      planned[#planned + 1] = { module, res }
    end
  end
  for _, d in ipairs(plan.drift or {}) do
    local ch = { addr = d.addr, type = d.type, entry = d.entry, before = d.before, after = d.after,
                 mode = d.entry and d.entry.mode, action = d.what == "deleted" and "delete" or "update" }
    drift[#drift + 1] = change_object(ch, nil, provider_of(ch))
    for _, k in ipairs(schema.sorted_keys(d.before or {})) do
      if d.after == nil or not values.deep_equal(d.before[k], d.after[k]) then
        relevant[#relevant + 1] = { resource = d.addr, attribute = array({ k }) }
      end
    end
  end
  local variables = object()
  for name, v in pairs(run.cfg and run.cfg.variables or {}) do
    local value = v.value
    if deferred.has_deferred(value) or value == UNKNOWN then value = core.null end
    variables[name] = { value = v.sensitive and SECRET or value }
  end
  local outputs = {}
  for name, o in pairs(run.cfg and run.cfg.outputs or {}) do
    outputs[name] = { value = plan.outputs and plan.outputs[name], sensitive = o.sensitive }
  end
  return {
    format_version = "1.2", terraform_version = core.version, variables = variables,
    planned_values = values_repr(planned, plan.is_destroy and {} or outputs),
    resource_drift = drift, resource_changes = changes, output_changes = output_changes(plan),
    prior_state = M.state(run.state), configuration = configuration(run),
    relevant_attributes = relevant, timestamp = os.date("!%Y-%m-%dT%H:%M:%SZ"),
    applyable = (plan.has_changes or plan.outputs_changed) and true or false,
    complete = true, errored = false,
  }
end

---------------------------------------------------------------- validate

-- err: nil when valid, else the error that made the stack invalid.
function M.validate(err)
  local diags = array()
  if err then
    err = errors.wrap(err)
    local d = { severity = "error", summary = err.message or errors.tostring(err), detail = "" }
    local file, line = tostring(err.where or ""):match("^(.-):(%d+)$")
    if file then
      local pos = { line = tonumber(line), column = 1, byte = 0 }
      d.range = { filename = file, start = pos, ["end"] = pos }
    end
    diags[1] = d
  end
  return { format_version = "1.0", valid = err == nil, error_count = #diags, warning_count = 0,
           diagnostics = diags }
end

return M
