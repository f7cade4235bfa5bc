-- Measures the evaluation of a stack alone (dsl.evaluate: running its
-- main.lua, declare, check), one of the parts of a plan: CPU time and the
-- heap right after it, the heap still live after a full collection, and
-- what a second evaluation allocates with the collector stopped (a figure
-- that does not depend on the machine's load).
-- Usage, from a directory without a main.lua (the repository), so that
-- `luaform run` evaluates no stack before the script:
--   luaform run bench/engine/gen_stack.lua /tmp/s 100000
--   luaform run bench/engine/eval.lua /tmp/s
local dsl = require("luaform.dsl")

local file = assert(arg[1], "usage: luaform run bench/engine/eval.lua STACK_DIR") .. "/main.lua"
local function mb(kb) return kb / 1024 end

local function full_collection()
  collectgarbage()
  collectgarbage()
end

-- The first evaluation, in its own function so that its config is garbage
-- when it returns.
local function timed()
  full_collection()
  local base = collectgarbage("count")
  local t0 = os.clock()
  local cfg = dsl.evaluate({ workspace = "default", file = file })
  local cpu = os.clock() - t0
  local heap = collectgarbage("count") - base
  full_collection()
  return #cfg.order, cpu, heap, collectgarbage("count") - base
end

local n, cpu, heap, live = timed()
full_collection()
collectgarbage("stop")
local before = collectgarbage("count")
dsl.evaluate({ workspace = "default", file = file })
local allocated = collectgarbage("count") - before
collectgarbage("restart")

print(string.format("evaluate %d resources: %.2f s CPU, heap %.0f MB after it, %.0f MB live; %.0f MB allocated",
  n, cpu, mb(heap), mb(live), mb(allocated)))
