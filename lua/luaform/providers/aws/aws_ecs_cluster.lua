-- aws_ecs_cluster: an ECS cluster, as Terraform's AWS provider has it.
--
-- The id is the cluster ARN. CreateCluster is idempotent for an ACTIVE
-- cluster of the same name, so a lost create is recovered by name. A
-- refresh describes every cluster of the state in one DescribeClusters
-- (with tags and settings); an INACTIVE cluster is gone. Delete waits
-- while services are still draining (ClusterContainsServicesException).
local ecs = require("luaform.providers.aws._ecs")

local M = {}

M.schema = {
  name = { type = "string", required = true, force_new = true },
  setting = { type = "set", optional = true, computed = true,
    block = { name = { type = "string", required = true }, value = { type = "string", required = true } } },
  tags = { type = "map", elem = "string", optional = true },
  tags_all = { type = "map", elem = "string", computed = true },
  arn = { type = "string", computed = true },
}

local function client(ctx) return ecs.client(ctx, "ecs") end

local function settings_of(list)
  local out = {}
  for _, s in ipairs(list or {}) do out[#out + 1] = { name = s.name, value = s.value } end
  table.sort(out, function(a, b) return a.name < b.name end)
  return out
end

local function attributes(ctx, c)
  local own, all = ecs.split_tags(ctx, ecs.from_list(c.tags, "key", "value"))
  return { id = c.clusterArn, arn = c.clusterArn, name = c.clusterName,
    setting = settings_of(c.settings), tags = own, tags_all = all }
end

local function describe(ctx, refs)
  local out = {}
  for i = 1, #refs, 100 do
    local chunk = { table.unpack(refs, i, math.min(i + 99, #refs)) }
    local res = client(ctx):DescribeClusters{ clusters = chunk, include = { "TAGS", "SETTINGS" } }
    for _, c in ipairs(res.clusters or {}) do
      if c.status == "ACTIVE" or c.status == "PROVISIONING" then out[c.clusterArn] = c end
    end
  end
  return out
end

function M.read_batch(ctx, ids)
  local out = {}
  for arn, c in pairs(describe(ctx, ids)) do out[arn] = attributes(ctx, c) end
  return out
end

function M.read(ctx, id)
  local c = describe(ctx, { id })[id]
  return c and attributes(ctx, c) or nil
end

local function to_settings(list)
  if not list then return nil end
  local out = {}
  for _, s in ipairs(list) do out[#out + 1] = { name = s.name, value = s.value } end
  return out
end

function M.create(ctx, args)
  local res = client(ctx):CreateCluster{
    clusterName = args.name, settings = to_settings(args.setting),
    tags = ecs.to_list(ecs.tags_all(ctx, args.tags), "key", "value"),
  }
  local arn = res.cluster.clusterArn
  return ecs.created(arn, function()
    return ecs.wait(ctx, 60, 1, "cluster " .. args.name .. " to be visible", function() return M.read(ctx, arn) end)
  end)
end

function M.update(ctx, id, old, new)
  local c = client(ctx)
  if new.setting and not require("luaform.values").deep_equal(old.setting, new.setting) then
    c:UpdateClusterSettings{ cluster = id, settings = to_settings(new.setting) }
  end
  local set, remove = ecs.tag_changes(old.tags_all, ecs.tags_all(ctx, new.tags))
  if next(set) then c:TagResource{ resourceArn = id, tags = ecs.to_list(set, "key", "value") } end
  if #remove > 0 then c:UntagResource{ resourceArn = id, tagKeys = remove } end
  return M.read(ctx, id)
end

function M.delete(ctx, id)
  local c = client(ctx)
  local ok, err = pcall(ecs.retry, ctx, 600,
    { "ClusterContainsServicesException", "ClusterContainsTasksException", "UpdateInProgressException",
      "ClusterContainsContainerInstancesException" },
    function() return c:DeleteCluster{ cluster = id } end)
  if not ok and not ecs.is(err, "ClusterNotFoundException") then error(err, 0) end
end

function M.import(ctx, id)
  if not id:match("^arn:") then
    local c = describe(ctx, { id })
    for _, x in pairs(c) do return attributes(ctx, x) end
    return nil
  end
  return M.read(ctx, id)
end

function M.recover(ctx, pending)
  local name = pending.args and pending.args.name
  if not name then return nil end
  for _, c in pairs(describe(ctx, { name })) do return attributes(ctx, c) end
  return nil
end

return M
