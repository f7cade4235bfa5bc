-- Transport benchmark: `luaform run bench/transport/bench.lua URL LABEL [N]`.
-- N sqs:GetQueueAttributes calls through the whole client path (serialize, SigV4, curl
-- multi on the event loop, parse) to the loopback server at URL, first one at a time,
-- then 50 in flight (tasks on the walker). Prints requests/s and this process's CPU
-- per request: os.clock (user+system of luaform only; the server is another process) and
-- its user/system split from /proc/self/stat (10 ms ticks: coarse).
local core = require("luaform.core")
local aws = require("luaform.aws")

local url, label, n = arg[1], arg[2] or "", tonumber(arg[3]) or 1000
local sqs = aws.client("sqs", { region = "us-east-1", endpoints = { sqs = url },
  credentials = { access_key = "AKIDBENCHMARK0000000", secret_key = "bench-secret-key" } })
local params = { QueueUrl = url .. "/123456789012/bench", AttributeNames = { "All" } }

for _ = 1, 20 do sqs:GetQueueAttributes(params) end   -- warm up: model, connections

-- user and system CPU seconds of this process (/proc/self/stat, clock ticks of 1/100 s)
local function cpu_split()
  local f = io.open("/proc/self/stat")
  if not f then return 0, 0 end
  local s = f:read("a")
  f:close()
  local rest = s:match("%) (.*)$")
  local fields = {}
  for x in rest:gmatch("%S+") do fields[#fields + 1] = x end
  return tonumber(fields[12]) / 100, tonumber(fields[13]) / 100   -- utime, stime (fields 14, 15)
end

local function measure(name, par)
  local u0, s0 = cpu_split()
  local c0, t0 = os.clock(), core.now()
  local failed = 0
  core.walk(core.graph(n), {
    parallelism = par,
    run = function()
      local out = sqs:GetQueueAttributes(params)
      if not out.Attributes.QueueArn then failed = failed + 1 end
    end,
  })
  local cpu, wall = os.clock() - c0, core.now() - t0
  local u1, s1 = cpu_split()
  print(string.format("| %s | %s | %d | %.2f | %.0f | %.0f | %.0f | %.0f |", label, name, n, wall, n / wall,
    cpu / n * 1e6, (u1 - u0) / n * 1e6, (s1 - s0) / n * 1e6))
  return wall
end

local seq = measure("sequential", 1)
local par = measure("50 in flight", 50)
print(string.format("| %s | speed-up, 50 in flight vs sequential | | | %.1fx | | | |", label, seq / par))
