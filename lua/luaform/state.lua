-- luaform.state: the state document and the store it lives in.
--
-- The document: {version, lineage, serial, resources = {[addr] = {type,
-- provider, mode, module, attributes, dependencies, schema_version,
-- pending, deposed}}, outputs}. The store wraps a C backend
-- (core.state_backend: "local" writes atomically, keeps a backup, 0600,
-- flock) and owns the rules: one lock for the whole command, serial + 1
-- and a save after every operation, never a save over a file the backend
-- refused to read. open() refuses the stack's backend when it is not the
-- one `luaform init` recorded (luaform.backend_init), and a workspace that
-- was never created, locally or remotely.
local core = require("luaform.core")
local errors = require("luaform.errors")

local M = {}
M.VERSION = 1

local Store = {}
Store.__index = Store

function M.empty()
  return { version = M.VERSION, lineage = core.uuid(), serial = 0, resources = {}, outputs = {} }
end

-- The stack's backend (nil: local, or no main.lua here), evaluated for
-- the backend only: variables without a value are allowed.
function M.stack_backend()
  if not core.stat("main.lua") then return nil end
  local cfg = require("luaform.dsl").evaluate({ lenient_vars = true,
    workspace = require("luaform.workspace").current() })
  return cfg.backend
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
  return "local", { path = require("luaform.workspace").local_path(path, ws) }
end

-- Raises when workspace ws was never created (locally: its directory;
-- remotely: the backend does not list it), as Terraform does.
local function check_workspace(kind, config, opts, ws)
  if ws == "default" or opts.path or opts.create then return end
  local exists
  if kind == "local" then
    exists = core.stat(config.path:match("^(.*)/[^/]*$")) ~= nil
  else
    exists = contains(require("luaform.backend_init").workspaces(opts.backend), ws)
  end
  if not exists then
    errors.raise(nil, 'workspace "%s" does not exist; create it with: luaform workspace new %s', ws, ws)
  end
end

-- opts: path (local file: -state), backend = {type, config} from the
-- stack, workspace (default: the current one), create (the workspace may
-- not exist yet), initializing (init itself: no check against the backend
-- init recorded). An explicit path wins.
function M.open(opts)
  local ws = opts.workspace or require("luaform.workspace").current()
  if not opts.path and not opts.initializing then require("luaform.backend_init").check(opts.backend) end
  local kind, config = backend_config(opts, ws)
  if kind ~= "local" then
    local found, err = pcall(require, "luaform.backends." .. kind)
    if not found and not tostring(err):find("module '[^']+' not found") then error(err, 0) end
  end
  local ok, b = pcall(core.state_backend, kind, config)
  if not ok then errors.raise(opts.backend and opts.backend.where, "backend %s: %s", kind, tostring(b)) end
  check_workspace(kind, config, opts, ws)
  return setmetatable({ backend = b, locked = false }, Store)
end

function Store:lock(operation, timeout)
  local ok, err = self.backend:lock({ operation = operation, timeout = timeout or 0 })
  if not ok then errors.raise(nil, "%s", err) end
  self.locked = true
end

function Store:unlock()
  if self.locked then
    self.backend:unlock()
    self.locked = false
  end
end

-- The state document (a new empty one when there is none yet).
function Store:load()
  local st = self.backend:load()
  if st == nil then
    st = M.empty()
    self.fresh = true
  end
  if st.version ~= M.VERSION then
    errors.raise(nil, "state version %s is not supported (this luaform writes version %d)",
      tostring(st.version), M.VERSION)
  end
  st.resources = st.resources or {}
  st.outputs = st.outputs or {}
  self.doc = st
  return st
end

-- Writes the document; returns once what the caller changed is stored.
-- Group commit: operations that finish together share one write. A
-- caller that finds no write under way becomes the writer, lets the other
-- ready operations run up to their own save (one turn of the event loop),
-- then writes the document as it is then; callers that arrive meanwhile
-- wait for a write that started after their change.
function Store:save()
  self.changes = (self.changes or 0) + 1
  local mine = self.changes
  while (self.written or 0) < mine do
    if self.writing then
      core.sleep(0)   -- another operation is writing; wait for its turn to end
    else
      self.writing = true
      if coroutine.isyieldable() then core.sleep(0) end
      local upto = self.changes
      local st = self.doc
      st.serial = st.serial + 1
      local ran, saved, err = pcall(self.backend.save, self.backend, st)
      self.writing = false
      if not ran then err = saved end
      if not (ran and saved) then errors.raise(nil, "saving state: %s", tostring(err)) end
      self.written = upto
    end
  end
end

function Store:path() return self.backend:path() end

-- Empties the stored state (after it moved to another backend): an empty
-- document of the same lineage, so nothing stale stays behind.
function Store:delete_state()
  local doc = self.doc
  self.doc = { version = M.VERSION, lineage = doc.lineage, serial = doc.serial, resources = {}, outputs = {} }
  self:save()
end

-- Sorted addresses of the state's resources.
function M.addresses(st)
  local out = {}
  for addr in pairs(st.resources) do out[#out + 1] = addr end
  table.sort(out)
  return out
end

return M
