-- luaform.testing: `luaform test`, the runner of *_test.lua files.
--
-- A test file declares tests with test(name, fn); inside, expect(v)
-- offers to_be, to_equal (deep), to_match, to_contain, to_be_truthy,
-- to_be_nil and, for functions, to_fail(pattern); plain assert() works
-- too. Each test runs as a task on the event loop, so it may sleep or
-- call AWS. Helpers for end-to-end tests: tmpdir(), write(path, text),
-- read(path), sh(cmd) -> output, exit code, new_stack(files),
-- copy_stack(fixture_dir), state_of(dir), attributes(dir, addr),
-- resource_ids(dir), with_env(vars, fn), start_python(args, log, ready)
-- for a test's own server, and luaform(dir, args...) which runs this
-- luaform binary in dir;
-- emulator(flags) starts the local AWS emulator (luaform.testing.emulator),
-- whose handle also runs a user's session against it (e:apply(dir),
-- e:no_changes(dir), ...). The last line printed is "N passed, N failed".
local core = require("luaform.core")
local values = require("luaform.values")

local M = {}
M.emulators = {}   -- started by the running test; stopped when it ends

-- Fails the running test; the message names the line `level` calls up
-- from the function that calls fail (1: that function's own line).
local function fail(msg, level)
  local info = debug.getinfo(level + 1, "Sl")
  local where = info and (info.short_src .. ":" .. info.currentline .. ": ") or ""
  error({ test_failure = where .. msg }, 0)
end

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) == "table" then
    local ok, s = pcall(core.json_encode, v)
    return ok and s or tostring(v)
  end
  return tostring(v)
end

-- expect(v).to_be(x) ...: matchers close over v (called with a dot).
local function expect(v)
  local e = {}
  function e.to_be(x)
    if v ~= x then fail("expected " .. show(x) .. ", got " .. show(v), 2) end
  end
  function e.to_equal(x)
    if not values.deep_equal(v, x) then fail("expected " .. show(x) .. ", got " .. show(v), 2) end
  end
  function e.to_match(pat)
    if type(v) ~= "string" or not v:find(pat) then
      fail("expected a string matching " .. show(pat) .. ", got " .. show(v), 2)
    end
  end
  function e.to_contain(x)
    if type(v) == "string" then
      if not v:find(x, 1, true) then fail("expected " .. show(v) .. " to contain " .. show(x), 2) end
      return
    end
    for _, y in pairs(v or {}) do if values.deep_equal(x, y) then return end end
    fail("expected " .. show(v) .. " to contain " .. show(x), 2)
  end
  function e.not_to_contain(x)
    if type(v) == "string" and v:find(x, 1, true) then fail("expected " .. show(v) .. " not to contain " .. show(x), 2) end
  end
  function e.to_be_truthy() if not v then fail("expected a true value, got " .. show(v), 2) end end
  function e.to_be_nil() if v ~= nil then fail("expected nil, got " .. show(v), 2) end end
  function e.to_fail(pat)
    local ok, err = pcall(v)
    if ok then fail("expected an error" .. (pat and (" matching " .. show(pat)) or ""), 2) end
    local msg = tostring(err)
    if pat and not msg:find(pat) then fail("expected an error matching " .. show(pat) .. ", got " .. show(msg), 2) end
    return msg
  end
  return e
end


local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  local _, _, code = p:close()
  return out, code
end

local function quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function tmpdir()
  local out = sh("mktemp -d /tmp/luaform-test.XXXXXX")
  return (out:gsub("%s+$", ""))
end

local function write(path, text)
  local dir = path:match("^(.*)/[^/]*$")
  if dir then core.mkdir_p(dir) end
  assert(core.write_file(path, text, "0644"))
end

-- A new stack directory: files is { name = text }, or main.lua's text.
local function new_stack(files)
  if type(files) == "string" then files = { ["main.lua"] = files } end
  local dir = tmpdir()
  for name, text in pairs(files) do write(dir .. "/" .. name, text) end
  return dir
end

