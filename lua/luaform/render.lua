-- luaform.render: plans and state for people and for programs.
--
-- Human output follows Terraform's shape: "# ADDR will be created" and a
-- resource block whose attribute lines start with + ~ - (or -/+ for the
-- resource of a replace), "old -> new" for a change, "# forces
-- replacement" on the argument that caused a replace, and a last line
-- "Plan: N to add, N to change, N to destroy." Unknown values print as
-- (known after apply), sensitive ones as (sensitive value). The JSON form
-- carries the same changes, with sensitive values redacted too.
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

local HEADLINE = {
  create = "will be created", update = "will be updated in-place",
  replace = "must be replaced", delete = "will be destroyed", read = "will be read during apply",
}
local SIGN = { create = "+", update = "~", replace = "-/+", delete = "-", read = "<=" }
local SIGN_COLOR = { create = "green", update = "yellow", replace = "red", delete = "red", read = "cyan" }

local function attr_names(ch, sch)
  local set = {}
  for k in pairs(sch or {}) do set[k] = true end
  for k in pairs(ch.before or {}) do set[k] = true end
  for k in pairs(ch.after or {}) do set[k] = true end
  set.id = true
  return schema.sorted_keys(set)
end

local function render_change(ui, ch)
  local mod = schema.load(ch.type)
  local sch = mod and mod.schema or {}
  local sign = SIGN[ch.action]
  ui:print("  %s", ui:paint("bold", "# " .. ch.addr .. " " .. HEADLINE[ch.action]))
  local name = ch.addr:match("([^.]+)$"):gsub("%[.*$", "")
  local kind = ch.mode == "data" and "data" or "resource"
  ui:print("%s %s \"%s\" \"%s\" {", ui:paint(SIGN_COLOR[ch.action], string.format("%3s", sign)), kind, ch.type, name)
  local names = attr_names(ch, sch)
  local width = 0
  local lines = {}
  for _, k in ipairs(names) do
    local spec = sch[k]
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

function M.plan(ui, plan)
  if #plan.drift > 0 then
    ui:print("Note: Objects have changed outside of luaform\n")
    for _, d in ipairs(plan.drift) do
      ui:print("  # %s has %s", d.addr, d.what == "deleted" and "been deleted" or "changed")
    end
    ui:print("")
  end
  if not plan.has_changes then
    ui:print("No changes. Your infrastructure matches the configuration.")
    return
  end
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

-- Replaces sensitive and unknown values for machine-readable output.
local function redact(attrs, sch)
  if attrs == nil then return core.null end
  local out, unknown = {}, {}
  for k, v in pairs(attrs) do
    local spec = sch and sch[k]
    if v == UNKNOWN then unknown[k] = true
    elseif spec and spec.sensitive then out[k] = "(sensitive value)"
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
    local mod = schema.load(ch.type)
    local sch = mod and mod.schema
    local before = redact(ch.before, sch)
    local after, unknown = redact(ch.after, sch)
    local actions = ACTIONS[ch.action]
    if ch.action == "replace" then
      actions = (ch.node and ch.node.lifecycle.create_before_destroy) and { "create", "delete" } or { "delete", "create" }
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
  local mod = schema.load(entry.type)
  local sch = mod and mod.schema or {}
  ui:print("# %s:", addr)
  local name = addr:match("([^.]+)$"):gsub("%[.*$", "")
  ui:print('%s "%s" "%s" {', entry.mode == "data" and "data" or "resource", entry.type, name)
  local keys = schema.sorted_keys(entry.attributes or {})
  local width = 0
  for _, k in ipairs(keys) do if #k > width then width = #k end end
  for _, k in ipairs(keys) do
    ui:print("    %s = %s", k .. string.rep(" ", width - #k), M.value(entry.attributes[k], sch[k]))
  end
  ui:print("}")
end

return M
