-- luaform.usertypes: resource types that a stack or a module carries itself.
--
-- A stack directory, or the directory of a module loaded with use() (git
-- modules too), may hold providers/<provider>/<type>.lua files written to
-- the same contract as the built-in types (luaform.providers.<provider>.
-- <type>: a `schema` and the operations), so they get the same plan,
-- journal, recovery and state, and appear in docs, providers schema and
-- types. add_dir() registers every such file (files named _x.lua are a
-- provider's helpers, not types); a type whose name a built-in type or
-- another registered file already has is an error naming both files.
-- schema.load() asks file() before the built-ins. A type file runs with
-- the module environment of use(), so require() finds its helpers beside
-- it first.
local core = require("luaform.core")
local errors = require("luaform.errors")

local M = {}
local files = {}     -- type name -> file path
local scanned = {}   -- real directory path -> true

-- The file of the built-in type, or nil.
local function builtin_file(provider, type_name)
  local _, path = core.embedded("luaform.providers." .. provider .. "." .. type_name)
  return path
end

local function is_dir(path)
  local st = core.stat(path)
  return st ~= nil and st.type == "dir"
end

-- Registers the types under dir/providers/; where: the file:line that
-- brought dir in (a use() call), or nil for the stack itself.
function M.add_dir(dir, where)
  local root = (dir == "." and "" or (dir .. "/")) .. "providers"
  local real = core.realpath(root)
  if not real or scanned[real] or not is_dir(root) then return end
  scanned[real] = true
  for _, provider in ipairs(core.listdir(root)) do
    local pdir = root .. "/" .. provider
    if is_dir(pdir) then
      for _, name in ipairs(core.listdir(pdir)) do
        local type_name = name:match("^([%a%d][%w_]*)%.lua$")
        local file = pdir .. "/" .. name
        if type_name then
          if type_name:match("^([%a%d]+)_%w") ~= provider then
            errors.raise(where, '%s: a type of provider "%s" is named %s_<name>', file, provider, provider)
          end
          local other = builtin_file(provider, type_name)
          if other then
            errors.raise(where, 'resource type "%s" in %s collides with the built-in type in %s',
              type_name, file, other)
          end
          other = files[type_name]
          if other and core.realpath(other) ~= core.realpath(file) then
            errors.raise(where, 'resource type "%s" is defined twice: in %s and in %s', type_name, other, file)
          end
          files[type_name] = other or file
        end
      end
    end
  end
end

-- The file of a registered user type, or nil. The stack's own
-- providers/ (the current directory) is registered on first use, for
-- the commands that do not run main.lua.
function M.file(type_name)
  M.add_dir(".")
  return files[type_name]
end

-- The names of the registered user types, sorted.
function M.names()
  M.add_dir(".")
  local out = {}
  for t in pairs(files) do out[#out + 1] = t end
  table.sort(out)
  return out
end

-- Runs a user type's file and returns its module table.
function M.load(type_name)
  local file = M.file(type_name)
  local modsource = require("luaform.modsource")
  local chunk, err = loadfile(file, "bt", modsource.module_env(file:match("^(.*)/[^/]*$")))
  if not chunk then errors.raise(nil, "%s", err) end
  local mod = chunk(type_name, file)
  if type(mod) ~= "table" or type(mod.schema) ~= "table" then
    errors.raise(nil, "%s: a resource type returns a table with a schema, got %s", file, type(mod))
  end
  mod.file = file
  return mod
end

return M
