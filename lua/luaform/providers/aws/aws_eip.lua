-- aws_eip: an Elastic IP address in a VPC, as Terraform's aws_eip;
-- declared for aws._resource.
--
-- The id is the allocation id. Release waits while the address is still
-- held (a NAT gateway being deleted: AWS answers AuthFailure or
-- InvalidIPAddress.InUse). What the address is associated with is not
-- exported (it changes when a NAT gateway takes it, which would read as
-- drift of the address). DescribeAddresses has no paginator: one call.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")

return resource.define{
  service = "ec2", description = "An Elastic IP address.",
  identity = "AllocationId", id = "AllocationId",
  fields = {
    domain = { type = "string", optional = true, default = "vpc", force_new = true, wire = "Domain" },
    allocation_id = { type = "string", computed = true, wire = "AllocationId" },
    public_ip = { type = "string", computed = true, wire = "PublicIp" },
    public_ipv4_pool = { type = "string", computed = true, wire = "PublicIpv4Pool" },
  },
  create = { op = "AllocateAddress", result = "" },
  read_many = { op = "DescribeAddresses", filter = "allocation-id", result = "Addresses" },
  delete = { op = "ReleaseAddress", busy = { "AuthFailure" } },
  tags = tags.ec2("elastic-ip"),
}
