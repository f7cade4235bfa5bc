-- aws_vpc_endpoint: a VPC endpoint, Gateway (S3, DynamoDB: on route
-- tables) or Interface (ECR, Logs, Secrets Manager, ...: in subnets, with
-- security groups and private DNS), as Terraform's AWS provider has it;
-- declared for aws._resource.
--
-- vpc_id, service_name and vpc_endpoint_type force a new endpoint; route
-- tables, subnets, security groups, the policy and private DNS change in
-- place with ModifyVpcEndpoint (what was added and removed). The create
-- carries the token as ClientToken and waits until the endpoint is
-- available; a refresh asks DescribeVpcEndpoints for 200 ids per call.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local common = require("luaform.providers.aws._common")
local json = require("luaform.providers.aws._json")

-- The ModifyVpcEndpoint change of a set field: Add<X>/Remove<X> lists.
local function modify_set(key, add, remove)
  return function(_, c, id, v, ch)
    local old, new, out = {}, {}, { VpcEndpointId = id }
    for _, x in ipairs((ch.old or {})[key] or {}) do old[x] = true end
    for _, x in ipairs(v or {}) do new[x] = true end
    local a, r = {}, {}
    for x in pairs(new) do if not old[x] then a[#a + 1] = x end end
    for x in pairs(old) do if not new[x] then r[#r + 1] = x end end
    table.sort(a); table.sort(r)
    if #a == 0 and #r == 0 then return end
    out[add], out[remove] = #a > 0 and a or nil, #r > 0 and r or nil
    return c:ModifyVpcEndpoint(out, ch.opts)
  end
end

local function ids_field(key, member, add, remove, description)
  return { type = "set", elem = "string", optional = true, computed = true, wire = member,
    set = modify_set(key, add, remove), description = description }
end

local sg_field = ids_field("security_group_ids", "Groups", "AddSecurityGroupIds", "RemoveSecurityGroupIds",
  "Security groups of an Interface endpoint (read as {GroupId, GroupName} pairs).")
sg_field.input = "SecurityGroupIds"
sg_field.from_wire = function(v)
  local out = {}
  for i, g in ipairs(v or {}) do out[i] = g.GroupId end
  return out
end

local M = resource.define{
  service = "ec2", description = "A VPC endpoint: Gateway (S3, DynamoDB) or Interface (private DNS).",
  identity = "VpcEndpointId", id = "VpcEndpointId",
  fields = {
    vpc_id = { type = "string", required = true, force_new = true, wire = "VpcId" },
    service_name = { type = "string", required = true, force_new = true, wire = "ServiceName",
      description = "com.amazonaws.REGION.SERVICE" },
    vpc_endpoint_type = { type = "string", optional = true, default = "Gateway", force_new = true,
      wire = "VpcEndpointType" },
    route_table_ids = ids_field("route_table_ids", "RouteTableIds", "AddRouteTableIds", "RemoveRouteTableIds",
      "Route tables of a Gateway endpoint."),
    subnet_ids = ids_field("subnet_ids", "SubnetIds", "AddSubnetIds", "RemoveSubnetIds", "Subnets of an Interface endpoint."),
    security_group_ids = sg_field,
    private_dns_enabled = { type = "bool", optional = true, default = false, wire = "PrivateDnsEnabled",
      set = function(_, c, id, v, ch) return c:ModifyVpcEndpoint({ VpcEndpointId = id, PrivateDnsEnabled = v == true }, ch.opts) end },
    policy = { type = "json", optional = true, computed = true, wire = "PolicyDocument", input = "PolicyDocument",
      equal = json.policy_equal,
      set = function(_, c, id, v, ch)
        if v == nil then return c:ModifyVpcEndpoint({ VpcEndpointId = id, ResetPolicy = true }, ch.opts) end
        return c:ModifyVpcEndpoint({ VpcEndpointId = id, PolicyDocument = json.text(v) }, ch.opts)
      end },
    state = { type = "string", computed = true, wire = "State" },
    network_interface_ids = { type = "list", elem = "string", computed = true, wire = "NetworkInterfaceIds" },
    dns_entry = { type = "list", computed = true, wire = "DnsEntries",
      block = { dns_name = { type = "string", computed = true, wire = "DnsName" },
                hosted_zone_id = { type = "string", computed = true, wire = "HostedZoneId" } } },
    owner_id = { type = "string", computed = true, wire = "OwnerId" },
    requester_managed = { type = "bool", computed = true, wire = "RequesterManaged" },
    arn = { type = "string", computed = true,
      from_wire = function(_, o) return string.format("arn:aws:ec2:%s:%s:vpc-endpoint/%s",
        o.ServiceName:match("^com%.amazonaws%.([^.]+)") or "", o.OwnerId or "", o.VpcEndpointId) end },
  },
  create = { op = "CreateVpcEndpoint", result = "VpcEndpoint", token = "ClientToken",
    retry_codes = { "InvalidVpcID.NotFound", "InvalidSubnetID.NotFound", "InvalidRouteTableId.NotFound" },
    params = function(_, args, params)
      params.PrivateDnsEnabled = args.vpc_endpoint_type == "Interface" and args.private_dns_enabled == true or nil
    end,
    after = function(ctx, c, id)   -- wait until available (no model waiter)
      local ok = common.poll(ctx, function()
        local e = c:DescribeVpcEndpoints{ VpcEndpointIds = { id } }.VpcEndpoints[1]
        return e and e.State == "available" or nil
      end, 600, 1)
      if not ok then error(string.format("VPC endpoint %s is not available after 600 s", id), 0) end
    end },
  read_many = { op = "DescribeVpcEndpoints", filter = "vpc-endpoint-id", result = "VpcEndpoints" },
  gone = function(e) return e.State == "deleted" or e.State == "deleting" end,
  not_found = { "InvalidVpcEndpointId.NotFound" },
  delete = { op = "DeleteVpcEndpoints", params = function(id) return { VpcEndpointIds = { id } } end },
  tags = tags.ec2("vpc-endpoint"),
}

return M
