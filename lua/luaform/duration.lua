-- luaform.duration: "300ms", "5s", "2m", "1h" or a number of seconds.
local errors = require("luaform.errors")

return function(s)
  if not s then return 0 end
  local n, unit = tostring(s):match("^([%d%.]+)(%a*)$")
  local scale = ({ ms = 0.001, s = 1, m = 60, h = 3600, [""] = 1 })[unit or ""]
  n = tonumber(n)
  if not n or not scale then errors.raise(nil, 'bad duration "%s" (e.g. 300ms, 30s, 5m)', tostring(s)) end
  return n * scale
end
