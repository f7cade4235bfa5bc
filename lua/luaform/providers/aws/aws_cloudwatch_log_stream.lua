-- aws_cloudwatch_log_stream: a stream in a CloudWatch Logs group.
--
-- The id is the stream name. A stream has no settings, no tags and no
-- idempotency token: a create that meets ResourceAlreadyExists after a
-- lost response adopts the stream (it is the one this create made, or an
-- identical empty name). A refresh makes one DescribeLogStreams per group
-- (read_batch groups streams by log group); a stream whose group is gone
-- is gone.
local ecs = require("luaform.providers.aws._ecs")

local M = {}

M.schema = {
  name = { type = "string", required = true, force_new = true },
  log_group_name = { type = "string", required = true, force_new = true },
  arn = { type = "string", computed = true },
}

local function client(ctx) return ecs.client(ctx, "logs") end

-- The streams of a group whose names are in `want` (by name); nil when
-- the group is gone.
local function streams(ctx, group, want, prefix)
  local c = client(ctx)
  local found = {}
  local params = { logGroupName = group, logStreamNamePrefix = prefix }
  while true do
    local ok, page = ecs.try(c.DescribeLogStreams, c, params)
    if not ok then
      if ecs.is(page, "ResourceNotFoundException") then return nil end
      error(page, 0)
    end
    for _, s in ipairs(page.logStreams or {}) do
      if want[s.logStreamName] then found[s.logStreamName] = s end
    end
    if not page.nextToken or page.nextToken == "" then break end
    params.nextToken = page.nextToken
  end
  return found
end

local function attributes(group, s)
  return { id = s.logStreamName, name = s.logStreamName, log_group_name = group, arn = s.arn }
end

function M.read_batch(ctx, ids, entries)
  local by_group, out = {}, {}
  for i, id in ipairs(ids) do
    local g = entries[i].entry.attributes.log_group_name
    by_group[g] = by_group[g] or {}
    by_group[g][id] = true
  end
  for g, want in pairs(by_group) do
    local n, only = 0, nil
    for name in pairs(want) do n = n + 1; only = name end
    local found = streams(ctx, g, want, n == 1 and only or nil) or {}
    for name, s in pairs(found) do out[name] = attributes(g, s) end
  end
  return out
end

function M.read(ctx, id, prior)
  local found = streams(ctx, prior.log_group_name, { [id] = true }, id)
  local s = found and found[id]
  return s and attributes(prior.log_group_name, s) or nil
end

function M.create(ctx, args)
  local c = client(ctx)
  local ok, err = pcall(ecs.retry, ctx, 60, { "ResourceNotFoundException" }, function()
    return c:CreateLogStream{ logGroupName = args.log_group_name, logStreamName = args.name }
  end)
  if not ok and not ecs.is(err, "ResourceAlreadyExistsException") then error(err, 0) end
  return ecs.created("log stream " .. args.name, function()
    return ecs.wait(ctx, 60, 1, "log stream " .. args.name .. " to be visible", function()
      return M.read(ctx, args.name, args)
    end)
  end)
end

function M.delete(ctx, id, attrs)
  local c = client(ctx)
  local ok, err = ecs.try(c.DeleteLogStream, c, { logGroupName = attrs.log_group_name, logStreamName = id })
  if not ok and not ecs.is(err, "ResourceNotFoundException") then error(err, 0) end
end

function M.import(ctx, id)
  local group, name = id:match("^(.+):([^:]+)$")
  if not group then error('import id must be "GROUP:STREAM", got "' .. tostring(id) .. '"', 0) end
  return M.read(ctx, name, { log_group_name = group })
end

function M.recover(ctx, pending)
  local a = pending.args
  if not a then return nil end
  return M.read(ctx, a.name, a)
end

return M
