"""ELBv2 (query protocol, 2015-12-01): load balancers, target groups,
listeners (HTTPS ones with issued ACM certificates), listener rules and
listener certificates (_elbv2_rules), tags and attributes.

State: store["regions"][region] = {"lbs", "tgs", "listeners"}, each keyed
by ARN. A load balancer is `provisioning` until --lb-delay-ms after its
creation, then `active` (computed from the emulator clock when described).
Subnets and security groups are looked up in the EC2 service's store, so
they must exist, sit in one VPC, and (EC2 side, via users_of) cannot be
deleted while a load balancer uses them. A target group used by a listener
cannot be deleted (ResourceInUse) and belongs to at most one load balancer.
A dualstack load balancer (CreateLoadBalancer, SetSubnets, SetIpAddressType)
needs an IPv6 block on every subnet (EC2 AssociateSubnetCidrBlock).
Deleting a load balancer deletes its listeners. Describe calls page with
Marker/NextMarker (PageSize 1-400). Subnet mappings' addresses and the
bucket of access logs are checked as _elbv2_lb_checks says; deletion
protection makes DeleteLoadBalancer fail (OperationNotPermitted). Errors and
shapes follow the ELBv2 API reference (error codes: LoadBalancerNotFound, ... all 400).
"""

import hashlib
import random
import re
import secrets

from ..core import AwsError, Service, iso_time
from ._common import constraint_message, tags_out
from ._elbv2_common import MAX_TAGS, _bool, _err, _int, _list, _page, _required, _tags_in, \
    _validation
from ._elbv2_lb_checks import check_access_logs, mapping_addresses
from ._elbv2_rules import RuleOps

NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
ARN_RE = re.compile(r"^arn:aws:elasticloadbalancing:([a-z0-9-]+):(\d{12}):"
                    r"(loadbalancer|targetgroup|listener|listener-rule)/(.+)$")
IP_TYPES = ("ipv4", "dualstack", "dualstack-without-public-ipv4")

# CanonicalHostedZoneId per region: (application, network)
ZONES = {
    "us-east-1": ("Z35SXDOTRQ7X7K", "Z26RNL4JYFTOTI"),
    "us-east-2": ("Z3AADJGX6KTTL2", "ZLMOA37VPKANP"),
    "us-west-1": ("Z368ELLRRE2KJ0", "Z24FKFUX50B4VW"),
    "us-west-2": ("Z1H1FL5HABSF5", "Z18D5FSROUN65G"),
    "eu-west-1": ("Z32O12XQLNTSW2", "Z2IFOLAFXWLO4F"),
    "eu-central-1": ("Z215JYRZR1TBD5", "Z3F0SRJ5LGBH90"),
    "ap-northeast-1": ("Z14GRHDCWA56QT", "Z31USIVHYNEOWT"),
    "ap-northeast-2": ("ZWKZPGTI48KDX", "ZIBE1TIR4HY56"),
    "ap-southeast-1": ("Z1LMS91P8CMLE5", "ZKVM4W9LS7TM"),
    "ap-southeast-2": ("Z1GM3OXH4ZPM65", "ZCT6FZBF4DROD"),
}

LB_ATTRS = {
    "application": {
        "access_logs.s3.enabled": "false", "access_logs.s3.bucket": "",
        "access_logs.s3.prefix": "", "connection_logs.s3.enabled": "false",
        "connection_logs.s3.bucket": "", "connection_logs.s3.prefix": "",
        "deletion_protection.enabled": "false", "idle_timeout.timeout_seconds": "60",
        "client_keep_alive.seconds": "3600", "routing.http2.enabled": "true",
        "routing.http.desync_mitigation_mode": "defensive",
        "routing.http.drop_invalid_header_fields.enabled": "false",
        "routing.http.preserve_host_header.enabled": "false",
        "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
        "routing.http.xff_client_port.enabled": "false",
        "routing.http.xff_header_processing.mode": "append",
        "load_balancing.cross_zone.enabled": "true", "waf.fail_open.enabled": "false",
        "zonal_shift.config.enabled": "false",
    },
    "network": {
        "access_logs.s3.enabled": "false", "access_logs.s3.bucket": "",
        "access_logs.s3.prefix": "", "deletion_protection.enabled": "false",
        "load_balancing.cross_zone.enabled": "false",
        "dns_record.client_routing_policy": "any_availability_zone",
        "zonal_shift.config.enabled": "false",
    },
}
TG_ATTRS_HTTP = {
    "deregistration_delay.timeout_seconds": "300", "stickiness.enabled": "false",
    "stickiness.type": "lb_cookie", "stickiness.lb_cookie.duration_seconds": "86400",
    "stickiness.app_cookie.cookie_name": "", "stickiness.app_cookie.duration_seconds": "86400",
    "slow_start.duration_seconds": "0", "load_balancing.algorithm.type": "round_robin",
    "load_balancing.algorithm.anomaly_mitigation": "off",
    "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
    "target_group_health.dns_failover.minimum_healthy_targets.count": "1",
    "target_group_health.dns_failover.minimum_healthy_targets.percentage": "off",
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": "1",
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": "off",
}
TG_ATTRS_TCP = {
    "deregistration_delay.timeout_seconds": "300",
    "deregistration_delay.connection_termination.enabled": "false",
    "stickiness.enabled": "false", "stickiness.type": "source_ip",
    "preserve_client_ip.enabled": "true", "proxy_protocol_v2.enabled": "false",
    "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
    "target_health_state.unhealthy.connection_termination.enabled": "true",
}
TG_ATTRS_LAMBDA = {"lambda.multi_value_headers.enabled": "false"}
# attribute key -> (lo, hi) for integer values
INT_RANGES = {
    "idle_timeout.timeout_seconds": (1, 4000), "client_keep_alive.seconds": (60, 604800),
    "deregistration_delay.timeout_seconds": (0, 3600),
    "stickiness.lb_cookie.duration_seconds": (1, 604800),
    "stickiness.app_cookie.duration_seconds": (1, 604800),
    "slow_start.duration_seconds": (0, 900),
}
ENUMS = {
    "routing.http.desync_mitigation_mode": ("monitor", "defensive", "strictest"),
    "routing.http.xff_header_processing.mode": ("append", "preserve", "remove"),
    "load_balancing.algorithm.type": ("round_robin", "least_outstanding_requests",
                                      "weighted_random"),
    "dns_record.client_routing_policy": ("availability_zone_affinity",
                                         "partial_availability_zone_affinity",
                                         "any_availability_zone"),
}
ALB_PROTOCOLS = ("HTTP", "HTTPS")
NLB_PROTOCOLS = ("TCP", "TLS", "UDP", "TCP_UDP")
TG_PROTOCOLS = ("HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE")
# The predefined security policies of HTTPS and TLS listeners (DescribeSSLPolicies).
SSL_POLICIES = frozenset((
    "ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06", "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06", "ELBSecurityPolicy-TLS13-1-1-2021-06",
    "ELBSecurityPolicy-TLS13-1-0-2021-06", "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS-1-2-2017-01", "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-TLS-1-1-2017-01", "ELBSecurityPolicy-FS-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08", "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10", "ELBSecurityPolicy-FS-1-1-2019-08",
    "ELBSecurityPolicy-2015-05", "ELBSecurityPolicy-TLS-1-0-2015-04"))
