-- data aws_ecs_cluster: an active cluster by cluster_name
-- (DescribeClusters), as Terraform's data source; read as resource
-- aws_ecs_cluster reads it.
local lookup = require("luaform.providers.aws._lookup")

return lookup.define{
  of = "aws_ecs_cluster", description = "An ECS cluster, found by name.",
  by = { cluster_name = { member = "clusters", field = "name", description = "The cluster's name.", required = true } },
  exports = { status = { type = "string", wire = "status", description = "ACTIVE or PROVISIONING." } },
}
