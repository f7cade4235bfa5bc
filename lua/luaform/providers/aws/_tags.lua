-- aws._tags: tags of a declared resource type, handled once (aws._resource).
--
-- A type declares its tagging style, one of AWS's few tagging APIs:
--   tags.ec2(resource_type)     TagSpecifications on create, Tags in every
--                               Describe answer, CreateTags/DeleteTags by id
--   tags.elbv2()                Tags on create, DescribeTags for 20 ARNs at
--                               once, AddTags/RemoveTags
--   tags.api{ ... }             tags sent in the create call (member `create`,
--                               as a map or a {Key, Value} list: `form`),
--                               read with `read` (or found in the read object
--                               at `in_object`), changed with `tag`/`untag`;
--                               `by` = "id" or "arn" names the object in
--                               those calls through member `param`
-- Every create carries luaform:token = ctx.token (the intent journal), so
-- a lost create is found by it. What AWS holds is split into `tags` (the
-- user's) and `tags_all` (with the provider's default_tags); tags are read
-- on every refresh, so a tag added outside luaform is drift, and
-- plan_computed predicts tags_all, so a change of default_tags plans an
-- in-place update.
local common = require("luaform.providers.aws._common")
local deferred = require("luaform.deferred")

local M = {}

M.TOKEN_TAG = common.TOKEN_TAG

-- Schema entries of a taggable type.
function M.schema(fields)
  fields.tags = { type = "map", elem = "string", optional = true,
    description = "Tags of the object (the provider's default_tags are added under them)." }
  fields.tags_all = { type = "map", elem = "string", computed = true, derived_from = "tags",
    description = "All tags of the object: default_tags merged with tags." }
  return fields
end

-- tags_all as the plan sees it: UNKNOWN while a tag value is unknown.
function M.plan_all(ctx, tags)
  if tags == deferred.UNKNOWN or deferred.is(tags) then return deferred.UNKNOWN end
  for _, v in pairs(tags or {}) do
    if v == deferred.UNKNOWN or deferred.is(v) then return deferred.UNKNOWN end
  end
  return common.all_tags(ctx, tags)
end

