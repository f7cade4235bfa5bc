-- luaform.cli: placeholder
local core = require("luaform.core")
local M = {}
function M.main(argv)
  if argv[1] == "version" then print("luaform v" .. core.version) return 0 end
  return 1
end
return M
