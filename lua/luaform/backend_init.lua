-- luaform.backend_init: the backend `luaform init` recorded, and moving
-- the states when the stack's backend changes.
--
-- init writes the stack's backend ({type, config}) to .luaform/backend.json.
-- Every command that opens the stack's state calls check() first: a
-- backend that differs from the record (added, changed or removed since
-- the last init) is refused with "backend initialization required", as
-- Terraform does, instead of silently reading another (empty) state. No
-- record means the local backend, so a local stack needs no init.
-- init() records the backend and rewrites each state the stack's
-- encryption{} would write otherwise (migration to or from encryption,
-- key rotation); when the states moved elsewhere (not only
-- a locking or encryption setting changed) and the previous backend holds
-- resources, it needs -migrate-state, which moves the state of every
-- workspace (default, dev, ...) to the same workspace of the new backend
-- and leaves an empty state of the same lineage behind.
-- resolve() is how commands find the backend of a state once (the stack's
-- backend, checked against the record, for a workspace that exists) and
-- open_state() hands it to the state store.
local core = require("luaform.core")
local errors = require("luaform.errors")
local values = require("luaform.values")
local workspace = require("luaform.workspace")

local M = {}
M.RECORD = ".luaform/backend.json"

-- {type, config} of a remote backend, nil for the local one (any path).
local function normal(b)
  if not b or b.type == "local" then return nil end
  return { type = b.type, config = b.config or {} }
end

function M.name(b) return normal(b) and b.type or "local" end

function M.same(a, b)
  a, b = normal(a), normal(b)
  if a == nil or b == nil then return a == b end
  return values.deep_equal({ a.type, a.config }, { b.type, b.config })
end

-- The backend the last init recorded (nil: local, or no init yet).
function M.recorded()
  local src = core.read_file(M.RECORD)
  if not src then return nil end
  local doc, err = core.json_decode(src, M.RECORD)
  if type(doc) ~= "table" then errors.raise(nil, "%s: %s", M.RECORD, err or "not a JSON object") end
  return normal(doc)
end

