-- aws_secretsmanager_secret_version: one value of a Secrets Manager
-- secret, as Terraform's AWS provider has it; declared for aws._resource
-- (contract v2).
--
-- The id is "secret ARN|version id" (Terraform's, also the import id).
-- secret_string and secret_binary are sensitive and force a new version;
-- version_stages change in place (UpdateSecretVersionStage). The create
-- (PutSecretValue) sends the create's token as ClientRequestToken, so it
-- is the version id: a re-sent or lost create is that same version. Delete
-- takes the version's staging labels off (AWS then drops it), except
-- AWSCURRENT, which only a newer version can take.
local resource = require("luaform.providers.aws._resource")

local function split(id)
  local secret, version = tostring(id):match("^(.+)|([^|]+)$")
  if not secret then
    error(string.format('aws_secretsmanager_secret_version: id "%s" is not "secret_id|version_id"', tostring(id)), 0)
  end
  return secret, version
end

local function read(ctx, id)
  local secret, version = split(id)
  local c = ctx:client("secretsmanager")
  local ok, out = pcall(c.GetSecretValue, c, { SecretId = secret, VersionId = version })
  if not ok then
    local code = type(out) == "table" and out.code
    if code == "ResourceNotFoundException" or code == "InvalidRequestException" then return nil end
    error(out, 0)
  end
  out.SecretId = secret
  return out
end

-- Labels moved onto (or taken off) the version, one call each.
local function set_stages(_, c, id, value, ch)
  local secret, version = split(id)
  local want, had = {}, {}
  for _, s in ipairs(value or {}) do want[s] = true end
  for _, s in ipairs(ch.old.version_stages or {}) do had[s] = true end
  local holders = c:DescribeSecret({ SecretId = secret }, ch.opts).VersionIdsToStages or {}
  local function holder(stage)
    for vid, stages in pairs(holders) do
      for _, s in ipairs(stages) do if s == stage then return vid end end
    end
  end
  for s in pairs(want) do
    if not had[s] then
      local from = holder(s)
      c:UpdateSecretVersionStage({ SecretId = secret, VersionStage = s, MoveToVersionId = version,
        RemoveFromVersionId = from ~= version and from or nil }, ch.opts)
    end
  end
  for s in pairs(had) do
    if not want[s] and s ~= "AWSCURRENT" then
      c:UpdateSecretVersionStage({ SecretId = secret, VersionStage = s, RemoveFromVersionId = version }, ch.opts)
    end
  end
end

local function id_of(obj) return (obj.SecretId or obj.ARN) .. "|" .. obj.VersionId end

local T = resource.define{
  service = "secretsmanager", description = "A value of a Secrets Manager secret.",
  id = id_of,
  fields = {
    secret_id = { type = "string", required = true, force_new = true, input = "SecretId",
      from_wire = function(_, obj) return obj.SecretId end, description = "The secret's ARN or name." },
    secret_string = { type = "string", optional = true, sensitive = true, force_new = true, wire = "SecretString",
      description = "The value as text (sensitive)." },
    secret_binary = { type = "string", optional = true, sensitive = true, force_new = true, wire = "SecretBinary",
      description = "The value as base64 (sensitive)." },
    version_stages = { type = "set", elem = "string", optional = true, computed = true, wire = "VersionStages",
      set = set_stages, description = "The version's staging labels (default AWSCURRENT)." },
    arn = { type = "string", computed = true, wire = "ARN", description = "The secret's ARN." },
    version_id = { type = "string", computed = true, wire = "VersionId", description = "The version's id." },
  },
  create = { op = "PutSecretValue", token = "ClientRequestToken",
    -- the answer lacks the value: it is what was sent
    result = function(out, args)
      out.SecretId, out.SecretString, out.SecretBinary = args.secret_id, args.secret_string, args.secret_binary
      return out
    end },
  read = read,
  find = function(ctx, args, token) return read(ctx, args.secret_id .. "|" .. token) end,
  not_found = { "ResourceNotFoundException" },
}

-- Delete is irregular (no delete call: the version's labels are taken off
-- and AWS drops a version without labels), so the type replaces it.
function T.delete(ctx, id, attrs)
  local secret, version = split(id)
  local c = ctx:client("secretsmanager")
  for _, s in ipairs((attrs or {}).version_stages or {}) do
    if s ~= "AWSCURRENT" then
      local ok, err = pcall(c.UpdateSecretVersionStage, c,
        { SecretId = secret, VersionStage = s, RemoveFromVersionId = version })
      local code = not ok and type(err) == "table" and err.code
      if not ok and code ~= "ResourceNotFoundException" and code ~= "InvalidRequestException" then error(err, 0) end
    end
  end
end

return T
