-- luaform.jsonview: plan, apply and destroy with -json, one JSON object per line.
--
-- The shape is Terraform's machine-readable UI. Every line has "@level"
-- (info or error), "@message" (the text a person would read),
-- "@module" ("luaform.ui"), "@timestamp" (UTC) and a "type":
--   version         luaform (its version), ui ("1.0"); always the first line
--   resource_drift  change = {resource, action ("update" or "delete")}
--   planned_change  change = {resource, action}: create, update, replace,
--                   delete or read
--   change_summary  changes = {add, change, remove, import, operation}:
--                   operation "plan" before, "apply" or "destroy" after
--   apply_start     hook = {resource, action, id_key?, id_value?}: action
--                   create, update or delete; the id when there is one
--   apply_complete  hook = {resource, action, id_key?, id_value?, elapsed_seconds}
--   outputs         outputs = {NAME = {sensitive, value}}, no value when sensitive;
--                   after `plan -json` {NAME = {sensitive, action}}
--   diagnostic      diagnostic = {severity "error", summary, address?}
--   log             any other line the command prints
-- where resource = {addr, module, resource, resource_type, resource_name,
-- resource_key, implied_provider}. A view has luaform.ui's methods
-- (print, apply_start, plan, summary, outputs, failure...), so apply.lua
-- and the commands write to either without knowing which.
local core = require("luaform.core")
local errors = require("luaform.errors")
local ui = require("luaform.ui")

local M = {}
local View = {}
View.__index = View

function M.new(stream)
  local v = setmetatable({ stream = stream or io.stdout }, View)
  v:emit("info", "luaform " .. core.version, "version", { luaform = core.version, ui = "1.0" })
  return v
end

function View:emit(level, message, kind, fields)
  local line = { ["@level"] = level, ["@message"] = message, ["@module"] = "luaform.ui",
                 ["@timestamp"] = os.date("!%Y-%m-%dT%H:%M:%SZ"), type = kind }
  for k, v in pairs(fields or {}) do line[k] = v end
  self.stream:write(core.json_encode(line), "\n")
  self.stream:flush()
end

-- The parts of an address: module.net.aws_subnet.public["a"], data.x.y.
local function resource_of(addr)
  local module, rest = "", addr
  while true do
    local m, r = rest:match("^(module%.[%w_%-]+)%.(.+)$")
    if not m then break end
    module = module == "" and m or (module .. "." .. m)
    rest = r
  end
  local body = rest:match("^data%.(.+)$") or rest
  local rtype, name, key = body:match("^([^.]+)%.([^.%[]+)(.*)$")
  local key_text = key and key:match("^%[(.*)%]$")
  return {
    addr = addr, module = module, resource = rest, resource_type = rtype, resource_name = name,
    resource_key = key_text and core.json_decode(key_text) or core.null,
    implied_provider = rtype and rtype:match("^[^_]+"),
  }
end

M.resource_of = resource_of

---------------------------------------------------------------- lines

-- Human text of the command (whatever it prints besides the events).
function View:print(fmt, ...)
  local s = select("#", ...) > 0 and string.format(fmt, ...) or fmt
  s = s:gsub("^\n+", ""):gsub("\n+$", "")
  if s ~= "" then self:emit("info", s, "log") end
end
View.progress = View.print
function View:paint(_, s) return s end

local function hook(addr, action, id)
  return { resource = resource_of(addr), action = action, id_key = id ~= nil and "id" or nil,
           id_value = id ~= nil and tostring(id) or nil }
end

function View:apply_start(addr, action, id)
  self:emit("info", ui.start_text(addr, action, id), "apply_start", { hook = hook(addr, action, id) })
end

function View:apply_progress(addr, action, seconds)
  local h = hook(addr, action)
  h.elapsed_seconds = ui.whole_seconds(seconds)
  self:emit("info", ui.progress_text(addr, action, seconds), "apply_progress", { hook = h })
end

function View:apply_complete(addr, action, id, seconds)
  local h = hook(addr, action, id)
  h.elapsed_seconds = ui.whole_seconds(seconds)
  self:emit("info", ui.complete_text(addr, action, id, seconds), "apply_complete", { hook = h })
end

local DRIFT = { deleted = "delete", changed = "update" }

function View:plan(plan)
  for _, d in ipairs(plan.drift) do
    self:emit("info", string.format("%s: Drift detected (%s)", d.addr, DRIFT[d.what]), "resource_drift",
      { change = { resource = resource_of(d.addr), action = DRIFT[d.what] } })
  end
  for _, ch in ipairs(plan.changes) do
    if ch.action ~= "noop" and ch.action ~= "forget" then
      self:emit("info", string.format("%s: Plan to %s", ch.addr, ch.action), "planned_change",
        { change = { resource = resource_of(ch.addr), action = ch.action } })
    end
  end
  self:summary("plan", plan)
end

-- After `plan -json`'s summary: the outputs the plan changes, with their
-- actions and without values (Terraform's plan stream).
function View:planned_outputs(plan)
  local outputs, n = {}, 0
  for _, oc in ipairs(plan.output_changes or {}) do
    outputs[oc.name] = { sensitive = oc.sensitive or false, action = oc.action == "noop" and "noop" or oc.action }
    n = n + 1
  end
  if n > 0 then
    self:emit("info", "Outputs: " .. n, "outputs", { outputs = setmetatable(outputs, core.json_object_mt) })
  end
end

-- verb: "plan", "Apply" or "Destroy".
function View:summary(verb, plan)
  local operation = verb:lower()
  local message = operation == "plan"
    and string.format("Plan: %d to add, %d to change, %d to destroy.", plan.add, plan.change, plan.destroy)
    or ui.summary_text(verb, plan)
  self:emit("info", message, "change_summary", { changes = { add = plan.add, change = plan.change,
    remove = plan.destroy, import = plan.import or 0, operation = operation } })
end

function View:outputs(outputs)
  local doc, n = {}, 0
  for name, o in pairs(outputs) do
    doc[name] = { sensitive = o.sensitive or false, value = not o.sensitive and o.value or nil }
    n = n + 1
  end
  self:emit("info", "Outputs: " .. n, "outputs", { outputs = setmetatable(doc, core.json_object_mt) })
end

function View:diagnostic(err, addr)
  self:emit("error", "Error: " .. errors.tostring(err), "diagnostic",
    { diagnostic = { severity = "error", summary = errors.tostring(err), address = addr } })
end

function View:failure(addr, err) self:diagnostic(err, addr) end

function View:interrupt_received(count)
  self:emit("info", ui.interrupt_text(count), "log")
end

function View:interrupted(status)
  self:diagnostic(errors.new(nil, "interrupted: %s; the state is saved",
    status == "aborted" and "stopped at once" or "stopped after the operations in flight"))
end

return M
