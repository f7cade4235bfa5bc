-- Cost of one operation's save as the state grows: builds a state of N
-- local_file-like entries, writes it as a snapshot, then times K saves
-- that each change one entry (journal records, as apply's per-operation
-- saves) and counts the bytes they stored. Prints "N median_ms bytes_per_op".
-- Usage: luaform run bench/state/save_ops.lua N K local DIR
--        luaform run bench/state/save_ops.lua N K s3 BUCKET   (AWS_ENDPOINT_URL: the emulator)
local core = require("luaform.core")
local backend_init = require("luaform.backend_init")
local n, k, kind, where = tonumber(arg[1]), tonumber(arg[2]), arg[3], arg[4]

local KEY = "bench/state.json"
local opts = { path = where .. "/luaform.state.json" }
if kind == "s3" then
  opts = { initializing = true, backend = { type = "s3", config = { bucket = where, key = KEY, region = "us-east-1" } } }
end
local store = backend_init.open_state(opts)
store:lock("bench", 0)
local doc = store:load()
for i = 1, n do
  local content = string.format("file %d of %d: %016x\n", i, n, i)
  doc.resources["local_file.f" .. i] = {
    type = "local_file", mode = "managed", provider = "local", schema_version = 0,
    dependencies = { "random_id.r" .. i },
    attributes = { id = core.sha1_hex(content), filename = "out/f" .. i .. ".txt", content = content,
      content_sha256 = core.sha256_hex(content), file_permission = "0777", directory_permission = "0777" },
  }
end
store:save()

local function stored_bytes()
  if kind ~= "s3" then
    local st = core.stat(opts.path .. ".journal")
    return st and st.size or 0
  end
  local total = 0
  local s3 = require("luaform.aws").client("s3")
  for page in s3:paginate("ListObjectsV2", { Bucket = where, Prefix = KEY .. ".journal/" }) do
    for _, obj in ipairs(page.Contents or {}) do total = total + obj.Size end
  end
  return total
end

local before, times = stored_bytes(), {}
for i = 1, k do
  local addr = "local_file.f" .. (i * 7919 % n + 1)
  doc.resources[addr].attributes.content = string.format("changed %d\n", i)
  local t0 = core.now()
  store:save(addr)
  times[i] = (core.now() - t0) * 1000
end
local per_op = (stored_bytes() - before) / k
store:save()   -- compact, as the end of a run does
store:unlock()
table.sort(times)
print(string.format("%d %.2f %.0f", n, times[(k + 1) // 2], per_op))
