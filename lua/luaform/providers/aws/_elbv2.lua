-- aws._elbv2: what the declared ELBv2 types (aws_lb, aws_lb_target_group,
-- aws_lb_listener) share: their attributes (a Describe*Attributes call of
-- their own, set as Key/Value lists), a generated name, and the object of
-- a list that carries a create's token tag (DescribeTags, 20 at a time).
local tags = require("luaform.providers.aws._tags")

local M = {}

-- attributes = { fetch, set } for Describe<kind>Attributes / Modify<kind>Attributes.
function M.attributes(kind, arn_member, arn_key)
  return {
    fetch = function(_, c, obj, opts)
      local r = c["Describe" .. kind .. "Attributes"](c, { [arn_member] = obj[arn_key] }, opts)
      local out = {}
      for _, x in ipairs(r.Attributes or {}) do out[x.Key] = x.Value end
      return out
    end,
    set = { op = "Modify" .. kind .. "Attributes", member = "Attributes", form = "list" },
  }
end

-- The name a create sends: the user's, or prefix + the create's token.
function M.name(ctx, args, prefix)
  return args.name or ((args.name_prefix or prefix) .. ctx.token:gsub("%-", "")):sub(1, 32)
end

-- The object of list (ARN at arn_key) whose luaform:token tag is token.
function M.with_token(ctx, c, list, arn_key, token)
  local arns = {}
  for _, o in ipairs(list) do arns[#arns + 1] = o[arn_key] end
  local found = tags.elbv2().read_many(ctx, c, arns)
  for _, o in ipairs(list) do
    if (found[o[arn_key]] or {})[tags.TOKEN_TAG] == token then return o end
  end
  return nil
end

-- A lost create's object: by its name when the user gave one, else among
-- all objects that op (DescribeLoadBalancers, DescribeTargetGroups) lists.
function M.find(op, arn_key)
  return function(ctx, args, token)
    local c = ctx:client("elbv2")
    local params = {}
    if args.name then params.Names = { args.name } end
    local ok, list = pcall(c.collect, c, op, params)
    if not ok then
      if tostring(list.code or ""):find("NotFound") then return nil end
      error(list, 0)
    end
    return M.with_token(ctx, c, list, arn_key, token)
  end
end

return M
