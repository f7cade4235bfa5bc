-- aws_network_acl_rule: one numbered entry of a network ACL, as
-- Terraform's AWS provider has it; declared for aws._resource. The ACL,
-- the rule number and egress force a new entry; the rest changes in place
-- with ReplaceNetworkAclEntry (the whole entry, through aws._put_whole).
-- The id is "ACL_ID:RULE_NUMBER:EGRESS" (Terraform's import form with
-- egress as true/false). A refresh asks DescribeNetworkAcls for 200 ACLs
-- per call. Entries carry no tags: a lost create is found by its number.
local resource = require("luaform.providers.aws._resource")
local whole = require("luaform.providers.aws._put_whole")
local common = require("luaform.providers.aws._common")

local PROTOCOLS = { tcp = "6", udp = "17", icmp = "1", all = "-1" }

local function id_of(acl, number, egress) return string.format("%s:%d:%s", acl, number, tostring(egress == true)) end
local function split(id)
  local acl, n, e = id:match("^(acl%-[^:]+):(%d+):(%a+)$")
  return acl, tonumber(n), e == "true"
end

local function params(a)
  return { NetworkAclId = a.network_acl_id, RuleNumber = a.rule_number, Egress = a.egress == true,
    Protocol = PROTOCOLS[a.protocol] or a.protocol, RuleAction = a.rule_action, CidrBlock = a.cidr_block,
    PortRange = a.from_port and { From = a.from_port, To = a.to_port } or nil,
    IcmpTypeCode = a.icmp_type and { Type = a.icmp_type, Code = a.icmp_code } or nil }
end

local function describe(ctx, ids)
  return common.read_children(ids, split, function(acls, keep)
    for _, chunk in ipairs(common.chunks(acls, 200)) do
      local out = ctx:client("ec2"):DescribeNetworkAcls{ Filters = { { Name = "network-acl-id", Values = chunk } } }
      for _, a in ipairs(out.NetworkAcls or {}) do
        for _, e in ipairs(a.Entries or {}) do
          e.NetworkAclId = a.NetworkAclId
          keep(id_of(a.NetworkAclId, e.RuleNumber, e.Egress), e)
        end
      end
    end
  end)
end

local M
M = resource.define(whole.declare({
  service = "ec2", description = "One numbered entry (rule) of a network ACL.",
  id = function(e) return id_of(e.NetworkAclId, e.RuleNumber, e.Egress) end,
  fields = {
    network_acl_id = { type = "string", required = true, force_new = true, wire = "NetworkAclId" },
    rule_number = { type = "number", required = true, force_new = true, wire = "RuleNumber" },
    egress = { type = "bool", optional = true, default = false, force_new = true, wire = "Egress" },
    protocol = { type = "string", required = true, wire = "Protocol", description =
      "A protocol number, or tcp, udp, icmp, all (-1); AWS answers the number, equal to the name.",
      equal = function(a, b) return (PROTOCOLS[a] or a) == (PROTOCOLS[b] or b) end },
    rule_action = { type = "string", required = true, wire = "RuleAction", description = "allow or deny." },
    cidr_block = { type = "string", optional = true, wire = "CidrBlock" },
    from_port = { type = "number", optional = true, wire = "PortRange.From" },
    to_port = { type = "number", optional = true, wire = "PortRange.To" },
    icmp_type = { type = "number", optional = true, wire = "IcmpTypeCode.Type" },
    icmp_code = { type = "number", optional = true, wire = "IcmpTypeCode.Code" },
  },
  create = { op = "CreateNetworkAclEntry", exists = { "NetworkAclEntryAlreadyExists" },
    retry_codes = { "InvalidNetworkAclID.NotFound" },
    result = function(_, a) return { NetworkAclId = a.network_acl_id, RuleNumber = a.rule_number,
      Egress = a.egress == true } end,
    after = function() end },
  read_many = describe,
  find = function(ctx, a)
    local id = id_of(a.network_acl_id, a.rule_number, a.egress)
    return describe(ctx, { id })[id]
  end,
  not_found = { "InvalidNetworkAclEntry.NotFound", "InvalidNetworkAclID.NotFound" },
  delete = { op = "DeleteNetworkAclEntry", params = function(id)
    local acl, n, egress = split(id)
    return { NetworkAclId = acl, RuleNumber = n, Egress = egress }
  end },
}, params, function(c, _, a, opts) return c:ReplaceNetworkAclEntry(params(a), opts) end))

return M
