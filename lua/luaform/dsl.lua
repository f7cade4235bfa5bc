-- luaform.dsl: the stack language, and evaluation of a stack.
--
-- evaluate() runs main.lua once with the DSL functions as globals
-- (resource, data, module, output, var, provider, backend, fmt, json,
-- workspace). They only record: resource() registers a node and returns a
-- handle whose attributes are deferred references, so no provider is ever
-- called here. Modules are plain functions run inside a scope, which
-- prefixes the addresses of what they declare (module.net.aws_subnet.a).
-- The result is a config: nodes by address (in declaration order), outputs,
-- variables, providers and the backend, every argument checked against
-- its type's schema, each error carrying the file:line of its declaration.
--
-- A sensitive variable's value is a secret (deferred.sensitive): check()
-- marks each node's attributes that derive from one, or that the type's
-- schema calls sensitive (node.sensitive, a set), and refuses a root
-- output that derives from a secret without { sensitive = true }.
local core = require("luaform.core")
local deferred = require("luaform.deferred")
local errors = require("luaform.errors")
local schema = require("luaform.schema")

local M = {}

local LIFECYCLE = {
  depends_on = true, ignore_changes = true, create_before_destroy = true,
  prevent_destroy = true, key = true, provider = true,
}

local function format_key(key)
  if math.type(key) == "integer" then return "[" .. key .. "]" end
  return string.format('["%s"]', tostring(key))
end

local function parse_var(name, spec, raw, where)
  local t = spec.type or "string"
  if type(raw) ~= "string" then return raw end
  local shown = spec.sensitive and "(sensitive value)" or string.format('"%s"', raw)
  if t == "number" then
    local n = tonumber(raw)
    if not n then errors.raise(where, 'variable "%s": expected a number, got %s', name, shown) end
    return n
  elseif t == "bool" then
    if raw == "true" then return true elseif raw == "false" then return false end
    errors.raise(where, 'variable "%s": expected true or false, got %s', name, shown)
  elseif t == "list" or t == "map" or t == "any" then
    local v, err = core.json_decode(raw, "-var " .. name)
    if v == nil and t ~= "any" then errors.raise(where, 'variable "%s": %s', name, err) end
    return v == nil and raw or v
  end
  return raw
end

-- Variable files: Lua assignments (name = value) or JSON (*.json).
local function load_var_file(path)
  local src, err = core.read_file(path)
  if not src then errors.raise(path, "cannot read variable file: %s", err) end
  if path:match("%.json$") then
    local v, jerr = core.json_decode(src, path)
    if v == nil then errors.raise(nil, "%s", jerr) end
    return v
  end
  local vars = {}
  local chunk, lerr = load(src, "@" .. path, "t", vars)
  if not chunk then errors.raise(nil, "%s", lerr) end
  chunk()
  return vars
end

function M.new_config(opts)
  return {
    nodes = {}, order = {}, outputs = {}, output_order = {}, variables = {},
    providers = {}, backend = nil, modules = {}, dir = opts.dir or ".", imports = {},
    workspace = opts.workspace or "default",
  }
end

