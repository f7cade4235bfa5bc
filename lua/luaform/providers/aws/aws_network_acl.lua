-- aws_network_acl: a VPC network ACL and the subnets it guards, as
-- Terraform's AWS provider has it; declared for aws._resource. Its rules
-- are aws_network_acl_rule objects (inline ingress/egress blocks are not
-- offered). vpc_id forces a new ACL; subnet_ids change in place by moving
-- each subnet's association (ReplaceNetworkAclAssociation): to this ACL,
-- or back to the VPC's default ACL when removed, also on destroy. A
-- refresh asks DescribeNetworkAcls for 200 ids per call.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local ec2 = require("luaform.providers.aws._ec2")

local arn = ec2.arn("network-acl")

-- Moves subnets to acl_id (their current association ids from the VPC's ACLs).
local function move(c, vpc_id, subnets, acl_id, opts)
  if #subnets == 0 then return end
  local assoc = {}
  local acls = c:DescribeNetworkAcls{ Filters = { { Name = "vpc-id", Values = { vpc_id } } } }.NetworkAcls
  local default
  for _, a in ipairs(acls) do
    if a.IsDefault then default = a.NetworkAclId end
    for _, x in ipairs(a.Associations or {}) do assoc[x.SubnetId] = x.NetworkAclAssociationId end
  end
  for _, s in ipairs(subnets) do
    if assoc[s] then
      c:ReplaceNetworkAclAssociation({ AssociationId = assoc[s], NetworkAclId = acl_id or default }, opts)
    end
  end
end

local function set_subnets(_, c, id, v, ch)
  local old, new, add, drop = {}, {}, {}, {}
  for _, s in ipairs((ch.old or {}).subnet_ids or {}) do old[s] = true end
  for _, s in ipairs(v or {}) do new[s] = true; if not old[s] then add[#add + 1] = s end end
  for s in pairs(old) do if not new[s] then drop[#drop + 1] = s end end
  table.sort(add); table.sort(drop)
  local vpc = ch.new.vpc_id
  move(c, vpc, add, id, ch.opts)
  move(c, vpc, drop, nil, ch.opts)
end

return resource.define{
  service = "ec2", description = "A VPC network ACL (its rules: aws_network_acl_rule).",
  identity = "NetworkAclId", id = "NetworkAclId",
  fields = {
    vpc_id = { type = "string", required = true, force_new = true, wire = "VpcId" },
    subnet_ids = { type = "set", elem = "string", optional = true, computed = true, input = false,
      wire = "Associations", set = set_subnets,
      from_wire = function(v)
        local out = {}
        for i, a in ipairs(v or {}) do out[i] = a.SubnetId end
        table.sort(out)
        return out
      end },
    owner_id = { type = "string", computed = true, wire = "OwnerId" },
    arn = { type = "string", computed = true },
  },
  create = { op = "CreateNetworkAcl", result = "NetworkAcl",
    retry_codes = { "InvalidVpcID.NotFound" } },
  read_many = { op = "DescribeNetworkAcls", filter = "network-acl-id", result = "NetworkAcls" },
  not_found = { "InvalidNetworkAclID.NotFound" },
  adjust = function(ctx, out, a) arn(ctx, out, a, "NetworkAclId") end,
  delete = { op = "DeleteNetworkAcl", before = function(_, c, _, attrs)
    move(c, attrs.vpc_id, attrs.subnet_ids or {}, nil)
  end },
  tags = tags.ec2("network-acl"),
}
