"""EC2 (ec2 protocol, 2016-11-15): VPCs (tenancy, one Amazon-provided IPv6
/56 each), subnets (IPv6 /64s of it), internet gateways,
Elastic IPs, NAT gateways, availability zones and tags; route tables,
security groups, VPC endpoints, network ACLs and flow logs live in the
mixins _ec2_routes, _ec2_groups, _ec2_endpoints, _ec2_acls, _ec2_flow_logs.

State: store["regions"][region][kind][id] = internal dict (see the make_*
functions); render_* turn one into the API's element structure. NAT gateway
states are computed from the emulator clock at Describe time (pending ->
available/failed after --nat-delay-ms, deleting -> deleted), never by
threads. Dependency rules follow AWS: a VPC with subnets, an attached
gateway, extra security groups or route tables, an attached gateway, a
subnet holding a NAT gateway or a load balancer all give
DependencyViolation.
"""

import ipaddress
import random

from ..core import AwsError, Service, as_bool, iso_time, new_id
from ._ec2_common import (apply_filters, apply_tags, check_id, err, id_list, not_found,
                          paginate, params_digest, parse_cidr, render_tags, required,
                          tag_specs, validate_tags, zones, PREFIX_KIND)
from ._ec2_acls import AclsMixin
from ._ec2_endpoints import EndpointsMixin
from ._ec2_flow_logs import FlowLogsMixin
from ._ec2_groups import GroupsMixin
from ._ec2_routes import RoutesMixin

KINDS_IN_STORE = ("vpc", "subnet", "igw", "eip", "nat", "rtb", "sg", "vpce", "acl", "fl",
                  "acl_assoc")
DELETED_RETENTION = 3600.0     # deleted/failed NAT gateways stay described this long


