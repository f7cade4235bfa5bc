-- luaform.plan: refresh, then diff the config against the state.
--
-- refresh() reads every resource of the state through the provider
-- configuration the state records for it (luaform.provider_choice): one
-- read_batch per type and configuration where the type has it, else one
-- read each, all in parallel on the walker; it settles pending creates left by an
-- interrupted run. A batch's ctx.recent names the ids created less than
-- RECENT_SECONDS ago, the only ones worth asking again when missing.
-- diff() walks the config in dependency order and decides per resource:
-- create, update (in place), replace (a force_new argument changed, or
-- the type cannot update), delete (in state, gone from the config), or
-- no-op (luaform.refactor: moved and removed blocks, replacements asked
-- for); data sources are read here when their arguments are known. The
-- values a resource will have after apply are "planned" so that
-- dependents can resolve references; what is not known until apply is
-- deferred.UNKNOWN. The root outputs are planned from them too
-- (plan.outputs) and compared with the state's (plan.output_changes):
-- a plan that changes only outputs still has something to apply.
local core = require("luaform.core")
local conditions = require("luaform.conditions")
local context = require("luaform.context")
local deferred = require("luaform.deferred")
local errors = require("luaform.errors")
local provider_choice = require("luaform.provider_choice")
local refactor = require("luaform.refactor")
local schema = require("luaform.schema")
local surgery = require("luaform.surgery")
local values = require("luaform.values")

local M = {}
local UNKNOWN = deferred.UNKNOWN

-- Runs the functions in jobs in parallel; raises with every error.
function M.run_jobs(run, jobs)
  if #jobs == 0 then return end
  local errs = {}
  local status = core.walk(core.graph(#jobs), {
    parallelism = run.opts.parallelism or 10,
    run = function(i) jobs[i]() end,
    on_done = function(_, ok, err) if not ok then errs[#errs + 1] = errors.wrap(err) end end,
    on_interrupt = function(count) if run.out then run.out:interrupt_received(count) end end,
  })
  if #errs > 0 then
    local msgs = {}
    for _, e in ipairs(errs) do msgs[#msgs + 1] = tostring(e) end
    errors.raise(nil, "%s", table.concat(msgs, "\nError: "))
  end
  if status ~= "ok" then errors.raise(nil, "interrupted") end
end

-- run.refreshed: the addresses whose state entry the refresh changed
-- (a save is due even when the plan has nothing to do, and a saved plan
-- carries them; luaform.planfile notes the ones it restores).
function M.note_refreshed(run, addr)
  run.refreshed = run.refreshed or {}
  run.refreshed[addr] = true
end
local note_refreshed = M.note_refreshed

-- A drift record: what ("changed" or "deleted"), the entry (its type and
-- sensitive_attributes), the attributes in state before the refresh and
-- those it found (nil: deleted), for the plan's report.
local function note_drift(run, addr, entry, what, found)
  run.drift = run.drift or {}
  run.drift[#run.drift + 1] = { addr = addr, what = what, type = entry.type, entry = entry,
                                before = entry.attributes, after = found }
end

local function settle(run, addr, entry, attrs)
  -- the read returned the entry's own attributes: nothing changed (the
  -- merge below would only copy them)
  if attrs ~= nil and attrs == entry.attributes then return end
  local st = run.state
  local mod = schema.load(entry.type, entry.mode)
  attrs = schema.merge_read(mod and mod.schema or {}, entry.attributes, attrs)
  if attrs == nil then
    if entry.attributes then note_drift(run, addr, entry, "deleted") end
    st.resources[addr] = nil
    note_refreshed(run, addr)
    return
  end
  if not values.deep_equal(attrs, entry.attributes) then note_refreshed(run, addr) end
  for k, spec in pairs(mod and mod.schema or {}) do
    if entry.attributes and not values.equal(spec, attrs[k], entry.attributes[k]) then
      note_drift(run, addr, entry, "changed", attrs)
      break
    end
  end
  entry.attributes = attrs
end

-- A create left pending by an interrupted run: the type's recover adopts
-- the object (made when that create was sent) or finds none.
local function settle_pending(run, addr, entry, mod, ctx)
  local pending, attrs = entry.pending, nil
  if mod.recover then attrs = schema.merge_read(mod.schema, pending.args, mod.recover(ctx, pending, entry.attributes)) end
  entry.pending = nil
  note_refreshed(run, addr)
  if attrs then
    entry.attributes = attrs
    local since = tonumber(pending.since)
    if since then entry.private = { created_at = math.floor(since) } end
  elseif not entry.attributes then
    run.state.resources[addr] = nil
  end
end

-- An object created this recently may not be visible to a Describe yet
-- (eventual consistency): a batch read asks again only for such ids.
M.RECENT_SECONDS = 60

-- Was entry's object created (by apply, which records the time in
-- entry.private.created_at) less than RECENT_SECONDS ago?
local function recently_created(entry, now)
  local t = entry.private and tonumber(entry.private.created_at)
  return t ~= nil and now - t < M.RECENT_SECONDS