ALPN_POLICIES = ("HTTP1Only", "HTTP2Only", "HTTP2Optional", "HTTP2Preferred", "None")
CONTENT_TYPES = ("text/plain", "text/css", "text/html", "application/javascript",
                 "application/json")


def _name(value, what):
    if not NAME_RE.match(value) or (what == "load balancer" and value.startswith("internal-")):
        raise _validation("%s name '%s' cannot be longer than '32' characters, must contain only "
                          "alphanumeric characters or hyphens, and must not begin or end with a "
                          "hyphen" % (what.capitalize(), value) if what != "load balancer" else
                          "The load balancer name '%s' is not valid: at most 32 alphanumeric "
                          "characters or hyphens, not beginning or ending with a hyphen nor "
                          "beginning with 'internal-'" % value)



class ELBv2(RuleOps, Service):
    name = "elasticloadbalancing"
    protocol = "query"
    api_version = "2015-12-01"
    xmlns = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"
    throttle_code = "Throttling"

    def __init__(self, store):
        super().__init__(store)
        store.setdefault("regions", {})

    # ------------------------------------------------------------ plumbing

    def _r(self, region):
        r = self.store["regions"].setdefault(region, {})
        for k in ("lbs", "tgs", "listeners", "rules"):
            r.setdefault(k, {})
        return r

    @staticmethod
    def _routes(r):
        """The listeners and rules of a region: what forwards to target groups."""
        return list(r["listeners"].values()) + list(r["rules"].values())

    def _ec2(self, ctx):
        ec2 = self.emulator.services.get("ec2")
        return ec2.region(ctx)

    def _ip_type(self, ctx, ip_type, subnet_ids):
        """ip_type, checked: dualstack needs subnets with an IPv6 CIDR block (AWS's
        ValidationError wording)."""
        if ip_type not in IP_TYPES:
            raise _validation("IP address type '%s' is not valid" % ip_type)
        if ip_type != "ipv4":
            subnets = self._ec2(ctx)["subnet"]
            if not all(subnets[s].get("ipv6") for s in subnet_ids):
                raise _validation("You must specify subnets with an associated IPv6 CIDR block.")
        return ip_type

    def _arn(self, ctx, resource):
        return "arn:aws:elasticloadbalancing:%s:%s:%s" % (ctx.region, ctx.account_id, resource)

    @staticmethod
    def _check_arn(value, kind, what):
        m = ARN_RE.match(value) if isinstance(value, str) else None
        if not m or m.group(3) != kind:
            raise _validation("'%s' is not a valid %s ARN" % (value, what))

    def _find(self, ctx, arn, describe, kind, what, table, code):
        """The object with ARN arn in the region's table, or error code; describe: a new
        object stays hidden for the consistency window."""
        self._check_arn(arn, kind, what)
        obj = self._r(ctx.region)[table].get(arn)
        if obj is None or (describe and not ctx.visible(obj["created"])):
            raise _err(code, "%s '%s' not found" % (what.capitalize(), arn))
        return obj

    def _lb(self, ctx, arn, describe=False):
        return self._find(ctx, arn, describe, "loadbalancer", "load balancer", "lbs",
                          "LoadBalancerNotFound")

    def _tg(self, ctx, arn, describe=False):
        return self._find(ctx, arn, describe, "targetgroup", "target group", "tgs",
                          "TargetGroupNotFound")

    def _listener(self, ctx, arn, describe=False):
        return self._find(ctx, arn, describe, "listener", "listener", "listeners",
                          "ListenerNotFound")

    def users_of(self, region, subnet_id=None, group_id=None):
        """ARNs of load balancers in a subnet / using a security group (EC2's
        dependency checks)."""
        out = []
        for lb in self._r(region)["lbs"].values():
            if (subnet_id and subnet_id in lb["subnets"]) or (group_id and group_id in lb["sgs"]):
                out.append(lb["arn"])
        return out

    def target_group_info(self, region, arn):
        """(target type, load balancer ARNs) of a target group, or None (ECS's checks)."""
        r = self._r(region)
        tg = r["tgs"].get(arn)
        if tg is None:
            return None
        lbs = sorted({ls["lb"] for ls in self._routes(r) if arn in ls["tgs"]})
        return tg["target_type"], lbs

    def _state(self, ctx, lb):
        delay = self.emulator.config.lb_delay_ms / 1000.0
        return "active" if ctx.now() - lb["created"] >= delay else "provisioning"

    # ------------------------------------------------------------ subnets and groups

    def _subnets(self, ctx, params, lb_type, vpc=None, scheme="internet-facing"):
        """-> (vpc_id, [(subnet_id, az)], {subnet_id: LoadBalancerAddress}) from Subnets
        or SubnetMappings."""
        ids = [s for s in _list(params, "Subnets")]
        mappings = _list(params, "SubnetMappings")
        if ids and mappings:
            raise _validation("You can specify subnets or subnet mappings, not both")
        for m in mappings:
            if not isinstance(m, dict) or not m.get("SubnetId"):
                raise _validation("A subnet ID must be specified in each subnet mapping")
            ids.append(m["SubnetId"])
        if not ids:
            raise _validation("At least one subnet must be specified")
        subnets = self._ec2(ctx)["subnet"]
        out, azs = [], set()
        for sid in ids:
            s = subnets.get(sid)
            if s is None:
                raise _err("SubnetNotFound", "The subnet ID '%s' is not valid" % sid)
            if vpc is None:
                vpc = s["vpc"]
            elif s["vpc"] != vpc:
                raise _err("InvalidConfigurationRequest", "The subnets '%s' are not in the "
                           "same VPC as the load balancer" % sid)
            if s["az"] in azs:
                raise _err("InvalidConfigurationRequest", "A load balancer cannot be attached "
                           "to multiple subnets in the same Availability Zone")
            azs.add(s["az"])
            out.append((sid, s["az"]))
        if lb_type == "application" and len(azs) < 2:
            raise _validation("At least two subnets in two different Availability Zones must "
                              "be specified")
        addrs = {}
        for m in mappings:
            a = mapping_addresses(self._ec2(ctx), m, subnets[m["SubnetId"]], lb_type, scheme)
            if a:
                addrs[m["SubnetId"]] = a
        return vpc, out, addrs

    def _groups(self, ctx, ids, vpc):
        groups = self._ec2(ctx)["sg"]
        for gid in ids:
            g = groups.get(gid)
            if g is None or g["vpc"] != vpc:
                raise _err("InvalidSecurityGroup", "Security group '%s' does not exist in VPC "
                           "'%s'" % (gid, vpc))
        return list(dict.fromkeys(ids))

    # ------------------------------------------------------------ load balancers

    def render_lb(self, ctx, lb):
        zones = ZONES.get(ctx.region)
        if zones is None:
            h = hashlib.sha256(ctx.region.encode()).hexdigest().upper()
            zones = ("Z" + h[:13], "Z" + h[13:26])
        out = {
            "LoadBalancerArn": lb["arn"], "DNSName": lb["dns"],
            "CanonicalHostedZoneId": zones[0 if lb["type"] == "application" else 1],
            "CreatedTime": iso_time(lb["created"]), "LoadBalancerName": lb["name"],
            "Scheme": lb["scheme"], "VpcId": lb["vpc"],
            "State": {"Code": self._state(ctx, lb)}, "Type": lb["type"],
            "AvailabilityZones": self._zones(lb),
            "IpAddressType": lb["ip_type"],
        }
        if lb["sgs"] or lb["type"] == "application":
            out["SecurityGroups"] = list(lb["sgs"])
        return out

    @staticmethod
    def _zones(lb):
        return [{"ZoneName": az, "SubnetId": sid,
                 "LoadBalancerAddresses": [lb["addrs"][sid]] if sid in lb.get("addrs", {}) else []}
                for sid, az in lb["azs"]]

    def CreateLoadBalancer(self, ctx, params):
        name = _required(params, "Name")
        _name(name, "load balancer")
        lb_type = params.get("Type") or "application"
        if lb_type not in ("application", "network", "gateway"):
            raise _validation("Load balancer type '%s' is not valid" % lb_type)
        if lb_type == "gateway":
            raise _validation("The emulator does not support gateway load balancers")
        scheme = params.get("Scheme") or "internet-facing"
        if scheme not in ("internet-facing", "internal"):
            raise _validation("Scheme '%s' is not valid" % scheme)
        ip_type = params.get("IpAddressType") or "ipv4"
        if ip_type not in IP_TYPES:
            raise _validation("IP address type '%s' is not valid" % ip_type)
        r = self._r(ctx.region)
        if any(lb["name"] == name for lb in r["lbs"].values()):
            raise _err("DuplicateLoadBalancerName", "A load balancer with the same name '%s' "
                       "exists, but with different settings" % name)
        tags = _tags_in(params)
        vpc, azs, addrs = self._subnets(ctx, params, lb_type, scheme=scheme)
        self._ip_type(ctx, ip_type, [s for s, _ in azs])
        if scheme == "internet-facing" and not any(
                g["vpc"] == vpc for g in self._ec2(ctx)["igw"].values()):
            raise _err("InvalidSubnet", "VPC %s has no internet gateway" % vpc)
        sgs = _list(params, "SecurityGroups")
        if sgs:
            sgs = self._groups(ctx, sgs, vpc)
        elif lb_type == "application":
            sgs = [g["id"] for g in self._ec2(ctx)["sg"].values()
                   if g["vpc"] == vpc and g.get("default")]
        lb_id = secrets.token_hex(8)
        kind = "app" if lb_type == "application" else "net"
        if lb_type == "application":
            dns = "%s%s-%d.%s.elb.amazonaws.com" % ("internal-" if scheme == "internal" else "",
                                                     name, random.randint(10 ** 8, 10 ** 10 - 1),
                                                     ctx.region)
        else:
            dns = "%s-%s.elb.%s.amazonaws.com" % (name, secrets.token_hex(8), ctx.region)
        lb = {"arn": self._arn(ctx, "loadbalancer/%s/%s/%s" % (kind, name, lb_id)),
              "name": name, "type": lb_type, "scheme": scheme, "vpc": vpc,
              "subnets": [s for s, _ in azs], "azs": azs, "addrs": addrs, "sgs": sgs,
              "ip_type": ip_type,
              "dns": dns, "created": ctx.now(), "tags": tags,
              "attrs": dict(LB_ATTRS[lb_type])}
        r["lbs"][lb["arn"]] = lb
        return {"LoadBalancers": [self.render_lb(ctx, lb)]}

    def DescribeLoadBalancers(self, ctx, params):
        arns, names = _list(params, "LoadBalancerArns"), _list(params, "Names")
        if arns and names:
            raise _validation("Load balancer names and load balancer ARNs cannot be specified "
                              "at the same time")
        r = self._r(ctx.region)
        if arns:
            lbs = [self._lb(ctx, a, describe=True) for a in dict.fromkeys(arns)]
        elif names:
            by_name = {lb["name"]: lb for lb in r["lbs"].values() if ctx.visible(lb["created"])}
            missing = [n for n in names if n not in by_name]
            if missing:
                raise _err("LoadBalancerNotFound", "Load balancers '[%s]' not found"
                           % ", ".join(missing))
            lbs = [by_name[n] for n in dict.fromkeys(names)]
        else:
            lbs = [lb for lb in r["lbs"].values() if ctx.visible(lb["created"])]
        chunk, nxt = _page(lbs, params)
        return {"LoadBalancers": [self.render_lb(ctx, lb) for lb in chunk], "NextMarker": nxt}

    def DeleteLoadBalancer(self, ctx, params):
        arn = _required(params, "LoadBalancerArn")
        self._check_arn(arn, "loadbalancer", "load balancer")
        r = self._r(ctx.region)
        lb = r["lbs"].get(arn)
        if lb is None:
            return {}          # AWS: deleting a missing load balancer succeeds
        if lb["attrs"].get("deletion_protection.enabled") == "true":
            raise _err("OperationNotPermitted", "Load balancer '%s' cannot be deleted because "
                       "deletion protection is enabled" % arn)
        gone = [a for a, ls in r["listeners"].items() if ls["lb"] == arn]
        self.drop_rules(r, gone)
        for la in gone:
            del r["listeners"][la]
        del r["lbs"][arn]
        return {}

    def SetSecurityGroups(self, ctx, params):
        lb = self._lb(ctx, _required(params, "LoadBalancerArn"))
        if "SecurityGroups" not in params:
            _required(params, "SecurityGroups")
        ids = _list(params, "SecurityGroups")
        if lb["type"] == "network" and not lb["sgs"]:
            raise _err("InvalidConfigurationRequest", "You cannot set security groups on a "
                       "Network Load Balancer which was created without any security groups")
        if lb["type"] == "application" and not ids:
            raise _validation("At least one security group must be specified")
        lb["sgs"] = self._groups(ctx, ids, lb["vpc"])
        return {"SecurityGroupIds": list(lb["sgs"])}

    def SetSubnets(self, ctx, params):
        lb = self._lb(ctx, _required(params, "LoadBalancerArn"))
        _, azs, addrs = self._subnets(ctx, params, lb["type"], vpc=lb["vpc"],
                                      scheme=lb["scheme"])
        if lb["type"] == "network" and not set(lb["subnets"]) <= {s for s, _ in azs}:
            raise _err("InvalidConfigurationRequest", "Subnets cannot be removed from a Network "
                       "Load Balancer")
        had = lb.get("addrs", {})
        if lb["type"] == "network" and any(addrs.get(s, had.get(s)) != had.get(s)
                                           for s in lb["subnets"]):
            raise _err("InvalidConfigurationRequest", "The addresses of a Network Load "
                       "Balancer's subnets cannot be changed")
        lb["ip_type"] = self._ip_type(ctx, params.get("IpAddressType") or lb["ip_type"],
                                      [s for s, _ in azs])
        keep = had if lb["type"] == "network" else {}
        lb["addrs"] = {s: addrs.get(s, keep.get(s)) for s, _ in azs if addrs.get(s, keep.get(s))}
        lb["azs"], lb["subnets"] = azs, [s for s, _ in azs]
        return {"AvailabilityZones": self._zones(lb), "IpAddressType": lb["ip_type"]}

    def SetIpAddressType(self, ctx, params):
        lb = self._lb(ctx, _required(params, "LoadBalancerArn"))
        lb["ip_type"] = self._ip_type(ctx, _required(params, "IpAddressType"), lb["subnets"])
        return {"IpAddressType": lb["ip_type"]}

    # ------------------------------------------------------------ attributes

    @staticmethod
    def _set_attrs(attrs, params, what):
        items = _list(params, "Attributes")
        if not items:
            _required(params, "Attributes")
        if len(items) > 20:
            raise _validation(constraint_message("attributes",
                                                 "have length less than or equal to 20"))
        new = dict(attrs)
        for a in items:
            if not isinstance(a, dict) or not a.get("Key"):
                raise _validation("An attribute key must be specified")
            k, v = a["Key"], a.get("Value", "")
            if k not in attrs:
                raise _validation("%s attribute key '%s' is not recognized" % (what, k))
            bad = _validation("%s attribute value '%s' for key '%s' is not valid" % (what, v, k))
            if k.endswith(".enabled") and attrs[k] in ("true", "false") and v not in ("true", "false"):
                raise bad
            if k in INT_RANGES:
                lo, hi = INT_RANGES[k]
                if not v.isdigit() or not lo <= int(v) <= hi:
                    raise bad
                if k == "slow_start.duration_seconds" and 0 < int(v) < 30:
                    raise bad
            if k in ENUMS and v not in ENUMS[k]:
                raise bad
            new[k] = v
        attrs.update(new)
        return tags_out(attrs)

    def DescribeLoadBalancerAttributes(self, ctx, params):
        lb = self._lb(ctx, _required(params, "LoadBalancerArn"), describe=True)
        return {"Attributes": tags_out(lb["attrs"])}

    def ModifyLoadBalancerAttributes(self, ctx, params):
        lb = self._lb(ctx, _required(params, "LoadBalancerArn"))
        attrs = dict(lb["attrs"])
        out = self._set_attrs(attrs, params, "Load balancer")
        s3 = self.emulator.services.get("s3")
        check_access_logs(s3.store if s3 else None, ctx.region, lb["type"], attrs)
        lb["attrs"] = attrs
        return {"Attributes": out}

    def DescribeTargetGroupAttributes(self, ctx, params):
        tg = self._tg(ctx, _required(params, "TargetGroupArn"), describe=True)
        return {"Attributes": tags_out(tg["attrs"])}

    def ModifyTargetGroupAttributes(self, ctx, params):
        tg = self._tg(ctx, _required(params, "TargetGroupArn"))
        return {"Attributes": self._set_attrs(tg["attrs"], params, "Target group")}

    # ------------------------------------------------------------ target groups

    def _tg_lbs(self, ctx, tg):
        r = self._r(ctx.region)
        return sorted({ls["lb"] for ls in self._routes(r) if tg["arn"] in ls["tgs"]})

    def render_tg(self, ctx, tg):
        out = {"TargetGroupArn": tg["arn"], "TargetGroupName": tg["name"],
               "Protocol": tg.get("protocol"), "Port": tg.get("port"), "VpcId": tg.get("vpc")}
        hc = tg["hc"]
        out.update({"HealthCheckProtocol": hc.get("protocol"), "HealthCheckPort": hc.get("port"),
                    "HealthCheckEnabled": hc["enabled"],
                    "HealthCheckIntervalSeconds": hc["interval"],
                    "HealthCheckTimeoutSeconds": hc["timeout"],
                    "HealthyThresholdCount": hc["healthy"],
                    "UnhealthyThresholdCount": hc["unhealthy"],
                    "HealthCheckPath": hc.get("path"),
                    "Matcher": {"HttpCode": hc["matcher"]} if hc.get("matcher") else None,
                    "LoadBalancerArns": self._tg_lbs(ctx, tg), "TargetType": tg["target_type"],
                    "ProtocolVersion": tg.get("protocol_version"),
                    "IpAddressType": tg.get("ip_type")})
        return out

    @staticmethod
    def _health(params, hc, protocol):
        """Applies the HealthCheck* / Matcher parameters to hc (validated)."""
        if params.get("HealthCheckProtocol"):
            p = params["HealthCheckProtocol"]
            if p not in ("HTTP", "HTTPS", "TCP"):
                raise _validation("Health check protocol '%s' is not valid" % p)
            if protocol in ("HTTP", "HTTPS") and p == "TCP":
                raise _validation("Health check protocol 'TCP' is not supported for target "
                                  "groups with protocol '%s'" % protocol)
            hc["protocol"] = p
        if params.get("HealthCheckPort"):
            p = params["HealthCheckPort"]
            if p != "traffic-port":
                _int(p, "healthCheckPort", 1, 65535)
            hc["port"] = p
        if params.get("HealthCheckEnabled") not in (None, ""):
            hc["enabled"] = _bool(params["HealthCheckEnabled"], "healthCheckEnabled")
        if params.get("HealthCheckPath"):
            path = params["HealthCheckPath"]
            if not path.startswith("/") or len(path) > 1024:
                raise _validation("Health check path must begin with '/' and be at most 1024 "
                                  "characters")
            if hc.get("protocol") == "TCP":
                raise _validation("Health check path cannot be set for TCP health checks")
            hc["path"] = path
        for key, field, lo, hi in (("HealthCheckIntervalSeconds", "interval", 5, 300),
                                   ("HealthCheckTimeoutSeconds", "timeout", 2, 120),
                                   ("HealthyThresholdCount", "healthy", 2, 10),
                                   ("UnhealthyThresholdCount", "unhealthy", 2, 10)):
            if params.get(key) not in (None, ""):
                hc[field] = _int(params[key], key[:1].lower() + key[1:], lo, hi)
        matcher = params.get("Matcher")
        if isinstance(matcher, dict) and matcher.get("HttpCode"):
            if not re.match(r"^\d{3}([,-]\d{3})*$", matcher["HttpCode"]):
                raise _validation("Matcher HttpCode '%s' is not valid" % matcher["HttpCode"])
            hc["matcher"] = matcher["HttpCode"]
        if hc["timeout"] >= hc["interval"]:
            raise _validation("Health check timeout '%d' must be smaller than the interval '%d'"
                              % (hc["timeout"], hc["interval"]))
        return hc

    def CreateTargetGroup(self, ctx, params):
        name = _required(params, "Name")
        _name(name, "target group")
        target_type = params.get("TargetType") or "instance"
        if target_type not in ("instance", "ip", "lambda", "alb"):
            raise _validation("Target type '%s' is not valid" % target_type)
        protocol = params.get("Protocol") or None
        tg = {"name": name, "target_type": target_type, "tags": _tags_in(params)}
        if target_type == "lambda":
            if protocol or params.get("Port") or params.get("VpcId"):
                raise _validation("Protocol, port and VPC ID cannot be specified for target "
                                  "groups with target type 'lambda'")
            hc = {"enabled": False, "interval": 35, "timeout": 30, "healthy": 5,
                  "unhealthy": 5, "path": "/", "matcher": "200"}
            attrs = dict(TG_ATTRS_LAMBDA)
        else:
            if not protocol:
                raise _validation("A protocol must be specified")
            if protocol not in TG_PROTOCOLS:
                raise _validation("Protocol '%s' is not valid" % protocol)
            if params.get("Port") in (None, ""):
                raise _validation("A port must be specified")
            port = _int(params["Port"], "port", 1, 65535)
            vpc = params.get("VpcId")
            if not vpc:
                raise _validation("A VPC ID must be specified")
            if vpc not in self._ec2(ctx)["vpc"]:
                raise _validation("The VPC ID '%s' is not found" % vpc)
            http = protocol in ("HTTP", "HTTPS")
            tg.update({"protocol": protocol, "port": port, "vpc": vpc,
                       "ip_type": params.get("IpAddressType") or "ipv4"})
            if http:
                pv = params.get("ProtocolVersion") or "HTTP1"
                if pv not in ("HTTP1", "HTTP2", "GRPC"):
                    raise _validation("Protocol version '%s' is not valid" % pv)
                tg["protocol_version"] = pv
            # defaults from the CreateTargetGroup reference: timeout 6 s for HTTP,
            # 10 s for HTTPS/TCP/TLS; interval 30 s; thresholds 5 and 2
            hc = {"protocol": protocol if http else "TCP", "port": "traffic-port",
                  "enabled": True, "interval": 30, "timeout": 6 if protocol == "HTTP" else 10,
                  "healthy": 5, "unhealthy": 2}
            if http:
                hc.update({"path": "/", "matcher": "200"})
            attrs = dict(TG_ATTRS_HTTP if http else TG_ATTRS_TCP)
        tg["hc"] = self._health(params, hc, protocol)
        r = self._r(ctx.region)
        for other in r["tgs"].values():
            if other["name"] == name:
                same = all(other.get(k) == tg.get(k) for k in
                           ("target_type", "protocol", "port", "vpc", "hc"))
                if not same:
                    raise _err("DuplicateTargetGroupName", "A target group with the same name "
                               "'%s' exists, but with different settings" % name)
                return {"TargetGroups": [self.render_tg(ctx, other)]}
        tg.update({"arn": self._arn(ctx, "targetgroup/%s/%s" % (name, secrets.token_hex(8))),
                   "created": ctx.now(), "attrs": attrs})
        r["tgs"][tg["arn"]] = tg
        return {"TargetGroups": [self.render_tg(ctx, tg)]}

    def DescribeTargetGroups(self, ctx, params):
        arns, names = _list(params, "TargetGroupArns"), _list(params, "Names")
        lb_arn = params.get("LoadBalancerArn")
        if sum(1 for x in (arns, names, lb_arn) if x) > 1:
            raise _validation("Only one of load balancer ARN, target group ARNs and names can "
                              "be specified")
        r = self._r(ctx.region)
        visible = [tg for tg in r["tgs"].values() if ctx.visible(tg["created"])]
        if arns:
            tgs = [self._tg(ctx, a, describe=True) for a in dict.fromkeys(arns)]
        elif names:
            by_name = {tg["name"]: tg for tg in visible}
            missing = [n for n in names if n not in by_name]
            if missing:
                raise _err("TargetGroupNotFound", "One or more target groups not found")
            tgs = [by_name[n] for n in dict.fromkeys(names)]
        elif lb_arn:
            self._lb(ctx, lb_arn, describe=True)
            tgs = [tg for tg in visible if lb_arn in self._tg_lbs(ctx, tg)]
        else:
            tgs = visible
        chunk, nxt = _page(tgs, params)
        return {"TargetGroups": [self.render_tg(ctx, tg) for tg in chunk], "NextMarker": nxt}

    def ModifyTargetGroup(self, ctx, params):
        tg = self._tg(ctx, _required(params, "TargetGroupArn"))
        hc = self._health(params, dict(tg["hc"]), tg.get("protocol"))
        tg["hc"] = hc
        return {"TargetGroups": [self.render_tg(ctx, tg)]}

    def DeleteTargetGroup(self, ctx, params):
        arn = _required(params, "TargetGroupArn")
        self._check_arn(arn, "targetgroup", "target group")
        r = self._r(ctx.region)
        if arn not in r["tgs"]:
            return {}
        users = [ls["arn"] for ls in self._routes(r) if arn in ls["tgs"]]
        if users:
            raise _err("ResourceInUse", "Target group '%s' is currently in use by a listener or "
                       "a rule" % arn)
        del r["tgs"][arn]
        return {}

    # ------------------------------------------------------------ listeners

    def _actions(self, ctx, lb, params, member="DefaultActions"):
        """Validated DefaultActions (a rule's Actions) -> (stored actions, target group ARNs)."""
        actions = _list(params, member)
        if not actions:
            raise _validation("At least one action must be specified")
        out, tgs = [], []
        for a in actions:
            if not isinstance(a, dict) or not a.get("Type"):
                raise _validation("An action type must be specified")
            t = a["Type"]
            act = {"Type": t}
            if a.get("Order") not in (None, ""):
                act["Order"] = _int(a["Order"], "order", 1, 50000)
            if t == "forward":
                fc = a.get("ForwardConfig") if isinstance(a.get("ForwardConfig"), dict) else {}
                entries = _list(fc, "TargetGroups")
                if a.get("TargetGroupArn"):
                    if entries and [e.get("TargetGroupArn") for e in entries] != [a["TargetGroupArn"]]:
                        raise _err("InvalidLoadBalancerAction", "You cannot specify a target "
                                   "group ARN and a forward config with other target groups")
                    entries = entries or [{"TargetGroupArn": a["TargetGroupArn"]}]
                if not entries:
                    raise _validation("A target group ARN must be specified for a forward "
                                      "action")
                weighted = []
                for e in entries:
                    tg = self._tg(ctx, e.get("TargetGroupArn"))
                    self._compatible(ctx, lb, tg)
                    w = _int(e.get("Weight", 1), "weight", 0, 999)
                    weighted.append({"TargetGroupArn": tg["arn"], "Weight": w})
                    tgs.append(tg["arn"])
                if len(entries) == 1:
                    act["TargetGroupArn"] = weighted[0]["TargetGroupArn"]
                stick = fc.get("TargetGroupStickinessConfig") or {}
                st = {"Enabled": _bool(stick.get("Enabled", "false"), "enabled")}
                if stick.get("DurationSeconds"):
                    st["DurationSeconds"] = _int(stick["DurationSeconds"], "durationSeconds",
                                                 1, 604800)
                act["ForwardConfig"] = {"TargetGroups": weighted,
                                        "TargetGroupStickinessConfig": st}
            elif t == "fixed-response":
                if lb["type"] != "application":
                    raise _err("InvalidLoadBalancerAction", "Fixed-response actions are only "
                               "supported by Application Load Balancers")
                c = a.get("FixedResponseConfig")
                if not isinstance(c, dict) or not c.get("StatusCode"):
                    raise _validation("A status code must be specified for a fixed-response "
                                      "action")
                if not re.match(r"^(2|4|5)\d\d$", c["StatusCode"]):
                    raise _validation("Status code '%s' is not valid: must be 2XX, 4XX or 5XX"
                                      % c["StatusCode"])
                cfg = {"StatusCode": c["StatusCode"]}
                if c.get("ContentType"):
                    if c["ContentType"] not in CONTENT_TYPES:
                        raise _validation("Content type '%s' is not valid" % c["ContentType"])
                    cfg["ContentType"] = c["ContentType"]
                if c.get("MessageBody") is not None:
                    if len(c["MessageBody"]) > 1024:
                        raise _validation("Message body must be at most 1024 characters")
                    cfg["MessageBody"] = c["MessageBody"]
                act["FixedResponseConfig"] = cfg
            elif t == "redirect":
                if lb["type"] != "application":
                    raise _err("InvalidLoadBalancerAction", "Redirect actions are only "
                               "supported by Application Load Balancers")
                c = a.get("RedirectConfig")
                if not isinstance(c, dict) or not c.get("StatusCode"):
                    raise _validation("A status code must be specified for a redirect action")
                if c["StatusCode"] not in ("HTTP_301", "HTTP_302"):
                    raise _validation("Redirect status code '%s' is not valid" % c["StatusCode"])
                cfg = {"Protocol": c.get("Protocol") or "#{protocol}",
                       "Port": c.get("Port") or "#{port}", "Host": c.get("Host") or "#{host}",
                       "Path": c.get("Path") or "/#{path}", "Query": c.get("Query") or "#{query}",
                       "StatusCode": c["StatusCode"]}
                if cfg["Protocol"] not in ("HTTP", "HTTPS", "#{protocol}"):
                    raise _validation("Redirect protocol '%s' is not valid" % cfg["Protocol"])
                if not cfg["Path"].startswith("/"):
                    raise _validation("Redirect path must start with '/'")
                act["RedirectConfig"] = cfg
            elif t in ("authenticate-oidc", "authenticate-cognito"):
                raise _err("InvalidLoadBalancerAction", "The emulator does not support %s "
                           "actions" % t)
            else:
                raise _validation("Action type '%s' is not valid" % t)
            out.append(act)
        terminal = [x for x in out if x["Type"] in ("forward", "fixed-response", "redirect")]
        if len(terminal) != 1:
            raise _err("InvalidLoadBalancerAction", "Exactly one forward, fixed-response or "
                       "redirect action must be specified")
        return out, list(dict.fromkeys(tgs))

    def _compatible(self, ctx, lb, tg):
        if tg["target_type"] == "lambda" and lb["type"] != "application":
            raise _err("IncompatibleProtocols", "Lambda target groups need an Application Load "
                       "Balancer")
        if lb["type"] == "application" and tg.get("protocol") not in (None, "HTTP", "HTTPS"):
            raise _err("IncompatibleProtocols", "The target group '%s' protocol %s is not "
                       "compatible with an Application Load Balancer" % (tg["arn"], tg["protocol"]))
        if lb["type"] == "network" and tg.get("protocol") not in NLB_PROTOCOLS:
            raise _err("IncompatibleProtocols", "The target group '%s' protocol %s is not "
                       "compatible with a Network Load Balancer" % (tg["arn"], tg.get("protocol")))
        if tg.get("vpc") and tg["vpc"] != lb["vpc"]:
            raise _err("InvalidConfigurationRequest", "The target group '%s' is not in the load "
                       "balancer's VPC" % tg["arn"])
        others = [a for a in self._tg_lbs(ctx, tg) if a != lb["arn"]]
        if others:
            raise _err("TargetGroupAssociationLimit", "The following target groups cannot be "
                       "associated with more than one load balancer: %s" % tg["arn"])

    def _listener_settings(self, ctx, lb, params, ls):
        """Validates Port/Protocol/certificates of a new or modified listener (its
        AlpnPolicy: _alpn)."""
        protocol = params.get("Protocol") or ls.get("protocol")
        if not protocol:
            protocol = "HTTP" if lb["type"] == "application" else None
            if protocol is None:
                raise _validation("A listener protocol must be specified")
        allowed = ALB_PROTOCOLS if lb["type"] == "application" else NLB_PROTOCOLS
        if protocol not in allowed:
            raise _err("UnsupportedProtocol", "Protocol '%s' is not supported by load balancers "
                       "of type '%s'" % (protocol, lb["type"]))
        port = params.get("Port") if params.get("Port") not in (None, "") else ls.get("port")
        if port is None:
            raise _validation("A listener port must be specified")
        port = _int(port, "port", 1, 65535)
        r = self._r(ctx.region)
        for other in r["listeners"].values():
            if other["lb"] == lb["arn"] and other["port"] == port and other["arn"] != ls.get("arn"):
                raise _err("DuplicateListener", "A listener already exists on this port for "
                           "this load balancer")
        given = _list(params, "Certificates")
        certs = given or ls.get("certs") or []
        if protocol in ("HTTPS", "TLS"):
            if not certs:
                raise _validation("A certificate must be specified for %s listeners" % protocol)
            certs = [{"CertificateArn": c["CertificateArn"]} for c in certs
                     if isinstance(c, dict) and c.get("CertificateArn")]
            if given:
                for c in certs:
                    self.certificate_check(ctx, c["CertificateArn"])
            ssl = params.get("SslPolicy") or ls.get("ssl") or "ELBSecurityPolicy-2016-08"
            if ssl not in SSL_POLICIES:
                raise _err("SSLPolicyNotFound", "SSL policy '%s' not found" % ssl)
        else:
            if given:
                raise _validation("A certificate cannot be specified for %s listeners" % protocol)
            certs, ssl = [], None
        return protocol, port, certs, ssl

    @staticmethod
    def _alpn(params, protocol, ls):
        """The ALPN policy of a TLS listener (None for others)."""
        given = _list(params, "AlpnPolicy")
        if len(given) > 1:
            raise _validation("Only one ALPN policy can be specified")
        if not given:
            return ls.get("alpn") if protocol == "TLS" else None
        if given[0] not in ALPN_POLICIES:
            raise _err("ALPNPolicyNotFound", "ALPN policy '%s' not found" % given[0])
        if protocol != "TLS":
            raise _err("ALPNPolicyNotFound", "ALPN policies can be specified only for TLS "
                       "listeners")
        return given[0]

    def render_listener(self, ctx, ls):
        out = {"ListenerArn": ls["arn"], "LoadBalancerArn": ls["lb"], "Port": ls["port"],
               "Protocol": ls["protocol"], "Certificates": ls["certs"] or None,
               "SslPolicy": ls["ssl"], "DefaultActions": ls["actions"]}
        if ls.get("alpn"):
            out["AlpnPolicy"] = [ls["alpn"]]
        return out

    def CreateListener(self, ctx, params):
        lb = self._lb(ctx, _required(params, "LoadBalancerArn"))
        if not _list(params, "DefaultActions"):
            _required(params, "DefaultActions")
        tags = _tags_in(params)
        protocol, port, certs, ssl = self._listener_settings(ctx, lb, params, {})
        actions, tgs = self._actions(ctx, lb, params)
        kind, name, lb_id = lb["arn"].split(":loadbalancer/", 1)[1].split("/")
        ls = {"arn": self._arn(ctx, "listener/%s/%s/%s/%s" % (kind, name, lb_id,
                                                               secrets.token_hex(8))),
              "lb": lb["arn"], "protocol": protocol, "port": port, "certs": certs, "ssl": ssl,
              "actions": actions, "tgs": tgs, "tags": tags, "created": ctx.now(),
              "alpn": self._alpn(params, protocol, {})}
        self._r(ctx.region)["listeners"][ls["arn"]] = ls
        return {"Listeners": [self.render_listener(ctx, ls)]}

    def DescribeListeners(self, ctx, params):
        arns = _list(params, "ListenerArns")
        lb_arn = params.get("LoadBalancerArn")
        if arns and lb_arn:
            raise _validation("Listener ARNs and a load balancer ARN cannot be specified at the "
                              "same time")
        if not arns and not lb_arn:
            raise _validation("You must specify either listener ARNs or a load balancer ARN")
        r = self._r(ctx.region)
        if arns:
            items = [self._listener(ctx, a, describe=True) for a in dict.fromkeys(arns)]
        else:
            self._lb(ctx, lb_arn, describe=True)
            items = [ls for ls in r["listeners"].values()
                     if ls["lb"] == lb_arn and ctx.visible(ls["created"])]
            items.sort(key=lambda ls: ls["port"])
        chunk, nxt = _page(items, params)
        return {"Listeners": [self.render_listener(ctx, ls) for ls in chunk], "NextMarker": nxt}

    def ModifyListener(self, ctx, params):
        ls = self._listener(ctx, _required(params, "ListenerArn"))
        lb = self._r(ctx.region)["lbs"][ls["lb"]]
        protocol, port, certs, ssl = self._listener_settings(ctx, lb, params, ls)
        if _list(params, "DefaultActions"):
            actions, tgs = self._actions(ctx, lb, params)
        else:
            actions, tgs = ls["actions"], ls["tgs"]
        ls.update({"protocol": protocol, "port": port, "certs": certs, "ssl": ssl,
                   "actions": actions, "tgs": tgs, "alpn": self._alpn(params, protocol, ls)})
        return {"Listeners": [self.render_listener(ctx, ls)]}

    def DeleteListener(self, ctx, params):
        ls = self._listener(ctx, _required(params, "ListenerArn"))
        self.drop_rules(self._r(ctx.region), [ls["arn"]])
        del self._r(ctx.region)["listeners"][ls["arn"]]
        return {}

    # ------------------------------------------------------------ tags

    def _taggable(self, ctx, arn):
        m = ARN_RE.match(arn) if isinstance(arn, str) else None
        if not m:
            raise _validation("'%s' is not a valid resource ARN" % arn)
        kind = m.group(3)
        if kind == "loadbalancer":
            return self._lb(ctx, arn)
        if kind == "targetgroup":
            return self._tg(ctx, arn)
        if kind == "listener":
            return self._listener(ctx, arn)
        return self._rule(ctx, arn)

    def _resource_arns(self, params, hi):
        arns = _list(params, "ResourceArns")
        if not arns:
            _required(params, "ResourceArns")
        if len(arns) > hi:
            raise _validation(constraint_message("resourceArns",
                                                 "have length less than or equal to %d" % hi))
        return arns

    def DescribeTags(self, ctx, params):
        arns = self._resource_arns(params, 20)
        out = []
        for a in arns:
            obj = self._taggable(ctx, a)
            out.append({"ResourceArn": a, "Tags": tags_out(obj["tags"])})
        return {"TagDescriptions": out}

    def AddTags(self, ctx, params):
        arns = self._resource_arns(params, 20)
        if not _list(params, "Tags"):
            _required(params, "Tags")
        tags = _tags_in(params)
        objs = [self._taggable(ctx, a) for a in arns]
        for obj in objs:
            if len(set(obj["tags"]) | set(tags)) > MAX_TAGS:
                raise _err("TooManyTags", "The resource '%s' would have more than %d tags"
                           % (obj["arn"], MAX_TAGS))
        for obj in objs:
            obj["tags"].update(tags)
        return {}

    def RemoveTags(self, ctx, params):
        arns = self._resource_arns(params, 20)
        keys = _list(params, "TagKeys")
        if not keys:
            _required(params, "TagKeys")
        objs = [self._taggable(ctx, a) for a in arns]
        for obj in objs:
            for k in keys:
                obj["tags"].pop(k, None)
        return {}

    # ------------------------------------------------------------ inventory

    def inventory(self):
        lbs, tgs, listeners, rules = [], [], [], []
        for region, r in sorted(self.store["regions"].items()):
            for lb in r.get("lbs", {}).values():
                lbs.append({"id": lb["arn"], "region": region, "name": lb["name"],
                            "type": lb["type"], "vpc_id": lb["vpc"],
                            "subnets": list(lb["subnets"]), "tags": dict(lb["tags"])})
            for tg in r.get("tgs", {}).values():
                tgs.append({"id": tg["arn"], "region": region, "name": tg["name"],
                            "vpc_id": tg.get("vpc"), "tags": dict(tg["tags"])})
            for ls in r.get("listeners", {}).values():
                listeners.append({"id": ls["arn"], "region": region, "load_balancer": ls["lb"],
                                  "port": ls["port"], "target_groups": list(ls["tgs"]),
                                  "protocol": ls["protocol"], "ssl_policy": ls["ssl"],
                                  "certificates": [c["CertificateArn"] for c in ls["certs"]]
                                  + ls.get("extra_certs", []), "actions": ls["actions"]})
            for rule in r.get("rules", {}).values():
                rules.append({"id": rule["arn"], "region": region, "listener": rule["listener"],
                              "priority": rule["priority"], "conditions": rule["conditions"],
                              "actions": rule["actions"], "target_groups": list(rule["tgs"]),
                              "tags": dict(rule["tags"])})
        return {"load_balancer": lbs, "target_group": tgs, "listener": listeners,
                "listener_rule": rules}
