-- luaform.workspace: several states for one stack (dev, prod), as
-- Terraform's workspaces.
--
-- The current workspace is LUAFORM_WORKSPACE when set, else the name in
-- .luaform/environment (written by `workspace select|new`), else
-- "default". Local states live beside each other: the default one at the
-- configured path, the others under luaform.state.d/NAME/. Remote
-- backends place them themselves (S3: env:/NAME/KEY); a backend that can
-- list them offers :workspaces().
local core = require("luaform.core")
local errors = require("luaform.errors")

local M = {}
M.DIR = "luaform.state.d"
local ENV_FILE = ".luaform/environment"

function M.current()
  local name = core.getenv("LUAFORM_WORKSPACE")
  if name and name ~= "" then return name end
  local saved = core.read_file(ENV_FILE)
  saved = saved and saved:match("^%s*(.-)%s*$")
  return (saved and saved ~= "") and saved or "default"
end

function M.check_name(name)
  if type(name) ~= "string" or not name:match("^[%w_%-%.]+$") or name == "." or name == ".." then
    errors.raise(nil, 'workspace name "%s" is not valid (letters, digits, "-", "_", ".")', tostring(name))
  end
  return name
end

function M.select(name)
  M.check_name(name)
  core.mkdir_p(".luaform")
  assert(core.write_file(ENV_FILE, name .. "\n", "0644"))
end

-- The local state path of a workspace, given the default workspace's path.
function M.local_path(path, name)
  if name == "default" then return path end
  return M.DIR .. "/" .. name .. "/" .. core.basename(path)
end

-- Workspaces of the local backend that have a directory (plus default).
function M.local_list()
  local out = { "default" }
  local st = core.stat(M.DIR)
  if st and st.type == "dir" then
    local names = core.listdir(M.DIR)
    table.sort(names)
    for _, n in ipairs(names) do
      if n ~= "default" and core.stat(M.DIR .. "/" .. n).type == "dir" then out[#out + 1] = n end
    end
  end
  return out
end

return M
