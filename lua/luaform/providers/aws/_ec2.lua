-- aws._ec2: what the declared EC2 types (aws._resource) share: an EC2
-- ARN, and the first object of a filtered Describe once it is visible
-- (objects AWS makes alongside another, e.g. a VPC's main route table).
local common = require("luaform.providers.aws._common")

local M = {}

-- arn:aws:ec2:<region>:<account>:<kind>/<id>
function M.arn(kind)
  return function(ctx, out, obj, id_key)
    out.arn = out.arn or common.ec2_arn(ctx, obj.OwnerId, kind, obj[id_key])
  end
end

-- The first object of op filtered by filters (result key key), polled for
-- at most `seconds` while AWS does not show it yet.
function M.first(ctx, c, op, filters, seconds)
  local found = common.poll(ctx, function() return c:collect(op, { Filters = filters })[1] end, seconds or 30, 0.5)
  if not found then error(string.format("%s found nothing for %s", op, filters[1].Values[1]), 0) end
  return found
end

return M
