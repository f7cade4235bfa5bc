-- luaform.stack_outputs: stack_outputs{ backend = "s3" | "local",
-- config = {...}, workspace = "..." }, another stack's root outputs
-- (Terraform's terraform_remote_state data source).
--
-- The state is read once, when the stack is evaluated, where a stack
-- keeps it (a local file by workspace, or luaform.backends.s3), as text:
-- without its lock, and without the checks that make a store refuse a
-- Terraform state, so the values are known at plan time. A luaform state and a
-- Terraform v4 state keep outputs alike ({ value, sensitive }), so a stack
-- can read a layer still managed by Terraform. A sensitive output comes
-- back as a secret (deferred.sensitive) and stays one in what uses it.
-- An encrypted state is opened with `encryption = {...}` (the form of
-- encryption{}), or else with the reading stack's own encryption{}.
-- Reading an output the other stack does not have is an error at the
-- reading line, with a suggestion.
local core = require("luaform.core")
local deferred = require("luaform.deferred")
local errors = require("luaform.errors")
local schema = require("luaform.schema")

local M = {}

local KEYS = { backend = true, config = true, workspace = true, encryption = true }

local function outputs_table(outputs, label)
  local names = schema.sorted_keys(outputs)
  return setmetatable({}, {
    __index = function(_, k)
      local o = outputs[k]
      if o == nil then
        errors.raise(require("luaform.strict").user_where(2), '%s has no output "%s"%s', label, tostring(k),
          schema.suggest(tostring(k), names))
      end
      return o
    end,
    __pairs = function() return next, outputs, nil end,
  })
end

-- The state's text in workspace ws (nil when there is none), a label for
-- messages, and an error.
local function read_text(kind, config, ws)
  if kind == "local" then
    local path = require("luaform.workspace").local_path(config.path, ws)
    local label = string.format("the state file %s (workspace %s)", path, ws)
    if not core.stat(path) then return nil, label end
    local text, err = core.read_file(path)
    return text, label, err
  end
  local s3 = require("luaform.backends.s3")
  local conf = { workspace = ws }
  for k, v in pairs(config) do conf[k] = v end
  local ok, inst = pcall(s3.new, conf)
  if not ok then return nil, "", tostring(inst) end
  local label = string.format("the state %s (workspace %s)", inst.name, ws)
  local text, err = s3.load(inst)
  return text, label, err
end

-- spec as the stack gives it; where: its file:line; own: the reading
-- stack's encryption{} (opens the other state unless spec.encryption).
function M.read(spec, where, own)
  if type(spec) ~= "table" then errors.raise(where, 'stack_outputs expects { backend = "s3" or "local", config = { ... } }') end
  for k in pairs(spec) do
    if not KEYS[k] then
      errors.raise(where, 'stack_outputs: unsupported key "%s"%s', tostring(k), schema.suggest(tostring(k), schema.sorted_keys(KEYS)))
    end
  end
  local kind, config, ws = spec.backend, deferred.reveal(spec.config or {}), spec.workspace or "default"
  if kind ~= "s3" and kind ~= "local" then
    errors.raise(where, 'stack_outputs: unsupported backend "%s" (s3 or local)', tostring(kind))
  end
  if type(config) ~= "table" or type(ws) ~= "string" then
    errors.raise(where, "stack_outputs: config is a table and workspace a string")
  end
  if kind == "local" and type(config.path) ~= "string" then
    errors.raise(where, 'stack_outputs: the local backend needs config.path (the other stack\'s state file)')
  end
  local text, label, err = read_text(kind, config, ws)
  if err then errors.raise(where, "stack_outputs: %s", err) end
  if not text then errors.raise(where, "stack_outputs: %s does not exist", label) end
  if spec.encryption ~= nil and type(spec.encryption) ~= "table" then
    errors.raise(where, 'stack_outputs: encryption is a table, as encryption{}: { key_provider = "pbkdf2", passphrase = ... }')
  end
  local enc = spec.encryption and { spec = deferred.reveal(spec.encryption), where = where } or own
  text = require("luaform.encryption").open(enc, text, label, where)
  local doc, jerr = core.json_decode(text, label)
  if type(doc) ~= "table" then errors.raise(where, "stack_outputs: %s is not a state: %s", label, jerr or "not an object") end
  local values = {}
  for name, o in pairs(doc.outputs or {}) do
    values[name] = o.sensitive and deferred.sensitive(o.value) or o.value
  end
  return outputs_table(values, label)
end

return M
