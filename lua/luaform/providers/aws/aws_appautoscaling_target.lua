-- aws_appautoscaling_target: an Application Auto Scaling scalable target.
--
-- The id is the resource id (service/CLUSTER/SERVICE for ECS), as
-- Terraform has it. RegisterScalableTarget is an upsert, so create and
-- update are the same call and a lost create needs no search: recover()
-- reads it back. A refresh describes the targets of each namespace in one
-- DescribeScalableTargets (ids in chunks of 50). Registering right after
-- the ECS service was created may fail until the service is visible; that
-- is retried.
local ecs = require("luaform.providers.aws._ecs")

local M = {}

M.schema = {
  service_namespace = { type = "string", required = true, force_new = true },
  resource_id = { type = "string", required = true, force_new = true },
  scalable_dimension = { type = "string", required = true, force_new = true },
  min_capacity = { type = "number", required = true },
  max_capacity = { type = "number", required = true },
  role_arn = { type = "string", optional = true, computed = true },
  arn = { type = "string", computed = true },
}

local function client(ctx) return ecs.client(ctx, "application-autoscaling") end

local function attributes(t)
  return { id = t.ResourceId, resource_id = t.ResourceId, service_namespace = t.ServiceNamespace,
    scalable_dimension = t.ScalableDimension, min_capacity = t.MinCapacity, max_capacity = t.MaxCapacity,
    role_arn = t.RoleARN, arn = t.ScalableTargetARN }
end

-- Targets of a namespace among ids (resource ids) -> {key -> target}.
local function describe(ctx, ns, ids)
  local c = client(ctx)
  local out = {}
  for i = 1, #ids, 50 do
    local params = { ServiceNamespace = ns, ResourceIds = { table.unpack(ids, i, math.min(i + 49, #ids)) } }
    while true do
      local page = c:DescribeScalableTargets(params)
      for _, t in ipairs(page.ScalableTargets or {}) do out[t.ResourceId .. "|" .. t.ScalableDimension] = t end
      if not page.NextToken or page.NextToken == "" then break end
      params.NextToken = page.NextToken
    end
  end
  return out
end

function M.read_batch(ctx, ids, entries)
  local by_ns, out = {}, {}
  for i, id in ipairs(ids) do
    local a = entries[i].entry.attributes
    by_ns[a.service_namespace] = by_ns[a.service_namespace] or { ids = {}, want = {} }
    local b = by_ns[a.service_namespace]
    b.ids[#b.ids + 1] = id
    b.want[#b.want + 1] = { id = id, key = id .. "|" .. a.scalable_dimension }
  end
  for ns, b in pairs(by_ns) do
    local found = describe(ctx, ns, b.ids)
    for _, w in ipairs(b.want) do
      if found[w.key] then out[w.id] = attributes(found[w.key]) end
    end
  end
  return out
end

function M.read(ctx, id, prior)
  local t = describe(ctx, prior.service_namespace, { id })[id .. "|" .. prior.scalable_dimension]
  return t and attributes(t) or nil
end

local function register(ctx, args)
  local c = client(ctx)
  -- "ECS service doesn't exist": the service was created moments ago.
  local function not_yet(e)
    if ecs.is(e, "ObjectNotFoundException") then return true end
    local msg = type(e) == "table" and tostring(e.message or "") or ""
    return ecs.is(e, "ValidationException") and (msg:find("exist") or msg:find("not found")) ~= nil
  end
  ecs.retry(ctx, 120, not_yet, function()
    return c:RegisterScalableTarget{ ServiceNamespace = args.service_namespace, ResourceId = args.resource_id,
      ScalableDimension = args.scalable_dimension, MinCapacity = args.min_capacity,
      MaxCapacity = args.max_capacity, RoleARN = args.role_arn }
  end)
  return ecs.wait(ctx, 60, 1, "scalable target " .. args.resource_id, function()
    return M.read(ctx, args.resource_id, args)
  end)
end

function M.create(ctx, args) return register(ctx, args) end

function M.update(ctx, _, _, new) return register(ctx, new) end

function M.delete(ctx, id, attrs)
  local c = client(ctx)
  local ok, err = ecs.try(c.DeregisterScalableTarget, c, { ServiceNamespace = attrs.service_namespace,
    ResourceId = id, ScalableDimension = attrs.scalable_dimension })
  if not ok and not ecs.is(err, "ObjectNotFoundException") then error(err, 0) end
end

-- Terraform's import id: SERVICE_NAMESPACE/RESOURCE_ID/SCALABLE_DIMENSION
function M.import(ctx, id)
  local ns, rest = id:match("^([^/]+)/(.+)$")
  local rid, dim = (rest or ""):match("^(.+)/([^/]+)$")
  if not ns or not rid then error('import id must be "NAMESPACE/RESOURCE_ID/DIMENSION", got "' .. id .. '"', 0) end
  return M.read(ctx, rid, { service_namespace = ns, scalable_dimension = dim })
end

function M.recover(ctx, pending)
  local a = pending.args
  if not a then return nil end
  return M.read(ctx, a.resource_id, a)
end

return M
