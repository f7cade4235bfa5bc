-- aws_ecs_task_definition: a revision of an ECS task definition family;
-- declared for aws._resource. The id is the revision's ARN.
--
-- Task definitions are immutable: every argument but tags and
-- skip_destroy forces a new revision (the old one is deregistered, a new
-- one registered, and whatever refers to `arn` is updated).
-- container_definitions compares with the defaults ECS adds removed
-- (aws/_json.containers), so the echo of a registration is never a diff.
-- RegisterTaskDefinition has no idempotency token: after a lost answer the
-- family's newest revisions are searched for the token tag, and revisions
-- a re-sent request registered twice are deregistered. An INACTIVE
-- revision is gone.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local json = require("luaform.providers.aws._json")

local function td(path, spec)
  spec.wire = "taskDefinition." .. path
  spec.input = path
  return spec
end

local function describe(c, ref)
  local ok, out = pcall(c.DescribeTaskDefinition, c, { taskDefinition = ref, include = { "TAGS" } })
  if ok then return out end
  if tostring(out.code):find("ClientException") or tostring(out.code):find("InvalidParameter") then return nil end
  error(out, 0)
end

local function token_of(out)
  for _, t in ipairs(out and out.tags or {}) do if t.key == tags.TOKEN_TAG then return t.value end end
end

-- Deregisters revisions below rev that carry token (a re-sent request
-- registered them); stops at the first that does not.
local function drop_duplicates(c, family, rev, token)
  for r = rev - 1, math.max(1, rev - 3), -1 do
    local out = describe(c, family .. ":" .. r)
    if not out or token_of(out) ~= token then return end
    if out.taskDefinition.status == "ACTIVE" then
      c:DeregisterTaskDefinition{ taskDefinition = out.taskDefinition.taskDefinitionArn }
    end
  end
end

return resource.define{
  service = "ecs", description = "A revision of an ECS task definition family.",
  identity = "taskDefinition", id = "taskDefinition.taskDefinitionArn",
  fields = {
    family = td("family", { type = "string", required = true, force_new = true }),
    container_definitions = td("containerDefinitions", { type = "json", required = true, force_new = true,
      equal = json.containers_equal,
      from_wire = function(v, _, prior) return json.keep(prior, v, json.containers_equal) end,
      to_wire = function(v) return json.decode(v) end }),
    cpu = td("cpu", { type = "string", optional = true, force_new = true }),
    memory = td("memory", { type = "string", optional = true, force_new = true }),
    network_mode = td("networkMode", { type = "string", optional = true, computed = true, force_new = true }),
    requires_compatibilities = td("requiresCompatibilities", { type = "set", elem = "string", optional = true,
      force_new = true }),
    execution_role_arn = td("executionRoleArn", { type = "string", optional = true, force_new = true }),
    task_role_arn = td("taskRoleArn", { type = "string", optional = true, force_new = true }),
    runtime_platform = td("runtimePlatform", { type = "list", max_items = 1, optional = true, force_new = true,
      block = { operating_system_family = { type = "string", optional = true, wire = "operatingSystemFamily" },
                cpu_architecture = { type = "string", optional = true, wire = "cpuArchitecture" } } }),
    volume = td("volumes", { type = "set", optional = true, force_new = true,
      description = "Volumes its containers mount: a bind mount (host_path) or EFS.",
      block = { name = { type = "string", required = true, wire = "name" },
                host_path = { type = "string", optional = true, wire = "host.sourcePath" },
                efs_volume_configuration = { type = "list", max_items = 1, optional = true,
                  wire = "efsVolumeConfiguration",
                  block = { file_system_id = { type = "string", required = true, wire = "fileSystemId" },
                            -- AWS answers "/" (the volume's root) when it is left out
                            root_directory = { type = "string", optional = true, default = "/", wire = "rootDirectory" },
                            transit_encryption = { type = "string", optional = true, wire = "transitEncryption" },
                            transit_encryption_port = { type = "number", optional = true,
                              wire = "transitEncryptionPort" },
                            authorization_config = { type = "list", max_items = 1, optional = true,
                              wire = "authorizationConfig",
                              block = { access_point_id = { type = "string", optional = true, wire = "accessPointId" },
                                        iam = { type = "string", optional = true, wire = "iam" } } } } } } }),
    ephemeral_storage = td("ephemeralStorage", { type = "list", max_items = 1, optional = true, force_new = true,
      description = "Fargate task storage beyond the default 20 GiB.",
      block = { size_in_gib = { type = "number", required = true, wire = "sizeInGiB" } } }),
    skip_destroy = { type = "bool", optional = true, default = false, keep = true },
    arn = { type = "string", computed = true, wire = "taskDefinition.taskDefinitionArn" },
    arn_without_revision = { type = "string", computed = true, wire = "taskDefinition.taskDefinitionArn",
      from_wire = function(v) return v and (v:gsub(":%d+$", "")) end },
    revision = { type = "number", computed = true, wire = "taskDefinition.revision" },
  },
  create = { op = "RegisterTaskDefinition", result = "",
    after = function(ctx, c, id, args) drop_duplicates(c, args.family, tonumber(id:match(":(%d+)$")), ctx.token) end },
  read = { op = "DescribeTaskDefinition",
    params = function(id) return { taskDefinition = id, include = { "TAGS" } } end },
  gone = function(out) return out.taskDefinition.status ~= "ACTIVE" end,
  -- a lost create: the newest ACTIVE revision of the family with the token
  find = function(ctx, args, token)
    local c = ctx:client("ecs")
    local list = c:ListTaskDefinitions{ familyPrefix = args.family, status = "ACTIVE", sort = "DESC",
      maxResults = 5 }
    for _, arn in ipairs(list.taskDefinitionArns or {}) do
      if arn:match(":task%-definition/(.+):%d+$") == args.family then
        local out = describe(c, arn)
        if out and token_of(out) == token then
          drop_duplicates(c, args.family, out.taskDefinition.revision, token)
          return out
        end
      end
    end
  end,
  not_found = { "ClientException", "InvalidParameterException" },
  delete = { op = "DeregisterTaskDefinition", skip = "skip_destroy" },
  tags = tags.api{ create = "tags", form = "lower", in_object = "tags", by = "id", param = "resourceArn",
    tag = { op = "TagResource", member = "tags" }, untag = { op = "UntagResource", member = "tagKeys" } },
}
