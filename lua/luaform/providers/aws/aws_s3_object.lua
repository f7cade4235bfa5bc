-- aws_s3_object: one object in an S3 bucket, its bytes from `content` or
-- from the file `source`, as Terraform's AWS provider has it; declared for
-- aws._resource through aws._put_whole (PutObject writes it whole).
--
-- The id is "BUCKET/KEY"; bucket and key force a new object. The bytes
-- are not read back: the plan predicts the etag (the MD5 of content or of
-- the source file, as S3 computes a single-part object's ETag, for objects
-- not encrypted with KMS), so an object changed outside luaform, or a
-- changed source file, plans an in-place update that writes it again.
local resource = require("luaform.providers.aws._resource")
local whole = require("luaform.providers.aws._put_whole")
local common = require("luaform.providers.aws._common")
local core = require("luaform.core")

local function split(id) return id:match("^([^/]+)/(.+)$") end

local function body(a)
  if a.content ~= nil then return a.content end
  if a.source then
    local data, err = core.read_file(a.source)
    if not data then error(string.format("aws_s3_object: source %s: %s", a.source, tostring(err)), 0) end
    return data
  end
  return ""
end

local function params(a)
  return { Bucket = a.bucket, Key = a.key, Body = body(a), ContentType = a.content_type,
    ServerSideEncryption = a.server_side_encryption, CacheControl = a.cache_control }
end

local M
M = resource.define(whole.declare({
  service = "s3", description = "An object in an S3 bucket (content or a source file).",
  id = function(o) return o.Bucket .. "/" .. o.Key end,
  fields = {
    bucket = { type = "string", required = true, force_new = true, wire = "Bucket" },
    key = { type = "string", required = true, force_new = true, wire = "Key" },
    content = { type = "string", optional = true, description = "The object's bytes (UTF-8 text)." },
    source = { type = "string", optional = true, description = "A file whose bytes are the object." },
    content_type = { type = "string", optional = true, computed = true, wire = "ContentType" },
    cache_control = { type = "string", optional = true, wire = "CacheControl" },
    server_side_encryption = { type = "string", optional = true, computed = true, wire = "ServerSideEncryption" },
    etag = { type = "string", optional = true, computed = true, wire = "ETag",
      from_wire = function(v) return v and (v:gsub('"', "")) end,
      description = "The object's ETag (the MD5 of its bytes for a single-part, non-KMS object)." },
    version_id = { type = "string", computed = true, wire = "VersionId" },
  },
  create = { op = "PutObject", idempotent = true,
    result = function(_, a) return { Bucket = a.bucket, Key = a.key } end,
    after = function() end },
  read = function(ctx, id)
    local bucket, key = split(id)
    local c = ctx:client("s3")
    local ok, out = pcall(c.HeadObject, c, { Bucket = bucket, Key = key })
    if not ok then
      if common.is_not_found(out) or (type(out) == "table" and out.status == 404) then return nil end
      error(out, 0)
    end
    out.Bucket, out.Key = bucket, key
    return out
  end,
  find = function(ctx, a) return M.read_object(ctx, a.bucket .. "/" .. a.key) end,
  not_found = { "NoSuchKey", "NotFound", "NoSuchBucket" },
  delete = { op = "DeleteObject", params = function(id)
    local bucket, key = split(id)
    return { Bucket = bucket, Key = key }
  end },
}, params))

-- The etag S3 will report for what the configuration says (not for KMS objects).
function M.plan_computed(_, desired)
  if type(desired.content) ~= "string" and type(desired.source) ~= "string" then return {} end
  if desired.server_side_encryption and desired.server_side_encryption:match("^aws:kms") then return {} end
  local ok, data = pcall(body, desired)
  if not ok then return {} end
  return { etag = core.md5_hex(data) }
end

return M
