-- luaform.dsl: the stack language, and evaluation of a stack.
--
-- evaluate() runs main.lua once with the DSL functions as globals
-- (resource, data, module, output, var, provider, backend, encryption,
-- fmt, json, workspace, and the functions of luaform.functions). They only record:
-- resource() registers a node and returns a handle whose attributes are
-- deferred references, so no provider is ever called here. Modules are
-- functions, or { inputs, outputs, body } tables
-- whose interface is checked at the call (luaform.interface), run inside a
-- scope, which prefixes the addresses of what they declare
-- (module.net.aws_subnet.a) and may pass a provider configuration to them
-- (module's providers).
-- The result is a config: nodes by address (in declaration order), outputs,
-- variables, providers, the backend and encryption, every argument checked against
-- its type's schema, each error carrying the file:line of its declaration.
-- A stack may declare 100,000 resources: a node holds only its own fields
-- (those common to its type read through its metatable, empty ones shared),
-- and check() walks each argument once.
--
-- A sensitive variable's value is a secret (deferred.sensitive): check()
-- marks each node's attributes that derive from one, or that the type's
-- schema calls sensitive (node.sensitive, a set), and refuses a root
-- output that derives from a secret without { sensitive = true }.
local core = require("luaform.core")
local deferred = require("luaform.deferred")
local errors = require("luaform.errors")
local schema = require("luaform.schema")
local strict = require("luaform.strict")
local variable = require("luaform.variable")
local interface = require("luaform.interface")

local M = {}

-- The string function itself: while a stack runs, string.* are
-- luaform.strict's guarded ones (they refuse references), which the DSL's
-- own calls on names it checked need not pay once per resource.
local str_match = string.match

local LIFECYCLE = {
  depends_on = true, ignore_changes = true, create_before_destroy = true,
  prevent_destroy = true, key = true, provider = true, replace_triggered_by = true,
  precondition = true, postcondition = true,
}

local OUTPUT_OPTIONS = { sensitive = true, description = true }

-- One read-only empty table for every node's empty lifecycle, deps,
-- depends_on, triggers and sensitive set (readers only read them; 100,000 resources
-- would otherwise hold 100,000 empty tables of each).
local NONE = setmetatable({}, { __newindex = function() error("a table shared by several nodes is read-only", 2) end })

local function format_key(key)
  if math.type(key) == "integer" then return "[" .. key .. "]" end
  return string.format('["%s"]', tostring(key))
end

-- Variable files: Lua assignments (name = value) or JSON (*.json).
local function load_var_file(path)
  local src, err = core.read_file(path)
  if not src then errors.raise(path, "cannot read variable file: %s", err) end
  if path:match("%.json$") then
    local v, jerr = core.json_decode(src, path)
    if v == nil then errors.raise(nil, "%s", jerr) end
    if type(v) ~= "table" or getmetatable(v) == core.json_array_mt then
      errors.raise(path .. ":1", "a variable file holds an object of variables, not %s",
        type(v) == "table" and "an array" or "a " .. type(v))
    end
    return v
  end
  local vars = {}
  local chunk, lerr = load(src, "@" .. path, "t", vars)
  if not chunk then errors.raise(nil, "%s", lerr) end
  chunk()
  return vars
end
M.load_var_file = load_var_file   -- for tests/fuzz/varfile.c

function M.new_config(opts)
  return {
    nodes = {}, order = {}, outputs = {}, output_order = {}, variables = {},
    providers = {}, backend = nil, modules = {}, dir = opts.dir or ".", imports = {}, moved = {}, removed = {}, checks = {},
    provider_refs = {},   -- {name, id, where} of the module calls' providers
    module_of = setmetatable({}, { __mode = "k" }),   -- a module's outputs -> its address prefix
    workspace = opts.workspace or "default",
  }
end

-- Builds the DSL functions that record into cfg.
local function dsl(cfg, opts)
  -- providers: provider name -> the configuration id a module call
  -- passed for it (module(..., { providers = { aws = "aws.west" } })).
  -- module: the scope's address prefix without its final dot; shared:
  -- its nodes' metatables by type (node_fields).
  local scopes = { { prefix = "", module = "", names = {}, providers = {}, shared = {} } }
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

  -- mode -> type name -> { mod = its module, check = the check of its
  -- handles' attributes }: loaded and made once per type, not per resource.
  local types = { managed = {}, data = {} }
  local function type_of(mode, type_name, where)
    local t = types[mode][type_name]
    if t then return t end
    local mod, err = schema.load(type_name, mode)
    if not mod then errors.raise(where, "%s", err) end
    if mode == "data" and not mod.data_source then
      errors.raise(where, '"%s" is not a data source', type_name)
    elseif mode == "managed" and mod.data_source then
      errors.raise(where, '"%s" is a data source: use data("%s", ...)', type_name, type_name)
    end
    t = { mod = mod, check = function(attr)
      if schema.exports(mod, attr) then return nil end   -- (only names are in a schema)
      if type(attr) ~= "string" then return "resource attributes are named by strings" end
      return string.format('"%s" does not export "%s"%s', type_name, attr,
        schema.suggest(attr, schema.export_names(mod)))
    end }
    types[mode][type_name] = t
    return t
  end

  -- A node's fields that are the same for every resource of a type in a
  -- scope (mode, type, module, provider, the provider configuration it
  -- uses by default) and the empty lifecycle, deps and lists, read through
  -- the node's metatable: a node holds only its own fields, which then fit
  -- a table half the size (100,000 resources hold ~19 MB less).
  local function node_fields(s, t, mode, type_name)
    local mt = s.shared[t]
    if not mt then
      mt = { __index = {
        mode = mode, type = type_name, module = s.module, provider = t.mod,
        provider_ref = s.providers[t.mod.provider],   -- (nil: the default one; luaform.provider_choice)
        lifecycle = NONE, deps = NONE, depends_on = NONE, triggers = NONE,
      } }
      s.shared[t] = mt
    end
    return mt
  end

  local function declare(mode, type_name, name, args, lifecycle)
    local where = errors.caller(3)
    local t = types[mode][type_name]   -- (a known type is a string)
    if not t and type(type_name) ~= "string" then errors.raise(where, "%s(): the type must be a string", mode) end
    if type(name) ~= "string" then errors.raise(where, "%s(): the name must be a string", mode) end
    args = args or {}
    lifecycle = lifecycle or NONE
    if type(args) ~= "table" then errors.raise(where, "%s(): arguments must be a table", mode) end
    local key = lifecycle.key
    -- a plain name is the common case: the bracket form is looked for only when it is not one
    if not str_match(name, "^[%a_][%w_%-]*$") then
      local base, bracket = str_match(name, '^([%w_%-]+)%[(.+)%]$')
      if base then
        name = base
        key = tonumber(bracket) or str_match(bracket, '^"(.*)"$') or bracket
      end
      if not str_match(name, "^[%a_][%w_%-]*$") then errors.raise(where, 'invalid name "%s"', name) end
    end
    for k in pairs(lifecycle) do
      if k == "lifecycle" then
        errors.raise(where, "%s(): the 4th table is the lifecycle: put its options directly in it ({ ignore_changes = ... })", mode == "data" and "data" or "resource")
      end
      if not LIFECYCLE[k] then
        local names = schema.sorted_keys(LIFECYCLE)
        errors.raise(where, 'unsupported lifecycle option "%s"%s', tostring(k), schema.suggest(tostring(k), names))
      end
    end
    t = t or type_of(mode, type_name, where)
    strict.check_meta_arguments(t.mod.schema, args, LIFECYCLE, where, mode == "data" and "data" or "resource", type_name, name)
    local local_addr = (mode == "data" and "data." or "") .. type_name .. "." .. name
      .. (key ~= nil and format_key(key) or "")
    claim(local_addr, where)
    local s = scope()
    local addr = s.prefix .. local_addr
    local node = setmetatable({
      addr = addr, name = name, key = key, args = args, where = where, index = #cfg.order + 1,
      lifecycle = lifecycle ~= NONE and lifecycle or nil,
      provider_ref = lifecycle.provider or nil,   -- the provider configuration asked for
    }, node_fields(s, t, mode, type_name))
    cfg.nodes[addr] = node
    cfg.order[#cfg.order + 1] = addr
    return deferred.handle(addr, t.check)
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
  -- opts.providers = { aws = "aws.west" }: what the module's resources
  -- use by default, as Terraform's module providers (a bare name means
  -- what it means here, so a mapping passes down nested modules).
  local function module_providers(call_opts, where)
    local map = {}
    for k, v in pairs(scope().providers) do map[k] = v end
    for k in pairs(call_opts) do
      if k ~= "providers" then errors.raise(where, 'module(): unsupported option "%s" (only providers)', tostring(k)) end
    end
    for k, v in pairs(call_opts.providers or {}) do
      if type(k) ~= "string" or type(v) ~= "string" then
        errors.raise(where, 'module(): providers maps a provider name to a configuration, e.g. { aws = "aws.west" }')
      end
      map[k] = (not v:find(".", 1, true) and scope().providers[v]) or v
      cfg.provider_refs[#cfg.provider_refs + 1] = { name = k, id = map[k], where = where }
    end
    return map
  end
  function env.module(name, fn, args, call_opts)
    local where = errors.caller(2)
    if type(name) ~= "string" or not name:match("^[%a_][%w_%-]*$") then
      errors.raise(where, "module(): the name must be an identifier")
    end
    if type(fn) ~= "function" and not interface.is(fn) then
      errors.raise(where, 'module("%s"): expected a module function or { inputs, outputs, body }, got %s', name, type(fn))
    end
    claim("module." .. name, where)
    local prefix = scope().prefix .. "module." .. name .. "."
    local module_addr = prefix:sub(1, -2)
    cfg.modules[module_addr] = where
    local providers = module_providers(call_opts or {}, where)
    scopes[#scopes + 1] = { prefix = prefix, module = module_addr, names = {}, where = where, providers = providers, shared = {} }
    local out
    if type(fn) == "function" then out = fn(args or {}) else out = interface.call(fn, name, args or {}, where) end
    scopes[#scopes] = nil
    if out == nil then out = {} end
    if type(out) == "table" then cfg.module_of[out] = prefix end   -- for depends_on
    return out
  end
  function env.output(name, value, o)
    local where = errors.caller(2)
    if scope().prefix ~= "" then
      errors.raise(where, "output() is for the root stack; a module returns its outputs")
    end
    claim("output." .. tostring(name), where)
    if o ~= nil and type(o) ~= "table" then errors.raise(where, 'output "%s": the options are a table: { sensitive = true }', tostring(name)) end
    local unknown = o and schema.unknown_option(o, OUTPUT_OPTIONS, "option")
    if unknown then errors.raise(where, 'output "%s": %s', tostring(name), unknown) end
    cfg.outputs[name] = { value = value, where = where, sensitive = o and o.sensitive or false }
    cfg.output_order[#cfg.output_order + 1] = name
  end
  function env.var(name, spec)
    local where = errors.caller(2)
    spec = spec or {}
    if cfg.variables[name] then return cfg.variables[name].value end
    local t = variable.check_spec(name, spec, where)
    local raw, source = cli_vars[name], "-var"
    if raw == nil then raw, source = file_vars[name], cfg.var_file_of[name] end
    if raw == nil then raw, source = core.getenv("LUAFORM_VAR_" .. name), "LUAFORM_VAR_" .. name end
    local lenient = false
    local value = variable.value(name, spec, t, raw, source, where, function()
      if opts.lenient_vars then lenient = true; return nil end   -- only the backend is wanted
      errors.raise(where, 'no value for required variable "%s" (use -var %s=..., a -var-file or LUAFORM_VAR_%s)', name, name, name)
    end)
    if lenient then return deferred.UNKNOWN end
    if spec.sensitive then value = deferred.sensitive(value) end
    cfg.variables[name] = { value = value, where = where, sensitive = spec.sensitive }
    return value
  end
  function env.provider(name, config)
    local where = errors.caller(2)
    config = deferred.reveal(config or {})
    if config.alias ~= nil and not (type(config.alias) == "string" and config.alias:match("^[%a_][%w_%-]*$")) then
      errors.raise(where, 'provider "%s": alias must be a name (letters, digits, _ and -), got %s', name, tostring(config.alias))
    end
    local id = name .. (config.alias and ("." .. config.alias) or "")
    if cfg.providers[id] then
      errors.raise(where, 'provider "%s" is configured twice (first at %s)', id, cfg.providers[id].where)
    end
    cfg.providers[id] = { name = name, config = config, where = where }
  end
  function env.backend(type_name, config)
    local where = errors.caller(2)
    if cfg.backend then errors.raise(where, "backend is configured twice (first at %s)", cfg.backend.where) end
    local found, err = true, nil
    if type_name ~= "local" then found, err = pcall(require, "luaform.backends." .. tostring(type_name)) end
    if not found then
      if not tostring(err):find("module '[^']+' not found") then error(err, 0) end
      errors.raise(where, 'unsupported backend type "%s": there is no backend type named "%s" (local, s3)', tostring(type_name), tostring(type_name))
    end
    config = deferred.reveal(config or {})
    -- what init's -backend-config added (luaform.backend_init), unless init -reconfigure runs now
    if not opts.reconfigure then config = require("luaform.backend_init").with_init_settings(type_name, config) end
    cfg.backend = { type = type_name, config = config, where = where }
  end
  -- encryption{...}: the state's and plan files' encryption (checked
  -- when a store opens: luaform.encryption); kept beside the backend.
  function env.encryption(spec)
    local where = errors.caller(2)
    if cfg.encryption then errors.raise(where, "encryption is configured twice (first at %s)", cfg.encryption.where) end
    cfg.encryption = { spec = deferred.reveal(spec), where = where }
  end
  env.fmt = deferred.fmt
  env.json = deferred.json
  local functions = require("luaform.functions")
  for _, name in ipairs(functions.names) do env[name] = functions[name] end
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
  -- moved{ from = ADDR, to = ADDR } and removed{ from = ADDR, destroy = false }:
  -- addresses relative to the calling module (luaform.refactor applies them).
  local function refactor_block(kind, spec, keys)
    local where = errors.caller(3)
    if type(spec) ~= "table" then errors.raise(where, "%s expects a table: %s{ from = ... }", kind, kind) end
    for k in pairs(spec) do
      if not keys[k] then
        errors.raise(where, '%s: unsupported key "%s"%s', kind, tostring(k), schema.suggest(tostring(k), schema.sorted_keys(keys)))
      end
    end
    for k in pairs(keys) do
      if k ~= "destroy" and type(spec[k]) ~= "string" then
        errors.raise(where, '%s: "%s" must be an address as a string, such as "aws_vpc.main" or "module.net"', kind, k)
      end
    end
    local prefix = scope().prefix
    return { from = prefix .. spec.from, to = spec.to and prefix .. spec.to, destroy = spec.destroy, where = where }
  end
  function env.stack_outputs(spec) return require("luaform.stack_outputs").read(spec, errors.caller(2), cfg.encryption) end
  -- check{ name = "...", assert = { { condition = ..., error_message = "..." } } }
  function env.check(spec)
    local where = errors.caller(2)
    if type(spec) ~= "table" or type(spec.name) ~= "string" then
      errors.raise(where, 'check expects { name = "...", assert = { { condition = ..., error_message = "..." } } }')
    end
    for k in pairs(spec) do
      if k ~= "name" and k ~= "assert" then errors.raise(where, 'check "%s": unsupported key "%s" (name, assert)', spec.name, tostring(k)) end
    end
    local list = require("luaform.conditions").check_list(spec.assert, where, 'check "' .. spec.name .. '": assert')
    cfg.checks[#cfg.checks + 1] = { name = spec.name, assert = list, where = where }
  end
  function env.moved(spec)
    cfg.moved[#cfg.moved + 1] = refactor_block("moved", spec, { from = true, to = true })
  end
  function env.removed(spec)
    local r = refactor_block("removed", spec, { from = true, destroy = true })
    if r.destroy ~= false and r.destroy ~= true then
      errors.raise(r.where, 'removed: "destroy" must be true or false (false: forget the objects, keep them in AWS)')
    end
    cfg.removed[#cfg.removed + 1] = r
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
  strict.enter()
  local ok, e = pcall(chunk)
  strict.leave()
  for k in pairs(env) do _G[k] = saved[k] end
  if not ok then error(errors.wrap(e), 0) end
  if not opts.lenient_vars then check_undeclared(cfg, opts.vars or {}) end
  M.check(cfg)
  return cfg
end

-- What a type's schema says of secrets, the same for each of its resources
-- (schemas are fixed once loaded): the attributes it calls sensitive, the
-- computed attributes derived from another (tags_all from tags) in the
-- schema's pairs order, and the set of a resource whose arguments hold no
-- secret (shared, read-only).
local secrets_of = setmetatable({}, { __mode = "k" })
local function schema_secrets(sch)
  local s = secrets_of[sch]
  if s then return s end
  s = { sensitive = {}, derived = {} }
  for k, spec in pairs(sch) do
    if spec.sensitive then s.sensitive[#s.sensitive + 1] = k end
    if spec.derived_from then s.derived[#s.derived + 1] = k end
  end
  local set = {}
  for _, k in ipairs(s.sensitive) do set[k] = true end
  for _, k in ipairs(s.derived) do
    if set[sch[k].derived_from] then set[k] = true end
  end
  s.plain = next(set) and setmetatable(set, getmetatable(NONE)) or NONE
  secrets_of[sch] = s
  return s
end

-- Walks each node's arguments once, for its deps and its secrets: sets
-- node.deps (the addresses its arguments refer to; check() adds those of
-- its lifecycle) and node.sensitive (the set of attributes that are
-- secret: sensitive in the schema, or given a value derived from a secret,
-- and computed ones derived from those). args_of(node) does it for one
-- node (first for those a node refers to); attr_sensitive(addr, attr) says
-- whether an attribute is secret (for deferred.is_sensitive).
local function arguments(cfg)
  local visiting = {}
  local args_of
  local function attr_sensitive(addr, attr)
    local other = cfg.nodes[addr]
    return other ~= nil and args_of(other)[attr] == true
  end
  -- The walk of the argument at hand (deferred.each_ref): deps collects
  -- the addresses it refers to (nil until one), secret whether it derives
  -- from a secret: a sensitive() value, or a reference to a sensitive
  -- attribute, asked until the answer is yes, as deferred.is_sensitive does.
  local deps, secret
  local function on_ref(_, addr, ref)
    if addr == nil then secret = true; return end
    if deps == nil then deps = {} end
    deps[addr] = true
    if not secret then
      local attr = "id"   -- a resource handle stands for its id
      if ref then attr = ref.path[1] end
      secret = attr_sensitive(addr, attr)
    end
  end
  function args_of(node)
    if node.sensitive then return node.sensitive end
    if visiting[node] then return NONE end   -- a cycle; the planner reports it
    visiting[node] = true
    -- a reference to a node not walked yet walks it inside this walk,
    -- which goes on after it
    local outer_deps, outer_secret = deps, secret
    deps = nil
    local secrets = schema_secrets(node.provider.schema)
    local set = secrets.plain
    for k, v in pairs(node.args) do
      secret = false
      deferred.each_ref(v, on_ref)
      if secret then
        if set == secrets.plain then
          set = {}
          for _, s in ipairs(secrets.sensitive) do set[s] = true end
        end
        set[k] = true
      end
    end
    if set ~= secrets.plain then
      local sch = node.provider.schema
      for _, k in ipairs(secrets.derived) do
        if set[sch[k].derived_from] then set[k] = true end
      end
    end
    node.sensitive = set
    if deps then node.deps = deps end
    deps, secret = outer_deps, outer_secret
    visiting[node] = nil
    return set
  end
  return args_of, function(addr, attr)
    local node = cfg.nodes[addr]
    return node ~= nil and node.sensitive[attr] == true
  end
end

local CONDITION_KINDS = { "precondition", "postcondition" }

-- Checks a node's lifecycle table (the 4th of resource()) and records
-- what it names: node.depends_on (the addresses depends_on names; a data
-- source waits for their changes), node.triggers (replace_triggered_by),
-- and in node.deps what they and the conditions refer to.
local function check_lifecycle(cfg, node, conditions)
  local addr, lifecycle = node.addr, node.lifecycle
  local deps = node.deps == NONE and {} or node.deps
  local depends_on = lifecycle.depends_on
  local named = NONE
  if depends_on ~= nil then
    if type(depends_on) ~= "table" or deferred.is_handle(depends_on) then
      errors.raise(node.where, "%s: depends_on is a list: { a, b }", addr)
    end
    named = {}
    for _, d in ipairs(depends_on) do
      if deferred.is_handle(d) then
        deps[deferred.handle_address(d)] = true
        named[#named + 1] = deferred.handle_address(d)
      elseif cfg.module_of[d] then   -- a module: every resource in it
        local prefix = cfg.module_of[d]
        for _, other in ipairs(cfg.order) do
          if other:sub(1, #prefix) == prefix then
            deps[other] = true
            named[#named + 1] = other
          end
        end
      else
        errors.raise(node.where, "%s: depends_on lists resources and modules (the values resource() and module() return)", addr)
      end
    end
  end
  local triggers = lifecycle.replace_triggered_by
  local list = NONE
  if triggers ~= nil then
    list = {}
    for _, t in ipairs(type(triggers) == "table" and not deferred.is_handle(triggers) and triggers or NONE) do
      if deferred.is_handle(t) then list[#list + 1] = { addr = deferred.handle_address(t) }
      elseif deferred.is(t) and t.kind == "ref" then list[#list + 1] = { addr = t.addr, attr = t.path[1] }
      else triggers = false end
    end
    if triggers == false or type(triggers) ~= "table" or deferred.is_handle(triggers) then
      errors.raise(node.where, "%s: replace_triggered_by is a list of resources or their attributes: { r, r.id }", addr)
    end
    for _, t in ipairs(list) do deps[t.addr] = true end
  end
  for i = 1, #CONDITION_KINDS do
    local kind = CONDITION_KINDS[i]
    if lifecycle[kind] ~= nil then
      local conds = conditions.check_list(lifecycle[kind], node.where, addr .. ": " .. kind)
      for d in pairs(deferred.deps(conds)) do if d ~= addr then deps[d] = true end end
    end
  end
  if lifecycle.ignore_changes then
    for _, attr in ipairs(lifecycle.ignore_changes) do
      if not node.provider.schema[attr] then
        errors.raise(node.where, '%s: ignore_changes names "%s", which "%s" does not have%s', addr, attr,
          node.type, schema.suggest(attr, schema.export_names(node.provider)))
      end
    end
  end
  if named[1] then node.depends_on = named end
  if list[1] then node.triggers = list end
  if next(deps) then node.deps = deps end
end

-- Validates every node's arguments and lifecycle, and records its deps.
-- (Once per config: what it records on a node is not redone.)
function M.check(cfg)
  local conditions = require("luaform.conditions")
  for _, im in ipairs(cfg.imports) do
    local node = cfg.nodes[im.to]
    if not node or node.mode == "data" then
      errors.raise(im.where, 'import to "%s": no such resource in the stack', im.to)
    end
  end
  local args_of, attr_sensitive = arguments(cfg)
  local order = cfg.order
  for i = 1, #order do   -- (a plain list: no ipairs, a C call per step)
    local addr = order[i]
    local node = cfg.nodes[addr]
    local err = schema.check_block(node.provider.schema, node.args)
    if err then errors.raise(node.where, "%s %s: %s", node.mode == "data" and "data" or "resource", addr, err) end
    args_of(node)
    if node.lifecycle ~= NONE then check_lifecycle(cfg, node, conditions) end
  end
  require("luaform.provider_choice").check(cfg)
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
