-- aws._resource: builds an AWS resource type from its declaration
-- (provider contract v2, DESIGN.md "Providers").
--
-- A declaration names each field once and says how AWS carries it:
--   fields.x = { type=, required|optional|computed=, default=, force_new=,
--     sensitive=, description=, equal=, block=, max_items=, elem=,
--     wire = "path.in.read.object"     where a read finds it (and the
--                                      create sends it, unless input=)
--     input = "path" | false           its member in the create call
--     attribute = "Name"               in the type's attributes map (SQS, SNS)
--     set = "Op" | fn(ctx, c, id, value, new, opts)   how a change is applied
--                                      (opts: the call options, retry_codes)
--     unset = "Op"                     how a change to nil is applied
--     keep = true                      luaform's own setting, never sent
--     from_wire = fn(v, obj), to_wire = fn(v, args)   irregular values }
-- A settable field with no set/attribute/keep forces a new object.
-- The rest of the declaration:
--   service, description, identity (member naming the object in calls),
--   id (path of the id in the read object, or fn(obj)),
--   attributes = { read=, create=, set = { op=, member= } | { op=, name=, value= } },
--   create = { op=, result= (path of the object), id= (path of the id),
--              idempotent= (AWS dedups: transport retries are safe),
--              retry_codes= (answered codes meaning "a dependency is not
--              visible yet": re-sent by the transport, not applied),
--              exists = { codes meaning "made by our own lost send" },
--              params = fn(ctx, args, params) }
--   read = { op=, result=, params = fn(id) } | fn(ctx, id) -> object|nil
--   read_many = { op=, filter= } (EC2 filter on ids, model paginator)
--             | { op=, ids= (member), chunk= } | fn(ctx, ids) -> {id=object}
--   find = fn(ctx, args) -> object|nil   by name (its tags prove it ours);
--                                       default: by args.name, or EC2's token filter
--   not_found = { codes }               the object is gone
--   not_visible = { codes }             "not visible yet": handed to the
--                                       transport as retry_codes on the writes
--                                       that follow a create (sets, tags)
--   create.wait_codes, wait_seconds     a state AWS must leave before the
--                                       create can succeed (SQS: 60 s after a
--                                       delete of the same name), waited out
--   after_write = fn(ctx, id)           forget what a read memoized
--   delete = { op=, params = fn(id, attrs), skip = field, busy = { codes } }
--   tags = aws._tags style; adjust = fn(ctx, out, obj, prior) for reads
--   AWS reports irregularly.
-- From it: schema, read, read_batch, create (intent journal, token tag),
-- update (the calls the changed fields need), delete (gone = done),
-- import, recover, plan_computed (tags_all). Retries are the transport's.
local common = require("luaform.providers.aws._common")
local json = require("luaform.providers.aws._json")
local tagging = require("luaform.providers.aws._tags")
local values = require("luaform.values")
local core = require("luaform.core")

local M = {}

-- Keys of a field that describe how AWS carries it, not the schema.
local WIRE_KEYS = { input = true, attribute = true, set = true, unset = true, keep = true,
  from_wire = true, to_wire = true }

local function get(obj, path)
  for part in path:gmatch("[^.]+") do
    if type(obj) ~= "table" then return nil end
    obj = obj[part]
  end
  if obj == core.null then return nil end
  return obj
end

local function put(t, path, v)
  local parts = {}
  for part in path:gmatch("[^.]+") do parts[#parts + 1] = part end
  for i = 1, #parts - 1 do
    t[parts[i]] = t[parts[i]] or {}
    t = t[parts[i]]
  end
  t[parts[#parts]] = v
end

local function list_of(codes)
  local set = {}
  for _, c in ipairs(codes or {}) do set[c] = true end
  return set
end

local function code_of(err)
  local c = common.code(err)
  return c and c:gsub("^.*#", "") or nil
end

-- ------------------------------------------------------------ values

local function settable(f) return f.required or f.optional end

-- A value for an attributes map (strings only).
local function to_attribute(f, v)
  if v == nil then return nil end
  if f.type == "json" then return json.text(v) end
  if type(v) == "number" then
    return math.type(v) == "float" and v % 1 == 0 and string.format("%d", v) or tostring(v)
  end
  return tostring(v)
end

-- A value read from AWS, as the schema has it.
local function from_aws(f, v, prior)
  if f.from_wire then return f.from_wire(v) end
  if v == "" then v = nil end
  if v == nil then return f.default end
  local t = f.type
  if t == "number" then return tonumber(v)
  elseif t == "bool" then return v == true or v == "true"
  elseif t == "string" then return to_attribute(f, v)
  elseif t == "json" then return json.keep(prior, v, f.equal or json.document_equal)
  elseif f.block then
    local function one(o)
      local out = {}
      for k, sub in pairs(f.block) do out[k] = from_aws(sub, get(o, sub.wire or k), nil) end
      return out
    end
    if f.max_items == 1 and v[1] == nil then return { one(v) } end
    local out = {}
    for i, o in ipairs(v) do out[i] = one(o) end
    return out
  end
  return v
end

-- A value for a request: blocks by their fields' wire names.
local function to_aws(f, v, args)
  if v == nil then return nil end
  if f.to_wire then return f.to_wire(v, args) end
  if f.type == "json" then return json.text(v) end
  if f.block then
    local function one(b)
      local out = {}
      for k, sub in pairs(f.block) do
        if b[k] ~= nil then put(out, sub.input or sub.wire or k, to_aws(sub, b[k], b)) end
      end
      return out
    end
    if f.max_items == 1 then return v[1] and one(v[1]) or nil end
    local out = {}
    for i, b in ipairs(v) do out[i] = one(b) end
    return out
  end
  return v
end

-- ------------------------------------------------------------ the type

function M.define(d)
  local T = { description = d.description }
  local fields = d.fields
  if d.tags then tagging.schema(fields) end
  local not_found = list_of(d.not_found)
  local retry = d.not_visible and { retry_codes = d.not_visible } or nil

  -- The schema in luaform.schema's format (with description and wire kept).
  T.schema = {}
  for k, f in pairs(fields) do
    local s = {}
    for key, v in pairs(f) do if not WIRE_KEYS[key] then s[key] = v end end
    if settable(f) and not (f.set or f.attribute or f.keep or f.force_new ~= nil)
       and k ~= "tags" then
      s.force_new = true
    end
    T.schema[k] = s
  end

  local function client(ctx) return ctx:client(d.service) end
  local wait_ready
  local function gone(err)
    local c = code_of(err)
    return c ~= nil and (not_found[c] or common.is_not_found(err))
  end
  local function named(id) return d.identity and { [d.identity] = id } or {} end

  -- Attributes of an object read from AWS.
  local function attributes(ctx, obj, aws_tags, prior, id)
    prior = prior or {}
    local out = { id = type(d.id) == "function" and d.id(obj) or (d.id and get(obj, d.id)) or id }
    local amap = d.attributes and get(obj, d.attributes.read) or {}
    for k, f in pairs(fields) do
      if f.keep then
        out[k] = prior[k]
        if out[k] == nil then out[k] = f.default end
      elseif f.attribute then
        out[k] = from_aws(f, amap[f.attribute], prior[k])
      elseif f.wire then
        out[k] = from_aws(f, get(obj, f.wire), prior[k])
      end
    end
    if d.tags then out.tags, out.tags_all = tagging.split(ctx, aws_tags) end
    if d.adjust then d.adjust(ctx, out, obj, prior) end
    return common.finish(T, out)
  end

  -- The object's tags: in the object, or one call.
  local function tags_of(ctx, obj, id, attrs)
    if not d.tags then return {} end
    if d.tags.from_object then return d.tags.from_object(obj) end
    return d.tags.read(ctx, client(ctx), id, attrs)
  end

  local function complete(ctx, obj, id, prior)
    local a = attributes(ctx, obj, {}, prior, id)
    return attributes(ctx, obj, tags_of(ctx, obj, a.id, a), prior, id)
  end

  -- One object by id, or nil.
  local function read_object(ctx, id)
    if type(d.read) == "function" then return d.read(ctx, id) end
    if not d.read then return (T.describe(ctx, { id }))[id] end
    local c = client(ctx)
    local params = d.read.params and d.read.params(id) or named(id)
    local ok, out = pcall(c[d.read.op], c, params)
    if not ok then
      if gone(out) then return nil end
      error(out, 0)
    end
    if d.read.result then return get(out, d.read.result) end
    return out
  end

  -- {id = object} of ids, asked in as few calls as the API allows.
  function T.describe(ctx, ids)
    local rm = d.read_many
    if type(rm) == "function" then return rm(ctx, ids) end
    local c, found = client(ctx), {}
    local function id_of(o) return type(d.id) == "function" and d.id(o) or get(o, d.id) end
    if rm.filter then
      for _, chunk in ipairs(common.chunks(ids, 200)) do
        for _, o in ipairs(c:collect(rm.op, { Filters = { { Name = rm.filter, Values = chunk } } })) do
          found[id_of(o)] = o
        end
      end
      return found
    end
    local function ask(chunk)
      local ok, list = pcall(c.collect, c, rm.op, { [rm.ids] = chunk })
      if ok then
        for _, o in ipairs(list) do found[id_of(o)] = o end
      elseif gone(list) and #chunk > 1 then   -- one missing id fails the call
        for _, one in ipairs(chunk) do ask({ one }) end
      elseif not gone(list) then
        error(list, 0)
      end
    end
    for _, chunk in ipairs(common.chunks(ids, rm.chunk or 100)) do ask(chunk) end
    return found
  end

  T.read_object = read_object

  function T.read(ctx, id, prior)
    local obj = read_object(ctx, id)
    if obj == nil then return nil end
    return complete(ctx, obj, id, prior)
  end

  if d.read_many then
    function T.read_batch(ctx, ids, entries)
      local found = common.batch(ctx, ids, function(want) return T.describe(ctx, want) end)
      local out = {}
      for i, id in ipairs(ids) do
        if found[id] then out[id] = complete(ctx, found[id], id, entries[i].entry.attributes) end
      end
      return out
    end
  end

  -- Waits (bounded) until a just-written object reads back.
  local function read_back(ctx, id, prior)
    local a = common.poll(ctx, function() return T.read(ctx, id, prior) end, d.visible_seconds or 60, 1)
    if not a then error(string.format("%s %s is not visible after %d s", d.service, id, d.visible_seconds or 60), 0) end
    return a
  end

  -- The object this create made (its token tag), or nil.
  local function find_mine(ctx, args, token)
    if d.tags and d.tags.token_filter then
      local rm = d.read_many
      local list = client(ctx):collect(rm.op, { Filters = d.tags.token_filter(token) })
      return list[1]
    end
    local obj
    if d.find then obj = d.find(ctx, args)
    elseif d.read_many then obj = T.describe(ctx, { args.name })[args.name]
    else obj = read_object(ctx, args.name) end
    if not obj then return nil end
    local a = attributes(ctx, obj, {}, args)
    local t = tags_of(ctx, obj, a.id, a)
    if t[tagging.TOKEN_TAG] ~= token then return nil end
    return obj
  end

  local function set_field(ctx, c, id, k, value, new)
    local f = fields[k]
    if type(f.set) == "function" then return f.set(ctx, c, id, value, new, retry) end
    if f.unset and (value == nil or values.equal(f, value, f.default)) then return c[f.unset](c, named(id), retry) end
    local p = named(id)
    put(p, f.input or f.wire, to_aws(f, value, new))
    return c[f.set](c, p, retry)
  end

  local function set_attributes(c, id, changed)
    local s = d.attributes.set
    if s.member then
      local p = named(id)
      p[s.member] = changed
      return c[s.op](c, p, retry)
    end
    for name, v in pairs(changed) do
      local p = named(id)
      p[s.name], p[s.value] = name, v
      c[s.op](c, p, retry)
    end
  end

  -- Fields the create call cannot carry are set right after it.
  local function after_create_sets(ctx, id, args)
    local c = client(ctx)
    for k, f in pairs(fields) do
      if f.input == false and f.set and args[k] ~= nil and not values.equal(f, args[k], f.default) then
        set_field(ctx, c, id, k, args[k], args)
      end
    end
  end

  -- send(), waiting out the create's wait_codes for at most wait_seconds.
  wait_ready = function(ctx, cr, send)
    local codes, deadline = list_of(cr.wait_codes), core.now() + (cr.wait_seconds or 0)
    while true do
      local ok, res = pcall(send)
      if ok then return res end
      if not codes[code_of(res) or ""] or core.now() >= deadline then error(res, 0) end
      ctx:log("create: %s, waiting", common.message(res))
      ctx:sleep(2)
    end
  end

  function T.create(ctx, args)
    local c, cr = client(ctx), d.create
    local params, amap = {}, {}
    for k, f in pairs(fields) do
      local v = args[k]
      if v ~= nil and not f.keep and f.input ~= false and k ~= "tags" and k ~= "tags_all" then
        if f.input or (f.wire and not f.attribute) then
          put(params, f.input or f.wire, to_aws(f, v, args))
        elseif f.attribute then
          if not values.equal(f, v, f.default) then amap[f.attribute] = to_attribute(f, v) end
        end
      end
    end
    if d.attributes and d.attributes.create then params[d.attributes.create] = amap end
    if d.tags then d.tags.create(ctx, params, args.tags) end
    if cr.params then cr.params(ctx, args, params) end
    local out
    if cr.idempotent then
      out = wait_ready(ctx, cr, function() return c[cr.op](c, params) end)
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
    local obj = out.found or (cr.result and get(out, cr.result))
    local id = cr.id and get(out, cr.id) or (obj and attributes(ctx, obj, {}, args).id) or args[d.name_field or "name"]
    return common.after_create(ctx, id, function()
      after_create_sets(ctx, id, args)
      if d.after_write then d.after_write(ctx, id) end
      if obj and not d.read_after_create then
        local a = attributes(ctx, obj, common.create_tags(ctx, args.tags), args, id)
        for k, f in pairs(fields) do
          if f.input == false and f.set and args[k] ~= nil then a[k] = args[k] end
        end
        return a
      end
      return read_back(ctx, id, args)
    end)
  end

  function T.update(ctx, id, old, new)
    local c = client(ctx)
    local changed_attrs, any_attr = {}, false
    local keys = {}
    for k in pairs(fields) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do
      local f = fields[k]
      if settable(f) and not f.keep and k ~= "tags" and not values.equal(T.schema[k], old[k], new[k]) then
        if f.attribute and not (new[k] == nil and f.computed) then
          changed_attrs[f.attribute] = to_attribute(f, new[k]) or ""
          any_attr = true
        elseif f.set then
          set_field(ctx, c, id, k, new[k], new)
        end
      end
    end
    if any_attr then set_attributes(c, id, changed_attrs) end
    if d.tags then d.tags.update(ctx, c, id, old, old.tags_all, new.tags) end
    if d.after_write then d.after_write(ctx, id) end
    local prior = {}
    for k, v in pairs(new) do prior[k] = v end
    prior.tags_all = tagging.all(ctx, new.tags)
    return read_back(ctx, id, prior)
  end

  function T.delete(ctx, id, attrs)
    local del = d.delete
    if del.skip and attrs and attrs[del.skip] then return end
    local c = client(ctx)
    local params = del.params and del.params(id, attrs or {}) or named(id)
    if d.after_write then d.after_write(ctx, id) end
    local ok, err = pcall(common.delete, ctx, function() return c[del.op](c, params) end,
      del.seconds, list_of(del.busy))
    if not ok and not gone(err) then error(err, 0) end
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
    return complete(ctx, obj, nil, args)
  end

  if d.tags then
    function T.plan_computed(ctx, desired)
      return { tags_all = tagging.plan_all(ctx, desired.tags) }
    end
  end

  return T
end

return M
