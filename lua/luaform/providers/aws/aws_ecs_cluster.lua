-- aws_ecs_cluster: an ECS cluster, as Terraform's; declared for
-- aws._resource. The id is the cluster ARN.
--
-- CreateCluster is idempotent by name. A refresh describes every cluster
-- of the state (with tags, settings and configuration) in one
-- DescribeClusters; configuration (ECS Exec) and service_connect_defaults
-- change in place in one UpdateCluster. An INACTIVE cluster counts as
-- gone. Delete waits while services, tasks or container instances are
-- still leaving.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local wire = require("luaform.providers.aws._wire")

local ALIVE = { ACTIVE = true, PROVISIONING = true }

-- configuration: ECS Exec's KMS key and where its sessions are logged.
local LOG = { type = "list", max_items = 1, optional = true, wire = "logConfiguration",
  block = { cloud_watch_encryption_enabled = { type = "bool", optional = true, wire = "cloudWatchEncryptionEnabled" },
            cloud_watch_log_group_name = { type = "string", optional = true, wire = "cloudWatchLogGroupName" },
            s3_bucket_name = { type = "string", optional = true, wire = "s3BucketName" },
            s3_bucket_encryption_enabled = { type = "bool", optional = true, wire = "s3EncryptionEnabled" },
            s3_key_prefix = { type = "string", optional = true, wire = "s3KeyPrefix" } } }
local CONFIGURATION = { type = "list", max_items = 1, optional = true, wire = "configuration",
  set = "UpdateCluster", group = true,
  description = "ECS Exec: the KMS key and where its sessions are logged.",
  block = { execute_command_configuration = { type = "list", max_items = 1, optional = true,
    wire = "executeCommandConfiguration",
    block = { kms_key_id = { type = "string", optional = true, wire = "kmsKeyId" },
              logging = { type = "string", optional = true, default = "DEFAULT", wire = "logging" },
              log_configuration = LOG } } } }
-- UpdateCluster with an empty configuration removes it.
CONFIGURATION.to_params = function(p, v) p.configuration = wire.send(CONFIGURATION, v) or {} end

local M
M = resource.define{
  service = "ecs", description = "An ECS cluster.",
  identity = "cluster", id = "clusterArn",
  fields = {
    name = { type = "string", required = true, force_new = true, wire = "clusterName" },
    setting = { type = "set", optional = true, computed = true, wire = "settings",
      set = "UpdateClusterSettings",
      block = { name = { type = "string", required = true }, value = { type = "string", required = true } } },
    configuration = CONFIGURATION,
    service_connect_defaults = { type = "list", max_items = 1, optional = true, wire = "serviceConnectDefaults",
      set = "UpdateCluster", group = true, to_params = function(p, v)
        p.serviceConnectDefaults = { namespace = (v and v[1] or {}).namespace or "" }   -- "": none
      end,
      description = "The Cloud Map namespace (ARN) Service Connect uses by default.",
      block = { namespace = { type = "string", required = true, wire = "namespace" } } },
    arn = { type = "string", computed = true, wire = "clusterArn" },
  },
  create = { op = "CreateCluster", result = "cluster", idempotent = true, read_back = true },
  read_many = { op = "DescribeClusters", ids = "clusters", chunk = 100, result = "clusters",
    params = { include = { "TAGS", "SETTINGS", "CONFIGURATIONS" } } },
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
