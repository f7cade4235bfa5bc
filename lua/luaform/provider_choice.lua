-- luaform.provider_choice: which provider configuration an entry uses.
--
-- A configuration is named by its id: the provider's name ("aws") or
-- name.alias ("aws.west") for provider("aws", { alias = "west", ... }).
-- A resource or data source picks an alias with provider = "aws.west" in
-- its 4th table (Terraform's provider = aws.west), or inherits the one a
-- module call passed (module(..., { providers = { aws = "aws.west" } }));
-- without either it uses the default configuration of its type's
-- provider (declared or not). The DSL records the choice as node.provider_ref.
-- The state records the id per entry (entry.provider; the old object of
-- a create_before_destroy replacement: entry.deposed_provider), so an
-- object is read, recovered and destroyed through the configuration that
-- made it, also after its resource left the stack; a resource whose id
-- changes is replaced. Refresh, plan, apply, import, recover, destroy and
-- data sources all ask here; nothing else reads provider_ref or
-- entry.provider.
local errors = require("luaform.errors")
local schema = require("luaform.schema")

local M = {}

-- The id the config gives node.
function M.of_node(node)
  return node.provider_ref or node.provider.provider
end

-- The id the state records for entry (entries written before the field
-- existed: the type's provider).
function M.of_entry(entry)
  if entry.provider then return entry.provider end
  local mod = schema.load(entry.type)
  return mod and mod.provider or entry.type:match("^([%a%d]+)_")
end

-- The id of entry's deposed object (the old half of a replacement).
function M.of_deposed(entry)
  return entry.deposed_provider or M.of_entry(entry)
end

local function declare_hint(id)
  local name, alias = id:match("^([^.]+)%.(.+)$")
  return string.format('provider("%s", { alias = "%s", ... })', name, alias)
end

-- The configuration (provider block) of id; raises when id names an
-- alias the stack does not declare (check() already refused that for the
-- stack's own nodes: what is left are state entries). user: the address.
local UNDECLARED = setmetatable({}, { __newindex = function() error("a provider configuration is read-only", 2) end })

function M.config(cfg, id, user)
  local p = cfg and cfg.providers[id]
  if p then return p.config end
  if not id:find(".", 1, true) then return UNDECLARED end   -- the default one, not declared: no settings
  errors.raise(nil, '%s: the state records provider "%s", which the stack does not declare; '
    .. 'add %s (luaform reads and destroys the object through it)', user or "an entry", id, declare_hint(id))
end

-- Raises at where, after prefix, unless id names a configuration of
-- provider name that the stack has (an alias must be declared); what:
-- what it would serve.
local function check_ref(cfg, id, name, where, prefix, what)
  local of = type(id) == "string"
    and (id:match("^([%a][%w_%-]*)%.[%a_][%w_%-]*$") or id:match("^[%a][%w_%-]*$"))
  if not of then
    errors.raise(where, '%sprovider must be a string "NAME" or "NAME.ALIAS" (e.g. "aws.west")', prefix)
  end
  if of ~= name then
    errors.raise(where, '%sprovider "%s" cannot manage %s (of provider "%s")', prefix, id, what, name)
  end
  if id ~= of and not cfg.providers[id] then
    errors.raise(where, '%sprovider "%s" is not declared: add %s%s', prefix, id,
      declare_hint(id), schema.suggest(id, schema.sorted_keys(cfg.providers)))
  end
end

-- Raises, at the file:line of the module call or of the declaration,
-- for a choice that is not a declared configuration of the provider.
function M.check(cfg)
  for _, r in ipairs(cfg.provider_refs or {}) do
    check_ref(cfg, r.id, r.name, r.where, "module(): ", string.format('the module\'s "%s" resources', r.name))
  end
  for _, addr in ipairs(cfg.order) do
    local node = cfg.nodes[addr]
    if node.provider_ref ~= nil then
      check_ref(cfg, node.provider_ref, node.provider.provider, node.where, addr .. ": ", node.type)
    end
  end
end

return M
