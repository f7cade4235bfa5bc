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
-- With -dry-run nothing is saved and AWS operations that change anything
-- are not sent: they are printed and return an empty table.
local core = require("luaform.core")
local errors = require("luaform.errors")
local state = require("luaform.state")
local surgery = require("luaform.surgery")

local M = {}

-- Operation names that only read (everything else counts as a change).
local READ_PREFIXES = { "Describe", "Get", "List", "Head", "Lookup", "Search", "Scan", "Query", "BatchGet", "Select" }

function M.is_mutating(op)
  for _, p in ipairs(READ_PREFIXES) do
    if op:sub(1, #p) == p then return false end
  end
  return true
end

-- An aws module whose clients do not send mutating calls.
local function dry_aws(aws, out)
  local wrapped = setmetatable({}, { __index = aws })
  function wrapped.client(service, opts)
    local c = aws.client(service, opts)
    return setmetatable({}, {
      __index = function(_, op)
        local v = c[op]
        if type(v) ~= "function" then return v end
        if type(op) == "string" and op:match("^%u") and M.is_mutating(op) then
          return function(_, params)
            out(string.format("dry-run: would call %s %s %s", service, op, core.json_encode(params or {})))
            return {}
          end
        end
        return function(_, ...) return v(c, ...) end
      end,
    })
  end
  return wrapped
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
local function config(run, vars)
  if run.cfg == nil then
    if not core.stat("main.lua") then errors.raise(nil, "plan()/apply() need a stack: no main.lua here") end
    run.cfg = require("luaform.dsl").evaluate({ vars = vars, workspace = require("luaform.workspace").current() })
  end
  return run.cfg
end

-- opts: script, args, dry_run, vars, parallelism, lock_timeout, no_color.
function M.run(opts)
  local chunk, lerr = loadfile(opts.script, "t")
  if not chunk then errors.raise(nil, "%s", lerr) end
  local ui = require("luaform.ui").new({ no_color = opts.no_color })
  local function log(fmt, ...) ui:print((opts.dry_run and "[dry-run] " or "") .. fmt, ...) end

  local run = { opts = { parallelism = opts.parallelism or 10 }, out = ui, dir = "." }
  if core.stat("main.lua") then
    -- For the backend and the providers' configuration (region, endpoints).
    local ok, cfg = pcall(require("luaform.dsl").evaluate,
      { vars = opts.vars, workspace = require("luaform.workspace").current() })
    if ok then run.cfg = cfg end
  end
  -- The state is opened and locked at its first use, then held to the end.
  local function open_state()
    if run.store then return end
    run.store = state.open({ backend = run.cfg and run.cfg.backend, path = opts.state })
    run.store:lock("run " .. opts.script, opts.lock_timeout or 0)
    run.state = run.store:load()
  end
  local ok, res = pcall(function()
    local env = setmetatable({
      state = state_api(run, log, open_state),
      core = core,
      dry_run = opts.dry_run or false,
      arg = { [0] = opts.script, table.unpack(opts.args or {}) },
      plan = function()
        open_state()
        config(run, opts.vars)
        local planner = require("luaform.plan")
        planner.refresh(run)
        run.imports = require("luaform.importer").plan_imports(run)
        local p = planner.diff(run)
        local out = {}
        for _, ch in ipairs(p.changes) do
          if ch.action ~= "noop" then
            out[#out + 1] = { address = ch.addr, action = ch.action, type = ch.type,
                              before = copy(ch.before), after = copy(ch.after) }
          end
        end
        run.last_plan = p
        return out
      end,
      apply = function()
        if opts.dry_run then log("apply: skipped"); return true end
        open_state()
        config(run, opts.vars)
        local p = run.last_plan
        if not p then
          local planner = require("luaform.plan")
          planner.refresh(run)
          run.imports = require("luaform.importer").plan_imports(run)
          p = planner.diff(run)
        end
        run.last_plan = nil
        local status, failures = require("luaform.apply").apply(run, p)
        run.changed = true
        if status ~= "ok" or #failures > 0 then
          local msgs = {}
          for _, f in ipairs(failures or {}) do msgs[#msgs + 1] = f.addr .. ": " .. errors.tostring(f.err) end
          errors.raise(nil, "apply %s%s", status, #msgs > 0 and (": " .. table.concat(msgs, "; ")) or "")
        end
        return true
      end,
    }, { __index = function(t, k)
      if k ~= "aws" then return _G[k] end
      local aws = require("luaform.aws")   -- loaded when a script uses it
      t.aws = opts.dry_run and dry_aws(aws, print) or aws
      return t.aws
    end })
    debug.setupvalue(chunk, 1, env)
    local r = chunk(table.unpack(opts.args or {}))
    if run.changed and not opts.dry_run then run.store:save() end
    return r
  end)
  if run.store then run.store:unlock() end
  if not ok then error(res, 0) end
  if opts.dry_run and run.changed then log("nothing was saved") end
  return math.type(res) == "integer" and res or 0
end

return M
