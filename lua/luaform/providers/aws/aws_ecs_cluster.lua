-- aws_ecs_cluster: an ECS cluster, as Terraform's; declared for
-- aws._resource. The id is the cluster ARN.
--
-- CreateCluster is idempotent by name. A refresh describes every cluster
-- of the state (with tags and settings) in one DescribeClusters; an
-- INACTIVE cluster counts as gone. Delete waits while services, tasks or
-- container instances are still leaving.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")

local ALIVE = { ACTIVE = true, PROVISIONING = true }

local M
M = resource.define{
  service = "ecs", description = "An ECS cluster.",
  identity = "cluster", id = "clusterArn",
  fields = {
    name = { type = "string", required = true, force_new = true, wire = "clusterName" },
    setting = { type = "set", optional = true, computed = true, wire = "settings",
      set = "UpdateClusterSettings",
      block = { name = { type = "string", required = true }, value = { type = "string", required = true } } },
    arn = { type = "string", computed = true, wire = "clusterArn" },
  },
  create = { op = "CreateCluster", result = "cluster", idempotent = true, read_back = true },
  read_many = { op = "DescribeClusters", ids = "clusters", chunk = 100, result = "clusters",
    params = { include = { "TAGS", "SETTINGS" } } },
  gone = function(c) return not ALIVE[c.status] end,
  -- by name: DescribeClusters takes names too
  find = function(ctx, args) return (select(2, next(M.describe(ctx, { args.name })))) end,
  not_found = { "ClusterNotFoundException" },
  delete = { op = "DeleteCluster", seconds = 600, busy = { "ClusterContainsServicesException",
    "ClusterContainsTasksException", "UpdateInProgressException", "ClusterContainsContainerInstancesException" } },
  tags = tags.api{ create = "tags", form = "lower", in_object = "tags", by = "id", param = "resourceArn",
    tag = { op = "TagResource", member = "tags" }, untag = { op = "UntagResource", member = "tagKeys" } },
}

-- Terraform's import id: the cluster's name (or its ARN).
function M.import(ctx, id)
  local arn = next(M.describe(ctx, { id }))
  if not arn then error("importing aws_ecs_cluster: no cluster " .. id, 0) end
  return M.read(ctx, arn)
end

return M
