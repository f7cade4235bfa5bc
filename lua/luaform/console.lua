-- luaform.console: `luaform console`, a Lua prompt on an evaluated stack
-- and its state (Terraform's console).
--
-- Each line is a Lua expression (or statement) run with the stack
-- functions (cidrsubnet, fmt, json, ...), Lua's libraries, and the
-- stack's things by Terraform's names: `aws_vpc.main.id` (a keyed
-- instance: `aws_subnet.public["a"].id`), `data.aws_region.current.name`,
-- `module.net.vpc_id` (a module's outputs), `var.name`. References are
-- resolved from the state (an object not in it yet gives "(known after
-- apply)"); a value derived from a secret prints as "(sensitive value)".
-- Interactive with line editing and history (libedit, core.readline) on a
-- terminal; from a pipe it reads every line, prints each result, and
-- stops at the first error (exit 1).
local core = require("luaform.core")
local deferred = require("luaform.deferred")
local errors = require("luaform.errors")
local render = require("luaform.render")
local schema = require("luaform.schema")

local M = {}

local function handle(addr) return deferred.handle(addr, function() return nil end) end

-- The names a console line sees.
local function scope(cfg)
  local types, data, modules, vars = {}, {}, {}, {}
  for _, addr in ipairs(cfg.order) do
    local node = cfg.nodes[addr]
    if node.module == "" then
      local into = node.mode == "data" and data or types
      into[node.type] = into[node.type] or {}
      local t = into[node.type]
      if node.key ~= nil then
        t[node.name] = t[node.name] or {}
        t[node.name][node.key] = handle(addr)
      else
        t[node.name] = handle(addr)
      end
    end
  end
  for out, prefix in pairs(cfg.module_of) do
    local name = prefix:match("^module%.([%w_%-]+)%.$")
    if name then modules[name] = out end
  end
  for name, v in pairs(cfg.variables) do vars[name] = v.value end
  local fns = require("luaform.functions")
  local env = { data = data, module = modules, var = vars, fmt = deferred.fmt, json = deferred.json }
  for _, name in ipairs(fns.names) do env[name] = fns[name] end
  return setmetatable(env, { __index = function(_, k)
    if types[k] then return types[k] end
    if _G[k] ~= nil then return _G[k] end
    error(string.format('unknown name "%s": the stack has no resource type, function or global of that name', tostring(k)), 2)
  end })
end

-- The text a value prints as, resolved from the state st.
local function show(v, st)
  local function lookup(addr)
    local e = st.resources[addr]
    return e and e.attributes or deferred.UNKNOWN
  end
  local function attr_sensitive(addr, attr)
    local e = st.resources[addr]
    if not e then return false end
    for _, a in ipairs(e.sensitive_attributes or {}) do if a == attr then return true end end
    local mod = schema.load(e.type, e.mode)
    return mod ~= nil and mod.schema[attr] ~= nil and mod.schema[attr].sensitive == true
  end
  if deferred.is_sensitive(v, attr_sensitive) then return "(sensitive value)" end
  if type(v) == "function" then return "(function)" end
  return render.value(deferred.resolve(v, lookup))
end

-- Runs one line; returns the text to print, or nil and an error message.
function M.eval(line, env, st)
  local chunk = load("return " .. line, "=console", "t", env)
  if not chunk then
    local err
    chunk, err = load(line, "=console", "t", env)
    if not chunk then return nil, err end
  end
  local r = table.pack(pcall(chunk))
  if not r[1] then
    local e = errors.wrap(r[2])
    if type(e) == "table" and e.message then return nil, e.message end
    return nil, tostring(e)
  end
  local parts = {}
  for i = 2, r.n do parts[#parts + 1] = show(r[i], st) end
  return table.concat(parts, "\n")
end

-- Runs the console on cfg and st; returns the exit code.
function M.run(cfg, st)
  local env = scope(cfg)
  local interactive = core.isatty(0)
  while true do
    local line
    if interactive then line = core.readline("> ") else line = io.stdin:read("l") end
    if line == nil then break end
    if line:match("^%s*exit%s*$") then break end
    if line:match("%S") then
      if interactive then core.add_history(line) end
      local text, err = M.eval(line, env, st)
      if text then
        if text ~= "" then print(text) end
      else
        io.stderr:write("Error: ", err, "\n")
        if not interactive then return 1 end
      end
    end
  end
  return 0
end

return M
