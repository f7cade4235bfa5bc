-- luaform.apply: carry out a plan on the walker.
--
-- Each change becomes one or two operations: "apply" (create, update, or
-- read a data source) and "destroy" (delete, or the old half of a
-- replace). Operations are ordered like Terraform's: an apply waits for
-- the applies of what it refers to; a destroy waits for the destroys of
-- what depended on it (from the state's recorded dependencies); a replace
-- destroys first unless create_before_destroy (ch.create_before_destroy:
-- the planner extends the lifecycle flag to what such a resource depends
-- on, as Terraform does). Every operation saves the state when it ends,
-- and a create records its intent (a pending entry with its idempotency
-- token) before the provider is called, so a killed run never loses track
-- of an object it made. Progress goes to run.out's apply_start and
-- apply_complete (luaform.ui, or luaform.jsonview for -json).
local core = require("luaform.core")
local conditions = require("luaform.conditions")
local context = require("luaform.context")
local deferred = require("luaform.deferred")
local errors = require("luaform.errors")
local provider_choice = require("luaform.provider_choice")
local schema = require("luaform.schema")

local M = {}
local UNKNOWN = deferred.UNKNOWN

local function sorted_set(set)
  local out = {}
  for k in pairs(set or {}) do out[#out + 1] = k end
  table.sort(out)
  return out
end

-- Seconds between "Still creating..." lines (LUAFORM_PROGRESS_INTERVAL: for tests).
local PROGRESS_INTERVAL = tonumber(core.getenv("LUAFORM_PROGRESS_INTERVAL") or "") or 10
if PROGRESS_INTERVAL <= 0 then PROGRESS_INTERVAL = 10 end

-- Calls fn(...) and returns what it returns; while it runs, reports
-- Terraform's "ADDR: Still creating... [10s elapsed]" every interval.
local function with_progress(out, addr, action, t0, fn, ...)
  local ticker = core.every(PROGRESS_INTERVAL, function() out:apply_progress(addr, action, core.now() - t0) end)
  local res = table.pack(pcall(fn, ...))
  ticker:stop()
  if not res[1] then error(res[2], 0) end
  return table.unpack(res, 2, res.n)
end

-- Strips unknown values (arguments the user left to the provider).
local function known(v)
  if v == UNKNOWN then return nil end
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = known(x) end
  return setmetatable(out, getmetatable(v))
end

local function build_ops(plan)
  local ops, apply_op, destroy_op = {}, {}, {}
  local function add(kind, ch)
    ops[#ops + 1] = { kind = kind, ch = ch }
    return #ops
  end
  for _, ch in ipairs(plan.changes) do
    local a = ch.action
    if a == "create" or a == "update" or a == "read" or a == "replace" or (ch.data and a == "noop") then
      apply_op[ch.addr] = add("apply", ch)
    end
    if a == "delete" or a == "replace" or a == "forget" then destroy_op[ch.addr] = add("destroy", ch) end
  end
  local g = core.graph(#ops)
  for _, ch in ipairs(plan.changes) do
    local me_apply, me_destroy = apply_op[ch.addr], destroy_op[ch.addr]
    if me_apply and ch.node then
      for d in pairs(ch.node.deps) do
        if apply_op[d] then g:dep(me_apply, apply_op[d]) end
      end
    end
    for _, d in ipairs(ch.entry and ch.entry.dependencies or {}) do
      local dd = destroy_op[d]
      if dd and d ~= ch.addr then
        -- What I depended on is destroyed after I am destroyed, and (when
        -- it is not coming back first) after I stop referring to it.
        if me_destroy then g:dep(dd, me_destroy) end
        local dch = plan.by_addr[d]
        if me_apply and (dch.action == "delete" or dch.create_before_destroy) then g:dep(dd, me_apply) end
      end
    end
    if ch.action == "replace" then
      if ch.create_before_destroy then g:dep(me_destroy, me_apply) else g:dep(me_apply, me_destroy) end
    end
  end
  local order, cycle = g:order()
  if not order then
    local names = {}
    for _, i in ipairs(cycle) do names[#names + 1] = ops[i].kind .. " " .. ops[i].ch.addr end
    errors.raise(nil, "the plan's operations form a cycle: %s", table.concat(names, " -> "))
  end
  return ops, g
end

function M.apply(run, plan)
  local st, store, out = run.state, run.store, run.out
  local ops, g = build_ops(plan)
  local failures = {}

  local function lookup(addr)
    local ch = plan.by_addr[addr]
    if ch and ch.data and ch.action == "noop" then return ch.after end
    local e = st.resources[addr]
    return e and e.attributes or UNKNOWN
  end

  -- provider: the id of the configuration to use (luaform.provider_choice);
  -- the schema by mode (a data source's lives in providers/aws/data/).
  local function ctx_for(ch, provider, fields)
    local mod = schema.load(ch.type, ch.node and ch.node.mode or (ch.entry and ch.entry.mode))
    fields.address = ch.addr
    return context.new(run, provider, fields), mod
  end

  local function do_apply(ch)
    local node = ch.node
    local mod = node.provider
    local args = deferred.resolve(node.args, lookup, true)
    if deferred.contains_unknown(args) then
      errors.raise(node.where, "%s: an argument is still unknown at apply time", ch.addr)
    end
    conditions.preconditions(node, lookup, true)
    local desired = schema.normalize_block(mod.schema, args)
    local entry = st.resources[ch.addr]
    local base = {
      type = node.type, mode = node.mode, provider = provider_choice.of_node(node),
      module = node.module ~= "" and node.module or nil, schema_version = mod.schema_version or 0,
      dependencies = sorted_set(node.deps),
      -- so that show and state show hide them too
      sensitive_attributes = next(node.sensitive) and sorted_set(node.sensitive) or nil,
    }
    if node.mode == "data" then
      local attrs = ch.after
      if ch.action == "read" then
        attrs = mod.read(context.new(run, base.provider, { address = ch.addr, where = node.where }), desired)
      end
      base.attributes = attrs
      st.resources[ch.addr] = base
      store:save(ch.addr)
      if ch.action == "read" then conditions.postconditions(node, lookup, attrs, true) end
      return
    end
    local t0 = core.now()
    if entry and entry.attributes and ch.action == "update" then
      local ctx = ctx_for(ch, base.provider, {})
      out:apply_start(ch.addr, "update", entry.attributes.id)
      local after = require("luaform.plan").diff_after(run, node, entry.attributes, lookup)
      local planned = known(after)
      local attrs = with_progress(out, ch.addr, "update", t0,
        mod.update, ctx, entry.attributes.id, entry.attributes, planned)
      -- what the read that ends the update left out is what was just set
      attrs = schema.merge_read(mod.schema, planned, attrs)
      entry.attributes = attrs
      entry.dependencies = base.dependencies
      entry.sensitive_attributes = base.sensitive_attributes
      store:save(ch.addr)
      out:apply_complete(ch.addr, "update", attrs.id, core.now() - t0)
      conditions.postconditions(node, lookup, attrs, true)
      return
    end
    -- create (also the new half of a replace)
    local token = core.uuid()
    -- args: what was asked for, so recover() can look the object up by
    -- name when AWS cannot search by tag (IAM roles, queues, log groups).
    base.pending = { op = "create", token = token, since = core.time(), args = desired }
    base.deposed = entry and entry.deposed
    base.deposed_provider = entry and entry.deposed and provider_choice.of_deposed(entry)
    if entry and entry.attributes and ch.create_before_destroy then
      base.deposed, base.deposed_provider = entry.attributes, provider_choice.of_entry(entry)
    end
    if base.deposed_provider == base.provider then base.deposed_provider = nil end
    st.resources[ch.addr] = base
    store:save(ch.addr)
    out:apply_start(ch.addr, "create")
    local ctx = ctx_for(ch, base.provider, { token = token })
    local ok, attrs = pcall(with_progress, out, ch.addr, "create", t0, mod.create, ctx, desired)
    if not ok then
      local e = attrs
      -- An answered error means nothing was made - unless an earlier attempt
      -- of the call went unanswered (it may have made the object before its
      -- retries were throttled); otherwise keep the intent for the next
      -- refresh to settle, if the type can recover creates.
      local refused = type(e) == "table" and e.status and not e.unanswered_attempt
      if refused or not mod.recover then base.pending = nil end
      if not base.pending and not base.deposed then st.resources[ch.addr] = nil end
      store:save(ch.addr)
      error(e, 0)
    end
    base.attributes = schema.merge_read(mod.schema, desired, attrs)
    base.pending = nil
    -- when it was made: a refresh soon after waits for it to become visible
    base.private = { created_at = math.floor(core.time()) }
    store:save(ch.addr)
    out:apply_complete(ch.addr, "create", attrs.id, core.now() - t0)
    conditions.postconditions(node, lookup, base.attributes, true)
  end

  local function do_destroy(ch)
    local entry = st.resources[ch.addr]
    if not entry then return end
    if ch.action == "forget" or entry.mode == "data" then
      st.resources[ch.addr] = nil
      store:save(ch.addr)
      return
    end
    local cbd = ch.create_before_destroy
    local attrs = cbd and entry.deposed or entry.attributes
    if attrs then
      local t0 = core.now()
      -- through the configuration that made the object, as the state records it
      local provider = cbd and provider_choice.of_deposed(entry) or provider_choice.of_entry(entry)
      local ctx, mod = ctx_for(ch, provider, {})
      out:apply_start(ch.addr, "delete", attrs.id)
      with_progress(out, ch.addr, "delete", t0, mod.delete, ctx, attrs.id, attrs)
      out:apply_complete(ch.addr, "delete", nil, core.now() - t0)
    end
    if cbd then entry.deposed, entry.deposed_provider = nil, nil else st.resources[ch.addr] = nil end
    store:save(ch.addr)
  end

  local status = core.walk(g, {
    parallelism = run.opts.parallelism or 10,
    run = function(i)
      local op = ops[i]
      if op.kind == "apply" then do_apply(op.ch) else do_destroy(op.ch) end
    end,
    on_done = function(i, ok, err)
      if not ok then
        err = errors.wrap(err)
        failures[#failures + 1] = { addr = ops[i].ch.addr, err = err }
      end
    end,
    on_interrupt = function(count) out:interrupt_received(count) end,
  })

  M.update_outputs(run, plan)
  store:save()
  return status, failures
end

function M.update_outputs(run, plan)
  local st, cfg = run.state, run.cfg
  st.outputs = {}
  if plan.is_destroy or not cfg then return end
  for _, name in ipairs(cfg.output_order) do
    local o = cfg.outputs[name]
    local v = deferred.resolve(o.value, function(addr)
      local ch = plan.by_addr[addr]
      if ch and ch.data then return ch.after end
      local e = st.resources[addr]
      return e and e.attributes or UNKNOWN
    end, true)
    if v ~= nil and not deferred.contains_unknown(v) then
      st.outputs[name] = { value = v, sensitive = o.sensitive or nil }
    end
  end
end

return M
