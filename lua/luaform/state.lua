-- luaform.state: the state document and the store it lives in.
--
-- The document: {version, lineage, serial, resources = {[addr] = {type,
-- provider, mode, module, attributes, dependencies, schema_version,
-- pending, deposed}}, outputs}. The store wraps a C backend
-- (core.state_backend: "local" writes atomically, keeps a backup, 0600,
-- flock) and owns the rules: one lock for the whole command, serial + 1
-- and a save after every operation, never a save over a file the backend
-- refused to read. A save that names the entry it changed (save(addr))
-- is a journal record of that entry when the backend keeps a journal and
-- this run already wrote a snapshot; any other save, and a journal grown
-- past its threshold, writes the whole document (a snapshot), so the end
-- of a run leaves a compacted state; a writing command that saved nothing
-- compacts a journal it found (compact). The store is handed the backend to
-- open: the command layer resolves it (luaform.backend_init.resolve), the
-- store never evaluates the stack.
local core = require("luaform.core")
local errors = require("luaform.errors")

local M = {}
M.VERSION = 1

local Store = {}
Store.__index = Store

function M.empty()
  return { version = M.VERSION, lineage = core.uuid(), serial = 0, resources = {}, outputs = {} }
end

-- target: the backend the command layer resolved
-- (luaform.backend_init.resolve): {kind, config, where, encryption}. The
-- store only opens it; which backend a stack uses is not its concern.
-- encryption (the stack's encryption{}, luaform.encryption) seals what
-- the backend stores and opens what it reads.
function M.open(target)
  if target.kind ~= "local" then
    local found, err = pcall(require, "luaform.backends." .. target.kind)
    if not found and not tostring(err):find("module '[^']+' not found") then error(err, 0) end
  end
  local ok, b = pcall(core.state_backend, target.kind, target.config)
  if not ok then errors.raise(target.where, "backend %s: %s", target.kind, tostring(b)) end
  local keyring = require("luaform.encryption").keyring(target.encryption)
  if keyring then b:encrypt(keyring) end
  return setmetatable({ backend = b, locked = false, keyring = keyring,
    encryption_at = target.encryption and target.encryption.where }, Store)
end

-- Takes the lock; then, unless the run writes no state (read_only: plan),
-- the encryption's write key is made when it comes from a service (aws_kms:
-- KMS GenerateDataKey), so a key that cannot be used is an error before the
-- run changes anything, not at its first save. (A plan that saves a plan
-- file makes it when it seals the file.)
function Store:lock(operation, timeout, read_only)
  local ok, err = self.backend:lock({ operation = operation, timeout = timeout or 0 })
  if not ok then errors.raise(nil, "%s", err) end
  self.locked = true
  if self.keyring and not read_only then
    local made, why = self.keyring:prepare()
    if not made then
      self:unlock()
      errors.raise(self.encryption_at, "encryption: %s", why)
    end
  end
end

function Store:unlock()
  if self.locked then
    self.backend:unlock()
    self.locked = false
  end
end

-- The state document (a new empty one when there is none yet).
function Store:load()
  local st, ignored = self.backend:load()
  if ignored then io.stderr:write("Warning: ", ignored, "\n") end
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

-- A journal record of the entries in dirty (their removal when gone).
local function record(st, dirty)
  local set, del = setmetatable({}, core.json_object_mt), setmetatable({}, core.json_array_mt)
  for addr in pairs(dirty) do
    local e = st.resources[addr]
    if e then set[addr] = e else del[#del + 1] = addr end
  end
  return { lineage = st.lineage, serial = st.serial, set = set, del = del }
end

-- One write of the document: a journal record of dirty, or a snapshot
-- (dirty nil, or the journal is due for compaction): true | nil, message.
function Store:write(dirty)
  local b = self.backend
  if dirty and self.snapshotted then
    local ok, due = b:append(record(self.doc, dirty))
    if not ok or not due then return ok, due end
  end
  local ok, err = b:save(self.doc)
  if ok then self.snapshotted = true end
  return ok, err
end

-- Writes the document; returns once what the caller changed is stored.
-- addr: the one entry the caller changed (nil: anything may have).
-- Group commit: operations that finish together share one write. A
-- caller that finds no write under way becomes the writer, lets the other
-- ready operations run up to their own save (one turn of the event loop),
-- then writes the document as it is then; callers that arrive meanwhile
-- wait for a write that started after their change.
function Store:save(addr)
  self.changes = (self.changes or 0) + 1
  if addr and self.journaled == nil then self.journaled = self.backend:journaled() end
  if addr and self.journaled then
    self.dirty = self.dirty or {}
    self.dirty[addr] = true
  else
    self.whole = true
  end
  local mine = self.changes
  while (self.written or 0) < mine do
    if self.writing then
      core.sleep(0)   -- another operation is writing; wait for its turn to end
    else
      self.writing = true
      if coroutine.isyieldable() then core.sleep(0) end
      local upto = self.changes
      local dirty = not self.whole and self.dirty or nil
      self.dirty, self.whole = nil, false
      local st = self.doc
      st.serial = st.serial + 1
      local ran, saved, err = pcall(self.write, self, dirty)
      self.writing = false
      if not ran then err = saved end
      if not (ran and saved) then errors.raise(nil, "saving state: %s", tostring(err)) end
      self.written = upto
    end
  end
end

function Store:path() return self.backend:path() end

-- Saves the locked state once more when what was read is not sealed as
-- the stack's encryption{} writes (plaintext, or the fallback key's): how
-- init and apply migrate a state to encryption, to a new key, or back.
function Store:reseal()
  if self.locked and self.doc and not self.fresh and self.backend:stale() then self:save() end
end

-- Writes the state as it was read, as one snapshot, when it was read from
-- a snapshot and journal records (the journal of a killed run) and this
-- run wrote no snapshot since: a locked run with nothing to change still
-- leaves a compacted state. The document is read again (under the lock,
-- it is what was read): this run's copy may hold what it chose not to
-- save. The serial stays: nothing changed.
function Store:compact()
  if not (self.locked and self.backend:replayed()) then return end
  local ok, err = self.backend:save(self.backend:load())
  if not ok then errors.raise(nil, "saving state: %s", tostring(err)) end
end

-- Empties the stored state (after it moved to another backend): an empty
-- document of the same lineage, so nothing stale stays behind.
function Store:delete_state()
  local doc = self.doc
  self.doc = { version = M.VERSION, lineage = doc.lineage, serial = doc.serial, resources = {}, outputs = {} }
  self:save()
end

-- Sorted addresses of the state's resources.
function M.addresses(st)
  return core.sorted_string_keys(st.resources) or errors.raise(nil, "state: a resource address is not a string")
end

return M
