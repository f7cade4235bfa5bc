-- luaform.backends.s3: the state in an S3 object, as Terraform's S3 backend.
--
--   backend("s3", { bucket = "b", key = "stacks/app.json", region = "ap-northeast-2",
--                   encrypt = true, use_lockfile = true, dynamodb_table = nil,
--                   workspace_key_prefix = "env:", profile = nil, endpoints = nil })
--
-- The default workspace's state is KEY, another's PREFIX/NAME/KEY. The lock
-- is an object KEY.lock written only if absent (PutObject If-None-Match:
-- *, with SSE-S3 when encrypt), holding the lock record (id, who,
-- operation, created), or - with dynamodb_table - an item LockID =
-- "bucket/KEY" written only if absent; both with dynamodb_table and
-- use_lockfile = true.
-- Saves are conditional too: If-Match the ETag this process last read or
-- wrote (If-None-Match when there was no state), so a state changed by
-- anyone else meanwhile is never overwritten; the refusal names the
-- remote's lineage and serial.
-- The journal (see engine/state_journal.c): each record is its own small
-- object KEY.journal/<serial>-<seq>, written If-None-Match: * so two
-- writers can never interleave; readers list and replay them after KEY; a
-- save of KEY (the compacted state) deletes the records it holds. Registered with core.state_backend_register;
-- its functions run inside the C store (see engine/state.c).
local core = require("luaform.core")

local M = {}
local POLL_SECONDS = 1

local function client(cfg, service)
  return require("luaform.aws").client(service, {
    region = cfg.region, profile = cfg.profile, endpoints = cfg.endpoints,
    insecure = cfg.insecure, max_attempts = cfg.max_attempts,
  })
end

-- pcall of a client call: result | nil, error table.
local function try(c, op, params)
  local ok, res = pcall(c[op], c, params)
  if ok then return res end
  return nil, res
end

local function code_of(err) return type(err) == "table" and err.code or nil end
local function message(err) return type(err) == "table" and tostring(err) or tostring(err) end

function M.new(config)
  for _, k in ipairs({ "bucket", "key" }) do
    if type(config[k]) ~= "string" or config[k] == "" then
      error(string.format('backend "s3" needs %s (a string)', k), 0)
    end
  end
  local self = { config = config, workspace = config.workspace or "default" }
  local prefix = config.workspace_key_prefix or "env:"
  self.key = self.workspace == "default" and config.key or (prefix .. "/" .. self.workspace .. "/" .. config.key)
  self.name = string.format("s3://%s/%s", config.bucket, self.key)
  self.s3 = client(config, "s3")
  if config.dynamodb_table then self.ddb = client(config, "dynamodb") end
  return self
end

function M.load(self)
  local out, err = try(self.s3, "GetObject", { Bucket = self.config.bucket, Key = self.key })
  if not out then
    if code_of(err) == "NoSuchKey" then self.etag = nil; self.absent = true; return nil end
    return nil, string.format("reading %s: %s", self.name, message(err))
  end
  self.etag, self.absent = out.ETag, false
  return out.Body or ""
end

local function describe_remote(self)
  local out = try(self.s3, "GetObject", { Bucket = self.config.bucket, Key = self.key })
  local doc = out and out.Body and select(2, pcall(core.json_decode, out.Body))
  if type(doc) == "table" and doc.encryption then return "encrypted" end
  if type(doc) == "table" then
    return string.format("lineage %s, serial %s", tostring(doc.lineage), tostring(doc.serial))
  end
  return "unreadable"
end

local function journal_prefix(self) return self.key .. ".journal/" end

