-- aws_security_group: a VPC security group with inline rules, as
-- Terraform's aws_security_group; declared for aws._resource, its rules
-- flattened and synced by aws._sg_rules (AWS's irregular part).
--
-- name, name_prefix, description and vpc_id force a new group. Like
-- Terraform, the group's default allow-all egress rule is removed at
-- creation (egress left out means: not managed; `egress = {}` means
-- none). A re-send that meets InvalidGroup.Duplicate looks for the group
-- by its token tag.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local ec2 = require("luaform.providers.aws._ec2")
local rules = require("luaform.providers.aws._sg_rules")

local arn = ec2.arn("security-group")
local ALL_EGRESS = { { protocol = "-1", from_port = 0, to_port = 0, cidr_blocks = { "0.0.0.0/0" } } }

local function rule_field(direction, member)
  return { type = "set", block = rules.RULE, optional = true, computed = true, equal = rules.same_rules,
    wire = member, input = false,
    from_wire = function(v, g) return rules.blocks_of(v, g.GroupId) end,
    set = function(ctx, c, id, v, ch)
      if v == nil or (ch.create and direction == "egress") then return end   -- egress: create.after
      rules.sync(ctx, c, id, direction, ch.old[direction] or {}, v, ch.opts)
    end }
end

local M = resource.define{
  service = "ec2", description = "A VPC security group with inline rules.",
  identity = "GroupId", id = "GroupId",
  fields = {
    name = { type = "string", optional = true, computed = true, force_new = true, wire = "GroupName" },
    name_prefix = { type = "string", optional = true, force_new = true, keep = true },
    -- Terraform's default, so that groups moved over are not replaced
    description = { type = "string", optional = true, default = "Managed by Terraform", force_new = true,
      wire = "Description" },
    vpc_id = { type = "string", optional = true, computed = true, force_new = true, wire = "VpcId" },
    ingress = rule_field("ingress", "IpPermissions"),
    egress = rule_field("egress", "IpPermissionsEgress"),
    revoke_rules_on_delete = { type = "bool", optional = true, default = false, keep = true },
    arn = { type = "string", computed = true, wire = "SecurityGroupArn" },
    owner_id = { type = "string", computed = true, wire = "OwnerId" },
  },
  create = { op = "CreateSecurityGroup", id = "GroupId", retry_codes = { "InvalidVpcID.NotFound" },
    exists = { "InvalidGroup.Duplicate" },
    params = function(ctx, args, params)
      params.GroupName = args.name or (args.name_prefix or "luaform-") .. ctx.token:gsub("%-", ""):sub(1, 26)
    end,
    after = function(ctx, c, id, args, opts)
      rules.sync(ctx, c, id, "egress", ALL_EGRESS, args.egress or {}, opts)
    end },
  read_many = { op = "DescribeSecurityGroups", filter = "group-id" },
  not_visible = { "InvalidGroup.NotFound" },
  adjust = function(ctx, out, g) arn(ctx, out, g, "GroupId") end,
  delete = { op = "DeleteSecurityGroup",
    before = function(ctx, c, id, attrs)
      if attrs.revoke_rules_on_delete then
        pcall(rules.sync, ctx, c, id, "ingress", attrs.ingress, {})
        pcall(rules.sync, ctx, c, id, "egress", attrs.egress, {})
      end
    end },
  tags = tags.ec2("security-group"),
}

M.flatten = rules.flatten
return M
