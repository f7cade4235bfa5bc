-- luaform.commands.workspace: `luaform workspace list|show|new|select|delete`.
--
-- Local workspaces are directories under luaform.state.d/; a remote
-- backend that stores them itself lists them with :workspaces(). The
-- default workspace always exists and is never deleted.
local backend_init = require("luaform.backend_init")
local core = require("luaform.core")
local errors = require("luaform.errors")
local state = require("luaform.state")
local workspace = require("luaform.workspace")

local M = {}

-- The stack's backend, which must be the one `luaform init` recorded.
local function backend_config()
  local b, encryption = backend_init.of_stack()
  backend_init.check(b)
  return b, encryption
end

local function remote(cfg) return cfg and cfg.type ~= "local" end

-- An instance of a remote backend's module (for listing and deleting).
local function remote_backend(cfg, name)
  local ok, mod = pcall(require, "luaform.backends." .. cfg.type)
  if not ok then errors.raise(cfg.where, 'unknown backend "%s"', cfg.type) end
  local conf = { workspace = name }
  for k, v in pairs(cfg.config) do conf[k] = v end
  return mod, mod.new(conf)
end

local function names()
  local cfg = backend_config()
  if remote(cfg) then
    local mod, b = remote_backend(cfg, "default")
    if not mod.workspaces then errors.raise(nil, "backend %s does not list workspaces", cfg.type) end
    local list = mod.workspaces(b)
    table.sort(list)
    return list, cfg
  end
  return workspace.local_list(), cfg
end

local function exists(name)
  for _, n in ipairs((names())) do if n == name then return true end end
  return false
end

M.list = {
  max_args = 0,
  help = "Usage: luaform workspace list\n\n  Lists workspaces; * marks the current one.",
  run = function()
    local cur = workspace.current()
    for _, n in ipairs((names())) do print((n == cur and "* " or "  ") .. n) end
    return 0
  end,
}

M.show = {
  max_args = 0,
  help = "Usage: luaform workspace show\n\n  Prints the current workspace's name.",
  run = function() print(workspace.current()); return 0 end,
}

M.new = {
  max_args = 1,
  help = "Usage: luaform workspace new NAME\n\n  Creates a workspace with an empty state and selects it.",
  run = function(_, pos)
    local name = workspace.check_name(pos[1])
    if exists(name) then errors.raise(nil, 'workspace "%s" already exists', name) end
    local cfg, encryption = backend_config()
    if remote(cfg) then
      local store = backend_init.open_state({ backend = cfg, workspace = name, create = true, encryption = encryption })
      store:lock("workspace new")
      local ok, err = pcall(function() store:load(); store:save() end)
      store:unlock()
      if not ok then error(err, 0) end
    else
      core.mkdir_p(workspace.DIR .. "/" .. name)
    end
    workspace.select(name)
    print(string.format('Created and switched to workspace "%s"!', name))
    return 0
  end,
}

M.select = {
  max_args = 1,
  help = "Usage: luaform workspace select NAME\n\n  Makes NAME the current workspace.",
  run = function(_, pos)
    local name = workspace.check_name(pos[1])
    if not exists(name) then
      errors.raise(nil, 'workspace "%s" does not exist; create it with: luaform workspace new %s', name, name)
    end
    workspace.select(name)
    print(string.format('Switched to workspace "%s".', name))
    return 0
  end,
}

M.delete = {
  flags = { force = "bool" },
  max_args = 1,
  help = [[
Usage: luaform workspace delete [-force] NAME

  Deletes a workspace's state. Refused for the default and the current
  workspace, and, without -force, while the state still manages resources.]],
  run = function(flags, pos)
    local name = workspace.check_name(pos[1])
    if name == "default" then errors.raise(nil, "the default workspace cannot be deleted") end
    if name == workspace.current() then
      errors.raise(nil, 'cannot delete the current workspace "%s"; select another first', name)
    end
    if not exists(name) then errors.raise(nil, 'workspace "%s" does not exist', name) end
    local cfg, encryption = backend_config()
    local store = backend_init.open_state({ backend = cfg, workspace = name, encryption = encryption })
    store:lock("workspace delete")
    local ok, err = pcall(function()
      local st = store:load()
      local n = #state.addresses(st)
      if n > 0 and not flags.force then
        errors.raise(nil, 'workspace "%s" still manages %d resource(s); destroy them first or use -force', name, n)
      end
      if remote(cfg) then
        local mod, b = remote_backend(cfg, name)
        local done, derr = mod.delete(b)
        if not done then errors.raise(nil, "deleting workspace %s: %s", name, derr) end
      end
    end)
    store:unlock()
    if not ok then error(err, 0) end
    if not remote(cfg) then
      local dir = workspace.DIR .. "/" .. name
      for _, f in ipairs(core.listdir(dir)) do core.remove(dir .. "/" .. f) end
      core.remove(dir)
    end
    print(string.format('Deleted workspace "%s"!', name))
    return 0
  end,
}

return M
