"""EC2 VPC endpoints (a mixin of the EC2 service): Gateway endpoints (S3, DynamoDB) on route
tables and Interface endpoints (ECR, Logs, Secrets Manager, ...) in subnets with security groups
and private DNS.

The services offered are the ones below, each with the endpoint types AWS offers for it; any
other service name is InvalidServiceName, a type the service lacks is InvalidParameter.
Private DNS (the default for Interface endpoints, as the API documents) needs the VPC's
enableDnsSupport and enableDnsHostnames; an Interface endpoint takes one subnet per zone and
the VPC's default security group when given none. Interface endpoints are "pending" until the
NAT delay has passed, then "available" (computed when described); Gateway ones are available
at once. The emulator does not add the prefix-list routes a Gateway endpoint puts in its route
tables.
"""

import json

from ..core import as_bool, iso_time, new_id
from ._ec2_common import err, id_list, paginate, render_tags, required, tag_specs

# service suffix (after com.amazonaws.REGION.) -> endpoint types offered
SERVICES = {"s3": ("Gateway", "Interface"), "dynamodb": ("Gateway", "Interface"),
            "ecr.api": ("Interface",), "ecr.dkr": ("Interface",), "logs": ("Interface",),
            "secretsmanager": ("Interface",), "ssm": ("Interface",), "ssmmessages": ("Interface",),
            "ec2messages": ("Interface",), "sts": ("Interface",), "kms": ("Interface",),
            "sqs": ("Interface",), "sns": ("Interface",), "monitoring": ("Interface",),
            "events": ("Interface",), "ecs": ("Interface",), "ecs-agent": ("Interface",),
            "ecs-telemetry": ("Interface",), "elasticloadbalancing": ("Interface",)}