-- Builds the DSL functions that record into cfg.
local function dsl(cfg, opts)
  local scopes = { { prefix = "", names = {} } }
  local function scope() return scopes[#scopes] end
  local cli_vars, file_vars = opts.vars or {}, {}
  cfg.var_file_of = {}   -- name -> the last -var-file that sets it
  for _, f in ipairs(opts.var_files or {}) do
    for k, v in pairs(load_var_file(f)) do file_vars[k], cfg.var_file_of[k] = v, f end
  end

  local function claim(name, where)
    local s = scope()
    if s.names[name] then
      errors.raise(where, '"%s" is declared twice in this scope (first at %s)', name, s.names[name])
    end
    s.names[name] = where
  end

  local function declare(mode, type_name, name, args, lifecycle)
    local where = errors.caller(3)
    if type(type_name) ~= "string" then errors.raise(where, "%s(): the type must be a string", mode) end
    if type(name) ~= "string" then errors.raise(where, "%s(): the name must be a string", mode) end
    args = args or {}
    lifecycle = lifecycle or {}
    if type(args) ~= "table" then errors.raise(where, "%s(): arguments must be a table", mode) end
    local key = lifecycle.key
    local base, bracket = name:match('^([%w_%-]+)%[(.+)%]$')
    if base then
      name = base
      key = tonumber(bracket) or bracket:match('^"(.*)"$') or bracket
    end
    if not name:match("^[%a_][%w_%-]*$") then errors.raise(where, 'invalid name "%s"', name) end
    for k in pairs(lifecycle) do
      if not LIFECYCLE[k] then
        local names = schema.sorted_keys(LIFECYCLE)
        errors.raise(where, 'unsupported lifecycle option "%s"%s', tostring(k), schema.suggest(tostring(k), names))
      end
    end
    local mod, err = schema.load(type_name, mode)
    if not mod then errors.raise(where, "%s", err) end
    if mode == "data" and not mod.data_source then
      errors.raise(where, '"%s" is not a data source', type_name)
    elseif mode == "managed" and mod.data_source then
      errors.raise(where, '"%s" is a data source: use data("%s", ...)', type_name, type_name)
    end
    local local_addr = (mode == "data" and "data." or "") .. type_name .. "." .. name
      .. (key ~= nil and format_key(key) or "")
    claim(local_addr, where)
    local addr = scope().prefix .. local_addr
    local node = {
      addr = addr, mode = mode, type = type_name, name = name, key = key,
      module = scope().prefix:sub(1, -2), args = args, lifecycle = lifecycle,
      where = where, provider = mod, index = #cfg.order + 1,
    }
    cfg.nodes[addr] = node
    cfg.order[#cfg.order + 1] = addr
    return deferred.handle(addr, function(attr)
      if type(attr) ~= "string" then return "resource attributes are named by strings" end
      if schema.exports(mod, attr) then return nil end
      return string.format('"%s" does not export "%s"%s', type_name, attr,
        schema.suggest(attr, schema.export_names(mod)))
    end)
  end

  local env = {}
  -- (not tail calls: declare() finds the caller's file:line by level)
  function env.resource(type_name, name, args, lifecycle)
    local handle = declare("managed", type_name, name, args, lifecycle)
    return handle
  end
  function env.data(type_name, name, args, lifecycle)
    local handle = declare("data", type_name, name, args, lifecycle)
    return handle
  end
  function env.module(name, fn, args)
    local where = errors.caller(2)
    if type(name) ~= "string" or not name:match("^[%a_][%w_%-]*$") then
      errors.raise(where, "module(): the name must be an identifier")
    end
    if type(fn) ~= "function" then
      errors.raise(where, 'module("%s"): expected a module function, got %s', name, type(fn))
    end
    claim("module." .. name, where)
    local prefix = scope().prefix .. "module." .. name .. "."
    cfg.modules[prefix:sub(1, -2)] = where
    scopes[#scopes + 1] = { prefix = prefix, names = {}, where = where }
    local out = fn(args or {})
    scopes[#scopes] = nil
    return out
  end
  function env.output(name, value, o)
    local where = errors.caller(2)
    if scope().prefix ~= "" then
      errors.raise(where, "output() is for the root stack; a module returns its outputs")
    end
    claim("output." .. tostring(name), where)
    cfg.outputs[name] = { value = value, where = where, sensitive = o and o.sensitive or false }
    cfg.output_order[#cfg.output_order + 1] = name
  end
  function env.var(name, spec)
    local where = errors.caller(2)
    spec = spec or {}
    if cfg.variables[name] then return cfg.variables[name].value end
    local raw = cli_vars[name]
    if raw == nil then raw = file_vars[name] end
    if raw == nil then raw = core.getenv("LUAFORM_VAR_" .. name) end
    local value
    if raw ~= nil then value = parse_var(name, spec, raw, where)
    elseif spec.default ~= nil then value = spec.default
    elseif opts.lenient_vars then return deferred.UNKNOWN   -- only the backend is wanted
    else errors.raise(where, 'no value for required variable "%s" (use -var %s=..., a -var-file or LUAFORM_VAR_%s)', name, name, name) end
    if spec.validation then
      local ok, msg = spec.validation(value)
      if not ok then errors.raise(where, 'invalid value for variable "%s": %s', name, msg or "rejected") end
    end
    if spec.sensitive then value = deferred.sensitive(value) end
    cfg.variables[name] = { value = value, where = where, sensitive = spec.sensitive }
    return value
  end
  function env.provider(name, config)
    local where = errors.caller(2)
    config = deferred.reveal(config or {})
    local id = name .. (config.alias and ("." .. config.alias) or "")
    if cfg.providers[id] then
      errors.raise(where, 'provider "%s" is configured twice (first at %s)', id, cfg.providers[id].where)
    end
    cfg.providers[id] = { name = name, config = config, where = where }
  end
  function env.backend(type_name, config)
    local where = errors.caller(2)
    if cfg.backend then errors.raise(where, "backend is configured twice (first at %s)", cfg.backend.where) end
    cfg.backend = { type = type_name, config = deferred.reveal(config or {}), where = where }
  end
  env.fmt = deferred.fmt
  env.json = deferred.json
  function env.workspace() return cfg.workspace end
  -- Relative sources are found from the calling file's directory (nil:
  -- main.lua's, the stack directory); a tail call left no frame of the
  -- caller, whose file is then the module file being loaded.
  function env.use(source, o)
    local modsource = require("luaform.modsource")
    local file, where = (debug.getinfo(2, "S").source or ""):match("^@(.*)$"), errors.caller(2)
    if debug.getinfo(1, "t").istailcall then file, where = modsource.loading_file(), modsource.loading_file() end
    local m = modsource.use(source, o, where, opts.installer, file and file:match("^(.*)/[^/]*$"))
    return m
  end
  -- import{ to = "aws_vpc.main", id = "vpc-..." }: adopt an existing object
  -- at the next plan/apply (root-relative address; ids must be known now).
  function env.import(spec)
    local where = errors.caller(2)
    if type(spec) ~= "table" or type(spec.to) ~= "string" or type(spec.id) ~= "string" then
      errors.raise(where, 'import expects { to = "ADDRESS", id = "ID" } with string values')
    end
    cfg.imports[#cfg.imports + 1] = { to = spec.to, id = spec.id, where = where }
  end
  return env
end

-- As Terraform: a -var for a variable the stack does not declare is an
-- error; a value in a -var-file for one is a warning.
local function check_undeclared(cfg, cli_vars)
  for _, name in ipairs(schema.sorted_keys(cli_vars)) do
    if not cfg.variables[name] then
      errors.raise(nil, 'value for undeclared variable "%s": the stack declares no var("%s")', name, name)
    end
  end
  for _, name in ipairs(schema.sorted_keys(cfg.var_file_of)) do
    if not cfg.variables[name] then
      io.stderr:write(string.format('Warning: value for undeclared variable "%s" in %s\n', name, cfg.var_file_of[name]))
    end
  end
end

-- Runs the stack and returns its config. Raises a luaform error (or a Lua
-- error whose message starts with file:line) on bad input.
function M.evaluate(opts)
  local cfg = M.new_config(opts)
  local file = opts.file or "main.lua"
  local chunk, err = loadfile(file)
  if not chunk then
    if not core.stat(file) then errors.raise(nil, "no %s in %s", file, core.realpath(".") or ".") end
    errors.raise(nil, "%s", err)
  end
  require("luaform.usertypes").add_dir(".")   -- the stack's own types
  local env = dsl(cfg, opts)
  local saved = {}
  for k, v in pairs(env) do saved[k] = _G[k]; _G[k] = v end
  local ok, e = pcall(chunk)
  for k in pairs(env) do _G[k] = saved[k] end
  if not ok then error(errors.wrap(e), 0) end
  if not opts.lenient_vars then check_undeclared(cfg, opts.vars or {}) end
  M.check(cfg)
  return cfg
end

-- Sets node.sensitive (the set of attributes that are secret: sensitive
-- in the schema, or given a value derived from a secret) on every node;
-- returns attr_sensitive(addr, attr) for deferred.is_sensitive.
local function sensitivity(cfg)
  local visiting = {}
  local function attrs_of(node)
    if node.sensitive then return node.sensitive end
    if visiting[node] then return {} end   -- a cycle; the planner reports it
    visiting[node] = true
    local set = {}
    for k, spec in pairs(node.provider.schema) do
      if spec.sensitive then set[k] = true end
    end
    local function attr_sensitive(addr, attr)
      local other = cfg.nodes[addr]
      return other ~= nil and attrs_of(other)[attr] == true
    end
    for k, v in pairs(node.args) do
      if deferred.is_sensitive(v, attr_sensitive) then set[k] = true end
    end
    visiting[node] = nil
    node.sensitive = set
    return set
  end
  for _, addr in ipairs(cfg.order) do attrs_of(cfg.nodes[addr]) end
  return function(addr, attr)
    local node = cfg.nodes[addr]
    return node ~= nil and node.sensitive[attr] == true
  end
end

-- Validates every node's arguments and lifecycle, and records its deps.
function M.check(cfg)
  for _, im in ipairs(cfg.imports) do
    local node = cfg.nodes[im.to]
    if not node or node.mode == "data" then
      errors.raise(im.where, 'import to "%s": no such resource in the stack', im.to)
    end
  end
  for _, addr in ipairs(cfg.order) do
    local node = cfg.nodes[addr]
    local err = schema.check_block(node.provider.schema, node.args)
    if err then errors.raise(node.where, "%s %s: %s", node.mode == "data" and "data" or "resource", addr, err) end
    local deps = deferred.deps(node.args)
    for _, d in ipairs(node.lifecycle.depends_on or {}) do
      if not deferred.is_handle(d) then
        errors.raise(node.where, "%s: depends_on lists resources (the values resource() returns)", addr)
      end
      deps[deferred.handle_address(d)] = true
    end
    for _, attr in ipairs(node.lifecycle.ignore_changes or {}) do
      if not node.provider.schema[attr] then
        errors.raise(node.where, '%s: ignore_changes names "%s", which "%s" does not have%s', addr, attr,
          node.type, schema.suggest(attr, schema.export_names(node.provider)))
      end
    end
    node.deps = deps
  end
  local attr_sensitive = sensitivity(cfg)
  for _, name in ipairs(cfg.output_order) do
    local o = cfg.outputs[name]
    o.deps = deferred.deps(o.value)
    for d in pairs(o.deps) do
      if not cfg.nodes[d] then errors.raise(o.where, 'output "%s" refers to unknown resource %s', name, d) end
    end
    if not o.sensitive and deferred.is_sensitive(o.value, attr_sensitive) then
      errors.raise(o.where, 'output "%s" refers to sensitive values; to export it anyway, declare it output("%s", value, { sensitive = true })',
        name, name)
    end
  end
end

return M
