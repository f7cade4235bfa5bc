-- aws_ecs_task_definition: a revision of an ECS task definition family.
--
-- The id is the revision's ARN. Task definitions are immutable: every
-- argument forces a new revision (a replace: the old revision is
-- deregistered, a new one registered, and whatever refers to `arn` is
-- updated). container_definitions is compared with the defaults ECS adds
-- removed (aws/_json.containers), so the echo of a registration is never a
-- diff; the state keeps the user's document while it means the same.
-- RegisterTaskDefinition has no idempotency token: it is sent once with
-- the token tag; after a lost response the family's newest revisions are
-- searched for the tag, and revisions a retried request registered twice
-- are deregistered, so none is left behind. An INACTIVE revision is gone.
local ecs = require("luaform.providers.aws._ecs")
local json = require("luaform.providers.aws._json")

local M = {}

M.schema = {
  family = { type = "string", required = true, force_new = true },
  container_definitions = { type = "json", required = true, force_new = true, equal = json.containers_equal },
  cpu = { type = "string", optional = true, force_new = true },
  memory = { type = "string", optional = true, force_new = true },
  network_mode = { type = "string", optional = true, computed = true, force_new = true },
  requires_compatibilities = { type = "set", elem = "string", optional = true, force_new = true },
  execution_role_arn = { type = "string", optional = true, force_new = true },
  task_role_arn = { type = "string", optional = true, force_new = true },
  runtime_platform = { type = "list", max_items = 1, optional = true, force_new = true,
    block = { operating_system_family = { type = "string", optional = true },
              cpu_architecture = { type = "string", optional = true } } },
  skip_destroy = { type = "bool", optional = true, default = false },
  tags = { type = "map", elem = "string", optional = true },
  tags_all = { type = "map", elem = "string", computed = true },
  arn = { type = "string", computed = true },
  arn_without_revision = { type = "string", computed = true },
  revision = { type = "number", computed = true },
}

local function client(ctx) return ecs.client(ctx, "ecs") end

local function gone(e) return ecs.is(e, "ClientException", "InvalidParameterException") end

-- The task definition and its tags (a map), or nil.
local function describe(ctx, ref)
  local c = client(ctx)
  local ok, out = ecs.try(c.DescribeTaskDefinition, c, { taskDefinition = ref, include = { "TAGS" } })
  if not ok then
    if gone(out) then return nil end
    error(out, 0)
  end
  return out.taskDefinition, ecs.from_list(out.tags, "key", "value")
end

local function attributes(ctx, td, tags, prior)
  prior = prior or {}
  local own, all = ecs.split_tags(ctx, tags)
  local rp = td.runtimePlatform
  local compat = td.requiresCompatibilities
  if compat then compat = { table.unpack(compat) }; table.sort(compat) end
  return {
    id = td.taskDefinitionArn, arn = td.taskDefinitionArn,
    arn_without_revision = td.taskDefinitionArn:gsub(":%d+$", ""),
    family = td.family, revision = td.revision,
    container_definitions = json.keep(prior.container_definitions, td.containerDefinitions, json.containers_equal),
    cpu = td.cpu and tostring(td.cpu) or nil, memory = td.memory and tostring(td.memory) or nil,
    network_mode = td.networkMode, requires_compatibilities = compat,
    execution_role_arn = td.executionRoleArn, task_role_arn = td.taskRoleArn,
    runtime_platform = rp and { { operating_system_family = rp.operatingSystemFamily,
      cpu_architecture = rp.cpuArchitecture } } or nil,
    skip_destroy = prior.skip_destroy or false,
    tags = own, tags_all = all,
  }
end

function M.read(ctx, id, prior)
  local td, tags = describe(ctx, id)
  if not td or td.status ~= "ACTIVE" then return nil end
  return attributes(ctx, td, tags, prior)
end

-- Deregisters revisions below `rev` that carry `token` (a retried request
-- registered them); stops at the first that does not.
local function drop_duplicates(ctx, family, rev, token)
  local c = client(ctx)
  for r = rev - 1, math.max(1, rev - 3), -1 do
    local td, tags = describe(ctx, family .. ":" .. r)
    if not td or tags[ecs.TOKEN_TAG] ~= token then return end
    if td.status == "ACTIVE" then c:DeregisterTaskDefinition{ taskDefinition = td.taskDefinitionArn } end
  end
end

-- The newest ACTIVE revision of the family carrying token, or nil.
local function find(ctx, family, token)
  local out = client(ctx):ListTaskDefinitions{ familyPrefix = family, status = "ACTIVE", sort = "DESC", maxResults = 5 }
  for _, arn in ipairs(out.taskDefinitionArns or {}) do
    if arn:match(":task%-definition/(.+):%d+$") == family then
      local td, tags = describe(ctx, arn)
      if td and tags[ecs.TOKEN_TAG] == token then return td, tags end
    end
  end
  return nil
end

function M.create(ctx, args)
  local c = client(ctx)
  local rp = args.runtime_platform and args.runtime_platform[1]
  local params = {
    family = args.family, containerDefinitions = json.decode(args.container_definitions),
    cpu = args.cpu, memory = args.memory, networkMode = args.network_mode,
    requiresCompatibilities = args.requires_compatibilities,
    executionRoleArn = args.execution_role_arn, taskRoleArn = args.task_role_arn,
    runtimePlatform = rp and { operatingSystemFamily = rp.operating_system_family, cpuArchitecture = rp.cpu_architecture } or nil,
    tags = ecs.to_list(ecs.create_tags(ctx, args.tags), "key", "value"),
  }
  local td = ecs.create(ctx, function(opts) return c:RegisterTaskDefinition(params, opts).taskDefinition end,
    function() return (find(ctx, args.family, ctx.token)) end)
  return ecs.created(td.taskDefinitionArn, function()
    drop_duplicates(ctx, args.family, td.revision, ctx.token)
    return attributes(ctx, td, ecs.create_tags(ctx, args.tags), args)
  end)
end

function M.update(ctx, id, old, new)
  -- only tags and skip_destroy change in place
  local c = client(ctx)
  local set, remove = ecs.tag_changes(old.tags_all, ecs.tags_all(ctx, new.tags))
  if next(set) then c:TagResource{ resourceArn = id, tags = ecs.to_list(set, "key", "value") } end
  if #remove > 0 then c:UntagResource{ resourceArn = id, tagKeys = remove } end
  local attrs = M.read(ctx, id, new)
  attrs.skip_destroy = new.skip_destroy
  return attrs
end

function M.delete(ctx, id, attrs)
  if attrs and attrs.skip_destroy then return end
  local c = client(ctx)
  local ok, err = ecs.try(c.DeregisterTaskDefinition, c, { taskDefinition = id })
  if not ok and not gone(err) then error(err, 0) end
end

function M.recover(ctx, pending)
  local a = pending.args
  if not a then return nil end
  local td, tags = find(ctx, a.family, pending.token)
  if not td then return nil end
  drop_duplicates(ctx, a.family, td.revision, pending.token)
  return attributes(ctx, td, tags, a)
end

return M
