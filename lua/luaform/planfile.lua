-- luaform.planfile: plans saved by `plan -out FILE` and carried out by
-- `apply FILE`.
--
-- A saved plan binds an apply to what was reviewed. The file (JSON, mode
-- 0600 like the state) holds:
--   * the lineage and serial of the state the plan was made from, and the
--     state entries the plan's refresh changed (`refreshed`, null for one
--     found gone): the prior state the plan was computed on;
--   * the variables (and which are sensitive: `show` hides their values),
--     variable files, targets and -replace addresses;
--   * for every address with something to do, its action and the values
--     it will have after apply, the planned output values, and the action
--     on each output that changes (output_changes). Values are
--     kept as plan -json shows them: `after` (an unknown value as null)
--     and `after_unknown`, here the list of paths known only after apply
--     ("id", "keepers.k"); and as a value that is unknown now may still
--     change with the stack, `expressions`: per argument that refers to
--     other resources, a digest of its expression (deferred.describe).
--     All these are only compared, so sensitive values are kept as their
--     SHA-256;
--   * what `show PLANFILE` prints: the plan as the plan command showed it
--     (`rendered`, luaform.render's plan_text, sensitive values hidden),
--     `show -json PLANFILE` (`json`, Terraform's JSON plan, luaform.tfjson)
--     and `show -markdown PLANFILE` (`markdown`, luaform.markdown).
--
-- apply FILE puts the refreshed entries over the same state, re-plans
-- with the same variables (no second refresh) and refuses, naming the
-- first difference, unless the state is the one the plan was made from
-- and every action and value is the saved one: it carries out exactly
-- what was reviewed, or nothing.
--
-- With the stack's encryption{} the file is sealed as the state is
-- (luaform.encryption): it holds the plan's values and variables.
local core = require("luaform.core")
local deferred = require("luaform.deferred")
local errors = require("luaform.errors")
local schema = require("luaform.schema")
local values = require("luaform.values")

local M = {}
local FORMAT, VERSION = "luaform-plan", 3
local UNKNOWN = deferred.UNKNOWN

---------------------------------------------------------------- values

local function path_join(path, k)
  if math.type(k) == "integer" then return path .. "[" .. k .. "]" end
  return path == "" and tostring(k) or path .. "." .. tostring(k)
end

-- v with its unknown parts as null; adds their paths to unknown.
local function split_unknown(v, path, unknown)
  if v == UNKNOWN then
    unknown[#unknown + 1] = path
    return core.null
  end
  if type(v) ~= "table" then return v end
  local known = {}
  for k, x in pairs(v) do known[k] = split_unknown(x, path_join(path, k), unknown) end
  return setmetatable(known, getmetatable(v))
end

local function digest(v)
  if v == nil or v == core.null then return v end
  return "sha256:" .. core.sha256_hex(core.json_encode(v))
end

-- Digests of the config expressions that refer to other resources:
-- what an unknown value will be computed from.
local function expressions(config)
  local out = {}
  for k, v in pairs(config or {}) do
    if deferred.has_deferred(v) then out[k] = "sha256:" .. core.sha256_hex(deferred.describe(v)) end
  end
  return setmetatable(out, core.json_object_mt)
end

-- {after, after_unknown, expressions} of a record (attributes by name, or
-- outputs by name) in the file's form, from its planned values and its
-- config; sensitive(name) says which values to digest. The JSON round
-- trip gives a planned record exactly the form one read back from the
-- file has, so the two compare as equal data.
local function saved_form(record, config, sensitive)
  local after, unknown = {}, {}
  for k, v in pairs(record or {}) do
    local known = split_unknown(v, tostring(k), unknown)
    after[k] = (sensitive(k) and v ~= UNKNOWN) and digest(known) or known
  end
  table.sort(unknown)
  setmetatable(unknown, core.json_array_mt)
  local doc = { after = setmetatable(after, core.json_object_mt), after_unknown = unknown,
                expressions = expressions(config) }
  return core.json_decode(core.json_encode(doc))
end

-- The first attribute (or unknown path) in which two saved forms differ,
-- compared as the planner compares (values.equal with the attribute's
-- schema, when sch is given); secret(k) says which are digests.
local function first_difference(a, b, sch, secret)
  local names = {}
  for k in pairs(a.after) do names[k] = true end
  for k in pairs(b.after) do names[k] = true end
  for _, k in ipairs(schema.sorted_keys(names)) do
    local same = (secret and secret(k)) and values.deep_equal(a.after[k], b.after[k])
      or values.equal(sch and sch[k], a.after[k], b.after[k])
    if not same then return k end
  end
  for i = 1, math.max(#a.after_unknown, #b.after_unknown) do
    if a.after_unknown[i] ~= b.after_unknown[i] then return a.after_unknown[i] or b.after_unknown[i] end
  end
  local exprs = {}
  for k in pairs(a.expressions) do exprs[k] = true end
  for k in pairs(b.expressions) do exprs[k] = true end
  for _, k in ipairs(schema.sorted_keys(exprs)) do
    if a.expressions[k] ~= b.expressions[k] then return k end
  end
end

local function schema_of(ch)
  local mod = ch.type and schema.load(ch.type, ch.mode)
  return mod and mod.schema or {}
end

-- Which attributes of ch are secret: sensitive in the type's schema, or
-- derived from a secret in the stack (node.sensitive).
local function secret_of(ch)
  local sch, derived = schema_of(ch), ch.node and ch.node.sensitive or {}
  return function(k) return (sch[k] and sch[k].sensitive) or derived[k] == true end
end

-- A destroyed object's arguments play no part in what happens to it.
local function change_form(ch)
  local config = ch.action ~= "delete" and ch.action ~= "forget" and ch.node and ch.node.args or nil
  return saved_form(ch.after, config, secret_of(ch))
end

-- The outputs' values as the plan leaves them (luaform.plan's plan.outputs).
local function outputs_form(run, plan)
  local outputs, config = run.cfg and run.cfg.outputs or {}, {}
  if not plan.is_destroy then
    for name, o in pairs(outputs) do config[name] = o.value end
  end
  return saved_form(plan.outputs, config, function(name) return outputs[name].sensitive end)
end

-- {NAME = action} of the outputs the plan changes (for show).
local function output_actions(plan)
  local out = {}
  for _, oc in ipairs(plan.output_changes) do
    if oc.action ~= "noop" then out[oc.name] = oc.action end
  end
  return setmetatable(out, core.json_object_mt)
end

---------------------------------------------------------------- file

-- Names of the stack's sensitive variables: their values, which apply
-- needs, are in the file, but never shown (M.shown).
local function sensitive_vars(run)
  local names = {}
  for name, v in pairs(run.cfg and run.cfg.variables or {}) do
    if v.sensitive then names[#names + 1] = name end
  end
  table.sort(names)
  return setmetatable(names, core.json_array_mt)
end

-- inputs: {vars, var_files, targets, replace} as given on the command line.
function M.save(path, run, plan, inputs)
  local changes = {}
  for _, ch in ipairs(plan.changes) do
    if ch.action ~= "noop" then
      local form = change_form(ch)
      form.action = ch.action
      changes[ch.addr] = form
    end
  end
  local refreshed = {}
  for addr in pairs(run.refreshed or {}) do refreshed[addr] = run.state.resources[addr] or core.null end
  local doc = {
    format = FORMAT, version = VERSION, serial = run.state.serial,
    refreshed = setmetatable(refreshed, core.json_object_mt),
    -- A plan made before any state exists is bound to "no state yet".
    lineage = run.store.fresh and "" or run.state.lineage,
    vars = inputs.vars, var_files = inputs.var_files or {}, targets = inputs.targets or {},
    replace = inputs.replace or {},
    sensitive_vars = sensitive_vars(run),
    destroy = plan.is_destroy, changes = setmetatable(changes, core.json_object_mt),
    outputs = outputs_form(run, plan), output_changes = output_actions(plan),
    rendered = require("luaform.render").plan_text(plan),
    json = require("luaform.tfjson").plan(run, plan),
    markdown = require("luaform.markdown").plan(plan),
  }
  local encryption = require("luaform.encryption")
  core.write_file(path, encryption.seal(run.cfg.encryption, core.json_encode(doc, { pretty = true })), "0600")
end

-- A saved form ({after, after_unknown, expressions}, saved_form) as read back.
local function is_saved_form(f)
  return type(f) == "table" and type(f.after) == "table" and type(f.after_unknown) == "table"
    and type(f.expressions) == "table"
end

-- Refuses a plan file whose fields are not what M.save writes (a file cut
-- short or edited), before a command reads them (found by tests/fuzz/planfile.c).
local function check_shape(path, doc)
  local function corrupted(what)
    errors.raise(nil, "plan file %s is corrupted (%s); plan again", path, what)
  end
  for _, field in ipairs({ { "serial", "number" }, { "lineage", "string" }, { "changes", "table" },
                           { "refreshed", "table" }, { "var_files", "table" }, { "targets", "table" },
                           { "sensitive_vars", "table" }, { "replace", "table" }, { "json", "table" },
                           { "rendered", "string" }, { "markdown", "string" } }) do
    local key, t = field[1], field[2]
    if type(doc[key]) ~= t then corrupted(key .. " is not a " .. (t == "table" and "JSON object or array" or t)) end
  end
  if doc.vars ~= nil and type(doc.vars) ~= "table" then corrupted("vars is not a JSON object") end
  for _, key in ipairs({ "var_files", "targets", "sensitive_vars", "replace" }) do
    for _, v in pairs(doc[key]) do
      if type(v) ~= "string" then corrupted(key .. " holds a " .. type(v)) end
    end
  end
  if not is_saved_form(doc.outputs) then corrupted("outputs") end
  for addr, ch in pairs(doc.changes) do
    if not is_saved_form(ch) or type(ch.action) ~= "string" then corrupted("change " .. tostring(addr)) end
  end
end

-- encryption: the stack's encryption{} (a sealed plan file needs its key).
function M.load(path, encryption)
  local src, err = core.read_file(path)
  if not src then errors.raise(nil, "cannot read plan file %s: %s", path, err) end
  src = require("luaform.encryption").open(encryption, src, "plan file " .. path)
  local doc, jerr = core.json_decode(src, path)
  if type(doc) ~= "table" or doc.format ~= FORMAT then
    errors.raise(nil, "%s is not a luaform plan file%s", path, jerr and (" (" .. jerr .. ")") or "")
  end
  if doc.version ~= VERSION then
    errors.raise(nil, "plan file %s has version %s; this luaform reads version %d; plan again",
      path, tostring(doc.version), VERSION)
  end
  check_shape(path, doc)
  return doc
end

-- Raises unless the state is the one the saved plan was made from.
function M.check_state(path, doc, run)
  local lineage = run.store.fresh and "" or run.state.lineage
  if lineage ~= doc.lineage or run.state.serial ~= doc.serial then
    errors.raise(nil, "saved plan %s is stale: the state changed since it was made (serial %s, now %s); plan again",
      path, tostring(doc.serial), tostring(run.state.serial))
  end
end

-- Puts the entries the plan's refresh changed over the loaded state.
function M.restore_refresh(doc, run)
  for addr, entry in pairs(doc.refreshed) do
    run.state.resources[addr] = entry ~= core.null and entry or nil
    require("luaform.plan").note_refreshed(run, addr)
  end
end

local function mismatch(path, what)
  errors.raise(nil, "saved plan %s no longer matches the stack: %s; plan again", path, what)
end

-- Raises, naming the first difference, unless the re-made plan has the
-- saved actions and values.
function M.check_plan(path, doc, run, plan)
  local seen = {}
  for _, ch in ipairs(plan.changes) do
    seen[ch.addr] = true
    local saved = doc.changes[ch.addr]
    local saved_action = saved and saved.action or "noop"
    if saved_action ~= ch.action then
      mismatch(path, string.format("%s: planned %s, now %s", ch.addr, saved_action, ch.action))
    end
    local attr = saved and first_difference(saved, change_form(ch), schema_of(ch), secret_of(ch))
    if attr then
      mismatch(path, string.format("%s: %s differs from the planned value", ch.addr, attr))
    end
  end
  for addr, saved in pairs(doc.changes) do
    if not seen[addr] then mismatch(path, string.format("%s: planned %s, now not in the plan", addr, saved.action)) end
  end
  local name = first_difference(doc.outputs, outputs_form(run, plan))
  if name then mismatch(path, string.format('output "%s" differs from the planned value', name)) end
end

return M
