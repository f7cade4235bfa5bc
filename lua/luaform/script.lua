-- luaform.script: `luaform run SCRIPT.lua [ARGS...]`, migration scripts.
--
-- A script runs with the engine's APIs as globals:
--   state.list(pattern) state.show(addr) state.mv(src, dst) state.rm(addr)
--   state.import(addr, id)        the stack's state, changed in memory
--   aws.client(service, opts)     any AWS operation, paginators, waiters
--   plan()                        the stack's planned changes, as tables
--   apply()                       carries out the plan
--   arg, dry_run, core
-- The state is locked from its first use to the end. Its changes are saved once, when
-- the script ends without error, so a failing script leaves the state as
-- it was. apply() is the exception: it creates real objects, so it saves
-- as it goes (with the script's earlier changes) like `luaform apply`.
-- The stack (main.lua, when there is one) is evaluated first, with -var and
-- -var-file: it names the backend; an error in it stops the run.
-- With -dry-run the state is read without its lock and nothing is saved,
-- and no AWS operation that changes anything is sent, whichever way the
-- script reaches the transport: it is printed (its secret parameters
-- shown as "(sensitive)") and returns an empty table.
local backend_init = require("luaform.backend_init")
local core = require("luaform.core")
local errors = require("luaform.errors")
local surgery = require("luaform.surgery")

local M = {}

-- Operation names that only read (everything else counts as a change).
-- (AssumeRole: STS credentials for the other calls; it changes nothing.)
local READ_PREFIXES = { "Describe", "Get", "List", "Head", "Lookup", "Search", "Scan", "Query", "BatchGet",
                        "Select", "AssumeRole" }

function M.is_mutating(op)
  for _, p in ipairs(READ_PREFIXES) do
    if op:sub(1, #p) == p then return false end
  end
  return true
end

-- The parameters of a held-back call as JSON, with the members the model
-- marks sensitive (and those named like passwords and keys) shown as
-- "(sensitive)", as the LUAFORM_LOG=debug log withholds them.
local function shown_params(h, op, params)
  if type(params) == "string" then params = core.json_decode(params) end
  if type(params) ~= "table" then params = {} end
  return core.json_encode(core.aws_redact(h, op, params))
end

-- For a dry run: core.aws_call, the transport every AWS client sends
-- through (the script's aws.client, require("luaform.aws"), client:call,
-- core.aws_call itself, the providers and the S3 state backend), answers
-- operations that change anything with an empty table and prints them
-- instead. Returns the function that puts the real transport back.
local function hold_mutations(out)
  local send = core.aws_call
  core.aws_call = function(h, op, params, creds, opts)
    if not M.is_mutating(op) or (type(opts) == "table" and opts.dry_run) then
      return send(h, op, params, creds, opts)
    end
    out(string.format("dry-run: would call %s %s %s", core.aws_info(h).service, op, shown_params(h, op, params)))
    return {}
  end
  return function() core.aws_call = send end
end

local function copy(v)
  if type(v) ~= "table" then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = copy(x) end
  return t
end

-- Builds the state API over run (run.state is the document).
local function state_api(run, log, open_state)
  local api = {}
  function api.list(pattern) open_state(); return surgery.select(run.state, pattern) end
  function api.show(addr)
    open_state()
    local e = run.state.resources[addr]
    return e and copy(e)
  end
  function api.mv(src, dst)
    open_state()
    local moves = surgery.mv(run.state, src, dst)
    for _, m in ipairs(moves) do log("state: move %s to %s", m.from, m.to) end
    run.changed = true
    return moves
  end
  function api.rm(pattern)
    open_state()
    local gone = surgery.rm(run.state, pattern)
    for _, a in ipairs(gone) do log("state: remove %s", a) end
    run.changed = true
    return gone
  end
  function api.import(addr, id)
    open_state()
    if run.state.resources[addr] then errors.raise(nil, "state.import: %s is already managed", addr) end
    local node = run.cfg and run.cfg.nodes[addr]
    local entry = require("luaform.importer").entry(run, addr, id, node)
    run.state.resources[addr] = entry
    log("state: import %s (id %s)", addr, id)
    run.changed = true
    return copy(entry.attributes)
  end
  return api
end

-- The stack's config, evaluated on first use (scripts without a stack
-- only touch the state and AWS).
local function config(run, opts)
  if run.cfg == nil then
    if not core.stat("main.lua") then errors.raise(nil, "plan()/apply() need a stack: no main.lua here") end
    run.cfg = require("luaform.dsl").evaluate({ vars = opts.vars, var_files = opts.var_files,
      workspace = require("luaform.workspace").current() })
  end
  return run.cfg
end

-- The stack's plan, with its import{} blocks performed in memory.
local function make_plan(run)
  local planner = require("luaform.plan")
  planner.refresh(run)
  run.imports = require("luaform.importer").plan_imports(run)
  return planner.diff(run)
end

-- The state is opened at its first use and, unless this is a dry run
-- (which only reads: no lock object, no lock file), locked to the end.
local function state_opener(run, opts, log)
  return function()
    if run.store then return end
    run.store = backend_init.open_state({ backend = run.cfg and run.cfg.backend, path = opts.state,
      encryption = run.cfg and run.cfg.encryption })
    if opts.dry_run then
      log("state: read without taking its lock")
    else
      run.store:lock("run " .. opts.script, opts.lock_timeout or 0)
    end
    run.state = run.store:load()
  end
end

local function plan_api(run, opts, open_state)
  return function()
    open_state()
    config(run, opts)
    local p = make_plan(run)
    local out = {}
    for _, ch in ipairs(p.changes) do
      if ch.action ~= "noop" then
        out[#out + 1] = { address = ch.addr, action = ch.action, type = ch.type,
                          before = copy(ch.before), after = copy(ch.after) }
      end
    end
    run.last_plan = p
    return out
  end
end

local function apply_api(run, opts, open_state, log)
  return function()
    if opts.dry_run then log("apply: skipped"); return true end
    open_state()
    config(run, opts)
    local p = run.last_plan or make_plan(run)
    run.last_plan = nil
    local status, failures = require("luaform.apply").apply(run, p)
    run.changed = true
    if status ~= "ok" or #failures > 0 then
      local msgs = {}
      for _, f in ipairs(failures or {}) do msgs[#msgs + 1] = f.addr .. ": " .. errors.tostring(f.err) end
      errors.raise(nil, "apply %s%s", status, #msgs > 0 and (": " .. table.concat(msgs, "; ")) or "")
    end
    return true
  end
end

-- The globals a script sees (its _ENV); unknown names fall back to _G.
local function script_env(run, opts, log, open_state)
  return setmetatable({
    state = state_api(run, log, open_state),
    core = core,
    dry_run = opts.dry_run or false,
    arg = { [0] = opts.script, table.unpack(opts.args or {}) },
    plan = plan_api(run, opts, open_state),
    apply = apply_api(run, opts, open_state, log),
  }, { __index = function(t, k)   -- aws: loaded when a script uses it
    if k ~= "aws" then return _G[k] end
    t.aws = require("luaform.aws")
    return t.aws
  end })
end

-- opts: script, args, dry_run, vars, var_files, parallelism, lock_timeout,
-- state, no_color.
function M.run(opts)
  local chunk, lerr = loadfile(opts.script, "t")
  if not chunk then errors.raise(nil, "%s", lerr) end
  local ui = require("luaform.ui").new({ no_color = opts.no_color })
  local function log(fmt, ...) ui:print((opts.dry_run and "[dry-run] " or "") .. fmt, ...) end

  local run = { opts = { parallelism = opts.parallelism or 10 }, out = ui, dir = "." }
  -- The stack gives the backend and the providers' configuration (region,
  -- endpoints); a stack that does not evaluate is an error, never a
  -- silent fallback to the local state.
  if core.stat("main.lua") then config(run, opts) end
  local restore = opts.dry_run and hold_mutations(print) or function() end
  local open_state = state_opener(run, opts, log)
  local ok, res = pcall(function()
    debug.setupvalue(chunk, 1, script_env(run, opts, log, open_state))
    local r = chunk(table.unpack(opts.args or {}))
    if run.changed and not opts.dry_run then run.store:save() end
    return r
  end)
  restore()
  if run.store then run.store:unlock() end
  if not ok then error(res, 0) end
  if opts.dry_run and run.changed then log("nothing was saved") end
  return math.type(res) == "integer" and res or 0
end

return M