-- Raises unless backend (the stack's, nil: local) is the recorded one.
function M.check(backend)
  local recorded = M.recorded()
  if M.same(recorded, backend) then return end
  local reason
  if recorded == nil then
    reason = string.format('initial configuration of the "%s" backend', M.name(backend))
  elseif normal(backend) == nil then
    reason = string.format('the "%s" backend was removed from the stack', M.name(recorded))
  else
    reason = string.format('the "%s" backend configuration changed', M.name(backend))
  end
  errors.raise(backend and backend.where, 'backend initialization required (%s since the last init); '
    .. 'run "luaform init", or "luaform init -migrate-state" to move the existing state', reason)
end

-- The stack's backend (nil: local, or no main.lua here) and its
-- encryption{} (nil: none), evaluated for these only: variables without
-- a value are allowed (a passphrase then comes from LUAFORM_VAR_name).
function M.of_stack()
  if not core.stat("main.lua") then return nil end
  local cfg = require("luaform.dsl").evaluate({ lenient_vars = true, workspace = workspace.current() })
  return cfg.backend, cfg.encryption
end

-- ---- workspaces of a backend ----

local function remote_instance(b, name)
  local mod = require("luaform.backends." .. b.type)
  local conf = { workspace = name }
  for k, v in pairs(b.config) do conf[k] = v end
  return mod, mod.new(conf)
end

-- The workspace names a backend holds (default first).
function M.workspaces(b)
  if not normal(b) then return workspace.local_list() end
  local mod, inst = remote_instance(b, "default")
  if not mod.workspaces then return { "default" } end
  return mod.workspaces(inst)
end

local function contains(list, x)
  for _, v in ipairs(list) do if v == x then return true end end
  return false
end

-- The kind and config of the C backend that holds workspace ws's state.
local function backend_config(opts, ws)
  if not opts.path and opts.backend and opts.backend.type ~= "local" then
    local config = {}
    for k, v in pairs(opts.backend.config) do config[k] = v end
    config.workspace = ws
    return opts.backend.type, config
  end
  if opts.path then return "local", { path = opts.path } end
  local path = opts.backend and opts.backend.config.path or "luaform.state.json"
  return "local", { path = workspace.local_path(path, ws) }
end

-- Raises when workspace ws was never created (locally: its directory;
-- remotely: the backend does not list it), as Terraform does.
local function check_workspace(kind, config, opts, ws)
  if ws == "default" or opts.path or opts.create then return end
  local exists
  if kind == "local" then
    exists = core.stat(config.path:match("^(.*)/[^/]*$")) ~= nil
  else
    exists = contains(M.workspaces(opts.backend), ws)
  end
  if not exists then
    errors.raise(nil, 'workspace "%s" does not exist; create it with: luaform workspace new %s', ws, ws)
  end
end

-- The backend a state store opens: {kind, config, where, encryption}.
-- opts: path (local file: -state), backend = {type, config} from the
-- stack, encryption (the stack's encryption{}, also for -state),
-- workspace (default: the current one), create (the workspace may not
-- exist yet), initializing (init itself: no check against the backend
-- init recorded). An explicit path wins.
function M.resolve(opts)
  local ws = opts.workspace or workspace.current()
  if not opts.path and not opts.initializing then M.check(opts.backend) end
  local kind, config = backend_config(opts, ws)
  check_workspace(kind, config, opts, ws)
  return { kind = kind, config = config, where = opts.backend and opts.backend.where, encryption = opts.encryption }
end

-- The state store of M.resolve(opts).
function M.open_state(opts)
  return require("luaform.state").open(M.resolve(opts))
end

local function open(b, name, create, encryption)
  if not normal(b) and name ~= "default" and create then
    core.mkdir_p(workspace.DIR .. "/" .. name)
  end
  return M.open_state({ backend = b, workspace = name, initializing = true, create = create, encryption = encryption })
end

-- Resources the backend's workspaces hold, in all.
local function resource_count(b, encryption)
  local state = require("luaform.state")
  local n = 0
  for _, name in ipairs(M.workspaces(b)) do
    n = n + #state.addresses(open(b, name, false, encryption):load())
  end
  return n
end

-- Runs fn() with both stores locked.
local function with_locks(src, dst, fn)
  src:lock("init -migrate-state")
  local ok, err = pcall(function()
    dst:lock("init -migrate-state")
    local ok2, err2 = pcall(fn)
    dst:unlock()
    if not ok2 then error(err2, 0) end
  end)
  src:unlock()
  if not ok then error(err, 0) end
end

-- Moves workspace name's state from backend `from` to `to`.
local function migrate_workspace(from, to, name, force, encryption)
  local state = require("luaform.state")
  local src, dst = open(from, name, false, encryption), open(to, name, true, encryption)
  with_locks(src, dst, function()
    local doc, cur = src:load(), dst:load()
    if not dst.fresh and #state.addresses(cur) > 0 and cur.lineage ~= doc.lineage and not force then
      errors.raise(nil, 'the %s backend already holds a state of another lineage (%s) in workspace "%s"; '
        .. "use -force-copy to replace it", M.name(to), cur.lineage, name)
    end
    if src.fresh then
      if dst.fresh and name ~= "default" then dst:save() end   -- the workspace exists there too
      return
    end
    dst.doc = doc
    doc.serial = math.max(doc.serial, cur.serial)
    dst:save()
    src:delete_state()
    print(string.format("Moved the state%s (%d resources) from the %s backend to the %s backend.",
      name == "default" and "" or string.format(' of workspace "%s"', name),
      #state.addresses(doc), M.name(from), M.name(to)))
  end)
end

-- Whether two backends hold their states in the same place (only their
-- locking or encryption settings differ): nothing to move.
local function same_location(a, b)
  a, b = normal(a), normal(b)
  if a == nil or b == nil then return a == b end
  if a.type ~= b.type then return false end
  local mod = require("luaform.backends." .. a.type)
  return mod.same_location ~= nil and mod.same_location(a.config, b.config)
end

-- config with the settings init's -backend-config recorded for a backend
-- of this type added (they win, as on init's command line).
function M.with_init_settings(type_name, config)
  local src = core.read_file(M.RECORD)
  local doc = src and core.json_decode(src, M.RECORD)
  if type(doc) ~= "table" or doc.type ~= type_name or type(doc.settings) ~= "table" then return config end
  local out = {}
  for k, v in pairs(config) do out[k] = v end
  for k, v in pairs(doc.settings) do out[k] = v end
  return out
end

-- init -backend-config=KEY=VALUE or =FILE (Lua assignments or JSON, as
-- a -var-file): the settings, "true"/"false" given as booleans.
local function init_settings(list)
  local out = {}
  for _, item in ipairs(list or {}) do
    local k, v = item:match("^([%w_]+)=(.*)$")
    if k then
      if v == "true" then v = true elseif v == "false" then v = false end
      out[k] = v
    else
      if not core.stat(item) then errors.raise(nil, "-backend-config=%s: neither KEY=VALUE nor a file", item) end
      for fk, fv in pairs(require("luaform.dsl").load_var_file(item)) do out[fk] = fv end
    end
  end
  return out
end

-- init's backend step: current is the stack's backend (nil: local).
-- flags.backend_config: settings added to its config and recorded;
-- flags.reconfigure: take the backend as it is, moving no state.
-- encryption: the stack's encryption{} (states are read and written with it).
function M.init(current, flags, encryption)
  local recorded = M.recorded()
  local settings = init_settings(flags.backend_config)
  if next(settings) then
    if not normal(current) then errors.raise(nil, "-backend-config needs a backend() in the stack (its type and the rest of its settings)") end
    local config = {}
    for k, v in pairs(current.config) do config[k] = v end
    for k, v in pairs(settings) do config[k] = v end
    current = { type = current.type, config = config, where = current.where }
  end
  if not same_location(recorded, current) and not flags.reconfigure then
    if resource_count(recorded, encryption) > 0 then
      if not flags.migrate_state then
        errors.raise(nil, "the backend changed from %s to %s and the %s state is not empty; run: luaform init -migrate-state",
          M.name(recorded), M.name(current), M.name(recorded))
      end
      for _, name in ipairs(M.workspaces(recorded)) do
        migrate_workspace(recorded, current, name, flags.force_copy, encryption)
      end
    end
  end
  if encryption then   -- each state written as encryption{} says (luaform.state's reseal)
    for _, name in ipairs(M.workspaces(current)) do
      local store = open(current, name, false, encryption)
      store:lock("init")
      local ok, err = pcall(function() store:load(); store:reseal() end)
      store:unlock()
      if not ok then error(err, 0) end
    end
  end
  local record = normal(current) or { type = "local" }
  record.settings = next(settings) and settings or nil
  core.mkdir_p(".luaform")
  assert(core.write_file(M.RECORD, core.json_encode(record, { pretty = true }) .. "\n", "0644"))
end

return M
