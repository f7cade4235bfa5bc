-- luaform.render: plans and state for people.
--
-- Human output follows Terraform's shape: a legend of the symbols used,
-- "# ADDR will be created" and a resource block whose attribute lines
-- start with + ~ - (the block itself with -/+ for a replace, +/- for one
-- that creates before it destroys), "old -> new" for a change (inside
-- documents, maps and lists of blocks only what changed:
-- luaform.diffview), unchanged attributes of an update counted, "# forces
-- replacement" on the argument that caused a replace (or, first in the
-- block, on the provider configuration it moves between), and a last line
-- "Plan: N to add, N to change, N to destroy.", then "Changes to Outputs:"
-- (+ create, ~ old -> new, - old -> null; a plan that changes only
-- outputs says so instead of "No changes."). Drift found by the refresh
-- comes first, each object as a block of the attributes that changed
-- outside luaform. Unknown values print as
-- (known after apply), sensitive ones as (sensitive value): attributes
-- the schema calls sensitive, and those whose value derives from a secret
-- (node.sensitive from the config, sensitive_attributes in the state).
-- The JSON forms of plans and state are luaform.tfjson's, the pull
-- request form luaform.markdown's (from change_text and friends).
local core = require("luaform.core")
local deferred = require("luaform.deferred")
local diffview = require("luaform.diffview")
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
    if next(v) == nil then
      local array = spec and (spec.type == "list" or spec.type == "set") or getmetatable(v) == core.json_array_mt
      return array and "[]" or "{}"
    end
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
-- Terraform's headlines for a replacement the user asked for (luaform.refactor).
local REASON = {
  requested = "will be replaced, as requested", tainted = "is tainted, so must be replaced",
  triggered = "will be replaced due to changes in replace_triggered_by",
}

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
  if ch.moved then
    ui:print('      # provider "%s" -> "%s" # forces replacement', ch.moved.from, ch.moved.to)
  end
  local names = attr_names(ch, sch)
  local hidden = hidden_attrs(sch, ch.node, ch.entry)
  local shown, width, unchanged = {}, 0, 0
  for _, k in ipairs(names) do
    local spec = shown_spec(sch[k], hidden[k])
    local before, after = ch.before and ch.before[k], ch.after and ch.after[k]
    if ch.action == "create" or ch.action == "read" then before = nil end
    if ch.action == "delete" then after = nil end
    local same = values.equal(spec, before, after)
    local context = k == "id" or (ch.action == "update" and before ~= nil and spec and spec.required)
    if before == nil and after == nil then  -- luacheck: ignore 542 (absent on both sides: nothing to say)
    elseif same and not context then
      unchanged = unchanged + 1
    else
      shown[#shown + 1] = { k, spec, before, after, same }
      if #k > width then width = #k end
    end
  end
  local lines = {}
  for _, s in ipairs(shown) do
    local k, spec, before, after, same = s[1], s[2], s[3], s[4], s[5]
    local note = not same and ch.forces and ch.forces[k] and " # forces replacement" or nil
    if spec and spec.sensitive and not same then
      local text = after == nil and (M.value(before, spec) .. " -> null") or M.value(after, spec)
      lines[#lines + 1] = { 6, before == nil and "+" or after == nil and "-" or "~", k .. string.rep(" ", width - #k) .. " = " .. text .. (note or "") }
    else
      for _, l in ipairs(diffview.attribute(6, k, width, spec, before, after, M.value, note)) do lines[#lines + 1] = l end
    end
  end
  if unchanged > 0 and (ch.action == "update" or ch.action == "replace") then
    lines[#lines + 1] = { 6, " ", string.format("# (%d unchanged attribute%s hidden)", unchanged, unchanged == 1 and "" or "s") }
  end
  for _, l in ipairs(lines) do
    local color = ({ ["+"] = "green", ["~"] = "yellow", ["-"] = "red" })[l[2]]
    local mark = color and ui:paint(color, l[2]) or l[2]
    ui:print("%s%s %s", string.rep(" ", l[1]), mark, l[3])
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

local OUTPUT_SIGN = { create = { "+", "green" }, update = { "~", "yellow" }, delete = { "-", "red" } }

-- Terraform's "Changes to Outputs:" block (nothing when none change).
local function render_output_changes(ui, plan)
  local shown, width = {}, 0
  for _, oc in ipairs(plan.output_changes or {}) do
    if OUTPUT_SIGN[oc.action] then
      shown[#shown + 1] = oc
      if #oc.name > width then width = #oc.name end
    end
  end
  if #shown == 0 then return end
  ui:print("Changes to Outputs:")
  for _, oc in ipairs(shown) do
    local spec = oc.sensitive and { sensitive = true } or nil
    local text
    if oc.action == "create" then text = M.value(oc.after, spec)
    elseif oc.action == "delete" then text = M.value(oc.before, spec) .. " -> null"
    elseif oc.sensitive then text = M.value(oc.after, spec)
    else text = M.value(oc.before) .. " -> " .. M.value(oc.after) end
    local sign = OUTPUT_SIGN[oc.action]
    ui:print("  %s %s = %s", ui:paint(sign[2], sign[1]), oc.name .. string.rep(" ", width - #oc.name), text)
  end
end

function M.plan(ui, plan)
  if #plan.drift > 0 then render_drift(ui, plan.drift) end
  if plan.refresh_only then
    ui:print(#plan.drift == 0 and "No changes. Your infrastructure still matches the configuration."
      or "This is a refresh-only plan, so luaform will not take any actions to undo these. If you were\n"
        .. "expecting these changes then you can apply this plan to record the updated values in the\n"
        .. "luaform state without changing any remote objects.")
    return
  end
  if not plan.has_changes then
    if plan.outputs_changed then
      render_output_changes(ui, plan)
      ui:print("\nYou can apply this plan to save these new output values to the luaform state, "
        .. "without changing any real infrastructure.")
      return
    end
    ui:print("No changes. Your infrastructure matches the configuration.")
    return
  end
  legend(ui, plan)
  ui:print("luaform will perform the following actions:\n")
  for _, m in ipairs(plan.moves or {}) do
    ui:print("  %s\n", ui:paint("bold", string.format("# %s has moved to %s", m.from, m.to)))
  end
  for _, ch in ipairs(plan.changes) do
    if ch.removed then
      ui:print("  %s\n    (removed from the state; the object itself is not destroyed)\n",
        ui:paint("bold", string.format("# %s will no longer be managed by luaform", ch.addr)))
    end
    local id = plan.imports and plan.imports[ch.addr]
    if id then
      ui:print("  %s", ui:paint("bold", string.format('# %s will be imported from "%s"', ch.addr, id)))
      if not HEADLINE[ch.action] then ui:print("") end
    end
    if HEADLINE[ch.action] then render_change(ui, ch, REASON[ch.reason]) end
  end
  local imports = (plan.import or 0) > 0 and string.format("%d to import, ", plan.import) or ""
  local forget = (plan.forget or 0) > 0 and string.format(", %d to forget", plan.forget) or ""
  ui:print("Plan: %s%d to add, %d to change, %d to destroy%s.", imports, plan.add, plan.change, plan.destroy, forget)
  if plan.outputs_changed then
    ui:print("")
    render_output_changes(ui, plan)
  end
end

-- What fn(ui) prints on a colorless ui, as a string.
local function text_of(fn)
  local buf = {}
  local stream = { write = function(_, ...) for _, s in ipairs({ ... }) do buf[#buf + 1] = s end end,
                   flush = function() end }
  fn(require("luaform.ui").new({ no_color = true, stream = stream }))
  return table.concat(buf)
end

-- The plan as M.plan prints it, without colors (saved in a plan file
-- for `show PLANFILE`).
function M.plan_text(plan)
  return text_of(function(ui) M.plan(ui, plan) end)
end

-- One change's block, as the plan prints it, without colors; nil for a
-- change the plan shows no block for.
function M.change_text(ch)
  if not HEADLINE[ch.action] then return nil end
  return text_of(function(ui) render_change(ui, ch) end)
end

-- The drift and the output changes as the plan prints them (or "").
function M.drift_text(plan)
  if #plan.drift == 0 then return "" end
  return text_of(function(ui) render_drift(ui, plan.drift) end)
end

function M.output_changes_text(plan)
  return text_of(function(ui) render_output_changes(ui, plan) end)
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

return M
