-- aws_service_discovery_private_dns_namespace: a Cloud Map private DNS
-- namespace in a VPC, as Terraform's AWS provider has it; declared for
-- aws._resource.
--
-- Namespace changes are asynchronous in Cloud Map: create, update and
-- delete answer an OperationId, polled with GetOperation until SUCCESS
-- (FAIL raises its message); those three operations are this type's own
-- (the contract's escape hatch). The create's token is the
-- CreatorRequestId (Cloud Map answers a repeated one with the first
-- operation) and the luaform:token tag, so a lost create is found. name
-- and vpc force a new namespace; description changes in place. A refresh
-- pages ListNamespaces (100 a call). The VPC is not in Cloud Map's answers
-- (it is the hosted zone's): an import takes it from the configuration.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local common = require("luaform.providers.aws._common")

local SECONDS = 600

-- Waits for a Cloud Map operation; its targets.
local function settle(ctx, c, op_id)
  local op = common.poll(ctx, function()
    local o = c:GetOperation{ OperationId = op_id }.Operation
    if o.Status == "FAIL" then error(string.format("Cloud Map operation %s failed: %s: %s", op_id,
      tostring(o.ErrorCode), tostring(o.ErrorMessage)), 0) end
    return o.Status == "SUCCESS" and o or nil
  end, SECONDS, 1)
  if not op then error(string.format("Cloud Map operation %s did not finish in %d s", op_id, SECONDS), 0) end
  return op.Targets or {}
end

local M
M = resource.define{
  service = "servicediscovery", description = "A Cloud Map private DNS namespace (service discovery in a VPC).",
  identity = "Id", id = "Id",
  fields = {
    name = { type = "string", required = true, force_new = true, wire = "Name" },
    -- Cloud Map does not answer the VPC (its hosted zone does): kept from the
    -- configuration; after an import (no prior value) it is taken, not a replace
    vpc = { type = "string", required = true, keep = true, description = "The VPC's id.",
      force_new = function(old, new) return old ~= nil and old ~= new end },
    description = { type = "string", optional = true, wire = "Description",
      set = function(ctx, c, id, v)
        settle(ctx, c, c:UpdatePrivateDnsNamespace{ Id = id, UpdaterRequestId = ctx.token,
          Namespace = { Description = v or "" } }.OperationId)
      end },
    arn = { type = "string", computed = true, wire = "Arn" },
    hosted_zone = { type = "string", computed = true, wire = "Properties.DnsProperties.HostedZoneId" },
  },
  create = { op = "CreatePrivateDnsNamespace" },
  read = { op = "GetNamespace", result = "Namespace" },
  read_many = function(ctx, ids)
    local want, found = {}, {}
    for _, id in ipairs(ids) do want[id] = true end
    for _, ns in ipairs(ctx:client("servicediscovery"):collect("ListNamespaces", { MaxResults = 100 })) do
      if want[ns.Id] then found[ns.Id] = ns end
    end
    return found
  end,
  find = function(ctx, args)
    local c = ctx:client("servicediscovery")
    local ns = c:collect("ListNamespaces", { Filters = { { Name = "NAME", Values = { args.name },
      Condition = "EQ" } } })[1]
    if ns then return c:GetNamespace{ Id = ns.Id }.Namespace end   -- the token tag proves it ours (aws._resource)
  end,
  not_found = { "NamespaceNotFound" },
  delete = { op = "DeleteNamespace", busy = { "ResourceInUse" } },
  tags = tags.api{ create = "Tags", form = "list", by = "arn", param = "ResourceARN",
    read = { op = "ListTagsForResource", result = "Tags" },
    tag = { op = "TagResource", member = "Tags" }, untag = { op = "UntagResource", member = "TagKeys" } },
}

-- Create: the operation, then the namespace it made.
function M.create(ctx, args)
  local c = ctx:client("servicediscovery")
  local out = c:CreatePrivateDnsNamespace{ Name = args.name, Vpc = args.vpc, Description = args.description,
    CreatorRequestId = ctx.token, Tags = common.tag_list(common.create_tags(ctx, args.tags)) }
  return common.after_create(ctx, args.name, function()
    local id = settle(ctx, c, out.OperationId).NAMESPACE
    return M.read(ctx, id, args)
  end)
end

-- Delete: the operation, waited for (services still in it: retried while they go).
function M.delete(ctx, id)
  local c = ctx:client("servicediscovery")
  local op
  local ok, err = pcall(common.delete, ctx, function() op = c:DeleteNamespace{ Id = id }.OperationId end, 300,
    { ResourceInUse = true })
  if not ok then
    if common.code(err) == "NamespaceNotFound" then return end
    error(err, 0)
  end
  if op then settle(ctx, c, op) end
end

return M
