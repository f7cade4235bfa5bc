-- luaform.backends.s3: the state in an S3 object, as Terraform's S3 backend.
--
--   backend("s3", { bucket = "b", key = "stacks/app.json", region = "ap-northeast-2",
--                   encrypt = true, use_lockfile = true, dynamodb_table = nil,
--                   workspace_key_prefix = "env:", profile = nil, endpoints = nil })
--
-- The default workspace's state is KEY, another's PREFIX/NAME/KEY. The lock
-- is an object KEY.lock written only if absent (PutObject If-None-Match:
-- *), holding the lock record (id, who, operation, created), or - with
-- dynamodb_table - an item LockID = "bucket/KEY" written only if absent.
-- Saves are conditional too: If-Match the ETag this process last read or
-- wrote (If-None-Match when there was no state), so a state changed by
-- anyone else meanwhile is never overwritten; the refusal names the
-- remote's lineage and serial. Registered with core.state_backend_register;
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
  if type(doc) == "table" then
    return string.format("lineage %s, serial %s", tostring(doc.lineage), tostring(doc.serial))
  end
  return "unreadable"
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
  return true
end

-- ---- locks ----

local function lock_id_of(info)
  local ok, rec = pcall(core.json_decode, info)
  return ok and type(rec) == "table" and rec.id or nil
end

-- One attempt: true | false, holder's record text | nil, error.
local function try_lock(self, info)
  if self.ddb then
    local _, err = try(self.ddb, "PutItem", {
      TableName = self.config.dynamodb_table,
      Item = { LockID = { S = self.config.bucket .. "/" .. self.key }, Info = { S = info } },
      ConditionExpression = "attribute_not_exists(LockID)",
    })
    if not err then return true end
    if code_of(err) ~= "ConditionalCheckFailedException" then return nil, message(err) end
    local got = try(self.ddb, "GetItem", { TableName = self.config.dynamodb_table,
      Key = { LockID = { S = self.config.bucket .. "/" .. self.key } }, ConsistentRead = true })
    return false, got and got.Item and got.Item.Info and got.Item.Info.S or ""
  end
  local _, err = try(self.s3, "PutObject", { Bucket = self.config.bucket, Key = self.key .. ".lock",
    Body = info, ContentType = "application/json", IfNoneMatch = "*" })
  if not err then return true end
  if code_of(err) ~= "PreconditionFailed" and code_of(err) ~= "ConditionalRequestConflict" then
    return nil, message(err)
  end
  local got = try(self.s3, "GetObject", { Bucket = self.config.bucket, Key = self.key .. ".lock" })
  return false, got and got.Body or ""
end

local function holder(self, record)
  local ok, rec = pcall(core.json_decode, record)
  if ok and type(rec) == "table" and rec.who then
    return string.format("%s is locked by %s (%s, since %s, ID %s)", self.name, rec.who,
      tostring(rec.operation), tostring(rec.created), tostring(rec.id))
  end
  return self.name .. " is locked by another process"
end

function M.lock(self, info, timeout)
  if self.config.use_lockfile == false and not self.ddb then return true end
  local deadline = core.now() + (timeout or 0)
  while true do
    local got, record = try_lock(self, info)
    if got then self.lock_id = lock_id_of(info); return true end
    if got == nil then return nil, "locking " .. self.name .. ": " .. tostring(record) end
    if core.now() >= deadline then return nil, holder(self, record) end
    core.sleep(math.min(POLL_SECONDS, math.max(0.05, deadline - core.now())))
  end
end

-- Removes the lock if its record has id (any lock when id is nil).
local function remove_lock(self, id)
  if self.ddb then
    local params = { TableName = self.config.dynamodb_table,
                     Key = { LockID = { S = self.config.bucket .. "/" .. self.key } } }
    local got = try(self.ddb, "GetItem", params)
    local info = got and got.Item and got.Item.Info and got.Item.Info.S
    if not info then return nil, "no lock on " .. self.name end
    if id and lock_id_of(info) ~= id then return nil, holder(self, info) .. ", not " .. id end
    local _, err = try(self.ddb, "DeleteItem", params)
    if err then return nil, message(err) end
    return true
  end
  local got = try(self.s3, "GetObject", { Bucket = self.config.bucket, Key = self.key .. ".lock" })
  if not got then return nil, "no lock on " .. self.name end
  if id and lock_id_of(got.Body) ~= id then return nil, holder(self, got.Body) .. ", not " .. id end
  local _, err = try(self.s3, "DeleteObject", { Bucket = self.config.bucket, Key = self.key .. ".lock" })
  if err then return nil, message(err) end
  return true
end

function M.unlock(self)
  if not self.lock_id then return end
  remove_lock(self, self.lock_id)
  self.lock_id = nil
end

-- For `luaform force-unlock ID`.
function M.force_unlock(self, id) return remove_lock(self, id) end

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
  return true
end

core.state_backend_register("s3", M)
return M
