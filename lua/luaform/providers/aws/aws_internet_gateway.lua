-- aws_internet_gateway: an internet gateway, as Terraform's; declared for
-- aws._resource.
--
-- vpc_id is optional and changes in place: the gateway is detached from
-- the old VPC and attached to the new one. Delete detaches first, waiting
-- out DependencyViolation (public addresses still mapped, e.g. a NAT
-- gateway being deleted).
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local common = require("luaform.providers.aws._common")
local ec2 = require("luaform.providers.aws._ec2")

-- Attach; a re-send after a lost answer meets its own attachment.
local function attach(c, id, vpc, opts)
  local ok, err = pcall(c.AttachInternetGateway, c, { InternetGatewayId = id, VpcId = vpc }, opts)
  if not ok and common.code(err) ~= "Resource.AlreadyAssociated" then error(err, 0) end
end

local function detach(ctx, c, id, vpc)
  common.delete(ctx, function()
    local ok, err = pcall(c.DetachInternetGateway, c, { InternetGatewayId = id, VpcId = vpc })
    if not ok and common.code(err) ~= "Gateway.NotAttached" then error(err, 0) end
  end)
end

local arn = ec2.arn("internet-gateway")

return resource.define{
  service = "ec2", description = "An internet gateway, attached to a VPC.",
  identity = "InternetGatewayId", id = "InternetGatewayId",
  fields = {
    vpc_id = { type = "string", optional = true, input = false, wire = "Attachments",
      from_wire = function(list)
        local vpc
        for _, a in ipairs(list or {}) do
          if a.State ~= "detached" and a.State ~= "detaching" then vpc = a.VpcId end
        end
        return vpc
      end,
      set = function(ctx, c, id, v, ch)
        if ch.old.vpc_id then detach(ctx, c, id, ch.old.vpc_id) end
        if v then attach(c, id, v, ch.opts) end
      end },
    arn = { type = "string", computed = true },
    owner_id = { type = "string", computed = true, wire = "OwnerId" },
  },
  create = { op = "CreateInternetGateway", result = "InternetGateway" },
  read_many = { op = "DescribeInternetGateways", filter = "internet-gateway-id" },
  not_visible = { "InvalidInternetGatewayID.NotFound", "InvalidVpcID.NotFound" },
  adjust = function(ctx, out, g) arn(ctx, out, g, "InternetGatewayId") end,
  delete = { op = "DeleteInternetGateway",
    before = function(ctx, c, id, attrs) if attrs.vpc_id then detach(ctx, c, id, attrs.vpc_id) end end },
  tags = tags.ec2("internet-gateway"),
}