-- The journal's records since KEY, in order (their keys are remembered
-- for the save that compacts them): text | nil (none) | false (KEY was
-- compacted since load read it: read both again) | nil, error.
function M.journal(self)
  local keys = {}
  local ok, err = pcall(function()
    for page in self.s3:paginate("ListObjectsV2", { Bucket = self.config.bucket, Prefix = journal_prefix(self) }) do
      for _, obj in ipairs(page.Contents or {}) do keys[#keys + 1] = obj.Key end
    end
  end)
  if not ok then return nil, string.format("listing %s: %s", journal_prefix(self), message(err)) end
  table.sort(keys)
  self.journal_keys = keys
  if #keys == 0 then return nil end
  local parts = {}
  for i, key in ipairs(keys) do
    local out, gerr = try(self.s3, "GetObject", { Bucket = self.config.bucket, Key = key })
    if not out and code_of(gerr) == "NoSuchKey" then return false end
    if not out then return nil, string.format("reading %s: %s", key, message(gerr)) end
    parts[i] = out.Body or ""
  end
  local head = try(self.s3, "HeadObject", { Bucket = self.config.bucket, Key = self.key })
  if not head or head.ETag ~= self.etag then return false end
  return table.concat(parts)
end

function M.append(self, record, serial)
  self.seq = (self.seq or 0) + 1
  local key = string.format("%s%012d-%06d", journal_prefix(self), serial, self.seq)
  local params = { Bucket = self.config.bucket, Key = key, Body = record, IfNoneMatch = "*",
    ContentType = "application/octet-stream" }
  if self.config.encrypt ~= false then params.ServerSideEncryption = "AES256" end
  local out, err = try(self.s3, "PutObject", params)
  if not out then return nil, string.format("writing %s: %s", key, message(err)) end
  self.journal_keys = self.journal_keys or {}
  self.journal_keys[#self.journal_keys + 1] = key
  return true
end

-- After KEY holds them: the journal's records go.
local function drop_journal(self)
  for _, key in ipairs(self.journal_keys or {}) do
    local _, err = try(self.s3, "DeleteObject", { Bucket = self.config.bucket, Key = key })
    if err then return nil, string.format("deleting %s: %s", key, message(err)) end
  end
  self.journal_keys = {}
  return true
end

function M.save(self, text)
  local params = { Bucket = self.config.bucket, Key = self.key, Body = text, ContentType = "application/json" }
  if self.config.encrypt ~= false then params.ServerSideEncryption = "AES256" end
  if self.absent then params.IfNoneMatch = "*" else params.IfMatch = self.etag end
  local out, err = try(self.s3, "PutObject", params)
  if not out then
    if code_of(err) == "PreconditionFailed" or code_of(err) == "ConditionalRequestConflict" then
      return nil, string.format("refusing to overwrite %s: it was changed by someone else since this run read it (%s)",
        self.name, describe_remote(self))
    end
    return nil, string.format("writing %s: %s", self.name, message(err))
  end
  self.etag, self.absent = out.ETag, false
  return drop_journal(self)
end

-- ---- locks ----
-- The lock object KEY.lock is used with use_lockfile = true, or when no
-- dynamodb_table is set and use_lockfile is not false; the DynamoDB item
-- with dynamodb_table. With both, both are taken (as Terraform does): the
-- object first, then the item; a refused item gives the object back.

local function lock_id_of(info)
  local ok, rec = pcall(core.json_decode, info)
  return ok and type(rec) == "table" and rec.id or nil
end

local function uses_lockfile(self)
  local v = self.config.use_lockfile
  return v == true or (v == nil and not self.ddb)
end

local function ddb_key(self)
  return { LockID = { S = self.config.bucket .. "/" .. self.key } }
end

local function lock_object(self) return { Bucket = self.config.bucket, Key = self.key .. ".lock" } end

local function conflict(err)
  local c = code_of(err)
  return c == "PreconditionFailed" or c == "ConditionalRequestConflict" or c == "ConditionalCheckFailedException"
end

-- One attempt at one lock: true | false, holder's record text | nil, error.
local function try_ddb_lock(self, info)
  local item = ddb_key(self)
  item.Info = { S = info }
  local _, err = try(self.ddb, "PutItem", { TableName = self.config.dynamodb_table, Item = item,
    ConditionExpression = "attribute_not_exists(LockID)" })
  if not err then return true end
  if not conflict(err) then return nil, message(err) end
  local got = try(self.ddb, "GetItem", { TableName = self.config.dynamodb_table, Key = ddb_key(self),
    ConsistentRead = true })
  return false, got and got.Item and got.Item.Info and got.Item.Info.S or ""
end

local function try_s3_lock(self, info)
  local params = lock_object(self)
  params.Body, params.ContentType, params.IfNoneMatch = info, "application/json", "*"
  if self.config.encrypt ~= false then params.ServerSideEncryption = "AES256" end
  local _, err = try(self.s3, "PutObject", params)
  if not err then return true end
  if not conflict(err) then return nil, message(err) end
  local got = try(self.s3, "GetObject", lock_object(self))
  return false, got and got.Body or ""
end

-- The lock's record (ddb: the item, else the object): text | nil.
local function read_lock(self, ddb)
  if ddb then
    local got = try(self.ddb, "GetItem", { TableName = self.config.dynamodb_table, Key = ddb_key(self) })
    return got and got.Item and got.Item.Info and got.Item.Info.S
  end
  local got = try(self.s3, "GetObject", lock_object(self))
  return got and got.Body
end

local function holder(self, record)
  local ok, rec = pcall(core.json_decode, record)
  if ok and type(rec) == "table" and rec.who then
    return string.format("%s is locked by %s (%s, pid %s, since %s, ID %s)", self.name, rec.who,
      tostring(rec.operation), math.type(rec.pid) == "integer" and rec.pid or "unknown",
      tostring(rec.created), tostring(rec.id))
  end
  return self.name .. " is locked by another process"
end

-- Removes one lock (ddb: the item, else the object) if its record has id
-- (any record when id is nil): true | nil, error.
local function remove_lock(self, ddb, id)
  local info = read_lock(self, ddb)
  if not info then return nil, "no lock on " .. self.name end
  if id and lock_id_of(info) ~= id then return nil, holder(self, info) .. ", not " .. id end
  local _, err
  if ddb then
    _, err = try(self.ddb, "DeleteItem", { TableName = self.config.dynamodb_table, Key = ddb_key(self) })
  else
    _, err = try(self.s3, "DeleteObject", lock_object(self))
  end
  if err then return nil, message(err) end
  return true
end

-- One attempt at every lock the config asks for: true | false, holder | nil, error.
local function try_locks(self, info)
  local object = uses_lockfile(self)
  if object then
    local got, record = try_s3_lock(self, info)
    if not got then return got, record end
  end
  if not self.ddb then return true end
  local got, record = try_ddb_lock(self, info)
  if not got and object then remove_lock(self, false, lock_id_of(info)) end
  return got, record
end

function M.lock(self, info, timeout)
  if not uses_lockfile(self) and not self.ddb then return true end
  local deadline = core.now() + (timeout or 0)
  while true do
    local got, record = try_locks(self, info)
    if got then self.lock_id = lock_id_of(info); return true end
    if got == nil then return nil, "locking " .. self.name .. ": " .. tostring(record) end
    if core.now() >= deadline then return nil, holder(self, record) end
    core.sleep(math.min(POLL_SECONDS, math.max(0.05, deadline - core.now())))
  end
end

function M.unlock(self)
  if not self.lock_id then return end
  if self.ddb then remove_lock(self, true, self.lock_id) end
  if uses_lockfile(self) then remove_lock(self, false, self.lock_id) end
  self.lock_id = nil
end

-- For `luaform force-unlock ID`: removes each lock that has this ID.
function M.force_unlock(self, id)
  local kinds = {}   -- true: the DynamoDB item, false: the lock object
  if self.ddb then kinds[#kinds + 1] = true end
  if uses_lockfile(self) then kinds[#kinds + 1] = false end
  local removed, errs = false, {}
  for _, ddb in ipairs(kinds) do
    local ok, err = remove_lock(self, ddb, id)
    if ok then removed = true else errs[#errs + 1] = err end
  end
  if removed then return true end
  return nil, table.concat(errs, "; ")
end

-- Settings that change how the state is written or locked, not where it is.
local NOT_LOCATION = { encrypt = true, use_lockfile = true, dynamodb_table = true, max_attempts = true }

-- Whether two configs address the same states (init: nothing to move).
function M.same_location(a, b)
  local values = require("luaform.values")
  for _, pair in ipairs({ { a, b }, { b, a } }) do
    for k, v in pairs(pair[1]) do
      if not NOT_LOCATION[k] and not values.deep_equal(v, pair[2][k]) then return false end
    end
  end
  return true
end

-- ---- workspaces ----

function M.workspaces(self)
  local prefix = (self.config.workspace_key_prefix or "env:") .. "/"
  local names, seen = { "default" }, { default = true }
  for page in self.s3:paginate("ListObjectsV2", { Bucket = self.config.bucket, Prefix = prefix }) do
    for _, obj in ipairs(page.Contents or {}) do
      local name, rest = obj.Key:sub(#prefix + 1):match("^([^/]+)/(.+)$")
      if name and rest == self.config.key and not seen[name] then
        seen[name] = true
        names[#names + 1] = name
      end
    end
  end
  return names
end

function M.delete(self)
  local _, err = try(self.s3, "DeleteObject", { Bucket = self.config.bucket, Key = self.key })
  if err then return nil, message(err) end
  local _, lerr = M.journal(self)   -- lists the records a killed run left
  if lerr then return nil, lerr end
  return drop_journal(self)
end

core.state_backend_register("s3", M)
return M
