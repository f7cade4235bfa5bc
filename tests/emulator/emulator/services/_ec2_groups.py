"""EC2 security groups (a mixin of the EC2 service).

A group holds a flat list of rules, one per (direction, protocol, ports,
peer), each with its sgr- id, as DescribeSecurityGroupRules shows them;
DescribeSecurityGroups regroups them into ipPermissions by protocol and
ports. Every new group gets the allow-all egress rule; a VPC's default
group also allows all traffic from itself. Authorize/Revoke are all or
nothing: one duplicate (or missing) rule fails the whole call;
UpdateSecurityGroupRuleDescriptions* set the descriptions of the rules
their IpPermissions name.
"""

import ipaddress

from ..core import as_int, new_id
from ._ec2_common import apply_filters, err, id_list, paginate, render_tags, required, tag_specs

PROTOCOLS = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "icmp": "icmp", "1": "icmp",
             "icmpv6": "icmpv6", "58": "icmpv6", "-1": "-1", "all": "-1"}
PEERS = ("cidr4", "cidr6", "group", "pl")
MAX_RULES = 60


def rule_key(rule):
    return (rule["egress"], rule["proto"], rule["from"], rule["to"],
            tuple((p, rule.get(p)) for p in PEERS))


def _rule_cidr(network, cidr):
    """cidr parsed strictly as network (IPv4Network/IPv6Network), or InvalidParameterValue."""
    try:
        return network(cidr, strict=True)
    except (ValueError, TypeError):
        raise err("InvalidParameterValue", "CIDR block %s is malformed" % cidr)


def describe_peer(rule):
    peer = next(rule[p] for p in PEERS if rule.get(p))
    return 'peer: %s, %s, from port: %s, to port: %s, ALLOW' % (
        peer, rule["proto"].upper() if rule["proto"] != "-1" else "ALL",
        rule["from"], rule["to"])


