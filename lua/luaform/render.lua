-- luaform.render: plans and state for people and for programs.
--
-- Human output follows Terraform's shape: a legend of the symbols used,
-- "# ADDR will be created" and a resource block whose attribute lines
-- start with + ~ - (the block itself with -/+ for a replace, +/- for one
-- that creates before it destroys), "old -> new" for a change, "# forces
-- replacement" on the argument that caused a replace, and a last line
-- "Plan: N to add, N to change, N to destroy." Drift found by the refresh
-- comes first, each object as a block of the attributes that changed
-- outside luaform. Unknown values print as
-- (known after apply), sensitive ones as (sensitive value): attributes
-- the schema calls sensitive, and those whose value derives from a secret
-- (node.sensitive from the config, sensitive_attributes in the state).
-- The JSON forms of plans and state carry the same, with sensitive values
-- redacted too.
local core = require("luaform.core")
local deferred = require("luaform.deferred")
local schema = require("luaform.schema")
local values = require("luaform.values")

local M = {}
local UNKNOWN = deferred.UNKNOWN

local function is_list(v)
  local n = 0
  for _ in pairs(v) do n = n + 1 end
  return n == #v
end

function M.value(v, spec)
  if spec and spec.sensitive and v ~= nil then return "(sensitive value)" end
  if v == UNKNOWN then return "(known after apply)" end
  if v == nil or v == core.null then return "null" end
  local t = type(v)
  if t == "string" then return core.json_encode(v) end
  if t == "number" or t == "boolean" then return tostring(v) end
  if t == "table" then
    if next(v) == nil then return is_list(v) and "[]" or "{}" end
    local parts = {}
    if is_list(v) then
      for _, x in ipairs(v) do parts[#parts + 1] = M.value(x) end
      return "[" .. table.concat(parts, ", ") .. "]"
    end
    for _, k in ipairs(schema.sorted_keys(v)) do
      local key = tostring(k):match("^[%a_][%w_]*$") and tostring(k) or core.json_encode(tostring(k))
      parts[#parts + 1] = key .. " = " .. M.value(v[k])
    end
    return "{ " .. table.concat(parts, ", ") .. " }"
  end
  return tostring(v)
end

-- The set of attributes to hide for a change or a state entry.
local function hidden_attrs(sch, node, entry)
  local set = {}
  for k, spec in pairs(sch or {}) do if spec.sensitive then set[k] = true end end
  for k in pairs(node and node.sensitive or {}) do set[k] = true end
  for _, k in ipairs(entry and entry.sensitive_attributes or {}) do set[k] = true end
  return set
end

-- spec, marked sensitive when the attribute is hidden.
local function shown_spec(spec, hidden)
  if not hidden or (spec and spec.sensitive) then return spec end
  local marked = {}
  for f, x in pairs(spec or {}) do marked[f] = x end
  marked.sensitive = true
  return marked
end

local HEADLINE = {
  create = "will be created", update = "will be updated in-place",
  replace = "must be replaced", delete = "will be destroyed", read = "will be read during apply",
}

-- The symbols of the changes, in the legend's order, with Terraform's
-- words for them. A replacement is "-/+" (destroy, then create) or, under
-- create_before_destroy, "+/-".
local SYMBOLS = {
  { sign = "+", color = "green", words = "create" },
  { sign = "~", color = "yellow", words = "update in-place" },
  { sign = "-", color = "red", words = "destroy" },
  { sign = "-/+", color = "red", words = "destroy and then create replacement" },
  { sign = "+/-", color = "green", words = "create replacement and then destroy" },
  { sign = "<=", color = "cyan", words = "read (data resources)" },
}
local SYMBOL_BY_SIGN = {}
for _, sym in ipairs(SYMBOLS) do SYMBOL_BY_SIGN[sym.sign] = sym end
local SIGN = { create = "+", update = "~", replace = "-/+", delete = "-", read = "<=" }

local function symbol_of(ch)
  return SYMBOL_BY_SIGN[ch.create_before_destroy and "+/-" or SIGN[ch.action]]
end

-- "Resource actions are indicated with...": the symbols this plan uses.
local function legend(ui, plan)
  local used = {}
  for _, ch in ipairs(plan.changes) do
    if HEADLINE[ch.action] then used[symbol_of(ch)] = true end
  end
  if not next(used) then return end
  ui:print("Resource actions are indicated with the following symbols:")
  for _, sym in ipairs(SYMBOLS) do
    if used[sym] then ui:print("%s %s", ui:paint(sym.color, string.format("%3s", sym.sign)), sym.words) end
  end
  ui:print("")
end

local function attr_names(ch, sch)
  local set = {}
  for k in pairs(sch or {}) do set[k] = true end
  for k in pairs(ch.before or {}) do set[k] = true end
  for k in pairs(ch.after or {}) do set[k] = true end
  set.id = true
  return schema.sorted_keys(set)
end

-- A change's resource block under "# ADDR <headline>" (default: the
-- action's HEADLINE).
local function render_change(ui, ch, headline)
  local mod = schema.load(ch.type, ch.mode)
  local sch = mod and mod.schema or {}
  local sym = symbol_of(ch)
  ui:print("  %s", ui:paint("bold", "# " .. ch.addr .. " " .. (headline or HEADLINE[ch.action])))
  local name = ch.addr:match("([^.]+)$"):gsub("%[.*$", "")
  local kind = ch.mode == "data" and "data" or "resource"
  ui:print("%s %s \"%s\" \"%s\" {", ui:paint(sym.color, string.format("%3s", sym.sign)), kind, ch.type, name)
  local names = attr_names(ch, sch)
  local hidden = hidden_attrs(sch, ch.node, ch.entry)
  local width = 0
  local lines = {}
  for _, k in ipairs(names) do
    local spec = shown_spec(sch[k], hidden[k])
    local before, after = ch.before and ch.before[k], ch.after and ch.after[k]
    local line
    if ch.action == "create" or ch.action == "read" then
      if after ~= nil then line = { "+", k, M.value(after, spec) } end
    elseif ch.action == "delete" then
      if before ~= nil then line = { "-", k, M.value(before, spec) .. " -> null" } end
    else
      local same = values.equal(spec, before, after)
      if same then
        if k == "id" or (ch.action == "update" and before ~= nil and spec and spec.required) then
          line = { " ", k, M.value(before, spec) }
        end
      elseif before == nil then line = { "+", k, M.value(after, spec) }
      elseif after == nil then line = { "-", k, M.value(before, spec) .. " -> null" }
      elseif spec and spec.sensitive then line = { "~", k, M.value(after, spec) }
      else
        line = { "~", k, M.value(before, spec) .. " -> " .. M.value(after, spec) }
      end
      if line and ch.forces and ch.forces[k] then line[3] = line[3] .. " # forces replacement" end
    end
    if line then
      lines[#lines + 1] = line
      if #k > width then width = #k end
    end
  end
  for _, l in ipairs(lines) do
    local color = ({ ["+"] = "green", ["~"] = "yellow", ["-"] = "red" })[l[1]]
    local mark = color and ui:paint(color, l[1]) or l[1]
    ui:print("      %s %s = %s", mark, l[2] .. string.rep(" ", width - #l[2]), l[3])
  end
  ui:print("    }")
  ui:print("")
end

-- "Objects have changed outside of luaform": each drifted resource as a
-- block of what the refresh found against what the state had, as
-- Terraform shows it (an update, or a deletion), sensitive values hidden.
local function render_drift(ui, drift)
  ui:print("Note: Objects have changed outside of luaform\n")
  ui:print("luaform detected the following changes made outside of luaform since the last")
  ui:print('"luaform apply" which may have affected this plan:\n')
  local sorted = {}
  for i, d in ipairs(drift) do sorted[i] = d end
  table.sort(sorted, function(a, b) return a.addr < b.addr end)
  for _, d in ipairs(sorted) do
    local deleted = d.what == "deleted"
    local ch = { addr = d.addr, type = d.type, entry = d.entry, before = d.before, after = d.after,
                 action = deleted and "delete" or "update" }
    render_change(ui, ch, deleted and "has been deleted" or "has changed")
  end
end

function M.plan(ui, plan)
  if #plan.drift > 0 then render_drift(ui, plan.drift) end
  if not plan.has_changes then
    ui:print("No changes. Your infrastructure matches the configuration.")
    return
  end
  legend(ui, plan)
  ui:print("luaform will perform the following actions:\n")
  for _, ch in ipairs(plan.changes) do
    local id = plan.imports and plan.imports[ch.addr]
    if id then
      ui:print("  %s", ui:paint("bold", string.format('# %s will be imported from "%s"', ch.addr, id)))
      if not HEADLINE[ch.action] then ui:print("") end
    end
    if HEADLINE[ch.action] then render_change(ui, ch) end
  end
  local imports = (plan.import or 0) > 0 and string.format("%d to import, ", plan.import) or ""
  ui:print("Plan: %s%d to add, %d to change, %d to destroy.", imports, plan.add, plan.change, plan.destroy)
end

-- Replaces sensitive (hidden) and unknown values for machine-readable output.
local function redact(attrs, hidden)
  if attrs == nil then return core.null end
  local out, unknown = {}, {}
  for k, v in pairs(attrs) do
    if v == UNKNOWN then unknown[k] = true
    elseif hidden[k] then out[k] = "(sensitive value)"
    else out[k] = v end
  end
  return out, unknown
end

local ACTIONS = {
  create = { "create" }, update = { "update" }, delete = { "delete" }, noop = { "no-op" },
  read = { "read" }, forget = { "delete" },
}

function M.plan_json(plan)
  local changes = {}
  for _, ch in ipairs(plan.changes) do
    local mod = schema.load(ch.type, ch.mode)
    local hidden = hidden_attrs(mod and mod.schema, ch.node, ch.entry)
    local before = redact(ch.before, hidden)
    local after, unknown = redact(ch.after, hidden)
    local actions = ACTIONS[ch.action]
    if ch.action == "replace" then
      actions = ch.create_before_destroy and { "create", "delete" } or { "delete", "create" }
    end
    changes[#changes + 1] = {
      address = ch.addr, mode = ch.mode == "data" and "data" or "managed", type = ch.type,
      change = { actions = actions, before = before, after = after,
                 after_unknown = unknown or {}, replace_paths = ch.forces and schema.sorted_keys(ch.forces) or nil,
                 importing = plan.imports and plan.imports[ch.addr] and { id = plan.imports[ch.addr] } or nil },
    }
  end
  return core.json_encode({
    format_version = "1.0", resource_changes = changes,
    summary = { add = plan.add, change = plan.change, destroy = plan.destroy, import = plan.import or 0 },
  }, { pretty = true })
end

-- A resource in state, as `state show` and `show` print it.
function M.resource(ui, addr, entry)
  local mod = schema.load(entry.type, entry.mode)
  local sch = mod and mod.schema or {}
  ui:print("# %s:", addr)
  local name = addr:match("([^.]+)$"):gsub("%[.*$", "")
  ui:print('%s "%s" "%s" {', entry.mode == "data" and "data" or "resource", entry.type, name)
  local keys = schema.sorted_keys(entry.attributes or {})
  local hidden = hidden_attrs(sch, nil, entry)
  local width = 0
  for _, k in ipairs(keys) do if #k > width then width = #k end end
  for _, k in ipairs(keys) do
    ui:print("    %s = %s", k .. string.rep(" ", width - #k), M.value(entry.attributes[k], shown_spec(sch[k], hidden[k])))
  end
  ui:print("}")
end

-- The state as `show -json` prints it: the document with the values of
-- sensitive attributes and outputs redacted (`state pull` gives it whole).
function M.state_json(st)
  local doc = {}
  for k, v in pairs(st) do doc[k] = v end
  doc.resources, doc.outputs = setmetatable({}, core.json_object_mt), setmetatable({}, core.json_object_mt)
  for addr, entry in pairs(st.resources) do
    local copy = {}
    for k, v in pairs(entry) do copy[k] = v end
    local mod = schema.load(entry.type, entry.mode)
    local hidden = hidden_attrs(mod and mod.schema, nil, entry)
    if entry.attributes then copy.attributes = redact(entry.attributes, hidden) end
    if entry.deposed then copy.deposed = redact(entry.deposed, hidden) end
    if entry.pending and entry.pending.args then
      copy.pending = {}
      for k, v in pairs(entry.pending) do copy.pending[k] = v end
      copy.pending.args = redact(entry.pending.args, hidden)
    end
    doc.resources[addr] = copy
  end
  for name, o in pairs(st.outputs) do
    doc.outputs[name] = { value = o.sensitive and "(sensitive value)" or o.value, sensitive = o.sensitive or false }
  end
  return core.json_encode(doc, { pretty = true })
end

return M
