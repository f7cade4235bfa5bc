-- luaform.encryption: the stack's encryption{} block, checked, as the
-- keyring (core.keyring, engine/crypt.c) that seals the state and saved
-- plan files.
--
--   encryption{ key_provider = "pbkdf2", passphrase = var("state_passphrase", { sensitive = true }),
--               iterations = 600000, enforced = true,
--               fallback = { key_provider = "unencrypted" } }
--
-- key_provider is the method writes use: "pbkdf2" (AES-256-GCM with a key
-- derived from passphrase) or "unencrypted" (plaintext: the way back).
-- fallback is one more key reads may use: the old passphrase while
-- rotating, or "unencrypted" to read a plaintext state once and write it
-- encrypted. A plaintext state is read only with an "unencrypted" method
-- or fallback; enforced = true refuses "unencrypted" as the method. The
-- keyring is made once per evaluated block, so every store and plan file
-- of a command shares its derived keys.
local core = require("luaform.core")
local deferred = require("luaform.deferred")
local errors = require("luaform.errors")
local schema = require("luaform.schema")

local M = {}
M.DEFAULT_ITERATIONS = 600000
M.MIN_ITERATIONS = 200000     -- OpenTofu's floor for pbkdf2
M.MAX_ITERATIONS = 100000000   -- what engine/crypt.c accepts in a header
M.MIN_PASSPHRASE = 16

local KEY_OPTIONS = { key_provider = true, passphrase = true, iterations = true }
local BLOCK_OPTIONS = { key_provider = true, passphrase = true, iterations = true, enforced = true, fallback = true }

-- {key_provider, passphrase, iterations} of one key, checked.
local function key_spec(spec, where, what)
  local p = spec.key_provider
  if p == "aws_kms" then
    errors.raise(where, '%s: key_provider "aws_kms" is not available yet (use "pbkdf2")', what)
  end
  if p ~= "pbkdf2" and p ~= "unencrypted" then
    errors.raise(where, '%s: key_provider must be "pbkdf2" or "unencrypted", got %s', what, tostring(p))
  end
  if p == "unencrypted" then
    if spec.passphrase ~= nil then errors.raise(where, '%s: key_provider "unencrypted" takes no passphrase', what) end
    return { key_provider = p }
  end
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
  return { key_provider = p, passphrase = pass, iterations = iterations }
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