FULL_ACCESS = json.dumps({"Version": "2008-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})


class EndpointsMixin:

    def _endpoint_service(self, ctx, name, etype):
        prefix = "com.amazonaws.%s." % ctx.region
        offered = SERVICES.get(name[len(prefix):]) if name.startswith(prefix) else None
        if offered is None:
            raise err("InvalidServiceName", "The Vpc Endpoint Service '%s' does not exist"
                      % name)
        if etype not in offered:
            raise err("InvalidParameter", "Endpoint type (%s) does not match available service "
                      "types ([%s])." % (etype, ", ".join(offered)))

    def _endpoint_policy(self, value):
        if value in (None, ""):
            return FULL_ACCESS
        try:
            doc = json.loads(value)
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            raise err("MalformedPolicyDocument", "The policy document is malformed.")
        return value

    def _endpoint_route_tables(self, ctx, vpc_id, ids):
        for i in ids:
            t = self.get(ctx, "rtb", i)
            if t["vpc"] != vpc_id:
                raise err("InvalidRouteTableId.NotFound", "The routeTable ID '%s' does not "
                          "exist" % i)

    def _endpoint_subnets(self, ctx, vpc_id, ids):
        zones = set()
        for i in ids:
            s = self.get(ctx, "subnet", i)
            if s["vpc"] != vpc_id:
                raise err("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist" % i)
            if s["az"] in zones:
                raise err("DuplicateSubnetsInSameZone", "Found another VPC endpoint subnet in "
                          "the availability zone of %s. VPC endpoint subnets should be in "
                          "different availability zones supported by the VPC endpoint "
                          "service." % i)
            zones.add(s["az"])

    def _endpoint_groups(self, ctx, vpc_id, ids):
        for i in ids:
            g = self.get(ctx, "sg", i)
            if g["vpc"] != vpc_id:
                raise err("InvalidSecurityGroupID.NotFound", "The security group '%s' does "
                          "not exist in VPC '%s'" % (i, vpc_id))

    def _endpoint_dns(self, ctx, vpc):
        if not (vpc["dns_support"] and vpc["dns_hostnames"]):
            raise err("InvalidParameter", "Enabling private DNS requires both "
                      "enableDnsSupport and enableDnsHostnames VPC attributes set to true for "
                      "%s" % vpc["id"])

    def endpoint_state(self, ctx, e):
        if e["type"] == "Gateway" or ctx.now() - e["created"] >= self.nat_delay():
            return "available"
        return "pending"

    def render_endpoint(self, ctx, e):
        out = {"vpcEndpointId": e["id"], "vpcEndpointType": e["type"], "vpcId": e["vpc"],
               "serviceName": e["service"], "state": self.endpoint_state(ctx, e),
               "policyDocument": e["policy"], "routeTableIdSet": list(e["route_tables"]),
               "subnetIdSet": list(e["subnets"]),
               "groupSet": [{"groupId": g, "groupName": self.region(ctx)["sg"][g]["name"]}
                            for g in e["groups"] if g in self.region(ctx)["sg"]],
               "ipAddressType": "ipv4", "privateDnsEnabled": e["private_dns"],
               "requesterManaged": False,
               "networkInterfaceIdSet": [e["enis"][s] for s in e["subnets"]],
               "dnsEntrySet": [], "creationTimestamp": iso_time(e["created"]),
               "tagSet": render_tags(e["tags"]), "ownerId": ctx.account_id}
        if e["type"] == "Interface":
            service = e["service"].split(".", 3)[3]
            out["dnsOptions"] = {"dnsRecordIpType": "ipv4"}
            out["dnsEntrySet"] = [{"dnsName": "%s.%s.%s.vpce.amazonaws.com" % (
                e["id"], service, ctx.region), "hostedZoneId": "Z2LVPCE0000000"}]
            if e["private_dns"]:
                out["dnsEntrySet"].append({"dnsName": "%s.%s.amazonaws.com" % (
                    service, ctx.region), "hostedZoneId": "Z2LPRIVATE00000"})
        return out

    def CreateVpcEndpoint(self, ctx, params):
        replay, pending = self.idempotent(ctx, "CreateVpcEndpoint", params, "vpce",
                                          lambda c, o: {"vpcEndpoint": self.render_endpoint(c, o)})
        if replay:
            return replay
        vpc = self.get(ctx, "vpc", required(params, "VpcId"))
        etype = params.get("VpcEndpointType") or "Gateway"
        if etype not in ("Gateway", "Interface"):
            raise err("InvalidParameter", "Endpoint type (%s) is not supported." % etype)
        service = required(params, "ServiceName")
        self._endpoint_service(ctx, service, etype)
        tables, subnets = id_list(params, "RouteTableId"), id_list(params, "SubnetId")
        groups = id_list(params, "SecurityGroupId")
        if etype == "Gateway" and (subnets or groups):
            raise err("InvalidParameter", "Subnets and security groups are not supported for "
                      "Gateway endpoints.")
        if etype == "Interface" and tables:
            raise err("InvalidParameter", "Route tables are not supported for Interface "
                      "endpoints.")
        private_dns = etype == "Interface" and as_bool(params.get("PrivateDnsEnabled", True),
                                                       "PrivateDnsEnabled")
        self._endpoint_route_tables(ctx, vpc["id"], tables)
        self._endpoint_subnets(ctx, vpc["id"], subnets)
        if etype == "Interface" and not groups:
            groups = [vpc["default_sg"]]
        self._endpoint_groups(ctx, vpc["id"], groups)
        if private_dns:
            self._endpoint_dns(ctx, vpc)
        e = {"id": new_id("vpce"), "type": etype, "vpc": vpc["id"], "service": service,
             "policy": self._endpoint_policy(params.get("PolicyDocument")),
             "route_tables": tables, "subnets": subnets, "groups": groups,
             "enis": {s: new_id("eni") for s in subnets}, "private_dns": private_dns,
             "tags": tag_specs(params, "vpce"), "created": ctx.now()}
        self.region(ctx)["vpce"][e["id"]] = e
        self.remember_token(ctx, pending, e["id"])
        out = {"vpcEndpoint": self.render_endpoint(ctx, e)}
        if params.get("ClientToken"):
            out["clientToken"] = params["ClientToken"]
        return out

    def DescribeVpcEndpoints(self, ctx, params):
        objs, by_ids = self.select(ctx, "vpce", params, "VpcEndpointId", {
            "vpc-endpoint-id": lambda e: e["id"], "vpc-id": lambda e: e["vpc"],
            "service-name": lambda e: e["service"], "vpc-endpoint-type": lambda e: e["type"],
            "vpc-endpoint-state": lambda e: self.endpoint_state(ctx, e)})
        page, nxt = paginate(objs, params, 1, 1000, False)
        return {"vpcEndpointSet": [self.render_endpoint(ctx, e) for e in page],
                "nextToken": nxt}

    def ModifyVpcEndpoint(self, ctx, params):
        e = self.get(ctx, "vpce", required(params, "VpcEndpointId"))
        vpc = self.get(ctx, "vpc", e["vpc"])
        if as_bool(params.get("ResetPolicy", False), "ResetPolicy"):
            e["policy"] = FULL_ACCESS
        elif params.get("PolicyDocument"):
            e["policy"] = self._endpoint_policy(params["PolicyDocument"])
        for add, remove, key, check in (
                ("AddRouteTableId", "RemoveRouteTableId", "route_tables",
                 self._endpoint_route_tables),
                ("AddSubnetId", "RemoveSubnetId", "subnets", self._endpoint_subnets),
                ("AddSecurityGroupId", "RemoveSecurityGroupId", "groups", self._endpoint_groups)):
            added, removed = id_list(params, add), id_list(params, remove)
            if (added or removed) and (key == "route_tables") != (e["type"] == "Gateway"):
                raise err("InvalidParameter", "%s is not supported for %s endpoints."
                          % (add, e["type"]))
            kept = [x for x in e[key] if x not in removed]
            kept += [x for x in added if x not in kept]
            check(ctx, e["vpc"], kept)
            e[key] = kept
            if key == "subnets":
                e["enis"] = {s: e["enis"].get(s) or new_id("eni") for s in kept}
        if "PrivateDnsEnabled" in params:
            if e["type"] != "Interface":
                raise err("InvalidParameter", "PrivateDnsEnabled is only supported for "
                          "Interface endpoints.")
            private_dns = as_bool(params["PrivateDnsEnabled"], "PrivateDnsEnabled")
            if private_dns:
                self._endpoint_dns(ctx, vpc)
            e["private_dns"] = private_dns
        return {"return": True}

    def DeleteVpcEndpoints(self, ctx, params):
        ids = id_list(params, "VpcEndpointId")
        if not ids:
            raise err("MissingParameter", "The request must contain the parameter "
                      "VpcEndpointId")
        failed = []
        for i in ids:
            if self.region(ctx)["vpce"].pop(i, None) is None:
                failed.append({"error": {"code": "InvalidVpcEndpoint.NotFound",
                                         "message": "The Vpc Endpoint Id '%s' does not exist"
                                                    % i}, "resourceId": i})
        return {"unsuccessful": failed}
