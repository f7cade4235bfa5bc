-- aws_cloudwatch_log_group: a CloudWatch Logs group, as Terraform has it.
--
-- The id is the group name; arn is without the ":*" suffix Logs adds (as
-- Terraform). retention_in_days 0 means "never expire". A refresh makes
-- one DescribeLogGroups for all groups of the state (by their common name
-- prefix, paged) and reads tags only for groups that have some in the
-- state. CreateLogGroup has no idempotency token: it is sent once with the
-- token tag; a lost response or ResourceAlreadyExists met by our own
-- earlier attempt is settled by the tag (ListTagsLogGroup).
local ecs = require("luaform.providers.aws._ecs")

local M = {}

M.schema = {
  name = { type = "string", required = true, force_new = true },
  retention_in_days = { type = "number", optional = true, default = 0 },
  kms_key_id = { type = "string", optional = true, absent_is_unset = true },
  skip_destroy = { type = "bool", optional = true, default = false },
  tags = { type = "map", elem = "string", optional = true },
  tags_all = { type = "map", elem = "string", computed = true },
  arn = { type = "string", computed = true },
}

local function client(ctx) return ecs.client(ctx, "logs") end

local function read_tags(ctx, name)
  local c = client(ctx)
  local ok, out = ecs.try(c.ListTagsLogGroup, c, { logGroupName = name })
  if not ok then
    if ecs.is(out, "ResourceNotFoundException") then return {} end
    error(out, 0)
  end
  return out.tags or {}
end

local function attributes(ctx, g, tags, prior)
  prior = prior or {}
  local own, all = ecs.split_tags(ctx, tags)
  local arn = g.arn and g.arn:gsub(":%*$", "") or nil
  return {
    id = g.logGroupName, name = g.logGroupName, arn = arn,
    retention_in_days = tonumber(g.retentionInDays) or 0, kms_key_id = g.kmsKeyId,
    skip_destroy = prior.skip_destroy or false, tags = own, tags_all = all,
  }
end

local function common_prefix(names)
  local p = names[1] or ""
  for i = 2, #names do
    local n = names[i]
    local j = 0
    while j < #p and j < #n and p:byte(j + 1) == n:byte(j + 1) do j = j + 1 end
    p = p:sub(1, j)
  end
  return p
end

-- The groups (by name) among `names`.
local function describe(ctx, names)
  local c = client(ctx)
  local want = {}
  for _, n in ipairs(names) do want[n] = true end
  local found = {}
  local function scan(prefix)
    local params = { logGroupNamePrefix = prefix ~= "" and prefix or nil }
    while true do
      local page = c:DescribeLogGroups(params)
      for _, g in ipairs(page.logGroups or {}) do
        if want[g.logGroupName] then found[g.logGroupName] = g end
      end
      if not page.nextToken or page.nextToken == "" then break end
      params.nextToken = page.nextToken
    end
  end
  local prefix = common_prefix(names)
  if #names == 1 or #prefix >= 3 then scan(prefix)
  else for _, n in ipairs(names) do scan(n) end end
  return found
end

function M.read_batch(ctx, ids, entries)
  local out = {}
  local groups = describe(ctx, ids)
  for i, id in ipairs(ids) do
    local g = groups[id]
    if g then
      local prior = entries[i].entry.attributes
      local tags = {}
      if next(prior and prior.tags_all or {}) then tags = read_tags(ctx, id) end
      out[id] = attributes(ctx, g, tags, prior)
    end
  end
  return out
end

function M.read(ctx, id, prior)
  local g = describe(ctx, { id })[id]
  if not g then return nil end
  local tags = {}
  if not prior or next(prior.tags_all or {}) then tags = read_tags(ctx, id) end
  return attributes(ctx, g, tags, prior)
end

local function wait_visible(ctx, name, args)
  return ecs.wait(ctx, 60, 1, "log group " .. name .. " to be visible", function()
    return M.read(ctx, name, { tags_all = ecs.tags_all(ctx, args.tags), skip_destroy = args.skip_destroy })
  end)
end

function M.create(ctx, args)
  local c = client(ctx)
  local params = { logGroupName = args.name, kmsKeyId = args.kms_key_id, tags = ecs.create_tags(ctx, args.tags) }
  local function mine()
    if read_tags(ctx, args.name)[ecs.TOKEN_TAG] == ctx.token then return true end
    return nil
  end
  ecs.create(ctx, function(opts) return c:CreateLogGroup(params, opts) end, mine,
    function(e) return ecs.is(e, "ResourceAlreadyExistsException") end)
  return ecs.created("log group " .. args.name, function()
    if args.retention_in_days and args.retention_in_days > 0 then
      ecs.retry(ctx, 60, { "ResourceNotFoundException" }, function()
        return c:PutRetentionPolicy{ logGroupName = args.name, retentionInDays = args.retention_in_days }
      end)
    end
    return wait_visible(ctx, args.name, args)
  end)
end

function M.update(ctx, id, old, new)
  local c = client(ctx)
  if old.retention_in_days ~= new.retention_in_days then
    if (new.retention_in_days or 0) > 0 then
      c:PutRetentionPolicy{ logGroupName = id, retentionInDays = new.retention_in_days }
    else
      c:DeleteRetentionPolicy{ logGroupName = id }
    end
  end
  if old.kms_key_id ~= new.kms_key_id then
    if new.kms_key_id then c:AssociateKmsKey{ logGroupName = id, kmsKeyId = new.kms_key_id }
    else c:DisassociateKmsKey{ logGroupName = id } end
  end
  local set, remove = ecs.tag_changes(old.tags_all, ecs.tags_all(ctx, new.tags))
  if next(set) then c:TagLogGroup{ logGroupName = id, tags = set } end
  if #remove > 0 then c:UntagLogGroup{ logGroupName = id, tags = remove } end
  return wait_visible(ctx, id, new)
end

function M.delete(ctx, id, attrs)
  if attrs and attrs.skip_destroy then return end
  local c = client(ctx)
  local ok, err = ecs.try(c.DeleteLogGroup, c, { logGroupName = id })
  if not ok and not ecs.is(err, "ResourceNotFoundException") then error(err, 0) end
end

function M.recover(ctx, pending)
  local name = pending.args and pending.args.name
  if not name then return nil end
  local g = describe(ctx, { name })[name]
  if not g then return nil end
  local tags = read_tags(ctx, name)
  if tags[ecs.TOKEN_TAG] ~= pending.token then return nil end
  return attributes(ctx, g, tags, pending.args)
end

return M
