-- luaform.testing.emulator: the local AWS emulator for end-to-end tests.
--
-- emulator(flags) starts `python3 tests/emulator/server.py --port 0` with
-- extra flags ({ ["nat-delay-ms"] = 100, seed = 7, sparse = true } ->
-- --nat-delay-ms 100 --seed 7 --sparse; false leaves a flag out) in the
-- background and returns a handle:
--   e.url, e.access_key, e.secret_key, e.region
--   e:env()              "env -u AWS_PROFILE ... AWS_ENDPOINT_URL=..." prefix for sh()
--   e:use()              points this process's AWS clients at it (setenv)
--   e:luaform(dir, ...)  runs the luaform binary in dir against it
--   e:inventory(), e:counts(), e:requests()   admin endpoint, decoded JSON
--   e:reset(), e:faults(tbl), e:advance(seconds)
--   e:stop()             kills it (the runner also does when the test ends)
-- and runs a user's session against it: each step a luaform command in
-- dir that fails the test at the caller's line, with luaform's output,
-- when it does not exit as the step says:
--   e:apply(dir, ...)       apply -auto-approve ...: exit 0; returns the output
--   e:applied(files, ...)   a new_stack(files) applied as e:apply does; returns its dir
--   e:destroy(dir, ...)     destroy -auto-approve ...: exit 0; returns the output
--   e:plan(dir, ...)        plan -detailed-exitcode ...: output and exit code, nothing checked
--   e:no_changes(dir, ...)  that plan exits 0 (nothing to change)
--   e:changes(dir, ...)     that plan exits 2 (changes); returns the output
--   e:import(dir, ids)      imports each { [address] = id } (sorted): each exits 0
--   e:imported(files, ids)  a new_stack(files) into which e:import imported ids; returns its dir
--   e:reimport(dir, addr)   state rm addr, import it by the id it had: both exit 0 and
--                           the state holds that id again; returns import's output
-- The admin endpoint is reached with curl(1); the emulator prints its URL
-- and keys on its first two lines, which is how the handle learns them.
local core = require("luaform.core")
local testing = require("luaform.testing")

local M = {}
local E = {}
E.__index = E

local quote, sh = testing.quote, testing.sh

function M.start(flags)
  local dir = (sh("mktemp -d /tmp/luaform-emu.XXXXXX"):gsub("%s+$", ""))
  local args = { quote(core.exe_dir .. "/tests/emulator/server.py"), "--port", "0" }
  local names = {}
  for k in pairs(flags or {}) do names[#names + 1] = k end
  table.sort(names)
  for _, k in ipairs(names) do
    local v = flags[k]
    if v == true then args[#args + 1] = "--" .. k
    elseif v ~= false then args[#args + 1] = "--" .. k .. " " .. quote(v) end
  end
  local log = dir .. "/emulator.log"
  -- ready once it has printed its URL and keys
  local pid, text = testing.start_python(table.concat(args, " "), log, "secret_key=%S+\n")
  local e = setmetatable({ pid = pid, dir = dir, log = log, region = "us-east-1" }, E)
  e.url = text:match("listening on (http://[%d%.]+:%d+)")
  e.access_key = text:match("access_key=(%S+)")
  e.secret_key = text:match("secret_key=(%S+)")
  return e
end

-- What a client needs to reach it; the profile and token of the machine are dropped.
local UNSET = { "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE" }

function E:vars()
  return {
    { "AWS_ENDPOINT_URL", self.url }, { "AWS_ACCESS_KEY_ID", self.access_key },
    { "AWS_SECRET_ACCESS_KEY", self.secret_key }, { "AWS_REGION", self.region }, { "AWS_DEFAULT_REGION", self.region },
    { "AWS_CONFIG_FILE", "/dev/null" }, { "AWS_SHARED_CREDENTIALS_FILE", "/dev/null" },
    { "AWS_EC2_METADATA_DISABLED", "true" },
  }
end

function E:env()
  local out = { "env" }
  for _, k in ipairs(UNSET) do out[#out + 1] = "-u " .. k end
  for _, kv in ipairs(self:vars()) do out[#out + 1] = kv[1] .. "=" .. quote(kv[2]) end
  return table.concat(out, " ")
end

function E:use()
  for _, k in ipairs(UNSET) do core.setenv(k, nil) end
  for _, kv in ipairs(self:vars()) do core.setenv(kv[1], kv[2]) end
end

function E:luaform(dir, ...) return testing.run_luaform(self:env(), dir, ...) end

-- Fails the test at the line that called into this file (a test or its
-- helper).
local HERE = debug.getinfo(1, "S").source
local function outside_fail(msg)
  local up = 2   -- getinfo(up): the first frame above this one not in this file
  while (debug.getinfo(up, "S") or {}).source == HERE do up = up + 1 end
  testing.fail(msg, up)   -- fail's own frame makes it `up` calls above its caller
end

-- One step of a session: luaform args in dir must exit `want`.
local function step(self, want, dir, ...)
  local out, code = self:luaform(dir, ...)
  if code ~= want then
    outside_fail(string.format("luaform %s exited %s, not %d:\n%s", table.concat({ ... }, " "),
      tostring(code), want, out))
  end
  return out
end

function E:apply(dir, ...)
  return step(self, 0, dir, "apply", "-auto-approve", ...)
end

function E:applied(files, ...)
  local dir = testing.new_stack(files)
  step(self, 0, dir, "apply", "-auto-approve", ...)
  return dir
end

function E:destroy(dir, ...)
  return step(self, 0, dir, "destroy", "-auto-approve", ...)
end

function E:plan(dir, ...) return self:luaform(dir, "plan", "-detailed-exitcode", ...) end

function E:no_changes(dir, ...)
  return step(self, 0, dir, "plan", "-detailed-exitcode", ...)
end

function E:changes(dir, ...)
  return step(self, 2, dir, "plan", "-detailed-exitcode", ...)
end

function E:import(dir, ids)
  local addrs = {}
  for addr in pairs(ids) do addrs[#addrs + 1] = addr end
  table.sort(addrs)
  for _, addr in ipairs(addrs) do step(self, 0, dir, "import", addr, ids[addr]) end
end

function E:imported(files, ids)
  local dir = testing.new_stack(files)
  self:import(dir, ids)
  return dir
end

function E:reimport(dir, addr)
  local id = testing.state_of(dir).resources[addr].attributes.id
  step(self, 0, dir, "state", "rm", addr)
  local out = step(self, 0, dir, "import", addr, id)
  local now = testing.state_of(dir).resources[addr]
  if not (now and now.attributes.id == id) then
    outside_fail(string.format("%s imported by id %q holds id %q", addr, id, now and now.attributes.id or "nothing"))
  end
  return out
end

local function admin(self, method, route, body)
  local cmd = string.format("curl -sS -X %s %s/_emulator/%s", method, self.url, route)
  if body then cmd = cmd .. " -H 'Content-Type: application/json' --data " .. quote(core.json_encode(body)) end
  local out, code = sh(cmd)
  if code ~= 0 then error("emulator admin " .. route .. ": " .. out, 3) end
  return core.json_decode(out)
end

function E:inventory() return admin(self, "GET", "inventory") end
function E:counts() return admin(self, "GET", "counts") end
function E:requests() return admin(self, "GET", "requests") end
function E:reset() return admin(self, "POST", "reset", {}) end
function E:faults(settings) return admin(self, "POST", "faults", settings or {}) end
function E:advance(seconds) return admin(self, "POST", "clock", { advance = seconds }) end

function E:stop()
  if self.pid and self.pid ~= "" then sh("kill " .. self.pid) end
  self.pid = nil
end

return M
