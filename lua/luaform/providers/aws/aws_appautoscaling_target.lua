-- aws_appautoscaling_target: a scalable target of Application Auto
-- Scaling, as Terraform's; declared for aws._resource. The id is the
-- resource id (service/CLUSTER/SERVICE).
--
-- RegisterScalableTarget both creates and updates (min and max capacity
-- change in place); it is idempotent. Right after an ECS service is made
-- AWS may not see it yet (ObjectNotFoundException, ValidationException
-- "service doesn't exist"): retried by the transport. A refresh makes one
-- DescribeScalableTargets per namespace for up to 50 ids.
local resource = require("luaform.providers.aws._resource")
local common = require("luaform.providers.aws._common")

local NOT_YET = { "ObjectNotFoundException", "ValidationException" }

-- {resource id = target} of ids in namespace ns with dimension dim.
local function describe(ctx, ns, ids, dims)
  local c, out = ctx:client("application-autoscaling"), {}
  for _, chunk in ipairs(common.chunks(ids, 50)) do
    for _, t in ipairs(c:collect("DescribeScalableTargets", { ServiceNamespace = ns, ResourceIds = chunk })) do
      if dims[t.ResourceId] == t.ScalableDimension then out[t.ResourceId] = t end
    end
  end
  return out
end

local function register(c, a, opts)
  return c:RegisterScalableTarget({ ServiceNamespace = a.service_namespace, ResourceId = a.resource_id,
    ScalableDimension = a.scalable_dimension, MinCapacity = a.min_capacity, MaxCapacity = a.max_capacity,
    RoleARN = a.role_arn }, opts)
end

local M = resource.define{
  service = "application-autoscaling", description = "A scalable target of Application Auto Scaling.",
  id = "ResourceId",
  fields = {
    service_namespace = { type = "string", required = true, force_new = true, wire = "ServiceNamespace" },
    resource_id = { type = "string", required = true, force_new = true, wire = "ResourceId" },
    scalable_dimension = { type = "string", required = true, force_new = true, wire = "ScalableDimension" },
    min_capacity = { type = "number", required = true, wire = "MinCapacity", set = "RegisterScalableTarget" },
    max_capacity = { type = "number", required = true, wire = "MaxCapacity", set = "RegisterScalableTarget" },
    role_arn = { type = "string", optional = true, computed = true, wire = "RoleARN" },
    arn = { type = "string", computed = true, wire = "ScalableTargetARN" },
  },
  create = { op = "RegisterScalableTarget", idempotent = true, read_back = true, retry_codes = NOT_YET,
    id = function(_, args) return args.resource_id end },
  -- one DescribeScalableTargets per namespace of the state
  read_many = function(ctx, ids, priors)
    local by_ns, out = {}, {}
    for i, id in ipairs(ids) do
      local p = priors[i] or {}
      if p.service_namespace then
        local b = by_ns[p.service_namespace] or { ids = {}, dims = {} }
        by_ns[p.service_namespace] = b
        b.ids[#b.ids + 1], b.dims[id] = id, p.scalable_dimension
      end
    end
    for ns, b in pairs(by_ns) do
      for id, t in pairs(describe(ctx, ns, b.ids, b.dims)) do out[id] = t end
    end
    return out
  end,
  find_id = function(args) return args.resource_id end,
  not_found = { "ObjectNotFoundException" },
  delete = { op = "DeregisterScalableTarget", params = function(id, attrs)
    return { ServiceNamespace = attrs.service_namespace, ResourceId = id, ScalableDimension = attrs.scalable_dimension }
  end },
}

-- One RegisterScalableTarget with the whole target (min and max together).
function M.update(ctx, id, _, new)
  register(ctx:client("application-autoscaling"), new, { retry_codes = NOT_YET })
  return M.read(ctx, id, new)
end

-- Terraform's import id: NAMESPACE/RESOURCE_ID/DIMENSION.
function M.import(ctx, id)
  local ns, rest = id:match("^([^/]+)/(.+)$")
  local rid, dim = (rest or ""):match("^(.+)/([^/]+)$")
  if not ns or not rid then error('import id must be "NAMESPACE/RESOURCE_ID/DIMENSION", got "' .. id .. '"', 0) end
  return M.read(ctx, rid, { service_namespace = ns, scalable_dimension = dim })
end

return M
