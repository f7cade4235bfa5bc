-- luaform.importer: adopting objects that exist outside the state.
--
-- entry() reads one object through its type's import (or read) and builds
-- the state entry for an address; `luaform import`, migration scripts'
-- state.import and the stack's import{} blocks all use it. plan_imports()
-- performs a stack's import{} blocks in memory before the diff, so the
-- plan shows what the import adopts and only the real differences after
-- it; nothing is saved until apply.
local context = require("luaform.context")
local errors = require("luaform.errors")
local provider_choice = require("luaform.provider_choice")
local schema = require("luaform.schema")
local surgery = require("luaform.surgery")

local M = {}

-- The state entry for addr holding the object id; raises when the type
-- cannot import or the object does not exist, at where (an import{}
-- block's file:line; default: the resource's).
function M.entry(run, addr, id, node, where)
  where = where or (node and node.where)
  local type_name = surgery.type_of(addr)
  local mod, err = schema.load(type_name or "")
  if not mod then errors.raise(where, "import %s: %s", addr, err or "not a resource address") end
  local provider = node and provider_choice.of_node(node) or mod.provider
  local ctx = context.new(run, provider, { address = addr })
  local read = mod.import or (mod.read and function(c, i) return mod.read(c, i, nil) end)
  if not read then errors.raise(where, "import %s: type %s cannot import", addr, type_name) end
  local ok, attrs = pcall(read, ctx, id)
  if not ok then errors.raise(where, "import %s: %s", addr, errors.tostring(attrs)) end
  if attrs == nil then
    errors.raise(where, 'import %s: no %s with id "%s" exists', addr, type_name, id)
  end
  return {
    type = type_name, mode = "managed", provider = provider, module = surgery.module_of(addr),
    schema_version = mod.schema_version or 0, attributes = schema.fill_defaults(mod.schema, attrs), dependencies = {},
  }
end

-- Adds the stack's pending imports to run.state; returns {addr -> id}.
function M.plan_imports(run)
  local done = {}
  for _, im in ipairs(run.cfg.imports or {}) do
    if not run.state.resources[im.to] then
      run.state.resources[im.to] = M.entry(run, im.to, im.id, run.cfg.nodes[im.to], im.where)
      done[im.to] = im.id
    end
  end
  return done
end

return M