-- Runs this luaform binary in dir with args, its environment prefixed by
-- env (a "env ..." string for sh, or ""); returns its output and exit code.
local function run_luaform(env, dir, ...)
  local args = { quote(core.exe_dir .. "/luaform"), "-chdir=" .. quote(dir) }
  for _, a in ipairs({ ... }) do args[#args + 1] = quote(a) end
  return sh(env .. " NO_COLOR=1 " .. table.concat(args, " ") .. " </dev/null")
end

-- The local state of the stack in dir as luaform reads it (snapshot and
-- journal), nil when there is none; it takes no lock.
local function state_of(dir)
  return core.state_backend("local", { path = dir .. "/luaform.state.json" }):load()
end

-- Starts a Python program in the background (Debian's python3 when there
-- is one: it has boto3, and no pyenv shim to start first) with args (a
-- string, quoted by the caller), its output in log; waits until the log
-- matches the pattern ready, while the process lives, for at most a minute
-- (a loaded machine may take seconds to start Python). Returns its pid and
-- the log's text; raises with the log when it ended or never got ready.
local function start_python(args, log, ready)
  local py = core.stat("/usr/bin/python3") and "/usr/bin/python3" or "python3"
  local pid = sh(string.format("(%s %s > %s 2>&1 </dev/null & echo $!)", py, args, quote(log))):gsub("%s+$", "")
  local t0 = core.now()
  while core.now() - t0 < 60 do
    local text = core.read_file(log) or ""
    if text:find(ready) then return pid, text end
    if select(2, sh("kill -0 " .. pid)) ~= 0 then break end
    core.sleep(0.05)
  end
  sh("kill " .. pid)
  error("the Python program did not start: " .. args .. "\n" .. (core.read_file(log) or ""), 2)
end

M.fail, M.sh, M.quote, M.new_stack, M.run_luaform, M.state_of = fail, sh, quote, new_stack, run_luaform, state_of
M.start_python = start_python

local helpers = {
  core = core,
  expect = expect,
  sh = sh,
  quote = quote,
  tmpdir = tmpdir,
  write = write,
  read = function(path) return core.read_file(path) end,
  new_stack = new_stack,
  -- A copy of the stack in directory src (a fixture).
  copy_stack = function(src)
    local dir = tmpdir()
    sh("cp -r " .. quote(src) .. "/. " .. quote(dir))
    return dir
  end,
  state_of = state_of,
  -- The attributes of resource addr in the local state of dir.
  attributes = function(dir, addr) return state_of(dir).resources[addr].attributes end,
  -- { [address] = id } of every resource in the local state of dir (what
  -- a user would import into another copy of the stack).
  resource_ids = function(dir)
    local ids = {}
    for addr, r in pairs(state_of(dir).resources) do ids[addr] = r.attributes.id end
    return ids
  end,
  -- Runs fn with environment variables set (false unsets one), then puts
  -- them back as they were.
  with_env = function(vars, fn)
    local saved = {}
    for k, v in pairs(vars) do saved[k] = core.getenv(k) or false; core.setenv(k, v or nil) end
    local ok, err = pcall(fn)
    for k, v in pairs(saved) do core.setenv(k, v or nil) end
    if not ok then error(err, 0) end
  end,
  emulator = function(flags)
    local e = require("luaform.testing.emulator").start(flags)
    M.emulators[#M.emulators + 1] = e
    return e
  end,
  luaform = function(dir, ...) return run_luaform("", dir, ...) end,
  start_python = start_python,
}

-- The test files named by paths (a directory: its *_test.lua files), and
-- how many paths do not exist.
local function files_in(paths)
  local out, missing = {}, 0
  for _, p in ipairs(paths) do
    local st = core.stat(p)
    if st and st.type == "dir" then
      for _, name in ipairs(core.listdir(p)) do
        if name:match("_test%.lua$") then out[#out + 1] = p .. "/" .. name end
      end
    elseif st then
      out[#out + 1] = p
    else
      io.stderr:write("luaform test: no such file or directory: ", p, "\n")
      missing = missing + 1
    end
  end
  return out, missing
end

local function run_one(fn)
  local ok, err = true, nil
  core.walk(core.graph(1), {
    parallelism = 1,
    run = function() fn() end,
    on_done = function(_, good, e) ok, err = good, e end,
  })
  return ok, err
end

function M.main(paths, flags)
  if #paths == 0 then paths = { "tests" } end
  local files, missing = files_in(paths)
  local passed, failed = 0, missing   -- a path that does not exist is a failure
  for _, file in ipairs(files) do
    local tests = {}
    local env = setmetatable({
      test = function(name, fn) tests[#tests + 1] = { name = name, fn = fn } end,
    }, { __index = function(_, k) return helpers[k] or _G[k] end })
    local chunk, err = loadfile(file, "t", env)
    if not chunk then
      print("FAIL " .. file .. ": " .. err)
      failed = failed + 1
    else
      local ok, lerr = pcall(chunk)
      if not ok then
        print("FAIL " .. file .. ": " .. tostring(lerr))
        failed = failed + 1
      end
    end
    for _, t in ipairs(tests) do
      if not flags.filter or t.name:find(flags.filter, 1, true) then
        local t0 = core.now()
        local ok, terr = run_one(t.fn)
        for _, e in ipairs(M.emulators) do e:stop() end
        M.emulators = {}
        if ok then
          passed = passed + 1
          print(string.format("ok   %s: %s (%.2fs)", file, t.name, core.now() - t0))
        else
          failed = failed + 1
          local msg = type(terr) == "table" and terr.test_failure or tostring(terr)
          print(string.format("FAIL %s: %s\n     %s", file, t.name, msg))
        end
      end
    end
  end
  print(string.format("%d passed, %d failed", passed, failed))
  return failed == 0 and 0 or 1
end

return M
