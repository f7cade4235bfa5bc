-- Sets the retention of every CloudWatch log group (optionally only those
-- whose name starts with PREFIX) to DAYS, in one region.
--
--   luaform run [-dry-run] examples/migrations/log_retention.lua 14 /ecs/
--
-- Log groups this stack manages (aws_cloudwatch_log_group in the state)
-- are skipped and listed: change their retention_in_days in the stack.
local days = math.tointeger(tonumber(arg[1] or ""))
if not days then error("usage: log_retention.lua DAYS [PREFIX]", 0) end
local prefix = arg[2]

local managed = {}
for _, addr in ipairs(state.list()) do
  local e = state.show(addr)
  if e.type == "aws_cloudwatch_log_group" then managed[e.attributes.id] = addr end
end

local logs = aws.client("logs")
local changed, skipped = 0, 0
for page in logs:paginate("DescribeLogGroups", { logGroupNamePrefix = prefix }) do
  for _, g in ipairs(page.logGroups or {}) do
    if managed[g.logGroupName] then
      skipped = skipped + 1
      print(string.format("skip %s: managed by the stack as %s", g.logGroupName, managed[g.logGroupName]))
    elseif g.retentionInDays ~= days then
      logs:PutRetentionPolicy{ logGroupName = g.logGroupName, retentionInDays = days }
      changed = changed + 1
      print(string.format("%s: retention %s -> %d days", g.logGroupName, tostring(g.retentionInDays or "never expire"), days))
    end
  end
end
print(string.format("%d log group(s) changed, %d managed by the stack left alone", changed, skipped))
