-- luaform.provider_choice: which provider configuration an entry uses.
--
-- A configuration is named by its id: the provider's name ("aws") or
-- name.alias ("aws.west") for provider("aws", { alias = "west", ... }).
-- A resource or data source picks an alias with provider = "aws.west" in
-- its 4th table (Terraform's provider = aws.west); without one it uses
-- the default configuration of its type's provider (declared or not).
-- The state records the id per entry (entry.provider; the old object of
-- a create_before_destroy replacement: entry.deposed_provider), so an
-- object is read, recovered and destroyed through the configuration that
-- made it, also after its resource left the stack; a resource whose id
-- changes is replaced. Refresh, plan, apply, import, recover, destroy and
-- data sources all ask here; nothing else reads lifecycle.provider or
-- entry.provider.
local errors = require("luaform.errors")
local schema = require("luaform.schema")

local M = {}

-- The id the config gives node.
function M.of_node(node)
  return node.lifecycle.provider or node.provider.provider
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
function M.config(cfg, id, user)
  local p = cfg and cfg.providers[id]
  if p then return p.config end
  if not id:find(".", 1, true) then return {} end
  errors.raise(nil, '%s: the state records provider "%s", which the stack does not declare; '
    .. 'add %s (luaform reads and destroys the object through it)', user or "an entry", id, declare_hint(id))
end

-- Raises, at the declaration's file:line, for a node whose provider
-- option is not a declared configuration of its type's provider.
function M.check(cfg)
  local declared = schema.sorted_keys(cfg.providers)
  for _, addr in ipairs(cfg.order) do
    local node = cfg.nodes[addr]
    local id = node.lifecycle.provider
    if id ~= nil then
      local name = type(id) == "string"
        and (id:match("^([%a][%w_%-]*)%.[%a_][%w_%-]*$") or id:match("^[%a][%w_%-]*$"))
      if not name then
        errors.raise(node.where, '%s: provider must be a string "NAME" or "NAME.ALIAS" (e.g. "aws.west")', addr)
      end
      if name ~= node.provider.provider then
        errors.raise(node.where, '%s: provider "%s" cannot manage %s (a type of provider "%s")',
          addr, id, node.type, node.provider.provider)
      end
      if id ~= name and not cfg.providers[id] then
        errors.raise(node.where, '%s: provider "%s" is not declared: add %s%s', addr, id,
          declare_hint(id), schema.suggest(id, declared))
      end
    end
  end
end

return M
