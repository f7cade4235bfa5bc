-- Times state saves: loads DIR's state and saves it K times through the
-- state store (atomic write, fsync, rename), printing the median in ms.
-- Usage: luaform run bench/engine/save_state.lua DIR K
local core = require("luaform.core")
local dir, k = arg[1], tonumber(arg[2] or "5")
core.chdir(dir)
local store = require("luaform.backend_init").open_state({})
store:lock("bench", 0)
store:load()
local times = {}
for i = 1, k do
  local t0 = core.now()
  store:save()
  times[i] = (core.now() - t0) * 1000
end
store:unlock()
table.sort(times)
print(string.format("%.1f", times[(k + 1) // 2]))
