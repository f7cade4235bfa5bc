"""EC2 network ACLs (a mixin of the EC2 service): the default ACL of each VPC, custom ACLs,
their numbered entries, and subnet associations.

Every ACL ends with the "*" rule (32767, deny all) in each direction; the default ACL also
allows all traffic (rule 100). A subnet is associated with exactly one ACL: its VPC's default
ACL unless ReplaceNetworkAclAssociation moved it; associations are kept in
region["acl_assoc"][subnet] and a subnet with none belongs to the default ACL. Entries are
unique per (direction, rule number); TCP and UDP entries need a port range, ICMP ones a type
and code, as AWS requires. An ACL with subnets, or a default ACL, cannot be deleted.
"""

from ..core import as_bool, as_int, new_id
from ._ec2_common import err, id_list, paginate, parse_cidr, render_tags, required, tag_specs

PROTOCOL_NAMES = {"tcp": "6", "udp": "17", "icmp": "1", "all": "-1"}
LAST_RULE = 32767


def _entry(number, protocol, action, egress, cidr, ports=None, icmp=None):
    return {"number": number, "protocol": protocol, "action": action, "egress": egress,
            "cidr": cidr, "ports": ports, "icmp": icmp}


class AclsMixin:

    def make_acl(self, ctx, vpc, default=False, tags=None):
        entries = []
        for egress in (False, True):
            if default:
                entries.append(_entry(100, "-1", "allow", egress, "0.0.0.0/0"))
            entries.append(_entry(LAST_RULE, "-1", "deny", egress, "0.0.0.0/0"))
        a = {"id": new_id("acl"), "vpc": vpc["id"], "default": default, "entries": entries,
             "tags": tags or {}, "created": ctx.now()}
        self.region(ctx)["acl"][a["id"]] = a
        return a

    def subnet_acl(self, ctx, subnet):
        """(association id, ACL id) of a subnet: its own, or its VPC's default ACL."""
        r = self.region(ctx)
        assoc = r["acl_assoc"].get(subnet["id"])
        if assoc is None or assoc["acl"] not in r["acl"]:
            default = next((a for a in r["acl"].values()
                            if a["vpc"] == subnet["vpc"] and a["default"]), None)
            if default is None:
                return None
            assoc = r["acl_assoc"][subnet["id"]] = {"id": new_id("aclassoc"),
                                                    "acl": default["id"]}
        return assoc["id"], assoc["acl"]

    def render_acl(self, ctx, a):
        r = self.region(ctx)
        assocs = []
        for s in r["subnet"].values():
            if s["vpc"] == a["vpc"]:
                got = self.subnet_acl(ctx, s)
                if got and got[1] == a["id"]:
                    assocs.append({"networkAclAssociationId": got[0], "networkAclId": a["id"],
                                   "subnetId": s["id"]})
        entries = []
        for e in sorted(a["entries"], key=lambda e: (e["egress"], e["number"])):
            item = {"ruleNumber": e["number"], "protocol": e["protocol"],
                    "ruleAction": e["action"], "egress": e["egress"], "cidrBlock": e["cidr"]}
            if e["ports"]:
                item["portRange"] = {"from": e["ports"][0], "to": e["ports"][1]}
            if e["icmp"]:
                item["icmpTypeCode"] = {"type": e["icmp"][0], "code": e["icmp"][1]}
            entries.append(item)
        return {"networkAclId": a["id"], "vpcId": a["vpc"], "default": a["default"],
                "entrySet": entries, "associationSet": assocs,
                "tagSet": render_tags(a["tags"]), "ownerId": ctx.account_id}

    def CreateNetworkAcl(self, ctx, params):
        replay, pending = self.idempotent(ctx, "CreateNetworkAcl", params, "acl",
                                          lambda c, o: {"networkAcl": self.render_acl(c, o)})
        if replay:
            return replay
        vpc = self.get(ctx, "vpc", required(params, "VpcId"))
        a = self.make_acl(ctx, vpc, tags=tag_specs(params, "acl"))
        self.remember_token(ctx, pending, a["id"])
        return {"networkAcl": self.render_acl(ctx, a)}

    def DescribeNetworkAcls(self, ctx, params):
        objs, by_ids = self.select(ctx, "acl", params, "NetworkAclId", {
            "network-acl-id": lambda a: a["id"], "vpc-id": lambda a: a["vpc"],
            "default": lambda a: a["default"], "owner-id": lambda a: ctx.account_id,
            "association.subnet-id": lambda a: [x["subnetId"] for x in
                                                self.render_acl(ctx, a)["associationSet"]],
            "association.association-id": lambda a: [
                x["networkAclAssociationId"] for x in self.render_acl(ctx, a)["associationSet"]],
            "entry.rule-number": lambda a: [e["number"] for e in a["entries"]]})
        page, nxt = paginate(objs, params, 5, 1000, by_ids)
        return {"networkAclSet": [self.render_acl(ctx, a) for a in page], "nextToken": nxt}

    def DeleteNetworkAcl(self, ctx, params):
        a = self.get(ctx, "acl", required(params, "NetworkAclId"))
        if a["default"]:
            raise err("InvalidParameterValue", "cannot delete default network ACL %s" % a["id"])
        if self.render_acl(ctx, a)["associationSet"]:
            raise err("DependencyViolation", "The networkAcl '%s' has dependencies and cannot "
                      "be deleted." % a["id"])
        del self.region(ctx)["acl"][a["id"]]
        return {"return": True}

    def ReplaceNetworkAclAssociation(self, ctx, params):
        assoc_id = required(params, "AssociationId")
        a = self.get(ctx, "acl", required(params, "NetworkAclId"))
        r = self.region(ctx)
        for s in r["subnet"].values():
            got = self.subnet_acl(ctx, s)
            if got and got[0] == assoc_id:
                if s["vpc"] != a["vpc"]:
                    raise err("InvalidParameterValue", "Network ACL %s and subnet %s belong "
                              "to different VPCs" % (a["id"], s["id"]))
                new = r["acl_assoc"][s["id"]] = {"id": new_id("aclassoc"), "acl": a["id"]}
                return {"newAssociationId": new["id"]}
        raise err("InvalidAssociationID.NotFound", "The association ID '%s' does not exist"
                  % assoc_id)

    # ------------------------------------------------------------ entries

    def _acl_entry_params(self, params):
        number = as_int(required(params, "RuleNumber"), "RuleNumber")
        if not 1 <= number <= 32766:
            raise err("InvalidParameterValue", "Invalid value for parameter ruleNumber: %d. "
                      "It must be between 1 and 32766" % number)
        protocol = str(required(params, "Protocol")).lower()
        protocol = PROTOCOL_NAMES.get(protocol, protocol)
        if protocol != "-1" and not (protocol.isdigit() and 0 <= int(protocol) <= 255):
            raise err("InvalidParameterValue", "Invalid value for parameter protocol: %s"
                      % protocol)
        action = required(params, "RuleAction")
        if action not in ("allow", "deny"):
            raise err("InvalidParameterValue", "Invalid value for parameter ruleAction: %s"
                      % action)
        egress = as_bool(required(params, "Egress"), "Egress")
        cidr = str(parse_cidr(required(params, "CidrBlock"), "cidrBlock"))
        ports = icmp = None
        if protocol in ("6", "17"):
            pr = params.get("PortRange") or {}
            if pr.get("From") in (None, "") or pr.get("To") in (None, ""):
                raise err("MissingParameter", "The request must contain the parameter "
                          "portRange")
            ports = (as_int(pr["From"], "PortRange.From"), as_int(pr["To"], "PortRange.To"))
            if not 0 <= ports[0] <= ports[1] <= 65535:
                raise err("InvalidParameterValue", "Invalid port range %d-%d" % ports)
        if protocol == "1":
            ic = params.get("Icmp") or {}
            if ic.get("Type") in (None, "") or ic.get("Code") in (None, ""):
                raise err("MissingParameter", "The request must contain the parameter "
                          "icmpTypeCode")
            icmp = (as_int(ic["Type"], "Icmp.Type"), as_int(ic["Code"], "Icmp.Code"))
        return _entry(number, protocol, action, egress, cidr, ports, icmp)

    @staticmethod
    def _find_entry(a, number, egress):
        return next((i for i, e in enumerate(a["entries"])
                     if e["number"] == number and e["egress"] == egress), None)

    def CreateNetworkAclEntry(self, ctx, params):
        a = self.get(ctx, "acl", required(params, "NetworkAclId"))
        e = self._acl_entry_params(params)
        if self._find_entry(a, e["number"], e["egress"]) is not None:
            raise err("NetworkAclEntryAlreadyExists", "The network acl entry identified by %d "
                      "already exists." % e["number"])
        if sum(1 for x in a["entries"] if x["egress"] == e["egress"]) > 20:
            raise err("NetworkAclEntryLimitExceeded", "The maximum number of network acl "
                      "entries has been reached.")
        a["entries"].append(e)
        return {"return": True}

    def ReplaceNetworkAclEntry(self, ctx, params):
        a = self.get(ctx, "acl", required(params, "NetworkAclId"))
        e = self._acl_entry_params(params)
        i = self._find_entry(a, e["number"], e["egress"])
        if i is None:
            raise err("InvalidNetworkAclEntry.NotFound", "The network acl entry identified by "
                      "%d does not exist." % e["number"])
        a["entries"][i] = e
        return {"return": True}

    def DeleteNetworkAclEntry(self, ctx, params):
        a = self.get(ctx, "acl", required(params, "NetworkAclId"))
        number = as_int(required(params, "RuleNumber"), "RuleNumber")
        egress = as_bool(required(params, "Egress"), "Egress")
        i = self._find_entry(a, number, egress)
        if i is None or number == LAST_RULE:
            raise err("InvalidNetworkAclEntry.NotFound", "The network acl entry identified by "
                      "%d does not exist." % number)
        del a["entries"][i]
        return {"return": True}