-- A tag map as the API takes it: "map", "list" ({Key, Value}), "lower"
-- ({key, value}: ECS) or { key = , value = } (KMS's {TagKey, TagValue}).
local function encode(form, map)
  if form == "list" then return common.tag_list(map) end
  if form == "lower" then
    local out = {}
    for _, t in ipairs(common.tag_list(map)) do out[#out + 1] = { key = t.Key, value = t.Value } end
    return out
  end
  if type(form) == "table" then
    local out = {}
    for _, t in ipairs(common.tag_list(map)) do out[#out + 1] = { [form.key] = t.Key, [form.value] = t.Value } end
    return out
  end
  return map
end

local function decode(v, form)
  if type(v) ~= "table" then return {} end
  if type(form) == "table" then
    local out = {}
    for _, t in ipairs(v) do out[t[form.key]] = t[form.value] end
    return out
  end
  if v[1] == nil then return v end
  local out = {}
  for _, t in ipairs(v) do
    if t.Key ~= nil then out[t.Key] = t.Value or "" else out[t.key] = t.value or "" end
  end
  return out
end

local function diff(old, new)
  local set, del = {}, {}
  for k, v in pairs(new) do if old[k] ~= v then set[k] = v end end
  for k in pairs(old) do
    if new[k] == nil and k:sub(1, #common.HIDDEN_PREFIX) ~= common.HIDDEN_PREFIX then del[#del + 1] = k end
  end
  table.sort(del)
  return set, del
end

-- EC2's style: TagSpecifications of resource_type.
function M.ec2(resource_type)
  return {
    create = function(ctx, params, tags) params.TagSpecifications = common.tag_specs(ctx, resource_type, tags) end,
    from_object = function(obj) return common.tag_map(obj.Tags) end,
    token_filter = function(token) return { common.token_filter(token) } end,
    update = function(ctx, c, id, _, old_all, new_tags)
      local set, del = diff(old_all or {}, common.all_tags(ctx, new_tags))
      if #del > 0 then
        local keys = {}
        for _, k in ipairs(del) do keys[#keys + 1] = { Key = k } end
        c:DeleteTags{ Resources = { id }, Tags = keys }
      end
      if next(set) then c:CreateTags{ Resources = { id }, Tags = common.tag_list(set) } end
    end,
  }
end

-- ELBv2's style: Tags in the create call; DescribeTags of 20 ARNs a call
-- (so a refresh reads a whole batch's tags at once); AddTags/RemoveTags.
function M.elbv2()
  local function read_many(_, c, arns)
    local out = {}
    for _, chunk in ipairs(common.chunks(arns, 20)) do
      for _, t in ipairs(c:DescribeTags{ ResourceArns = chunk }.TagDescriptions or {}) do
        out[t.ResourceArn] = common.tag_map(t.Tags)
      end
    end
    return out
  end
  return {
    create = function(ctx, params, tags) params.Tags = common.tag_list(common.create_tags(ctx, tags)) end,
    read = function(ctx, c, id) return read_many(ctx, c, { id })[id] or {} end,
    read_many = read_many,
    update = function(ctx, c, id, _, old_all, new_tags)
      local set, del = diff(old_all or {}, common.all_tags(ctx, new_tags))
      if #del > 0 then c:RemoveTags{ ResourceArns = { id }, TagKeys = del } end
      if next(set) then c:AddTags{ ResourceArns = { id }, Tags = common.tag_list(set) } end
    end,
  }
end

-- A service's own tagging calls. spec: create (member of the create call),
-- form ("map", "list" or { key =, value = }: pairs with those member names), by ("id" or "arn"), param (the member naming the
-- object), read = { op, result } or in_object (member of the read object),
-- tag = { op, member }, untag = { op, member }, not_found (codes: no tags),
-- fixed (members every tagging call also sends: SSM's ResourceType).
function M.api(spec)
  local function target(id, attrs) return spec.by == "arn" and attrs.arn or id end
  local function named(t)
    local p = { [spec.param] = t }
    for k, v in pairs(spec.fixed or {}) do p[k] = v end
    return p
  end
  local style = { read_op = spec.read }
  style.create = function(ctx, params, tags) params[spec.create] = encode(spec.form, common.create_tags(ctx, tags)) end
  if spec.in_object then
    style.from_object = function(obj) return decode(obj[spec.in_object], spec.form) end
  else
    style.read = function(_, c, id, attrs)
      local ok, out = pcall(c[spec.read.op], c, named(target(id, attrs)))
      if not ok then
        if spec.not_found and common.code(out) and spec.not_found[out.code] then return {} end
        error(out, 0)
      end
      return decode(out[spec.read.result], spec.form)
    end
  end
  style.update = function(ctx, c, id, attrs, old_all, new_tags)
    local set, del = diff(old_all or {}, common.all_tags(ctx, new_tags))
    local t = target(id, attrs)
    if #del > 0 then
      local p = named(t)
      p[spec.untag.member] = del
      c[spec.untag.op](c, p)
    end
    if next(set) then
      local p = named(t)
      p[spec.tag.member] = encode(spec.form, set)
      c[spec.tag.op](c, p)
    end
  end
  return style
end

-- Splits what AWS holds into (tags, tags_all): luaform: keys hidden; a
-- default tag's key is the user's own only if the state's tags had it
-- (whatever the default's value now is, so a change of default_tags is
-- not a change of tags); any other key is the user's (a tag added
-- outside luaform shows as drift of tags).
function M.split(ctx, aws_tags, prior_tags)
  local all, own = {}, {}
  local defaults = common.default_tags(ctx)
  for k, v in pairs(aws_tags or {}) do
    if k:sub(1, #common.HIDDEN_PREFIX) ~= common.HIDDEN_PREFIX then
      all[k] = v
      if defaults[k] == nil or (prior_tags or {})[k] ~= nil then own[k] = v end
    end
  end
  return own, all
end

M.all = common.all_tags

return M
