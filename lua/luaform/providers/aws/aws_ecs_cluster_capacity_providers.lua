-- aws_ecs_cluster_capacity_providers: the capacity providers of an ECS
-- cluster and its default strategy (FARGATE / FARGATE_SPOT), as
-- Terraform's AWS provider has it; declared for aws._resource through
-- aws._put_whole (PutClusterCapacityProviders sets both whole). The id is
-- the cluster name; destroying it empties both lists. A refresh asks
-- DescribeClusters for 100 clusters per call.
local resource = require("luaform.providers.aws._resource")
local whole = require("luaform.providers.aws._put_whole")
local common = require("luaform.providers.aws._common")

local function strategy(list)
  local out = {}
  for i, s in ipairs(list or {}) do
    out[i] = { capacityProvider = s.capacity_provider, weight = s.weight, base = s.base }
  end
  return out
end

local M
M = resource.define(whole.declare({
  service = "ecs", description = "Capacity providers and the default strategy of an ECS cluster.",
  id = "clusterName",
  fields = {
    cluster_name = { type = "string", required = true, force_new = true, wire = "clusterName" },
    capacity_providers = { type = "set", elem = "string", optional = true, wire = "capacityProviders" },
    default_capacity_provider_strategy = { type = "list", optional = true, wire = "defaultCapacityProviderStrategy",
      block = { capacity_provider = { type = "string", required = true, wire = "capacityProvider" },
                weight = { type = "number", optional = true, default = 0, wire = "weight" },
                base = { type = "number", optional = true, default = 0, wire = "base" } } },
  },
  create = { op = "PutClusterCapacityProviders", idempotent = true, result = "cluster" },
  read_many = function(ctx, names)
    local c, found = ctx:client("ecs"), {}
    for _, chunk in ipairs(common.chunks(names, 100)) do
      for _, cl in ipairs(c:DescribeClusters{ clusters = chunk }.clusters or {}) do
        if cl.status == "ACTIVE" then found[cl.clusterName] = cl end
      end
    end
    return found
  end,
  find = function(ctx, args) return M.describe(ctx, { args.cluster_name })[args.cluster_name] end,
  not_found = { "ClusterNotFoundException" },
  delete = { op = "PutClusterCapacityProviders", params = function(id)
    return { cluster = id, capacityProviders = {}, defaultCapacityProviderStrategy = {} }
  end },
}, function(a)
  return { cluster = a.cluster_name, capacityProviders = a.capacity_providers or {},
    defaultCapacityProviderStrategy = strategy(a.default_capacity_provider_strategy) }
end))

return M
