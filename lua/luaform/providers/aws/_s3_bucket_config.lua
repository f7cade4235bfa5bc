-- aws._s3_bucket_config: declares a type for one S3 bucket setting
-- (versioning, default encryption, public access block, policy, lifecycle,
-- ownership controls), the Terraform 4+ aws_s3_bucket_* types, for
-- aws._resource.
--
-- S3 keeps each setting as one document per bucket: Get<X> reads it (a
-- "NoSuch..." code when there is none), Put<X> replaces it whole and
-- Delete<X> removes it. So the id is the bucket's name, a create and every
-- update send the whole document (spec.document(args)), and there is no
-- list call: a refresh reads each bucket's setting. A Put is idempotent,
-- so a lost create is simply re-sent (the setting proves itself: the
-- bucket is the user's own and the document is what they declared).
--
-- spec: service description, get = op, result = path of the document's
-- object in the Get answer (the read object; fields' wire paths are in it),
-- put = op, document = fn(args) -> the Put's params besides Bucket,
-- missing = { codes: no such setting }, delete = op | { op, params = fn(id) },
-- fields (the setting's fields; bucket is added).
local resource = require("luaform.providers.aws._resource")
local common = require("luaform.providers.aws._common")
local wire = require("luaform.providers.aws._wire")

return function(spec)
  local missing = {}
  for _, c in ipairs(spec.missing or {}) do missing[c] = true end
  missing.NoSuchBucket = true

  local function put(_, c, bucket, args)
    local params = spec.document(args)
    params.Bucket = bucket
    return c[spec.put](c, params)
  end

  -- The setting of a bucket as a read object ({Bucket = ..., ...}), or nil.
  local function read(ctx, bucket)
    local c = ctx:client("s3")
    local ok, out = pcall(c[spec.get], c, { Bucket = bucket })
    if not ok then
      if missing[common.code(out) or ""] then return nil end
      error(out, 0)
    end
    local obj = spec.result and wire.get(out, spec.result) or out
    if type(obj) ~= "table" then obj = { value = obj } end
    if spec.gone and spec.gone(obj) then return nil end
    obj.Bucket = bucket
    return obj
  end

  local fields = { bucket = { type = "string", required = true, force_new = true, wire = "Bucket",
    description = "The bucket's name (also the id)." } }
  for k, f in pairs(spec.fields) do
    f.to_params = function() end   -- the create's params come from spec.document
    if not f.computed or f.optional then
      f.set = function(ctx, c, id, _, ch) return put(ctx, c, id, ch.new) end
    end
    fields[k] = f
  end

  return resource.define{
    service = "s3", description = spec.description,
    identity = "Bucket", id = "Bucket",
    fields = fields,
    create = { op = spec.put, idempotent = true,
      result = function(_, args) return { Bucket = args.bucket } end,
      params = function(_, args, params)
        for k, v in pairs(spec.document(args)) do params[k] = v end
      end,
      after = function() end },   -- read the setting back: S3 answers the Put with nothing
    read = read,
    find = function(ctx, args) return read(ctx, args.bucket) end,
    not_found = spec.missing,
    delete = type(spec.delete) == "table" and spec.delete or { op = spec.delete },
  }
end
