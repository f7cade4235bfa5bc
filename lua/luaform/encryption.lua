-- luaform.encryption: the stack's encryption{} block, checked, as the
-- keyring (core.keyring, engine/crypt.c) that seals the state and saved
-- plan files.
--
--   encryption{ key_provider = "pbkdf2", passphrase = var("state_passphrase", { sensitive = true }),
--               iterations = 600000, enforced = true,
--               fallback = { key_provider = "unencrypted" } }
--   encryption{ key_provider = "aws_kms", kms_key_id = "alias/state",
--               region = nil, profile = nil, endpoints = nil }
--
-- key_provider is the method writes use: "pbkdf2" (AES-256-GCM with a key
-- derived from passphrase), "aws_kms" (AES-256-GCM with a data key from
-- KMS, called through the AWS transport with the block's region, profile
-- and endpoints as the S3 backend's client is) or "unencrypted"
-- (plaintext: the way back). fallback is one more key reads may use, of
-- any provider: the old key while rotating or moving between providers,
-- or "unencrypted" to read a plaintext state once and write it encrypted.
-- A plaintext state is read only with an "unencrypted" method or
-- fallback; enforced = true refuses "unencrypted" as the method. The
-- keyring is made once per evaluated block, so every store and plan file
-- of a command shares its keys (derived once, KMS called once per key).
local core = require("luaform.core")
local deferred = require("luaform.deferred")
local errors = require("luaform.errors")
local schema = require("luaform.schema")

local M = {}
M.DEFAULT_ITERATIONS = 600000
M.MIN_ITERATIONS = 200000     -- OpenTofu's floor for pbkdf2
M.MAX_ITERATIONS = 100000000   -- what engine/crypt.c accepts in a header
M.MIN_PASSPHRASE = 16

-- The function the keyring calls KMS with (engine/crypt.c's aws_kms):
-- op "GenerateDataKey" -> plaintext, encrypted blob, key ARN; op
-- "Decrypt" (blob) -> plaintext; failures -> nil, message, error code.
local function kms_caller(spec)
  local client
  return function(op, blob)
    local ok, res = pcall(function()
      client = client or require("luaform.aws").client("kms",
        { region = spec.region, profile = spec.profile, endpoints = spec.endpoints })
      if op == "GenerateDataKey" then return client:GenerateDataKey{ KeyId = spec.kms_key_id, KeySpec = "AES_256" } end
      return client:Decrypt{ KeyId = spec.kms_key_id, CiphertextBlob = blob }
    end)
    if not ok then
      local code = type(res) == "table" and res.code or nil
      return nil, string.format("KMS %s failed: %s", op, code and (code .. ": " .. tostring(res.message)) or tostring(res)), code
    end
    return res.Plaintext, res.CiphertextBlob, res.KeyId
  end
end

local function string_option(spec, name, where, what, provider)
  local v = spec[name]
  if v ~= nil and (type(v) ~= "string" or v == "") then
    errors.raise(where, '%s: key_provider "%s": %s must be a non-empty string', what, provider, name)
  end
  return v
end

-- The key providers: the options each takes and its check of them (the
-- key spec core.keyring reads). engine/crypt.c has their counterparts.
local PROVIDERS = {
  unencrypted = { options = {}, check = function() return { key_provider = "unencrypted" } end },
  pbkdf2 = {
    options = { passphrase = true, iterations = true },
    check = function(spec, where, what)
      local pass = spec.passphrase
      if pass == nil or pass == deferred.UNKNOWN then
        errors.raise(where, '%s: key_provider "pbkdf2" has no passphrase (%s); give its variable a value, '
          .. 'e.g. LUAFORM_VAR_<name>', what, pass == nil and "none given" or "its variable has no value")
      end
      if type(pass) ~= "string" then errors.raise(where, '%s: key_provider "pbkdf2": passphrase must be a string', what) end
      if #pass < M.MIN_PASSPHRASE then
        errors.raise(where, '%s: key_provider "pbkdf2": the passphrase must be at least %d characters', what, M.MIN_PASSPHRASE)
      end
      local iterations = spec.iterations or M.DEFAULT_ITERATIONS
      if math.type(iterations) ~= "integer" or iterations < M.MIN_ITERATIONS or iterations > M.MAX_ITERATIONS then
        errors.raise(where, '%s: key_provider "pbkdf2": iterations must be an integer from %d to %d', what,
          M.MIN_ITERATIONS, M.MAX_ITERATIONS)
      end
      return { key_provider = "pbkdf2", passphrase = pass, iterations = iterations }
    end,
  },
  aws_kms = {
    options = { kms_key_id = true, region = true, profile = true, endpoints = true },
    check = function(spec, where, what)
      if spec.kms_key_id == nil or spec.kms_key_id == deferred.UNKNOWN then
        errors.raise(where, '%s: key_provider "aws_kms" has no kms_key_id (%s)', what,
          spec.kms_key_id == nil and "none given" or "its value is not known before apply")
      end
      local key = {
        key_provider = "aws_kms",
        kms_key_id = string_option(spec, "kms_key_id", where, what, "aws_kms"),
        region = string_option(spec, "region", where, what, "aws_kms"),
        profile = string_option(spec, "profile", where, what, "aws_kms"),
        endpoints = spec.endpoints,
      }
      if key.endpoints ~= nil and type(key.endpoints) ~= "table" then
        errors.raise(where, '%s: key_provider "aws_kms": endpoints must be a table (e.g. { kms = "http://..." })', what)
      end
      key.kms = kms_caller(key)
      return key
    end,
  },
}

local KEY_OPTIONS = { key_provider = true }
for _, p in pairs(PROVIDERS) do for k in pairs(p.options) do KEY_OPTIONS[k] = true end end
local BLOCK_OPTIONS = { enforced = true, fallback = true }
for k in pairs(KEY_OPTIONS) do BLOCK_OPTIONS[k] = true end

-- The key spec of one key (the method's or the fallback's), checked.
local function key_spec(spec, where, what)
  local name = spec.key_provider
  local p = PROVIDERS[name]
  if not p then
    errors.raise(where, '%s: key_provider must be "pbkdf2", "aws_kms" or "unencrypted", got %s', what, tostring(name))
  end
  for k in pairs(spec) do
    if KEY_OPTIONS[k] and k ~= "key_provider" and not p.options[k] then
      errors.raise(where, '%s: key_provider "%s" takes no %s', what, name, k)
    end
  end
  return p.check(spec, where, what)
end

-- The keyring of enc (the DSL's {spec, where}; nil: no encryption).
function M.keyring(enc)
  if enc == nil then return nil end
  if enc.keyring then return enc.keyring end
  local spec, where = enc.spec, enc.where
  if type(spec) ~= "table" then errors.raise(where, "encryption expects a table: encryption{ key_provider = ... }") end
  local bad = schema.unknown_option(spec, BLOCK_OPTIONS, "option")
  if bad then errors.raise(where, "encryption: %s", bad) end
  local method = key_spec(spec, where, "encryption")
  if spec.enforced ~= nil and type(spec.enforced) ~= "boolean" then
    errors.raise(where, "encryption: enforced must be true or false")
  end
  if spec.enforced and method.key_provider == "unencrypted" then
    errors.raise(where, 'encryption: enforced = true refuses key_provider "unencrypted" (state would be written in plaintext)')
  end
  local fallback
  if spec.fallback ~= nil then
    if type(spec.fallback) ~= "table" then errors.raise(where, "encryption: fallback expects a table: { key_provider = ... }") end
    bad = schema.unknown_option(spec.fallback, KEY_OPTIONS, "option")
    if bad then errors.raise(where, "encryption fallback: %s", bad) end
    fallback = key_spec(spec.fallback, where, "encryption fallback")
  end
  enc.keyring = core.keyring({ method = method, fallback = fallback })
  return enc.keyring
end

-- The plaintext of text read from what (a plan file, another stack's
-- state): raises (at where, if given) when it is sealed and enc cannot
-- open it, or plaintext that enc refuses.
function M.open(enc, text, what, where)
  local plain, err = core.unseal(M.keyring(enc), text, what)
  if not plain then errors.raise(where, "%s", err) end
  return plain
end

-- text sealed with enc's method (as it is without encryption).
function M.seal(enc, text)
  local kr = M.keyring(enc)
  return kr and kr:seal(text) or text
end

return M
