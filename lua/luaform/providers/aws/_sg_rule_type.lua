-- aws._sg_rule_type: declares aws_vpc_security_group_ingress_rule and
-- aws_vpc_security_group_egress_rule (one rule each, with its sgr- id), as
-- Terraform's AWS provider has them, for aws._resource.
--
-- A rule is created by Authorize...(IpPermissions with one peer,
-- TagSpecifications) and changed in place, whole, by
-- ModifySecurityGroupRules; only security_group_id forces a new rule. The
-- id is the security group rule id. A refresh asks
-- DescribeSecurityGroupRules for 200 ids per call; a lost create is found
-- by the luaform:token tag. ip_protocol "-1" (all) has no ports: AWS's -1
-- reads as unset.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local whole = require("luaform.providers.aws._put_whole")

local function port(v) return v ~= nil and v ~= -1 and v or nil end

local function rule_of(a)
  return { IpProtocol = a.ip_protocol, FromPort = a.from_port, ToPort = a.to_port, CidrIpv4 = a.cidr_ipv4,
    CidrIpv6 = a.cidr_ipv6, PrefixListId = a.prefix_list_id, ReferencedGroupId = a.referenced_security_group_id,
    Description = a.description }
end

local function permissions(a)
  local p = { IpProtocol = a.ip_protocol, FromPort = a.from_port, ToPort = a.to_port }
  local d = a.description
  if a.cidr_ipv4 then p.IpRanges = { { CidrIp = a.cidr_ipv4, Description = d } } end
  if a.cidr_ipv6 then p.Ipv6Ranges = { { CidrIpv6 = a.cidr_ipv6, Description = d } } end
  if a.prefix_list_id then p.PrefixListIds = { { PrefixListId = a.prefix_list_id, Description = d } } end
  if a.referenced_security_group_id then p.UserIdGroupPairs = { { GroupId = a.referenced_security_group_id,
    Description = d } } end
  return { GroupId = a.security_group_id, IpPermissions = { p } }
end

return function(direction)
  local op = direction == "ingress" and "AuthorizeSecurityGroupIngress" or "AuthorizeSecurityGroupEgress"
  local revoke = direction == "ingress" and "RevokeSecurityGroupIngress" or "RevokeSecurityGroupEgress"
  return resource.define(whole.declare({
    service = "ec2", description = string.format("One %s rule of a VPC security group.", direction),
    id = "SecurityGroupRuleId",
    fields = {
      security_group_id = { type = "string", required = true, force_new = true, wire = "GroupId" },
      ip_protocol = { type = "string", required = true, wire = "IpProtocol",
        description = "tcp, udp, icmp, icmpv6 or -1 (all)." },
      from_port = { type = "number", optional = true, wire = "FromPort", from_wire = port },
      to_port = { type = "number", optional = true, wire = "ToPort", from_wire = port },
      cidr_ipv4 = { type = "string", optional = true, wire = "CidrIpv4" },
      cidr_ipv6 = { type = "string", optional = true, wire = "CidrIpv6" },
      prefix_list_id = { type = "string", optional = true, wire = "PrefixListId" },
      referenced_security_group_id = { type = "string", optional = true, wire = "ReferencedGroupInfo.GroupId" },
      description = { type = "string", optional = true, wire = "Description" },
      arn = { type = "string", computed = true, wire = "SecurityGroupRuleArn" },
      security_group_rule_id = { type = "string", computed = true, wire = "SecurityGroupRuleId" },
    },
    create = { op = op, result = function(out) return out.SecurityGroupRules[1] end,
      exists = { "InvalidPermission.Duplicate" } },
    read_many = { op = "DescribeSecurityGroupRules", filter = "security-group-rule-id",
      result = "SecurityGroupRules" },
    gone = function(r) return (r.IsEgress == true) ~= (direction == "egress") end,
    not_found = { "InvalidSecurityGroupRuleId.NotFound", "InvalidGroup.NotFound" },
    delete = { op = revoke, params = function(id, attrs)
      return { GroupId = attrs.security_group_id, SecurityGroupRuleIds = { id } }
    end },
    tags = tags.ec2("security-group-rule"),
  }, permissions, function(c, id, a, opts)
    return c:ModifySecurityGroupRules({ GroupId = a.security_group_id,
      SecurityGroupRules = { { SecurityGroupRuleId = id, SecurityGroupRule = rule_of(a) } } }, opts)
  end))
end
