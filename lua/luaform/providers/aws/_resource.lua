-- aws._resource: builds an AWS resource type from its declaration
-- (provider contract v2, DESIGN.md "Providers"; README "Writing a
-- resource type").
--
-- A declaration names each field once and says how AWS carries it:
--   fields.x = { type=, required|optional|computed=, default=, force_new=,
--     sensitive=, description=, equal=, block=, max_items=, elem=,
--     wire = "path.in.read.object"     where a read finds it (and the
--                                      create sends it, unless input=)
--     input = "path" | false           its member in the create call
--     attribute = "Name"               in the type's attributes map (SQS, SNS)
--     create_default = true            the create sends it at its default too
--                                      (AWS's own default may differ)
--     from_attributes = fn(map) -> v, to_attributes = fn(v, updating) ->
--       {Name = value}                 a value kept in several attributes
--                                      (aws_lb's access_logs block)
--     set = "Op" | fn(ctx, c, id, value, ch)   how a change is applied
--                                      (ch: { old=, new=, opts= call options,
--                                      create = true right after the create })
--     unset = "Op"                     how a change to nil or the default is
--     keep = true                      luaform's own setting, never sent
--     group = true                     set with the other fields of its set op
--                                      in one call (ModifyListener)
--     applies = fn(a)                  an attribute only some objects have
--                                      (on the others it keeps its prior
--                                      value, is never sent and never
--                                      differs: Terraform's diff suppression)
--     from_wire = fn(v, obj, prior), to_wire = fn(v, args)   irregular values
--     to_params = fn(params, v, args)  a value spread over several members }
-- A settable field with no set/attribute/keep forces a new object.
-- The rest:
--   service, description, identity (member naming the object in calls),
--   id (path of the id in the read object, or fn(obj))
--   attributes = { read= (member of the read object) | fetch = fn(ctx, c, obj,
--     opts) -> map (a call of its own), create= (member of the create call;
--     none: set right after it), set = { op=, member=, form = "list" (Key,
--     Value pairs) } | { op=, name=, value= } (one call per attribute) }
--   create = { op=, result= (path of the object in the answer, or
--     fn(answer, args, params) -> object), id= (path of the id in the answer,
--     or fn(answer, args)), token = member (the create's idempotency token: the
--     transport may re-send), idempotent = true (AWS dedups by name),
--     retry_codes = { answered codes meaning "a dependency is not visible
--     yet" }, exists = { codes meaning "made by our own lost send" },
--     wait_codes, wait_seconds (a state AWS must leave first: SQS's 60 s
--     after a delete of the name), waiter = { name, param } (ready),
--     read_back = true (read the object again: the answer is not what a
--     read sees), params = fn(ctx, args, params), after = fn(ctx, c, id,
--     args, opts) (calls the create needs besides its fields' sets) }
--   read = { op=, result=, params = fn(id) } | fn(ctx, id) -> object|nil
--   read_many = { op=, filter=, member= ("Filters"), result= (unpaginated) }
--             | { op=, ids= (member), chunk=, params= (more members),
--                 fallback = fn(ctx, c, priors) -> the candidates, when a
--                 missing id fails the call (else: one by one) }
--             | fn(ctx, ids, priors) -> {id = object}
--   read_extra = fn(ctx, c, obj, prior, opts) -> {field = value}: per-object
--     reads the main one lacks
--   gone = fn(obj): an object that exists but counts as deleted
--   find = fn(ctx, args, token) -> object|nil: by name (its token tag proves it
--     ours); default: by the id find_id(args) gives (else args.name), or
--     EC2's token filter
--   not_found = { codes }: gone; not_visible = { codes }: handed to the
--     transport as retry_codes on the calls that follow a create
--   delete = { op=, params = fn(id, attrs), skip = field, busy = { codes },
--     before = fn(ctx, c, id, attrs), waiter = { name, param } }
--   (a waiter may say params = fn(id, attrs) instead of param, and seconds=)
--   group_params = { [op] = fn(params, id, new) }: members a grouped set
--     op's call sends besides the changed fields' (ECS: the cluster)
--   tags = an aws._tags style (read_many: tags of many objects at once)
--   adjust = fn(ctx, out, obj, prior): a read AWS reports irregularly
--   after_write = fn(ctx, id): forget what a read memoized
-- Any operation of the result may be replaced by the type's own function
-- where AWS is irregular (an escape hatch, not the norm).
-- Data sources of a declared type (aws._lookup) use T.declared, T.list,
-- T.find_object and T.attributes_of; M.data builds the other data sources.
-- From it: schema, read, read_batch, create (intent journal, token tag),
-- update (the calls the changed fields need), delete (gone = done),
-- import, recover, plan_computed (tags_all). Retries are the transport's.
local common = require("luaform.providers.aws._common")
local tagging = require("luaform.providers.aws._tags")
local wire = require("luaform.providers.aws._wire")
local values = require("luaform.values")
local core = require("luaform.core")

local M = {}

-- The key under which attributes.fetch's map and the create's attribute
-- map travel (never a field name).
local ATTRS = {}

-- Keys of a field that say how AWS carries it, not the schema's.
local WIRE_KEYS = { input = true, attribute = true, set = true, unset = true, keep = true,
  create_default = true, group = true, applies = true, from_wire = true, to_wire = true, to_params = true,
  from_attributes = true, to_attributes = true }

local function list_of(codes)
  local set = {}
  for _, c in ipairs(codes or {}) do set[c] = true end
  return set
end

local function code_of(err)
  local c = common.code(err)
  return c and c:gsub("^.*#", "") or nil
end

local function settable(f) return f.required or f.optional end

-- Is field f kept in the type's attributes map?
local function in_attributes(f) return f.attribute ~= nil or f.to_attributes ~= nil end

-- The attributes map entries of field f's value v.
local function attribute_entries(f, v, updating)
  if f.to_attributes then return f.to_attributes(v, updating) end
  return { [f.attribute] = wire.attribute(f, v) or "" }
end

-- The schema in luaform.schema's format (description and wire kept); a
-- resource's settable field with no way to change it forces a new object.
local function schema_of(fields, data)
  local out = {}
  for k, f in pairs(fields) do
    local s = {}
    for key, v in pairs(f) do if not WIRE_KEYS[key] then s[key] = v end end
    if f.applies then s.suppress_diff = function(desired) return not f.applies(desired) end end
    if not data and settable(f) and not (f.set or in_attributes(f) or f.keep or f.force_new ~= nil) and k ~= "tags" then
      s.force_new = true
    end
    out[k] = s
  end
  return out
end

-- send(), waiting out codes (a state AWS must leave) for at most seconds.
local function wait_ready(ctx, codes, seconds, send)
  local deadline = core.now() + (seconds or 0)
  while true do
    local ok, res = pcall(send)
    if ok then return res end
    if not codes[code_of(res) or ""] or core.now() >= deadline then error(res, 0) end
    ctx:log("%s, waiting", common.message(res))
    ctx:sleep(2)
  end
end

function M.define(d)
  local T = { description = d.description }
  local fields = d.fields
  if d.tags then tagging.schema(fields) end
  T.schema = schema_of(fields)
  T.declared = d   -- what aws._lookup derives a data source's schema from
  local not_found = list_of(d.not_found)
  local retry = d.not_visible and { retry_codes = d.not_visible } or nil
  local cr = d.create

  local function client(ctx) return ctx:client(d.service) end
  local put_field
  local function gone(err)
    local c = code_of(err)
    return c ~= nil and (not_found[c] or common.is_not_found(err))
  end
  local function named(id) return d.identity and { [d.identity] = id } or {} end
  -- Does attribute field f apply to an object with attributes a?
  local function applies(f, a) return not f.applies or f.applies(a) end
  local function id_of(obj)
    if type(d.id) == "function" then return d.id(obj) end
    return d.id and wire.get(obj, d.id) or nil
  end

  -- Attributes of an object read from AWS.
  local function attributes(ctx, obj, aws_tags, prior, id, extra)
    prior = prior or {}
    local out = { id = id_of(obj) or id }
    extra = extra or {}
    local amap = d.attributes and (extra[ATTRS] or wire.get(obj, d.attributes.read or "")) or {}
    for k, f in pairs(fields) do
      if f.keep then
        out[k] = prior[k]
        if out[k] == nil then out[k] = f.default end
      elseif not in_attributes(f) and (f.wire or f.from_wire) then
        out[k] = wire.read(f, f.wire and wire.get(obj, f.wire), prior[k], obj)
      end
    end
    for k, f in pairs(fields) do   -- after the others: applies() may look at them
      if in_attributes(f) then
        if not applies(f, out) then out[k] = prior[k]
        elseif f.from_attributes then out[k] = f.from_attributes(amap)
        else out[k] = wire.read(f, amap[f.attribute], prior[k], obj) end
      end
    end
    for k, v in pairs(extra) do if k ~= ATTRS then out[k] = v end end
    if d.tags then out.tags, out.tags_all = tagging.split(ctx, aws_tags, prior.tags) end
    if d.adjust then d.adjust(ctx, out, obj, prior) end
    return common.finish(T, out)
  end

  -- The object's tags: in the object, or one call.
  local function tags_of(ctx, obj, a)
    if not d.tags then return {} end
    if d.tags.from_object then return d.tags.from_object(obj) end
    return d.tags.read(ctx, client(ctx), a.id, a)
  end

  -- Per-object reads the object lacks: read_extra, attributes.fetch.
  local function extra_of(ctx, c, obj, prior, opts)
    local extra = d.read_extra and d.read_extra(ctx, c, obj, prior or {}, opts) or {}
    if d.attributes and d.attributes.fetch then extra[ATTRS] = d.attributes.fetch(ctx, c, obj, opts) end
    return extra
  end

  -- Attributes with the tags and per-object reads the object lacks (the
  -- tags given, when a batch read them).
  local function complete(ctx, obj, id, prior, aws_tags)
    local extra = extra_of(ctx, client(ctx), obj, prior)
    if aws_tags or not d.tags then return attributes(ctx, obj, aws_tags or {}, prior, id, extra) end
    local a = attributes(ctx, obj, {}, prior, id, extra)
    return attributes(ctx, obj, tags_of(ctx, obj, a), prior, id, extra)
  end

  -- One object by id, or nil.
  local function read_object(ctx, id, prior)
    if type(d.read) == "function" then return d.read(ctx, id) end
    if not d.read then return (T.describe(ctx, { id }, { prior }))[id] end
    local c = client(ctx)
    local ok, out = pcall(c[d.read.op], c, d.read.params and d.read.params(id) or named(id))
    if not ok then
      if gone(out) then return nil end
      error(out, 0)
    end
    local obj = out
    if d.read.result then obj = wire.get(out, d.read.result) end
    if obj and d.gone and d.gone(obj) then return nil end
    return obj
  end
  T.read_object = read_object

  -- Objects of a filtered (EC2) or unpaginated list call.
  local function list(c, rm, params)
    if rm.result then return c[rm.op](c, params)[rm.result] or {} end
    return c:collect(rm.op, params)
  end

  -- For data sources (aws._lookup): the objects read_many's call lists
  -- with params (and read_many.params), none when AWS answers "not found".
  function T.list(ctx, params)
    local rm = d.read_many
    local p = {}
    for k, v in pairs(rm.params or {}) do p[k] = v end
    for k, v in pairs(params) do p[k] = v end
    local ok, objs = pcall(list, client(ctx), rm, p)
    if not ok then
      if gone(objs) then return {} end
      error(objs, 0)
    end
    local out = {}
    for _, o in ipairs(objs) do if not (d.gone and d.gone(o)) then out[#out + 1] = o end end
    return out
  end

  -- {id = object} of ids, asked in as few calls as the API allows.
  function T.describe(ctx, ids, priors)
    local rm = d.read_many
    if type(rm) == "function" then return rm(ctx, ids, priors or {}) end
    local c, found = client(ctx), {}
    local function keep(o)
      if not (d.gone and d.gone(o)) then found[id_of(o)] = o end
    end
    if rm.filter then
      for _, chunk in ipairs(common.chunks(ids, 200)) do
        for _, o in ipairs(list(c, rm, { [rm.member or "Filters"] = { { Name = rm.filter, Values = chunk } } })) do
          keep(o)
        end
      end
      return found
    end
    -- One missing id fails the whole call: the others are then listed
    -- another way (fallback), or asked for one by one.
    local function ask(chunk)
      local params = { [rm.ids] = chunk }
      for k, v in pairs(rm.params or {}) do params[k] = v end
      local ok, objs = pcall(list, c, rm, params)
      if ok then
        for _, o in ipairs(objs) do keep(o) end
      elseif not gone(objs) then
        error(objs, 0)
      elseif rm.fallback then
        local asked = {}
        for _, id in ipairs(chunk) do asked[id] = true end
        for _, o in ipairs(rm.fallback(ctx, c, priors or {})) do if asked[id_of(o)] then keep(o) end end
      elseif #chunk > 1 then
        for _, one in ipairs(chunk) do ask({ one }) end
      end
    end
    for _, chunk in ipairs(common.chunks(ids, rm.chunk or 100)) do ask(chunk) end
    return found
  end

  function T.read(ctx, id, prior)
    local obj = read_object(ctx, id, prior)
    if obj == nil then return nil end
    return complete(ctx, obj, id, prior)
  end

  -- For data sources (aws._lookup): an object's attributes as a read of
  -- it gives them (its tags, its per-object reads).
  function T.attributes_of(ctx, obj) return complete(ctx, obj, nil, nil) end

  if d.read_many then
    function T.read_batch(ctx, ids, entries)
      local prior_of = {}
      for i, e in ipairs(entries) do prior_of[ids[i]] = e.entry.attributes end
      -- a second look asks only the missing ids: their priors in their order
      local found = common.batch(ctx, ids, function(want)
        local priors = {}
        for i, id in ipairs(want) do priors[i] = prior_of[id] end
        return T.describe(ctx, want, priors)
      end)
      local tags = {}
      if d.tags and d.tags.read_many then
        local have = {}
        for _, id in ipairs(ids) do if found[id] then have[#have + 1] = id end end
        tags = d.tags.read_many(ctx, client(ctx), have)
      end
      local out = {}
      for i, id in ipairs(ids) do
        if found[id] then out[id] = complete(ctx, found[id], id, entries[i].entry.attributes, tags[id]) end
      end
      return out
    end
  end

  -- Polls (bounded) until a just-written object reads back.
  local function read_back(ctx, id, prior)
    local seconds = d.visible_seconds or 60
    local a = common.poll(ctx, function() return T.read(ctx, id, prior) end, seconds, 1)
    if not a then error(string.format("%s %s is not visible after %d s", d.service, id, seconds), 0) end
    return a
  end

  -- The object a create with this token made, or nil.
  -- The object args name (by find, else by the id find_id(args) gives,
  -- else args.name), or nil; also what data sources look up by name.
  local function find_named(ctx, args, token)
    if d.find then return d.find(ctx, args, token) end
    local id = d.find_id and d.find_id(args) or args.name
    if id == nil then return nil end
    return read_object(ctx, id, args)
  end
  T.find_object = find_named

  local function find_mine(ctx, args, token)
    if d.tags and d.tags.token_filter then
      local rm = d.read_many
      for _, o in ipairs(list(client(ctx), rm, { [rm.member or "Filters"] = d.tags.token_filter(token) })) do
        if not (d.gone and d.gone(o)) then return o end
      end
      return nil
    end
    local obj = find_named(ctx, args, token)
    if not obj then return nil end
    if not d.tags then return obj end   -- untagged: find() alone proves it
    local a = attributes(ctx, obj, {}, args)
    if tags_of(ctx, obj, a)[tagging.TOKEN_TAG] ~= token then return nil end
    return obj
  end

  local function set_field(ctx, c, id, k, value, old, new, creating)
    local f = fields[k]
    if type(f.set) == "function" then
      return f.set(ctx, c, id, value, { old = old, new = new, opts = retry, create = creating })
    end
    if f.unset and (value == nil or values.equal(f, value, f.default)) then return c[f.unset](c, named(id), retry) end
    local p = named(id)
    put_field(p, f, value, new)
    return c[f.set](c, p, retry)
  end

  local function set_attributes(c, id, changed)
    local s = d.attributes.set
    if s.member then
      local p = named(id)
      p[s.member] = changed
      if s.form == "list" then p[s.member] = common.tag_list(changed) end   -- {Key, Value} pairs
      return c[s.op](c, p, retry)
    end
    for name, v in pairs(changed) do
      local p = named(id)
      p[s.name], p[s.value] = name, v
      c[s.op](c, p, retry)
    end
  end

  local function wait_for(ctx, c, w, id, attrs)
    if not w then return end
    common.wait(ctx, c, w[1], w.params and w.params(id, attrs or {}) or { [w[2]] = { id } }, w.seconds or 900, 1)
  end

  -- Puts field f's value v into request params p.
  function put_field(p, f, v, args)
    if f.to_params then return f.to_params(p, v, args) end
    wire.put(p, f.input or f.wire, wire.send(f, v, args))
  end

  -- The create call's parameters.
  local function create_params(ctx, args)
    local params, amap = {}, {}
    for k, f in pairs(fields) do
      local v = args[k]
      if v ~= nil and not f.keep and f.input ~= false and k ~= "tags" and k ~= "tags_all" then
        if f.input or f.to_params or (f.wire and not in_attributes(f)) then
          put_field(params, f, v, args)
        elseif in_attributes(f) and applies(f, args) and (f.create_default or not values.equal(f, v, f.default)) then
          for name, x in pairs(attribute_entries(f, v, false)) do amap[name] = x end
        end
      end
    end
    if d.attributes then params[d.attributes.create or ATTRS] = amap end
    if d.tags then d.tags.create(ctx, params, args.tags) end
    if cr.params then cr.params(ctx, args, params) end
    return params
  end

  function T.create(ctx, args)
    local c = client(ctx)
    local params = create_params(ctx, args)
    params[ATTRS] = nil
    local out
    if cr.idempotent or cr.token then
      if cr.token then params[cr.token] = ctx.token end
      out = wait_ready(ctx, list_of(cr.wait_codes), cr.wait_seconds, function()
        return c[cr.op](c, params, { retry_codes = cr.retry_codes })
      end)
    else
      local exists = list_of(cr.exists)
      out = common.create(ctx, {
        call = function(opts)
          opts.retry_codes = cr.retry_codes
          return c[cr.op](c, params, opts)
        end,
        find = function() local o = find_mine(ctx, args, ctx.token); return o and { found = o } end,
        conflict = function(e) return exists[code_of(e)] end,
      })
    end
    local obj = out.found
    if not obj and type(cr.result) == "function" then obj = cr.result(out, args, params)
    elseif not obj and cr.result then obj = wire.get(out, cr.result) end
    local id
    if type(cr.id) == "function" then id = cr.id(out, args)
    else id = (cr.id and wire.get(out, cr.id)) or (obj and id_of(obj)) or args.name end
    return common.after_create(ctx, id, function()
      local sets = false
      for k, f in pairs(fields) do
        if f.input == false and f.set and args[k] ~= nil and not values.equal(f, args[k], f.default) then
          set_field(ctx, c, id, k, args[k], {}, args, true)
          sets = true
        end
      end
      if d.attributes and not d.attributes.create then   -- set by their own call
        local amap = create_params(ctx, args)[ATTRS]
        if next(amap) then set_attributes(c, id, amap); sets = true end
      end
      if cr.after then cr.after(ctx, c, id, args, retry); sets = true end
      if d.after_write then d.after_write(ctx, id) end
      wait_for(ctx, c, cr.waiter, id, args)
      if obj and not sets and not cr.waiter and not cr.read_back then
        local extra = extra_of(ctx, c, obj, args, retry)
        return attributes(ctx, obj, common.create_tags(ctx, args.tags), args, id, extra)
      end
      return read_back(ctx, id, args)
    end)
  end

  function T.update(ctx, id, old, new)
    local c = client(ctx)
    local changed_attrs, any_attr = {}, false
    local grouped, order = {}, {}   -- fields set by one op share one call
    local keys = {}
    for k in pairs(fields) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do
      local f = fields[k]
      if settable(f) and not f.keep and k ~= "tags" and not values.equal(T.schema[k], old[k], new[k]) then
        if in_attributes(f) and applies(f, new) and not (new[k] == nil and f.computed) then
          for name, x in pairs(attribute_entries(f, new[k], true)) do changed_attrs[name] = x end
          any_attr = true
        elseif type(f.set) == "string" and f.group and not (new[k] == nil and f.computed) then
          if not grouped[f.set] then grouped[f.set] = named(id); order[#order + 1] = f.set end
          put_field(grouped[f.set], f, new[k], new)
        elseif f.set and not (new[k] == nil and f.computed) then
          set_field(ctx, c, id, k, new[k], old, new)
        end
      end
    end
    for _, op in ipairs(order) do
      if d.group_params and d.group_params[op] then d.group_params[op](grouped[op], id, new) end
      c[op](c, grouped[op], retry)
    end
    if any_attr then set_attributes(c, id, changed_attrs) end
    if d.tags then d.tags.update(ctx, c, id, old, old.tags_all, new.tags) end
    if d.after_write then d.after_write(ctx, id) end
    local prior = {}
    for k, v in pairs(new) do prior[k] = v end
    for k, v in pairs(old) do if not settable(fields[k] or {}) then prior[k] = v end end
    prior.tags_all = tagging.all(ctx, new.tags)
    return read_back(ctx, id, prior)
  end

  function T.delete(ctx, id, attrs)
    local del = d.delete
    attrs = attrs or {}
    if del.skip and attrs[del.skip] then return end
    local c = client(ctx)
    if del.before then del.before(ctx, c, id, attrs) end
    if d.after_write then d.after_write(ctx, id) end
    local params = del.params and del.params(id, attrs) or named(id)
    local ok, res = pcall(common.delete, ctx, function() return c[del.op](c, params) end,
      del.seconds, list_of(del.busy))
    if not ok and not gone(res) then error(res, 0) end
    if ok and res then wait_for(ctx, c, del.waiter, id, attrs) end
  end

  function T.import(ctx, id)
    local a = T.read(ctx, id, nil)
    if not a then error(string.format("importing %s: no object %s", T.type or d.service, id), 0) end
    return a
  end

  function T.recover(ctx, pending)
    if not pending or not pending.token then return nil end
    common.settle(ctx, pending)
    local args = pending.args or {}
    local obj = find_mine(ctx, args, pending.token)
    if not obj then return nil end
    local id = id_of(obj)
    if cr.waiter and id then
      wait_for(ctx, client(ctx), cr.waiter, id, args)
      return T.read(ctx, id, args)
    end
    return complete(ctx, obj, nil, args)
  end

  if d.tags then
    function T.plan_computed(ctx, desired)
      return { tags_all = tagging.plan_all(ctx, desired.tags) }
    end
  end

  return T
end

-- A data source: d.service, d.description, d.fields (arguments and
-- computed fields with wire paths into the answer), d.read = { op=,
-- params = fn(args) } (none: no call), d.adjust = fn(ctx, out, answer,
-- args) for what the answer does not map field by field, d.id = field
-- (or fn(ctx, out)).
function M.data(d)
  local T = { data_source = true, description = d.description, schema = schema_of(d.fields, true) }
  function T.read(ctx, args)
    local out, answer = {}, {}
    for k, v in pairs(args or {}) do out[k] = v end
    if d.read then
      local c = ctx:client(d.service)
      answer = c[d.read.op](c, d.read.params and d.read.params(args or {}) or {})
    end
    for k, f in pairs(d.fields) do
      if f.wire or f.from_wire then out[k] = wire.read(f, f.wire and wire.get(answer, f.wire), nil, answer) end
    end
    if d.adjust then d.adjust(ctx, out, answer, args or {}) end
    if type(d.id) == "function" then out.id = d.id(ctx, out) else out.id = out[d.id] end
    return out
  end
  return T
end

return M
