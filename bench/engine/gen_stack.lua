-- Writes a benchmark stack of N resources to DIR/main.lua: N/2 random_id
-- and N/2 local_file, each file depending on an id and (every 10th) on
-- the previous file, so the graph has real edges and depth.
-- Usage: luaform run bench/engine/gen_stack.lua DIR N
local dir, n = arg[1], tonumber(arg[2])
local core = require("luaform.core")
core.mkdir_p(dir)
local src = string.format([[
local N = %d
local prev
for i = 1, N // 2 do
  local id = resource("random_id", "r" .. i, { byte_length = 8, keepers = { group = tostring(i %% 7) } })
  local deps = {}
  if prev and i %% 10 == 0 then deps = { depends_on = { prev } } end
  prev = resource("local_file", "f" .. i, {
    filename = "out/f" .. i .. ".txt",
    content = fmt("file %%d of %%d: %%s\n", i, N, id.hex),
  }, deps)
end
]], n)
assert(core.write_file(dir .. "/main.lua", src, "0644"))