class EC2(RoutesMixin, GroupsMixin, EndpointsMixin, AclsMixin, FlowLogsMixin, Service):
    name = "ec2"
    protocol = "ec2"
    api_version = "2016-11-15"
    xmlns = "http://ec2.amazonaws.com/doc/2016-11-15/"
    throttle_code = "RequestLimitExceeded"

    def __init__(self, store):
        super().__init__(store)
        store.setdefault("regions", {})

    # ------------------------------------------------------------ plumbing

    def operation(self, action):
        fn = super().operation(action)
        if fn is None:
            return None

        def run(ctx, params):
            if str(params.get("DryRun", "false")).lower() == "true":
                raise AwsError("DryRunOperation", "Request would have succeeded, but DryRun "
                               "flag is set.", 412)
            return fn(ctx, params)
        return run

    def region(self, ctx):
        r = self.store["regions"].get(ctx.region)
        if r is None:
            r = self.store["regions"][ctx.region] = {k: {} for k in KINDS_IN_STORE}
            r["tokens"] = {}
        for k in KINDS_IN_STORE:     # a state saved before a kind existed
            r.setdefault(k, {})
        return r

    def get(self, ctx, kind, ident, describe=False):
        """The object or the kind's NotFound (also while not yet visible
        to Describe calls under the consistency fault)."""
        check_id(kind, ident)
        obj = self.region(ctx)[kind].get(ident)
        if obj is None or (describe and not ctx.visible(obj.get("created"))):
            raise not_found(kind, ident)
        return obj

    def nat_delay(self):
        emu = getattr(self, "emulator", None)
        return (emu.config.nat_delay_ms if emu else 2000) / 1000.0

    def select(self, ctx, kind, params, id_param, fields):
        """Objects of a kind for a Describe call: by ids (all must exist),
        then filters. Objects inside the consistency window are hidden."""
        r = self.region(ctx)[kind]
        ids = id_list(params, id_param)
        if ids:
            objs = []
            for i in ids:
                o = self.get(ctx, kind, i, describe=True)
                if o not in objs:
                    objs.append(o)
        else:
            objs = [o for o in r.values() if ctx.visible(o.get("created"))]
        return apply_filters(objs, params, fields), bool(ids)

    def idempotent(self, ctx, action, params, kind, render):
        """ClientToken: the same token with the same parameters returns the
        first object; with other parameters IdempotentParameterMismatch."""
        token = params.get("ClientToken")
        if not token:
            return None, None
        tokens = self.region(ctx)["tokens"]
        key = "%s:%s" % (action, token)
        prior = tokens.get(key)
        digest = params_digest(params)
        if prior is None:
            return None, (key, digest)
        if prior["digest"] != digest:
            raise err("IdempotentParameterMismatch", "The client token you have provided is "
                      "associated with a resource that was created with different parameters.")
        obj = self.region(ctx)[kind].get(prior["id"])
        if obj is None:
            raise err("IdempotentParameterMismatch", "The client token you have provided is "
                      "associated with a resource that is already deleted. Please use a "
                      "different client token.")
        return render(ctx, obj), None

    def remember_token(self, ctx, pending, ident):
        if pending:
            key, digest = pending
            self.region(ctx)["tokens"][key] = {"digest": digest, "id": ident}

    def elbv2_using(self, ctx, subnet_id=None, group_id=None):
        """Load balancers (ELBv2 service) in a subnet / using a group."""
        emu = getattr(self, "emulator", None)
        elb = emu.services.get("elasticloadbalancing") if emu else None
        if elb is None or not hasattr(elb, "users_of"):
            return []
        return elb.users_of(ctx.region, subnet_id=subnet_id, group_id=group_id)

    # ------------------------------------------------------------ VPCs

    def render_vpc(self, ctx, v):
        return {
            "vpcId": v["id"], "ownerId": ctx.account_id, "state": "available",
            "cidrBlock": v["cidr"], "dhcpOptionsId": "default",
            "cidrBlockAssociationSet": [{"associationId": v["assoc_id"], "cidrBlock": v["cidr"],
                                         "cidrBlockState": {"state": "associated"}}],
            "ipv6CidrBlockAssociationSet": self.render_ipv6(v, "ipv6Pool", "Amazon",
                                                            "networkBorderGroup", ctx.region),
            "instanceTenancy": v["tenancy"], "isDefault": False,
            "tagSet": render_tags(v["tags"]),
        }

    def CreateVpc(self, ctx, params):
        replay, pending = self.idempotent(ctx, "CreateVpc", params, "vpc",
                                          lambda c, o: {"vpc": self.render_vpc(c, o)})
        if replay:
            return replay
        if not params.get("CidrBlock"):
            raise err("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
        net = parse_cidr(params["CidrBlock"])
        if not 16 <= net.prefixlen <= 28:
            raise err("InvalidVpc.Range", "The CIDR '%s' is invalid." % params["CidrBlock"])
        tenancy = params.get("InstanceTenancy", "default")
        if tenancy not in ("default", "dedicated", "host"):
            raise err("InvalidParameterValue", "Value (%s) for parameter instanceTenancy is "
                      "invalid." % tenancy)
        tags = tag_specs(params, "vpc")
        r = self.region(ctx)
        now = ctx.now()
        v = {"id": new_id("vpc"), "cidr": str(net), "assoc_id": new_id("vpc-cidr-assoc"),
             "tenancy": tenancy, "dns_support": True, "dns_hostnames": False,
             "tags": tags, "created": now}
        r["vpc"][v["id"]] = v
        # the main route table and the default security group come with it
        rtb = self.make_route_table(ctx, v, main=True)
        sg = self.make_default_group(ctx, v)
        acl = self.make_acl(ctx, v, default=True)
        v["main_rtb"], v["default_sg"], v["default_acl"] = rtb["id"], sg["id"], acl["id"]
        self.remember_token(ctx, pending, v["id"])
        return {"vpc": self.render_vpc(ctx, v)}

    def DescribeVpcs(self, ctx, params):
        objs, by_ids = self.select(ctx, "vpc", params, "VpcId", {
            "vpc-id": lambda v: v["id"], "cidr": lambda v: v["cidr"],
            "cidr-block-association.cidr-block": lambda v: v["cidr"],
            "cidr-block-association.association-id": lambda v: v["assoc_id"],
            "cidr-block-association.state": lambda v: "associated",
            "state": lambda v: "available", "is-default": lambda v: False,
            "owner-id": lambda v: ctx.account_id, "dhcp-options-id": lambda v: "default",
        })
        page, nxt = paginate(objs, params, 5, 1000, by_ids)
        return {"vpcSet": [self.render_vpc(ctx, v) for v in page], "nextToken": nxt}

    def DeleteVpc(self, ctx, params):
        v = self.get(ctx, "vpc", required(params, "VpcId"))
        r = self.region(ctx)
        busy = any(s["vpc"] == v["id"] for s in r["subnet"].values()) or \
            any(g["vpc"] == v["id"] for g in r["igw"].values()) or \
            any(g["vpc"] == v["id"] and not g.get("default") for g in r["sg"].values()) or \
            any(t["vpc"] == v["id"] and not t["main"] for t in r["rtb"].values()) or \
            any(e["vpc"] == v["id"] for e in r["vpce"].values()) or \
            any(a["vpc"] == v["id"] and not a["default"] for a in r["acl"].values())
        if busy:
            raise err("DependencyViolation", "The vpc '%s' has dependencies and cannot be "
                      "deleted." % v["id"])
        r["rtb"].pop(v["main_rtb"], None)
        r["sg"].pop(v["default_sg"], None)
        r["acl"].pop(v.get("default_acl"), None)
        for f in [f for f in r["fl"].values() if f["resource"] == v["id"]]:
            del r["fl"][f["id"]]       # AWS deletes a VPC's flow logs with it
        del r["vpc"][v["id"]]
        return {"return": True}

    def ModifyVpcAttribute(self, ctx, params):
        v = self.get(ctx, "vpc", required(params, "VpcId"))
        attrs = [a for a in ("EnableDnsSupport", "EnableDnsHostnames",
                             "EnableNetworkAddressUsageMetrics") if a in params]
        if len(attrs) != 1:
            raise err("InvalidParameterCombination", "Exactly one attribute must be specified "
                      "per request" if attrs else "The request must contain exactly one attribute")
        a = attrs[0]
        value = params[a].get("Value") if isinstance(params[a], dict) else None
        if value is None:
            raise err("MissingParameter", "The request must contain the parameter %s.Value" % a)
        b = as_bool(value, a)
        if a == "EnableDnsHostnames" and b and not v["dns_support"]:
            raise err("InvalidParameterCombination", "Cannot enable DNS hostnames when DNS "
                      "support is disabled")
        key = {"EnableDnsSupport": "dns_support", "EnableDnsHostnames": "dns_hostnames",
               "EnableNetworkAddressUsageMetrics": "nau_metrics"}[a]
        v[key] = b
        return {"return": True}

    def DescribeVpcAttribute(self, ctx, params):
        attr = required(params, "Attribute")
        v = self.get(ctx, "vpc", required(params, "VpcId"), describe=True)
        key = {"enableDnsSupport": "dns_support", "enableDnsHostnames": "dns_hostnames",
               "enableNetworkAddressUsageMetrics": "nau_metrics"}.get(attr)
        if key is None:
            raise err("InvalidParameterValue", "Value (%s) for parameter attribute is invalid. "
                      "Unknown attribute." % attr)
        return {"vpcId": v["id"], attr: {"value": bool(v.get(key, False))}}

    def ModifyVpcTenancy(self, ctx, params):
        """AWS changes a VPC's tenancy only from dedicated to default."""
        v = self.get(ctx, "vpc", required(params, "VpcId"))
        tenancy = required(params, "InstanceTenancy")
        if tenancy != "default":
            raise err("InvalidParameterValue", "Value (%s) for parameter instanceTenancy is "
                      "invalid. The tenancy of a VPC can only be changed to default." % tenancy)
        v["tenancy"] = "default"
        return {"return": True}

    # ------------------------------------------------------------ IPv6 blocks

    @staticmethod
    def render_ipv6(obj, *extra):
        """The ipv6CidrBlockAssociationSet of a VPC or subnet (extra: key, value pairs)."""
        block = obj.get("ipv6")
        if not block:
            return None
        out = {"associationId": block["assoc_id"], "ipv6CidrBlock": block["cidr"],
               "ipv6CidrBlockState": {"state": "associated"}}
        out.update(zip(extra[::2], extra[1::2]))
        return [out]

    def AssociateVpcCidrBlock(self, ctx, params):
        """Only an Amazon-provided IPv6 /56 (one per VPC here); no secondary IPv4 blocks."""
        v = self.get(ctx, "vpc", required(params, "VpcId"))
        others = [k for k in ("CidrBlock", "Ipv6CidrBlock", "Ipv6Pool", "Ipv4IpamPoolId",
                              "Ipv6IpamPoolId") if params.get(k)]
        if others:
            raise err("InvalidParameterValue", "The emulator supports only "
                      "AmazonProvidedIpv6CidrBlock, not %s" % ", ".join(others))
        if not as_bool(params.get("AmazonProvidedIpv6CidrBlock", "false"),
                       "AmazonProvidedIpv6CidrBlock"):
            raise err("MissingParameter", "Either 'cidrBlock' or 'amazonProvidedIpv6CidrBlock' "
                      "should be provided.")
        if v.get("ipv6"):
            raise err("CidrLimitExceeded", "This network '%s' has met its maximum number of "
                      "allowed CIDRs: 1" % v["id"])
        rng = random.Random()
        used = {x["ipv6"]["cidr"] for x in self.region(ctx)["vpc"].values() if x.get("ipv6")}
        while True:
            cidr = "2600:1f%02x:%x:%x00::/56" % (rng.randrange(256), rng.randrange(1, 65536),
                                                 rng.randrange(1, 256))
            if cidr not in used:
                break
        v["ipv6"] = {"assoc_id": new_id("vpc-cidr-assoc"), "cidr": str(ipaddress.IPv6Network(cidr))}
        return {"vpcId": v["id"], "ipv6CidrBlockAssociation": self.render_ipv6(
            v, "ipv6Pool", "Amazon", "networkBorderGroup", ctx.region)[0]}

    def AssociateSubnetCidrBlock(self, ctx, params):
        """A /64 of the VPC's IPv6 block, one per subnet, none shared."""
        s = self.get(ctx, "subnet", required(params, "SubnetId"))
        text = required(params, "Ipv6CidrBlock")
        try:
            net = ipaddress.IPv6Network(text, strict=True)
        except (ValueError, TypeError):
            raise err("InvalidParameterValue", "Value (%s) for parameter ipv6CidrBlock is "
                      "invalid. This is not a valid IPv6 CIDR block." % text)
        r = self.region(ctx)
        vpc_block = r["vpc"][s["vpc"]].get("ipv6")
        if net.prefixlen != 64 or not vpc_block or \
                not net.subnet_of(ipaddress.IPv6Network(vpc_block["cidr"])):
            raise err("InvalidSubnet.Range", "The IPv6 CIDR '%s' is invalid." % text)
        if s.get("ipv6"):
            raise err("InvalidParameterValue", "The subnet '%s' already has an IPv6 CIDR "
                      "block." % s["id"])
        if any(x.get("ipv6") and x["ipv6"]["cidr"] == str(net) for x in r["subnet"].values()):
            raise err("InvalidSubnet.Conflict", "The CIDR '%s' conflicts with another "
                      "subnet" % text)
        s["ipv6"] = {"assoc_id": new_id("subnet-cidr-assoc"), "cidr": str(net)}
        return {"subnetId": s["id"], "ipv6CidrBlockAssociation": self.render_ipv6(s)[0]}

    # ------------------------------------------------------------ subnets

    def render_subnet(self, ctx, s):
        net = ipaddress.IPv4Network(s["cidr"])
        used = sum(1 for n in self.region(ctx)["nat"].values()
                   if n["subnet"] == s["id"] and self.nat_state(ctx, n) in ("pending", "available"))
        zone_id = dict(zones(ctx.region)).get(s["az"])
        return {
            "subnetId": s["id"], "subnetArn": "arn:aws:ec2:%s:%s:subnet/%s" % (
                ctx.region, ctx.account_id, s["id"]),
            "state": "available", "vpcId": s["vpc"], "ownerId": ctx.account_id,
            "cidrBlock": s["cidr"], "availableIpAddressCount": net.num_addresses - 5 - used,
            "availabilityZone": s["az"], "availabilityZoneId": zone_id,
            "defaultForAz": False, "mapPublicIpOnLaunch": s["map_public"],
            "mapCustomerOwnedIpOnLaunch": False, "assignIpv6AddressOnCreation": False,
            "ipv6CidrBlockAssociationSet": self.render_ipv6(s), "enableDns64": False,
            "ipv6Native": False,
            "privateDnsNameOptionsOnLaunch": {"hostnameType": "ip-name",
                                              "enableResourceNameDnsARecord": False,
                                              "enableResourceNameDnsAAAARecord": False},
            "tagSet": render_tags(s["tags"]),
        }

    def CreateSubnet(self, ctx, params):
        v = self.get(ctx, "vpc", required(params, "VpcId"))
        cidr = required(params, "CidrBlock")
        net = parse_cidr(cidr)
        vnet = ipaddress.IPv4Network(v["cidr"])
        if not (16 <= net.prefixlen <= 28) or not net.subnet_of(vnet):
            raise err("InvalidSubnet.Range", "The CIDR '%s' is invalid." % cidr)
        r = self.region(ctx)
        for s in r["subnet"].values():
            if s["vpc"] == v["id"] and net.overlaps(ipaddress.IPv4Network(s["cidr"])):
                raise err("InvalidSubnet.Conflict", "The CIDR '%s' conflicts with another "
                          "subnet" % cidr)
        zl = zones(ctx.region)
        names = [z for z, _ in zl]
        az = params.get("AvailabilityZone")
        az_id = params.get("AvailabilityZoneId")
        if az and az_id:
            raise err("InvalidParameterCombination", "Only one of availabilityZone or "
                      "availabilityZoneId may be specified")
        if az_id:
            az = {i: z for z, i in zl}.get(az_id)
            if az is None:
                raise err("InvalidParameterValue", "Value (%s) for parameter availabilityZoneId "
                          "is invalid." % az_id)
        elif az:
            if az not in names:
                raise err("InvalidParameterValue", "Value (%s) for parameter availabilityZone is "
                          "invalid. Subnets can currently only be created in the following "
                          "availability zones: %s." % (az, ", ".join(names)))
        else:
            az = names[len(r["subnet"]) % len(names)]
        tags = tag_specs(params, "subnet")
        s = {"id": new_id("subnet"), "vpc": v["id"], "cidr": str(net), "az": az,
             "map_public": False, "tags": tags, "created": ctx.now()}
        r["subnet"][s["id"]] = s
        return {"subnet": self.render_subnet(ctx, s)}

    def DescribeSubnets(self, ctx, params):
        fields = {
            "subnet-id": lambda s: s["id"], "vpc-id": lambda s: s["vpc"],
            "cidr-block": lambda s: s["cidr"], "cidr": lambda s: s["cidr"],
            "cidrBlock": lambda s: s["cidr"], "availability-zone": lambda s: s["az"],
            "availabilityZone": lambda s: s["az"],
            "availability-zone-id": lambda s: dict(zones(ctx.region)).get(s["az"]),
            "state": lambda s: "available", "default-for-az": lambda s: False,
            "defaultForAz": lambda s: False, "map-public-ip-on-launch": lambda s: s["map_public"],
            "owner-id": lambda s: ctx.account_id,
            "subnet-arn": lambda s: "arn:aws:ec2:%s:%s:subnet/%s" % (ctx.region, ctx.account_id, s["id"]),
        }
        objs, by_ids = self.select(ctx, "subnet", params, "SubnetId", fields)
        page, nxt = paginate(objs, params, 5, 1000, by_ids)
        return {"subnetSet": [self.render_subnet(ctx, s) for s in page], "nextToken": nxt}

    def DeleteSubnet(self, ctx, params):
        s = self.get(ctx, "subnet", required(params, "SubnetId"))
        r = self.region(ctx)
        nat_busy = any(n["subnet"] == s["id"] and self.nat_state(ctx, n) in
                       ("pending", "available", "deleting") for n in r["nat"].values())
        vpce_busy = any(s["id"] in e["subnets"] for e in r["vpce"].values())
        if nat_busy or vpce_busy or self.elbv2_using(ctx, subnet_id=s["id"]):
            raise err("DependencyViolation", "The subnet '%s' has dependencies and cannot be "
                      "deleted." % s["id"])
        for t in r["rtb"].values():        # its explicit associations go with it
            t["assocs"] = [a for a in t["assocs"] if a.get("subnet") != s["id"]]
        r["acl_assoc"].pop(s["id"], None)
        del r["subnet"][s["id"]]
        return {"return": True}

    def ModifySubnetAttribute(self, ctx, params):
        s = self.get(ctx, "subnet", required(params, "SubnetId"))
        known = ("MapPublicIpOnLaunch", "AssignIpv6AddressOnCreation", "MapCustomerOwnedIpOnLaunch",
                 "EnableDns64", "EnableResourceNameDnsARecordOnLaunch",
                 "EnableResourceNameDnsAAAARecordOnLaunch", "PrivateDnsHostnameTypeOnLaunch")
        attrs = [a for a in known if a in params]
        if len(attrs) != 1:
            raise err("InvalidParameterCombination", "Exactly one attribute must be specified "
                      "per request")
        a = attrs[0]
        if a != "MapPublicIpOnLaunch":
            raise err("InvalidParameterValue", "The emulator supports only MapPublicIpOnLaunch")
        value = params[a].get("Value") if isinstance(params[a], dict) else None
        if value is None:
            raise err("MissingParameter", "The request must contain the parameter %s.Value" % a)
        s["map_public"] = as_bool(value, a)
        return {"return": True}

    # ------------------------------------------------------------ internet gateways

    def render_igw(self, ctx, g):
        return {"internetGatewayId": g["id"], "ownerId": ctx.account_id,
                "attachmentSet": [{"vpcId": g["vpc"], "state": "available"}] if g["vpc"] else [],
                "tagSet": render_tags(g["tags"])}

    def CreateInternetGateway(self, ctx, params):
        g = {"id": new_id("igw"), "vpc": None, "tags": tag_specs(params, "igw"),
             "created": ctx.now()}
        self.region(ctx)["igw"][g["id"]] = g
        return {"internetGateway": self.render_igw(ctx, g)}

    def DescribeInternetGateways(self, ctx, params):
        objs, by_ids = self.select(ctx, "igw", params, "InternetGatewayId", {
            "internet-gateway-id": lambda g: g["id"],
            "attachment.vpc-id": lambda g: g["vpc"],
            "attachment.state": lambda g: "available" if g["vpc"] else None,
            "owner-id": lambda g: ctx.account_id,
        })
        page, nxt = paginate(objs, params, 5, 1000, by_ids)
        return {"internetGatewaySet": [self.render_igw(ctx, g) for g in page], "nextToken": nxt}

    def AttachInternetGateway(self, ctx, params):
        g = self.get(ctx, "igw", required(params, "InternetGatewayId"))
        v = self.get(ctx, "vpc", required(params, "VpcId"))
        if g["vpc"]:
            raise err("Resource.AlreadyAssociated", "resource %s is already attached to "
                      "network %s" % (g["id"], g["vpc"]))
        for other in self.region(ctx)["igw"].values():
            if other["vpc"] == v["id"]:
                raise err("InvalidParameterValue", "Network %s already has an internet gateway "
                          "attached" % v["id"])
        g["vpc"] = v["id"]
        return {"return": True}

    def DetachInternetGateway(self, ctx, params):
        g = self.get(ctx, "igw", required(params, "InternetGatewayId"))
        vpc_id = required(params, "VpcId")
        self.get(ctx, "vpc", vpc_id)
        if g["vpc"] != vpc_id:
            raise err("Gateway.NotAttached", "resource %s is not attached to network %s"
                      % (g["id"], vpc_id))
        for n in self.region(ctx)["nat"].values():
            if n["vpc"] == vpc_id and n["conn"] == "public" and \
                    self.nat_state(ctx, n) in ("pending", "available", "deleting") and not n["fail"]:
                raise err("DependencyViolation", "Network %s has some mapped public address(es). "
                          "Please unmap those public address(es) before detaching the gateway."
                          % vpc_id)
        g["vpc"] = None
        return {"return": True}

    def DeleteInternetGateway(self, ctx, params):
        g = self.get(ctx, "igw", required(params, "InternetGatewayId"))
        if g["vpc"]:
            raise err("DependencyViolation", "The internetGateway '%s' has dependencies and "
                      "cannot be deleted." % g["id"])
        del self.region(ctx)["igw"][g["id"]]
        return {"return": True}

    # ------------------------------------------------------------ Elastic IPs

    def eip_user(self, ctx, e):
        """The NAT gateway holding this address, or None."""
        for n in self.region(ctx)["nat"].values():
            if n["alloc"] == e["id"] and not n["fail"] and \
                    self.nat_state(ctx, n) in ("pending", "available", "deleting"):
                return n
        return None

    def render_eip(self, ctx, e):
        out = {"publicIp": e["ip"], "allocationId": e["id"], "domain": "vpc",
               "publicIpv4Pool": "amazon", "networkBorderGroup": ctx.region,
               "tagSet": render_tags(e["tags"])}
        n = self.eip_user(ctx, e)
        if n:
            out.update({"associationId": n["assoc_id"], "networkInterfaceId": n["eni"],
                        "networkInterfaceOwnerId": ctx.account_id,
                        "privateIpAddress": n["private_ip"]})
        return out

    def AllocateAddress(self, ctx, params):
        domain = params.get("Domain", "vpc")
        if domain not in ("vpc", "standard"):
            raise err("InvalidParameterValue", "Invalid value '%s' for domain." % domain)
        if params.get("Address") or params.get("PublicIpv4Pool", "amazon") != "amazon":
            raise err("InvalidParameterValue", "The emulator only allocates from the amazon pool")
        tags = tag_specs(params, "eip")
        r = self.region(ctx)
        used = {e["ip"] for e in r["eip"].values()}
        rng = random.Random()
        while True:
            ip = "3.%d.%d.%d" % (rng.randrange(32, 40), rng.randrange(256), rng.randrange(1, 255))
            if ip not in used:
                break
        e = {"id": new_id("eipalloc"), "ip": ip, "tags": tags, "created": ctx.now()}
        r["eip"][e["id"]] = e
        return {"publicIp": ip, "allocationId": e["id"], "domain": "vpc",
                "publicIpv4Pool": "amazon", "networkBorderGroup": ctx.region}

    def DescribeAddresses(self, ctx, params):
        r = self.region(ctx)
        ids = id_list(params, "AllocationId")
        ips = id_list(params, "PublicIp")
        objs = [e for e in r["eip"].values() if ctx.visible(e["created"])]
        for i in ids:
            if i not in r["eip"] or r["eip"][i] not in objs:
                raise not_found("eip", i)
        for ip in ips:
            if not any(e["ip"] == ip for e in objs):
                raise err("InvalidAddress.NotFound", "Address '%s' not found." % ip)
        if ids:
            objs = [e for e in objs if e["id"] in ids]
        if ips:
            objs = [e for e in objs if e["ip"] in ips]

        def assoc(e, key):
            n = self.eip_user(ctx, e)
            return n[key] if n else None
        objs = apply_filters(objs, params, {
            "allocation-id": lambda e: e["id"], "public-ip": lambda e: e["ip"],
            "domain": lambda e: "vpc", "association-id": lambda e: assoc(e, "assoc_id"),
            "network-interface-id": lambda e: assoc(e, "eni"),
            "private-ip-address": lambda e: assoc(e, "private_ip"),
            "network-border-group": lambda e: ctx.region,
        })
        return {"addressesSet": [self.render_eip(ctx, e) for e in objs]}

    def ReleaseAddress(self, ctx, params):
        alloc = params.get("AllocationId")
        if not alloc:
            if params.get("PublicIp"):
                raise err("InvalidParameterValue", "You must specify an allocation id when "
                          "releasing a VPC elastic IP address")
            raise err("MissingParameter", "The request must contain the parameter AllocationId")
        e = self.get(ctx, "eip", alloc)
        if self.eip_user(ctx, e):
            raise err("AuthFailure", "You do not have permission to access the specified "
                      "resource.")
        del self.region(ctx)["eip"][e["id"]]
        return {"return": True}

    # ------------------------------------------------------------ NAT gateways

    def nat_state(self, ctx, n):
        now, d = ctx.now(), self.nat_delay()
        if n.get("deleted_at") is not None:
            return "deleted" if now >= n["deleted_at"] + d else "deleting"
        if now >= n["created"] + d:
            return "failed" if n["fail"] else "available"
        return "pending"

    def render_nat(self, ctx, n, state=None):
        state = state or self.nat_state(ctx, n)
        out = {"natGatewayId": n["id"], "subnetId": n["subnet"], "vpcId": n["vpc"],
               "state": state, "connectivityType": n["conn"],
               "createTime": iso_time(n["created"]), "tagSet": render_tags(n["tags"])}
        if state == "failed":
            out["failureCode"], out["failureMessage"] = n["fail"]
            out["deleteTime"] = iso_time(n["created"] + self.nat_delay())
        elif n.get("deleted_at") is not None:
            if state == "deleted":
                out["deleteTime"] = iso_time(n["deleted_at"] + self.nat_delay())
        addr = {"networkInterfaceId": n["eni"], "privateIp": n["private_ip"], "isPrimary": True}
        if n["conn"] == "public" and not n["fail"]:
            e = self.region(ctx)["eip"].get(n["alloc"])
            addr.update({"allocationId": n["alloc"], "publicIp": e["ip"] if e else None,
                         "associationId": n["assoc_id"]})
        addr["status"] = {"pending": "associating", "available": "succeeded",
                          "deleting": "disassociating", "deleted": "succeeded",
                          "failed": "failed"}[state]
        out["natGatewayAddressSet"] = [addr] if state not in ("failed",) else None
        return out

    def purge_nats(self, ctx):
        """Deleted and failed NAT gateways disappear an hour after the end."""
        r, now, d = self.region(ctx), ctx.now(), self.nat_delay()
        for nid in list(r["nat"]):
            n = r["nat"][nid]
            end = n["deleted_at"] + d if n.get("deleted_at") is not None else \
                (n["created"] + d if n["fail"] else None)
            if end is not None and now >= end + DELETED_RETENTION:
                del r["nat"][nid]

    def CreateNatGateway(self, ctx, params):
        replay, pending = self.idempotent(
            ctx, "CreateNatGateway", params, "nat",
            lambda c, o: {"clientToken": params["ClientToken"], "natGateway": self.render_nat(c, o)})
        if replay:
            return replay
        s = self.get(ctx, "subnet", required(params, "SubnetId"))
        conn = params.get("ConnectivityType", "public")
        if conn not in ("public", "private"):
            raise err("InvalidParameterValue", "Value (%s) for parameter connectivityType is "
                      "invalid." % conn)
        r = self.region(ctx)
        alloc = params.get("AllocationId")
        fail = None
        if conn == "public":
            if not alloc:
                raise err("MissingParameter", "The request must contain the parameter AllocationId")
            e = self.get(ctx, "eip", alloc)
            if self.eip_user(ctx, e):
                fail = ["Resource.AlreadyAssociated",
                        "Elastic IP address [%s] is already associated" % alloc]
            elif not any(g["vpc"] == s["vpc"] for g in r["igw"].values()):
                fail = ["Gateway.NotAttached",
                        "Network %s has no Internet gateway attached" % s["vpc"]]
        elif alloc:
            raise err("InvalidParameterCombination", "AllocationId is not valid for a private "
                      "NAT gateway")
        tags = tag_specs(params, "nat")
        net = ipaddress.IPv4Network(s["cidr"])
        used = {n["private_ip"] for n in r["nat"].values()}
        hosts = [str(h) for h in list(net.hosts())[3:]]
        private_ip = next((h for h in hosts if h not in used), hosts[0] if hosts else None)
        n = {"id": new_id("nat"), "subnet": s["id"], "vpc": s["vpc"], "conn": conn,
             "alloc": alloc if conn == "public" else None, "created": ctx.now(),
             "deleted_at": None, "fail": fail, "eni": new_id("eni"),
             "assoc_id": new_id("eipassoc"), "private_ip": private_ip, "tags": tags}
        r["nat"][n["id"]] = n
        self.remember_token(ctx, pending, n["id"])
        out = {"natGateway": self.render_nat(ctx, n, state="pending")}
        if params.get("ClientToken"):
            out = {"clientToken": params["ClientToken"], **out}
        return out

    def DescribeNatGateways(self, ctx, params):
        self.purge_nats(ctx)
        objs, by_ids = self.select(ctx, "nat", params, "NatGatewayId", {
            "nat-gateway-id": lambda n: n["id"], "state": lambda n: self.nat_state(ctx, n),
            "subnet-id": lambda n: n["subnet"], "vpc-id": lambda n: n["vpc"],
        })
        page, nxt = paginate(objs, params, 5, 1000, by_ids)
        return {"natGatewaySet": [self.render_nat(ctx, n) for n in page], "nextToken": nxt}

    def DeleteNatGateway(self, ctx, params):
        nid = required(params, "NatGatewayId")
        n = self.region(ctx)["nat"].get(nid)
        if n is None or self.nat_state(ctx, n) == "deleted":
            raise not_found("nat", nid)
        if n.get("deleted_at") is None:
            n["deleted_at"] = ctx.now()
        return {"natGatewayId": nid}

    # ------------------------------------------------------------ zones

    def DescribeAvailabilityZones(self, ctx, params):
        zl = zones(ctx.region)
        names = id_list(params, "ZoneName")
        ids = id_list(params, "ZoneId")
        for z in names:
            if z not in [a for a, _ in zl]:
                raise err("InvalidParameterValue", "The zone '%s' does not exist." % z)
        for z in ids:
            if z not in [b for _, b in zl]:
                raise err("InvalidParameterValue", "The zone ID '%s' does not exist." % z)
        objs = [{"name": a, "zid": b} for a, b in zl
                if (not names or a in names) and (not ids or b in ids)]
        objs = apply_filters(objs, params, {
            "zone-name": lambda z: z["name"], "zone-id": lambda z: z["zid"],
            "state": lambda z: "available", "region-name": lambda z: ctx.region,
            "zone-type": lambda z: "availability-zone",
            "opt-in-status": lambda z: "opt-in-not-required",
            "group-name": lambda z: ctx.region, "network-border-group": lambda z: ctx.region,
        })
        return {"availabilityZoneInfo": [{
            "zoneName": z["name"], "zoneState": "available", "regionName": ctx.region,
            "zoneId": z["zid"], "zoneType": "availability-zone",
            "optInStatus": "opt-in-not-required", "groupName": ctx.region,
            "networkBorderGroup": ctx.region, "messageSet": []} for z in objs]}

    # ------------------------------------------------------------ tags

    def find_taggable(self, ctx, ident):
        prefix = ident.rsplit("-", 1)[0] if isinstance(ident, str) and "-" in ident else None
        r = self.region(ctx)
        if prefix == "sgr":
            for g in r["sg"].values():
                for rule in g["rules"]:
                    if rule["id"] == ident:
                        return rule
            raise err("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' "
                      "does not exist" % ident)
        kind = PREFIX_KIND.get(prefix)
        if kind is None:
            raise err("InvalidID", "The ID '%s' is not valid" % ident)
        return self.get(ctx, kind, ident)

    def CreateTags(self, ctx, params):
        ids = id_list(params, "ResourceId")
        if not ids:
            raise err("MissingParameter", "The request must contain the parameter resourceIdSet")
        tags = validate_tags(id_list(params, "Tag"))
        if not tags:
            raise err("MissingParameter", "The request must contain the parameter tagSet")
        objs = [self.find_taggable(ctx, i) for i in ids]
        for o in objs:
            apply_tags(o, tags)
        return {"return": True}

    def DeleteTags(self, ctx, params):
        ids = id_list(params, "ResourceId")
        if not ids:
            raise err("MissingParameter", "The request must contain the parameter resourceIdSet")
        objs = [self.find_taggable(ctx, i) for i in ids]
        specs = id_list(params, "Tag")
        for o in objs:
            tags = o.setdefault("tags", {})
            if not specs:
                tags.clear()
            for t in specs:
                k = t.get("Key")
                if k in tags and ("Value" not in t or t["Value"] == tags[k]):
                    del tags[k]
        return {"return": True}

    # ------------------------------------------------------------ inventory

    def inventory(self):
        out = {k: [] for k in ("vpc", "subnet", "internet_gateway", "elastic_ip", "nat_gateway",
                               "route_table", "security_group", "vpc_endpoint", "network_acl",
                               "flow_log")}
        for region, r in sorted(self.store["regions"].items()):
            def add(kind, o, **extra):
                out[kind].append(dict({"id": o["id"], "region": region,
                                       "tags": dict(o.get("tags", {}))}, **extra))
            for v in r["vpc"].values():
                add("vpc", v, cidr_block=v["cidr"])
            for s in r["subnet"].values():
                add("subnet", s, vpc_id=s["vpc"], cidr_block=s["cidr"], availability_zone=s["az"])
            for g in r["igw"].values():
                add("internet_gateway", g, vpc_id=g["vpc"])
            for e in r["eip"].values():
                add("elastic_ip", e, public_ip=e["ip"])
            for n in r["nat"].values():
                if n.get("deleted_at") is None and not n["fail"]:
                    add("nat_gateway", n, subnet_id=n["subnet"], vpc_id=n["vpc"])
            for t in r["rtb"].values():
                if not t["main"]:
                    add("route_table", t, vpc_id=t["vpc"])
            for g in r["sg"].values():
                if not g.get("default"):
                    add("security_group", g, vpc_id=g["vpc"], name=g["name"])
            for e in r["vpce"].values():
                add("vpc_endpoint", e, vpc_id=e["vpc"], service_name=e["service"])
            for a in r["acl"].values():
                if not a["default"]:
                    add("network_acl", a, vpc_id=a["vpc"])
            for f in r["fl"].values():
                add("flow_log", f, resource_id=f["resource"])
        return out