class GroupsMixin:

    def make_group(self, ctx, vpc, name, desc, tags=None, default=False):
        g = {"id": new_id("sg"), "name": name, "desc": desc, "vpc": vpc["id"],
             "tags": tags or {}, "created": ctx.now(), "default": default, "rules": []}
        g["rules"].append(self.new_rule(True, "-1", None, None, "cidr4", "0.0.0.0/0"))
        if default:
            g["rules"].append(self.new_rule(False, "-1", None, None, "group", g["id"]))
        self.region(ctx)["sg"][g["id"]] = g
        return g

    def make_default_group(self, ctx, vpc):
        return self.make_group(ctx, vpc, "default", "default VPC security group", default=True)

    @staticmethod
    def new_rule(egress, proto, lo, hi, peer, value, desc=None):
        r = {"id": new_id("sgr"), "egress": egress, "proto": proto, "from": lo, "to": hi,
             "desc": desc, "tags": {}}
        r[peer] = value
        return r

    # ------------------------------------------------------------ rendering

    def render_permissions(self, ctx, g, egress):
        perms, index = [], {}
        for rule in g["rules"]:
            if rule["egress"] != egress:
                continue
            k = (rule["proto"], rule["from"], rule["to"])
            p = index.get(k)
            if p is None:
                p = index[k] = {"ipProtocol": rule["proto"]}
                if rule["from"] is not None:
                    p["fromPort"], p["toPort"] = rule["from"], rule["to"]
                p.update({"groups": [], "ipRanges": [], "ipv6Ranges": [], "prefixListIds": []})
                perms.append(p)
            if rule.get("cidr4"):
                p["ipRanges"].append({"cidrIp": rule["cidr4"], "description": rule["desc"]})
            elif rule.get("cidr6"):
                p["ipv6Ranges"].append({"cidrIpv6": rule["cidr6"], "description": rule["desc"]})
            elif rule.get("group"):
                p["groups"].append({"groupId": rule["group"], "userId": ctx.account_id,
                                    "description": rule["desc"]})
            elif rule.get("pl"):
                p["prefixListIds"].append({"prefixListId": rule["pl"], "description": rule["desc"]})
        return perms

    def render_group(self, ctx, g):
        return {"ownerId": ctx.account_id, "groupId": g["id"], "groupName": g["name"],
                "groupDescription": g["desc"], "vpcId": g["vpc"],
                "securityGroupArn": "arn:aws:ec2:%s:%s:security-group/%s" % (
                    ctx.region, ctx.account_id, g["id"]),
                "ipPermissions": self.render_permissions(ctx, g, False),
                "ipPermissionsEgress": self.render_permissions(ctx, g, True),
                "tagSet": render_tags(g["tags"])}

    def render_rule(self, ctx, g, rule):
        out = {"securityGroupRuleId": rule["id"], "groupId": g["id"],
               "groupOwnerId": ctx.account_id, "isEgress": rule["egress"],
               "ipProtocol": rule["proto"],
               "fromPort": rule["from"] if rule["from"] is not None else -1,
               "toPort": rule["to"] if rule["to"] is not None else -1}
        if rule.get("cidr4"):
            out["cidrIpv4"] = rule["cidr4"]
        if rule.get("cidr6"):
            out["cidrIpv6"] = rule["cidr6"]
        if rule.get("pl"):
            out["prefixListId"] = rule["pl"]
        if rule.get("group"):
            out["referencedGroupInfo"] = {"groupId": rule["group"], "userId": ctx.account_id}
        out["description"] = rule["desc"]
        out["tagSet"] = render_tags(rule.get("tags"))
        out["securityGroupRuleArn"] = "arn:aws:ec2:%s:%s:security-group-rule/%s" % (
            ctx.region, ctx.account_id, rule["id"])
        return out

    # ------------------------------------------------------------ groups

    def CreateSecurityGroup(self, ctx, params):
        name = required(params, "GroupName")
        desc = required(params, "GroupDescription")
        if not params.get("VpcId"):
            raise err("VPCIdNotSpecified", "No default VPC for this user")
        v = self.get(ctx, "vpc", params["VpcId"])
        if len(name) > 255 or len(desc) > 255:
            raise err("InvalidParameterValue", "Group name and description are limited to 255 "
                      "characters")
        if name == "default":
            raise err("InvalidParameterValue", "Cannot use reserved security group name: default")
        if name.lower().startswith("sg-"):
            raise err("InvalidParameterValue", "Group names may not be in the format sg-*.")
        for g in self.region(ctx)["sg"].values():
            if g["vpc"] == v["id"] and g["name"] == name:
                raise err("InvalidGroup.Duplicate", "The security group '%s' already exists for "
                          "VPC '%s'" % (name, v["id"]))
        g = self.make_group(ctx, v, name, desc, tags=tag_specs(params, "sg"))
        return {"groupId": g["id"], "tagSet": render_tags(g["tags"]),
                "securityGroupArn": "arn:aws:ec2:%s:%s:security-group/%s" % (
                    ctx.region, ctx.account_id, g["id"])}

    def group_from(self, ctx, params):
        if params.get("GroupId"):
            return self.get(ctx, "sg", params["GroupId"])
        if params.get("GroupName"):
            raise err("InvalidGroup.NotFound", "The security group '%s' does not exist in "
                      "default VPC 'none'" % params["GroupName"])
        raise err("MissingParameter", "The request must contain the parameter groupName or groupId")

    def DescribeSecurityGroups(self, ctx, params):
        for n in id_list(params, "GroupName"):
            raise err("InvalidGroup.NotFound", "The security group '%s' does not exist in "
                      "default VPC 'none'" % n)

        def rules(g, egress, key):
            return [r.get(key) for r in g["rules"] if r["egress"] == egress]
        objs, by_ids = self.select(ctx, "sg", params, "GroupId", {
            "group-id": lambda g: g["id"], "group-name": lambda g: g["name"],
            "vpc-id": lambda g: g["vpc"], "description": lambda g: g["desc"],
            "owner-id": lambda g: ctx.account_id,
            "ip-permission.cidr": lambda g: rules(g, False, "cidr4"),
            "ip-permission.group-id": lambda g: rules(g, False, "group"),
            "ip-permission.protocol": lambda g: rules(g, False, "proto"),
            "ip-permission.from-port": lambda g: rules(g, False, "from"),
            "ip-permission.to-port": lambda g: rules(g, False, "to"),
            "egress.ip-permission.cidr": lambda g: rules(g, True, "cidr4"),
            "egress.ip-permission.group-id": lambda g: rules(g, True, "group"),
        })
        page, nxt = paginate(objs, params, 5, 1000, by_ids)
        return {"securityGroupInfo": [self.render_group(ctx, g) for g in page], "nextToken": nxt}

    def DeleteSecurityGroup(self, ctx, params):
        g = self.group_from(ctx, params)
        if g.get("default"):
            raise err("CannotDelete", 'the specified group: "%s" name: "default" cannot be '
                      'deleted by a user' % g["id"])
        r = self.region(ctx)
        referenced = any(rule.get("group") == g["id"] for other in r["sg"].values()
                         if other["id"] != g["id"] for rule in other["rules"])
        if referenced or self.elbv2_using(ctx, group_id=g["id"]):
            raise err("DependencyViolation", "resource %s has a dependent object" % g["id"])
        del r["sg"][g["id"]]
        return {"return": True}

    # ------------------------------------------------------------ rules

    def parse_permissions(self, ctx, g, params, egress):
        perms = list(id_list(params, "IpPermissions"))
        if params.get("IpProtocol") or params.get("CidrIp") or params.get("SourceSecurityGroupName"):
            if egress:
                raise err("InvalidParameterValue", "Egress rules must use IpPermissions")
            if params.get("SourceSecurityGroupName"):
                raise err("InvalidGroup.NotFound", "The security group '%s' does not exist in "
                          "default VPC 'none'" % params["SourceSecurityGroupName"])
            perms.append({"IpProtocol": params.get("IpProtocol"), "FromPort": params.get("FromPort"),
                          "ToPort": params.get("ToPort"),
                          "IpRanges": [{"CidrIp": params["CidrIp"]}] if params.get("CidrIp") else []})
        if not perms:
            raise err("MissingParameter", "The request must contain the parameter ipPermissions")
        rules = []
        for p in perms:
            proto_in = str(p.get("IpProtocol") or "")
            if not proto_in:
                raise err("MissingParameter", "The request must contain the parameter ipProtocol")
            proto = PROTOCOLS.get(proto_in.lower())
            if proto is None:
                if proto_in.isdigit() and 0 <= int(proto_in) <= 255:
                    proto = proto_in
                else:
                    raise err("InvalidParameterValue", "Invalid value '%s' for IP protocol. "
                              "Unknown protocol." % proto_in)
            lo = hi = None
            if proto in ("tcp", "udp"):
                if p.get("FromPort") is None or p.get("ToPort") is None:
                    raise err("InvalidParameterValue", "Invalid value for portRange. Must specify "
                              "both from and to ports with TCP/UDP.")
                lo, hi = as_int(p["FromPort"], "fromPort"), as_int(p["ToPort"], "toPort")
                if not (0 <= lo <= 65535 and 0 <= hi <= 65535) or lo > hi:
                    raise err("InvalidParameterValue", "Invalid TCP/UDP port range %d-%d" % (lo, hi))
            elif proto in ("icmp", "icmpv6"):
                lo = as_int(p.get("FromPort", -1), "fromPort")
                hi = as_int(p.get("ToPort", -1), "toPort")
                if not (-1 <= lo <= 255 and -1 <= hi <= 255):
                    raise err("InvalidParameterValue", "Invalid ICMP type/code %d/%d" % (lo, hi))
            peers = []
            for x in id_list(p, "IpRanges"):
                cidr = x.get("CidrIp")
                _rule_cidr(ipaddress.IPv4Network, cidr)
                peers.append(("cidr4", cidr, x.get("Description")))
            for x in id_list(p, "Ipv6Ranges"):
                cidr = x.get("CidrIpv6")
                peers.append(("cidr6", str(_rule_cidr(ipaddress.IPv6Network, cidr)),
                              x.get("Description")))
            for x in id_list(p, "Groups"):
                if not x.get("GroupId"):
                    raise err("InvalidGroup.NotFound", "The security group '%s' does not exist in "
                              "default VPC 'none'" % x.get("GroupName"))
                ref = self.get(ctx, "sg", x["GroupId"])
                peers.append(("group", ref["id"], x.get("Description")))
            for x in id_list(p, "PrefixListIds"):
                if not str(x.get("PrefixListId", "")).startswith("pl-"):
                    raise err("InvalidPrefixListId.Malformed", "Invalid id: \"%s\"" % x.get("PrefixListId"))
                peers.append(("pl", x["PrefixListId"], x.get("Description")))
            if not peers:
                raise err("MissingParameter", "Each permission must name at least one of "
                          "IpRanges, Ipv6Ranges, Groups or PrefixListIds")
            for kind, value, desc in peers:
                if desc is not None and len(desc) > 255:
                    raise err("InvalidParameterValue", "Rule descriptions are limited to 255 characters")
                rules.append(self.new_rule(egress, proto, lo, hi, kind, value, desc))
        return rules

    def authorize(self, ctx, params, egress):
        g = self.group_from(ctx, params)
        rules = self.parse_permissions(ctx, g, params, egress)
        existing = {rule_key(r) for r in g["rules"]}
        seen = set()
        for r in rules:
            k = rule_key(r)
            if k in existing or k in seen:
                raise err("InvalidPermission.Duplicate", 'the specified rule "%s" already exists'
                          % describe_peer(r))
            seen.add(k)
        count = sum(1 for r in g["rules"] if r["egress"] == egress) + len(rules)
        if count > MAX_RULES:
            raise err("RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per "
                      "security group has been reached.")
        tags = tag_specs(params, "sgr") if params.get("TagSpecification") else {}
        for r in rules:
            r["tags"] = dict(tags)
        g["rules"].extend(rules)
        return {"return": True, "securityGroupRuleSet": [self.render_rule(ctx, g, r) for r in rules]}

    def revoke(self, ctx, params, egress):
        g = self.group_from(ctx, params)
        ids = id_list(params, "SecurityGroupRuleId")
        if ids:
            doomed = []
            for i in ids:
                match = [r for r in g["rules"] if r["id"] == i and r["egress"] == egress]
                if not match:
                    raise err("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID "
                              "'%s' does not exist" % i)
                doomed += match
        else:
            wanted = self.parse_permissions(ctx, g, params, egress)
            by_key = {rule_key(r): r for r in g["rules"]}
            doomed = []
            for w in wanted:
                r = by_key.get(rule_key(w))
                if r is None:
                    raise err("InvalidPermission.NotFound", "The specified rule does not exist in "
                              "this security group.")
                doomed.append(r)
        g["rules"] = [r for r in g["rules"] if r not in doomed]
        return {"return": True}

    def AuthorizeSecurityGroupIngress(self, ctx, params):
        return self.authorize(ctx, params, False)

    def AuthorizeSecurityGroupEgress(self, ctx, params):
        return self.authorize(ctx, params, True)

    def RevokeSecurityGroupIngress(self, ctx, params):
        return self.revoke(ctx, params, False)

    def RevokeSecurityGroupEgress(self, ctx, params):
        return self.revoke(ctx, params, True)

    def update_descriptions(self, ctx, params, egress):
        """Sets the description of each rule the permissions name (all or nothing)."""
        g = self.group_from(ctx, params)
        if id_list(params, "SecurityGroupRuleDescription"):
            raise err("InvalidParameterValue", "SecurityGroupRuleDescriptions is not supported by "
                      "this emulator; use IpPermissions")
        by_key = {rule_key(r): r for r in g["rules"]}
        changes = []
        for w in self.parse_permissions(ctx, g, params, egress):
            r = by_key.get(rule_key(w))
            if r is None:
                raise err("InvalidPermission.NotFound", "The specified rule does not exist in "
                          "this security group.")
            changes.append((r, w["desc"]))
        for r, desc in changes:
            r["desc"] = desc
        return {"return": True}

    def UpdateSecurityGroupRuleDescriptionsIngress(self, ctx, params):
        return self.update_descriptions(ctx, params, False)

    def UpdateSecurityGroupRuleDescriptionsEgress(self, ctx, params):
        return self.update_descriptions(ctx, params, True)

    def ModifySecurityGroupRules(self, ctx, params):
        """Replaces rules in place (each keeps its id and tags), all or nothing."""
        g = self.group_from(ctx, params)
        changes = id_list(params, "SecurityGroupRule")
        if not changes:
            raise err("MissingParameter", "The request must contain the parameter "
                      "SecurityGroupRule")
        by_id = {r["id"]: r for r in g["rules"]}
        updated = {}
        for ch in changes:
            rid, spec = ch.get("SecurityGroupRuleId"), ch.get("SecurityGroupRule") or {}
            old = by_id.get(rid)
            if old is None:
                raise err("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' "
                          "does not exist" % rid)
            perm = {"IpProtocol": spec.get("IpProtocol"), "FromPort": spec.get("FromPort"),
                    "ToPort": spec.get("ToPort")}
            desc = spec.get("Description")
            for key, peer, member in (("CidrIpv4", "IpRanges", "CidrIp"),
                                      ("CidrIpv6", "Ipv6Ranges", "CidrIpv6"),
                                      ("ReferencedGroupId", "Groups", "GroupId"),
                                      ("PrefixListId", "PrefixListIds", "PrefixListId")):
                if spec.get(key):
                    perm[peer] = [{member: spec[key], "Description": desc}]
            new = self.parse_permissions(ctx, g, {"IpPermissions": [perm]}, old["egress"])
            if len(new) != 1:
                raise err("InvalidParameterValue", "A security group rule names exactly one peer")
            new = new[0]
            new["id"], new["tags"] = old["id"], old.get("tags", {})
            updated[rid] = new
        others = {rule_key(r) for r in g["rules"] if r["id"] not in updated}
        keys = [rule_key(r) for r in updated.values()]
        if len(set(keys)) != len(keys) or any(k in others for k in keys):
            raise err("InvalidPermission.Duplicate", "the specified rule already exists")
        g["rules"] = [updated.get(r["id"], r) for r in g["rules"]]
        return {"return": True}

    def DescribeSecurityGroupRules(self, ctx, params):
        r = self.region(ctx)
        pairs = [(g, rule) for g in r["sg"].values() if ctx.visible(g["created"])
                 for rule in g["rules"]]
        ids = id_list(params, "SecurityGroupRuleId")
        for i in ids:
            if not any(rule["id"] == i for _, rule in pairs):
                raise err("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' "
                          "does not exist" % i)
        if ids:
            pairs = [(g, rule) for g, rule in pairs if rule["id"] in ids]
        objs = [dict(rule, _group=g["id"]) for g, rule in pairs]
        objs = apply_filters(objs, params, {
            "group-id": lambda x: x["_group"], "security-group-rule-id": lambda x: x["id"],
        })
        page, nxt = paginate(objs, params, 5, 1000, bool(ids))
        return {"securityGroupRuleSet": [self.render_rule(ctx, r["sg"][x["_group"]], x)
                                         for x in page], "nextToken": nxt}
