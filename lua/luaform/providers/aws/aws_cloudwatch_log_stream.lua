-- aws_cloudwatch_log_stream: a stream of a CloudWatch Logs group, as
-- Terraform's; declared for aws._resource. The id is the stream name.
--
-- A refresh pages DescribeLogStreams once per group of the state (by name
-- prefix when the group has one stream here). Streams carry no tags: a
-- re-send that meets ResourceAlreadyExistsException adopts the stream.
local resource = require("luaform.providers.aws._resource")

-- {name = stream} of the wanted names in group (nil when the group is gone).
local function streams(ctx, group, want, prefix)
  local c = ctx:client("logs")
  local ok, list = pcall(c.collect, c, "DescribeLogStreams", { logGroupName = group, logStreamNamePrefix = prefix })
  if not ok then
    if tostring(list.code):find("ResourceNotFoundException") then return {} end
    error(list, 0)
  end
  local found = {}
  for _, s in ipairs(list) do if want[s.logStreamName] then found[s.logStreamName] = s end end
  return found
end

local M = resource.define{
  service = "logs", description = "A log stream of a CloudWatch Logs group.",
  id = "logStreamName",
  fields = {
    name = { type = "string", required = true, force_new = true, wire = "logStreamName" },
    log_group_name = { type = "string", required = true, force_new = true, input = "logGroupName",
      wire = "group", description = "The group the stream is in." },
    arn = { type = "string", computed = true, wire = "arn" },
  },
  create = { op = "CreateLogStream", exists = { "ResourceAlreadyExistsException" },
    retry_codes = { "ResourceNotFoundException" } },
  -- the streams of each group of the state, one paged scan per group
  read_many = function(ctx, ids, priors)
    local by_group, out = {}, {}
    for i, id in ipairs(ids) do
      local g = (priors[i] or {}).log_group_name
      if g then by_group[g] = by_group[g] or {}; by_group[g][id] = true end
    end
    for g, want in pairs(by_group) do
      local n, only = 0, nil
      for name in pairs(want) do n, only = n + 1, name end
      for name, s in pairs(streams(ctx, g, want, n == 1 and only or nil)) do
        s.group = g
        out[name] = s
      end
    end
    return out
  end,
  find = function(ctx, args)
    local s = streams(ctx, args.log_group_name, { [args.name] = true }, args.name)[args.name]
    if s then s.group = args.log_group_name end
    return s
  end,
  not_found = { "ResourceNotFoundException" },
  delete = { op = "DeleteLogStream",
    params = function(id, attrs) return { logGroupName = attrs.log_group_name, logStreamName = id } end },
}

-- Terraform's import id: GROUP:STREAM.
function M.import(ctx, id)
  local group, name = id:match("^(.+):([^:]+)$")
  if not group then error('import id must be "GROUP:STREAM", got "' .. tostring(id) .. '"', 0) end
  return M.read(ctx, name, { log_group_name = group })
end

return M