end

function M.refresh(run)
  local st, jobs, batches = run.state, {}, {}
  local now = core.time()
  for _, addr in ipairs(require("luaform.state").addresses(st)) do
    local entry = st.resources[addr]
    local mod, err = schema.load(entry.type, entry.mode)
    if not mod then errors.raise(nil, "state: %s: %s", addr, err) end
    local provider = provider_choice.of_entry(entry)
    provider_choice.config(run.cfg, provider, addr)   -- raises for an undeclared configuration
    if entry.pending then
      local ctx = context.new(run, provider, { address = addr })
      jobs[#jobs + 1] = function() settle_pending(run, addr, entry, mod, ctx) end
    elseif entry.mode ~= "data" and entry.attributes then
      local id = entry.attributes.id
      if mod.read_batch then
        -- one batch per type and provider configuration (region)
        local key = entry.type .. " " .. provider
        local b = batches[key]
        if not b then
          local ctx = context.new(run, provider, { address = addr })
          b = { mod = mod, ctx = ctx, ids = {}, entries = {} }
          ctx.recent = {}
          batches[key] = b
          jobs[#jobs + 1] = function()
            local found = mod.read_batch(b.ctx, b.ids, b.entries)
            for i, e in ipairs(b.entries) do settle(run, e.addr, e.entry, found[b.ids[i]]) end
          end
        end
        b.ids[#b.ids + 1] = id
        b.entries[#b.entries + 1] = { addr = addr, entry = entry }
        if recently_created(entry, now) then b.ctx.recent[id] = true end
      else
        local ctx = context.new(run, provider, { address = addr })
        jobs[#jobs + 1] = function() settle(run, addr, entry, mod.read(ctx, id, entry.attributes)) end
      end
    end
  end
  M.run_jobs(run, jobs)
end

-- Attributes a new object will have: the arguments, the rest unknown.
local function new_object(sch, desired)
  local after = {}
  for k, spec in pairs(sch) do
    local v = desired[k]
    if v == nil and spec.computed then v = UNKNOWN end
    after[k] = v
  end
  after.id = UNKNOWN
  return after
end

-- Computed attributes a type can predict from the arguments (a type's
-- optional plan_computed(ctx, desired, prior) -> {attr = value}, e.g.
-- tags_all from tags and the provider's default_tags): they join the
-- plan, and a difference from the prior value is an in-place update.
-- desired may hold UNKNOWN values; so may what the hook returns.
local NONE = setmetatable({}, { __newindex = function() error("NONE is read-only", 2) end })

local function predicted(run, node, desired, prior)
  local mod = node.provider
  if not mod.plan_computed then return NONE end
  local ctx = context.new(run, provider_choice.of_node(node), { address = node.addr })
  return mod.plan_computed(ctx, desired, prior) or {}
end

-- Does changing attribute spec from old to new need a new object? A
-- force_new function also sees the prior object's attributes and the
-- desired arguments (another argument may say which changes need one).
local function forces_new(spec, old, new, prior, desired)
  if type(spec.force_new) == "function" then return spec.force_new(old, new, prior, desired) == true end
  return spec.force_new == true
end

-- entry (the state's, when there is one) says which provider
-- configuration made the prior object: another one than the config's
-- now means a new object there (ch.moved = {from, to}).
-- force: replace even if an update would do (luaform.refactor.replace_reason).
local function diff_resource(run, node, prior, lookup, entry, force)
  local mod, sch = node.provider, node.provider.schema
  local desired = schema.normalize_block(sch, node.args, lookup)
  if not prior then
    local after = new_object(sch, desired)
    for k, v in pairs(predicted(run, node, desired, nil)) do after[k] = v end
    return { action = "create", after = after }
  end
  local ignore = NONE
  if node.lifecycle.ignore_changes then
    ignore = {}
    for _, k in ipairs(node.lifecycle.ignore_changes) do ignore[k] = true end
  end
  -- changed and forces are made at their first entry: most resources of
  -- a plan have none
  local after, changed, forces = {}, nil, nil
  for k, spec in pairs(sch) do
    local old = prior[k]
    local settable = spec.required or spec.optional
    local want = desired[k]
    if not settable or ignore[k] or (want == nil and spec.computed)
        or (spec.suppress_diff and spec.suppress_diff(desired, prior)) then
      want = old
    end
    -- an equal value keeps the state's form ("" for nil, AWS's JSON), so
    -- an update for another attribute never sends it
    local same = want == old or values.equal(spec, want, old)
    if same then want = old end
    after[k] = want
    if settable and not same then
      changed = changed or {}
      changed[k] = true
      if forces_new(spec, old, want, prior, desired) or not mod.update then
        forces = forces or {}
        forces[k] = true
      end
    end
  end
  for k, v in pairs(predicted(run, node, desired, prior)) do
    if not ignore[k] then
      after[k] = v
      if not values.equal(sch[k], v, prior[k]) then
        changed = changed or {}
        changed[k] = true
      end
    end
  end
  after.id = prior.id
  local from, to = entry and provider_choice.of_entry(entry), provider_choice.of_node(node)
  local moved = from and from ~= to and { from = from, to = to } or nil
  if forces or moved or force then
    local fresh = new_object(sch, desired)
    for k in pairs(sch) do if ignore[k] then fresh[k] = prior[k] end end
    return { action = "replace", after = fresh, changed = changed or {}, forces = forces or {}, moved = moved }
  elseif changed then
    -- Attributes the provider recomputes on every update (id included).
    for k, spec in pairs(sch) do if spec.computed_on_update then after[k] = UNKNOWN end end
    return { action = "update", after = after, changed = changed }
  end
  return { action = "noop", after = after }
end

-- The attributes an in-place update should leave (used at apply time,
-- when every reference is known).
function M.diff_after(run, node, prior, lookup)
  return diff_resource(run, node, prior, lookup).after
end

-- Adds every dependency of addr (transitively) to set.
local function with_deps(cfg, addr, set)
  if set[addr] then return end
  set[addr] = true
  local node = cfg.nodes[addr]
  for d in pairs(node and node.deps or {}) do with_deps(cfg, d, set) end
end

local function matches(target, addr)
  return addr == target or addr:sub(1, #target + 1) == target .. "."
    or addr:sub(1, #target + 1) == target .. "["
end

-- The config's nodes in dependency order, or an error naming the cycle.
function M.order(cfg)
  local g = core.graph(#cfg.order)
  for i, addr in ipairs(cfg.order) do
    for d in pairs(cfg.nodes[addr].deps) do g:dep(i, cfg.nodes[d].index) end
  end
  local order, cycle = g:order()
  if not order then
    local parts = {}
    for _, i in ipairs(cycle) do
      local n = cfg.nodes[cfg.order[i]]
      parts[#parts + 1] = n.addr .. " (" .. n.where .. ")"
    end
    local first = cfg.nodes[cfg.order[cycle[1]]]
    parts[#parts + 1] = first.addr
    errors.raise(first.where, "dependency cycle: %s", table.concat(parts, " -> "))
  end
  return order, g
end

-- Sets ch.create_before_destroy on the replacements that create the new
-- object first: those of resources with lifecycle.create_before_destroy,
-- and, as in Terraform, those of everything such a resource depends on
-- (transitively). Otherwise the dependency's old object would have to go
-- before its replacement exists, while the resource's new object needs
-- that replacement and its old object needs the old dependency: a cycle.
local function mark_create_before_destroy(cfg, changes)
  local forced = {}
  for _, addr in ipairs(cfg.order) do
    if cfg.nodes[addr].lifecycle.create_before_destroy then with_deps(cfg, addr, forced) end
  end
  for _, ch in ipairs(changes) do
    ch.create_before_destroy = ch.action == "replace" and forced[ch.addr] or nil
  end
end

-- plan.outputs: each root output's value after apply (unknown parts
-- UNKNOWN; none in a destroy). plan.output_changes: per output in the
-- config or the state, by name, {name, action (create, update, delete or
-- noop), before (the state's value), after, sensitive}, as apply's
-- update_outputs will save them (a nil value is not saved).
local function plan_outputs(cfg, st, plan)
  local planned, list, names = {}, {}, {}
  if not plan.is_destroy then
    for _, name in ipairs(cfg.output_order) do
      names[name] = true
      planned[name] = deferred.resolve(cfg.outputs[name].value, function(addr)
        local ch = plan.by_addr[addr]
        return ch and ch.after or UNKNOWN
      end)
    end
  end
  for name in pairs(st.outputs) do names[name] = true end
  for _, name in ipairs(schema.sorted_keys(names)) do
    local old, o = st.outputs[name], not plan.is_destroy and cfg.outputs[name] or nil
    local before, after = old and old.value, planned[name]
    local sensitive = (o and o.sensitive or false) or (old and old.sensitive or false)
    local action = "noop"
    if after == nil then
      if before ~= nil then action = "delete" end
    elseif before == nil then action = "create"
    elseif deferred.contains_unknown(after) or not values.deep_equal(before, after)
      or (old.sensitive or false) ~= (o.sensitive or false) then
      action = "update"
    end
    list[#list + 1] = { name = name, action = action, before = before, after = after, sensitive = sensitive }
  end
  plan.outputs, plan.output_changes = planned, list
end

function M.diff(run)
  local cfg, st, opts = run.cfg, run.state, run.opts
  local order = M.order(cfg)
  local planned, changes, by_addr = {}, {}, {}
  local function lookup(addr) return planned[addr] or UNKNOWN end
  local targeted
  if opts.targets and #opts.targets > 0 then
    targeted = {}
    for _, addr in ipairs(cfg.order) do
      for _, t in ipairs(opts.targets) do
        if matches(t, addr) then with_deps(cfg, addr, targeted) end
      end
    end
  end

  for _, i in ipairs(order) do
    local node = cfg.nodes[cfg.order[i]]
    local entry = st.resources[node.addr]
    local prior = entry and entry.attributes
    local ch
    if node.mode == "data" and opts.destroy then
      -- as Terraform: a destroy leaves no data source in the state either
      ch = { action = entry and "forget" or "noop", after = nil }
    elseif node.mode == "data" then
      local args = deferred.resolve(node.args, lookup)
      -- as Terraform: read at apply when an argument is unknown, or when something
      -- depends_on names has a change (the read must see it)
      local waits = false
      for _, d in ipairs(node.depends_on or {}) do
        if by_addr[d] and by_addr[d].action ~= "noop" then waits = true end
      end
      if waits or deferred.contains_unknown(args) then
        ch = { action = "read", after = new_object(node.provider.schema, {}) }
      else
        local ctx = context.new(run, provider_choice.of_node(node), { address = node.addr, where = node.where })
        local attrs = node.provider.read(ctx, schema.normalize_block(node.provider.schema, args))
        ch = { action = "noop", after = attrs, data = true }
      end
    elseif opts.destroy then
      ch = { action = prior and "delete" or "noop", after = nil }
    elseif targeted and not targeted[node.addr] then
      ch = { action = "noop", after = prior or new_object(node.provider.schema, {}), excluded = true }
    else
      local reason = refactor.replace_reason(run, node, entry, by_addr)
      ch = diff_resource(run, node, prior, lookup, entry, reason ~= nil)
      ch.reason = reason
    end
    if not opts.destroy and not ch.excluded then
      conditions.preconditions(node, lookup)
      if ch.action == "noop" then conditions.postconditions(node, lookup, ch.after) end
    end
    ch.addr, ch.node, ch.type, ch.before, ch.entry = node.addr, node, node.type, prior, entry
    ch.mode = node.mode
    if (ch.action == "replace" or ch.action == "delete") and node.lifecycle.prevent_destroy then
      errors.raise(node.where, "%s has lifecycle.prevent_destroy set, but the plan would destroy it", node.addr)
    end
    planned[node.addr] = ch.after
    changes[#changes + 1] = ch
    by_addr[node.addr] = ch
  end

  -- As Terraform: every object in the state needs the provider
  -- configuration that made it (to be read, and destroyed), declared.
  -- (checked once per configuration, for its first address in order: the
  -- error names the address a sorted walk of the state would find first)
  local gone, forgotten, first_user = {}, refactor.forgotten(cfg), {}
  for addr, entry in pairs(st.resources) do
    if entry.mode ~= "data" then
      local id = provider_choice.of_entry(entry)
      if not first_user[id] or addr < first_user[id] then first_user[id] = addr end
    end
    if not cfg.nodes[addr] then gone[#gone + 1] = addr end
  end
  local ids = {}
  for id in pairs(first_user) do ids[#ids + 1] = id end
  table.sort(ids, function(a, b) return first_user[a] < first_user[b] end)   -- (first addresses differ)
  for _, id in ipairs(ids) do provider_choice.config(cfg, id, first_user[id]) end
  table.sort(gone)
  for _, addr in ipairs(gone) do
    local entry = st.resources[addr]
    local wanted = not targeted
    for _, t in ipairs(opts.targets or {}) do if matches(t, addr) then wanted = true end end
    if wanted then
      local ch = { addr = addr, action = entry.mode == "data" and "forget" or "delete",
        type = entry.type, mode = entry.mode, before = entry.attributes, entry = entry }
      for _, f in ipairs(forgotten) do
        if surgery.matches(f, addr) then ch.action, ch.removed = "forget", true end
      end
      changes[#changes + 1] = ch
      by_addr[addr] = ch
    end
  end

  if opts.destroy and targeted then
    -- Destroying a target destroys what depends on it, not what it needs.
    local keep = {}
    for _, ch in ipairs(changes) do
      for _, t in ipairs(opts.targets) do if matches(t, ch.addr) then keep[ch.addr] = true end end
    end
    local grew = true
    while grew do
      grew = false
      for _, ch in ipairs(changes) do
        if not keep[ch.addr] then
          for _, d in ipairs(ch.entry and ch.entry.dependencies or {}) do
            if keep[d] then keep[ch.addr] = true; grew = true; break end
          end
        end
      end
    end
    for _, ch in ipairs(changes) do if not keep[ch.addr] then ch.action = "noop" end end
  end

  mark_create_before_destroy(cfg, changes)
  local plan = { changes = changes, by_addr = by_addr, lineage = st.lineage, serial = st.serial,
                 is_destroy = opts.destroy or false, drift = run.drift or {}, imports = run.imports or {},
                 moves = run.moves or {} }
  plan_outputs(cfg, st, plan)
  M.count(plan)
  return plan
end

function M.count(plan)
  local add, change, destroy, forget = 0, 0, 0, 0
  for _, ch in ipairs(plan.changes) do
    if ch.removed then forget = forget + 1
    elseif ch.action == "create" then add = add + 1
    elseif ch.action == "update" then change = change + 1
    elseif ch.action == "replace" then add = add + 1; destroy = destroy + 1
    elseif ch.action == "delete" then destroy = destroy + 1 end
  end
  local imported = 0
  for _ in pairs(plan.imports or {}) do imported = imported + 1 end
  plan.add, plan.change, plan.destroy, plan.import = add, change, destroy, imported
  plan.forget = forget
  plan.has_changes = add + change + destroy + imported + forget + #(plan.moves or {}) > 0
  plan.outputs_changed = false
  for _, oc in ipairs(plan.output_changes or {}) do
    if oc.action ~= "noop" then plan.outputs_changed = true end
  end
  return plan
end

return M
