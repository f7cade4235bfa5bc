-- aws._route53: what the Route 53 types share: zone ids (answers say
-- "/hostedzone/Z..", calls take "Z.."), record names as Route 53 keeps
-- them (lower case, final dot, "*" answered as "\052"), waiting for a
-- change to be INSYNC, and the zone's tagging style for aws._resource
-- (Route 53 takes no tags in CreateHostedZone: they are written right
-- after it, by ChangeTagsForResource with ResourceType "hostedzone").
local common = require("luaform.providers.aws._common")
local tagging = require("luaform.providers.aws._tags")

local M = {}

-- "Z123" of "/hostedzone/Z123" (or of "Z123").
function M.zone_id(v) return v and (tostring(v):match("([^/]+)$")) or nil end

-- A record name for comparison: lower case, without the final dot, "*" for "\052".
function M.name(v)
  if type(v) ~= "string" then return v end
  return (v:gsub("\\052", "*"):gsub("%.$", ""):lower())
end

function M.same_name(a, b) return M.name(a) == M.name(b) end

-- Waits (bounded) until the change answered in out is INSYNC.
function M.wait(ctx, c, out, seconds)
  local id = out and out.ChangeInfo and M.zone_id(out.ChangeInfo.Id)
  if not id then return end
  local done = common.poll(ctx, function()
    return c:GetChange{ Id = id }.ChangeInfo.Status == "INSYNC" or nil
  end, seconds or 300, 2)
  if not done then error(string.format("route53 change %s is not INSYNC after %d s", id, seconds or 300), 0) end
end

local function diff(old, new)
  local add, del = {}, {}
  for k, v in pairs(new) do if old[k] ~= v then add[#add + 1] = { Key = k, Value = v } end end
  for k in pairs(old) do
    if new[k] == nil and k:sub(1, #common.HIDDEN_PREFIX) ~= common.HIDDEN_PREFIX then del[#del + 1] = k end
  end
  table.sort(add, function(a, b) return a.Key < b.Key end)
  table.sort(del)
  return add, del
end

-- The tagging style of hosted zones (aws._tags' interface).
M.zone_tags = {
  create = function() end,   -- written by write_tags after the create
  read = function(_, c, id)
    local ok, out = pcall(c.ListTagsForResource, c, { ResourceType = "hostedzone", ResourceId = M.zone_id(id) })
    if not ok then
      if common.code(out) == "NoSuchHostedZone" then return {} end
      error(out, 0)
    end
    return common.tag_map(out.ResourceTagSet and out.ResourceTagSet.Tags)
  end,
  update = function(ctx, c, id, _, old_all, new_tags)
    local add, del = diff(old_all or {}, common.all_tags(ctx, new_tags))
    if #add == 0 and #del == 0 then return end
    c:ChangeTagsForResource{ ResourceType = "hostedzone", ResourceId = M.zone_id(id),
      AddTags = #add > 0 and add or nil, RemoveTagKeys = #del > 0 and del or nil }
  end,
}

-- Writes a new zone's tags with the create's token tag.
function M.write_tags(ctx, c, id, tags, token)
  local all = common.all_tags(ctx, tags)
  all[tagging.TOKEN_TAG] = token
  c:ChangeTagsForResource{ ResourceType = "hostedzone", ResourceId = M.zone_id(id), AddTags = common.tag_list(all) }
end

return M
