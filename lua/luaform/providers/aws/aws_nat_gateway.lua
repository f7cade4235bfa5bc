-- aws_nat_gateway: a NAT gateway, as Terraform's aws_nat_gateway;
-- declared for aws._resource.
--
-- Every argument but tags forces a new gateway. CreateNatGateway takes the
-- create's token as ClientToken (a transport re-send returns the same
-- gateway); the token tag lets a later run find it. Create waits with the
-- model's NatGatewayAvailable waiter, delete with NatGatewayDeleted. A
-- gateway that is deleting, deleted or failed counts as gone.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")

local GONE = { deleting = true, deleted = true, failed = true }

local function address(key)
  return function(_, n) return ((n.NatGatewayAddresses or {})[1] or {})[key] end
end

return resource.define{
  service = "ec2", description = "A NAT gateway.",
  identity = "NatGatewayId", id = "NatGatewayId",
  fields = {
    subnet_id = { type = "string", required = true, force_new = true, wire = "SubnetId" },
    allocation_id = { type = "string", optional = true, force_new = true, input = "AllocationId",
      wire = "NatGatewayAddresses", from_wire = address("AllocationId") },
    connectivity_type = { type = "string", optional = true, default = "public", force_new = true,
      wire = "ConnectivityType" },
    private_ip = { type = "string", optional = true, computed = true, force_new = true, input = "PrivateIpAddress",
      wire = "NatGatewayAddresses", from_wire = address("PrivateIp") },
    network_interface_id = { type = "string", computed = true, wire = "NatGatewayAddresses",
      from_wire = address("NetworkInterfaceId") },
    public_ip = { type = "string", computed = true, wire = "NatGatewayAddresses", from_wire = address("PublicIp") },
    association_id = { type = "string", computed = true, wire = "NatGatewayAddresses",
      from_wire = address("AssociationId") },
  },
  create = { op = "CreateNatGateway", result = "NatGateway", token = "ClientToken",
    retry_codes = { "InvalidSubnetID.NotFound", "InvalidAllocationID.NotFound" },
    waiter = { "NatGatewayAvailable", "NatGatewayIds" } },
  read_many = { op = "DescribeNatGateways", filter = "nat-gateway-id", member = "Filter" },
  gone = function(n) return GONE[n.State] == true end,
  delete = { op = "DeleteNatGateway", waiter = { "NatGatewayDeleted", "NatGatewayIds" } },
  tags = tags.ec2("natgateway"),
}
