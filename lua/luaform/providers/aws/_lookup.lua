-- aws._lookup: data sources that find existing objects of a declared
-- resource type (aws._resource), as Terraform's data sources of the same
-- name. The arguments narrow the type's own list call (read_many: the
-- model's operation) and the object found is read with the type's own wire
-- mapping, so a data source never declares a field of its type again.
--
--   lookup.define{ of = "aws_vpc", description =,
--     by = { arg = how },   each argument that narrows the lookup:
--       { filter = "vpc-id" }   an EC2 Describe filter (the model's Filter
--                               shape: Name, Values)
--       { member = "Names" }    a list member of read_many's call
--       { find = true }         the type's find by name (ListTopics,
--                               GetQueueUrl, HeadBucket)
--       with field = (the type's field it is, when named otherwise:
--       cluster_name is name) or type=, wire= (read from the object: an
--       argument the type has no field for), description=, required = true
--     filters = true        EC2: `filter` blocks and `tags` as tag:KEY filters
--     ids = true            every match's id in `ids` (aws_subnets), else
--                           exactly one match
--     exports = { attr = { type=, wire=, description= } }   what the type
--                           does not read }
-- The data source exports the type's fields (computed, tags as all the
-- object's tags) but its own settings (keep) and tags_all. A lookup that
-- finds none, or several where one is required, is an error naming the
-- data source and its file:line (fail()).
local wire = require("luaform.providers.aws._wire")
local common = require("luaform.providers.aws._common")
local errors = require("luaform.errors")
local core = require("luaform.core")
local sorted = require("luaform.schema").sorted_keys

local M = {}

-- Raises "file:line: data.TYPE.NAME: message" (ctx.where: the data()
-- call's place).
function M.fail(ctx, fmt, ...)
  errors.raise(ctx.where, "%s: " .. fmt, ctx.address, ...)
end

local FILTER = { type = "set", optional = true,
  description = "A filter of the Describe call (AWS's filter names); every filter must match.",
  block = {
    name = { type = "string", required = true, description = "The filter's name, e.g. vpc-id or tag:Name." },
    values = { type = "set", elem = "string", required = true, description = "Values to match (* and ? wildcards)." },
  } }

local function copy(spec)
  local out = {}
  for k, v in pairs(spec) do out[k] = v end
  return out
end

-- spec as an attribute the data source computes (argument: also optional).
local function as_data(spec, argument)
  local out = copy(spec)
  out.required, out.default, out.force_new, out.derived_from, out.optional = nil, nil, nil, nil, nil
  out.computed, out.optional = true, argument or nil
  return out
end

local function text(v)
  if type(v) == "boolean" then return v and "true" or "false" end
  return tostring(v)
end

-- The arguments given, as the error messages show them.
local function shown(args, names)
  local parts = {}
  for _, k in ipairs(names) do
    if args[k] ~= nil then parts[#parts + 1] = k .. " = " .. core.json_encode(args[k]) end
  end
  return #parts > 0 and table.concat(parts, ", ") or "(no arguments)"
end

function M.define(d)
  local of = require("luaform.providers.aws." .. d.of)
  local fields = of.declared.fields
  local by, exports = d.by or {}, d.exports or {}
  local renamed = {}   -- the type's fields shown under another name
  for _, how in pairs(by) do if how.field then renamed[how.field] = true end end

  local schema = {}
  if not d.ids then
    for k, spec in pairs(of.schema) do
      if not fields[k].keep and k ~= "tags_all" and not renamed[k] then schema[k] = as_data(spec) end
    end
    for k, spec in pairs(exports) do schema[k] = as_data(spec) end
  end
  for k, how in pairs(by) do
    local spec = how.wire and how or of.schema[how.field or k] or { type = "string" }   -- id
    schema[k] = as_data(spec, true)
    schema[k].filter, schema[k].member, schema[k].find, schema[k].field, schema[k].wire = nil, nil, nil, nil, nil
    schema[k].description = how.description or spec.description
    if how.required then schema[k].required, schema[k].optional, schema[k].computed = true, nil, nil end
  end
  if schema.tags then schema.tags.description = "All tags of the object." end
  if d.filters then
    schema.filter = FILTER
    schema.tags = { type = "map", elem = "string", optional = true, computed = true,
      description = "Tags the object must have (all of them); read: all its tags." }
  end
  if d.ids then schema.ids = { type = "list", elem = "string", computed = true, description = "The ids of every match." } end
  local arg_names = sorted(by)
  if d.filters then arg_names[#arg_names + 1] = "filter"; arg_names[#arg_names + 1] = "tags" end

  -- The objects args select.
  local function find(ctx, args)
    local filters, params = {}, {}
    for _, k in ipairs(arg_names) do
      local how, v = by[k], args[k]
      if how and v ~= nil then
        if how.find then
          local obj = of.find_object(ctx, { [how.field or k] = v })
          return obj and { obj } or {}
        elseif how.filter then
          filters[#filters + 1] = { Name = how.filter, Values = { text(v) } }
        else
          params[how.member] = { v }
        end
      end
    end
    for _, k in ipairs(sorted(args.tags or {})) do
      filters[#filters + 1] = { Name = "tag:" .. k, Values = { text(args.tags[k]) } }
    end
    for _, f in ipairs(args.filter or {}) do filters[#filters + 1] = { Name = f.name, Values = f.values } end
    if #filters > 0 then params.Filters = filters end
    return of.list(ctx, params)
  end

  local T = { data_source = true, description = d.description, schema = schema }

  function T.read(ctx, args)
    args = args or {}
    local objs = find(ctx, args)
    if d.ids then
      local out = { filter = args.filter, tags = args.tags, ids = {}, id = common.region(ctx) }
      for k in pairs(by) do out[k] = args[k] end
      for _, o in ipairs(objs) do out.ids[#out.ids + 1] = wire.get(o, of.declared.id) end
      table.sort(out.ids)
      return out
    end
    if #objs == 0 then M.fail(ctx, "no %s matches %s", d.of, shown(args, arg_names)) end
    if #objs > 1 then
      M.fail(ctx, "%d objects of %s match %s; narrow the lookup to one", #objs, d.of, shown(args, arg_names))
    end
    local obj, a = objs[1], of.attributes_of(ctx, objs[1])
    local out = { id = a.id, filter = args.filter }
    for k in pairs(schema) do if a[k] ~= nil then out[k] = a[k] end end
    if fields.tags then out.tags = a.tags_all end
    for k, how in pairs(by) do
      if how.field then out[k] = a[how.field] end
      if how.wire then out[k] = wire.read(how, wire.get(obj, how.wire)) end
    end
    for k, spec in pairs(exports) do out[k] = wire.read(spec, wire.get(obj, spec.wire)) end
    return out
  end

  return T
end

return M
