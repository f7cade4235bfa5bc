"""EC2 route tables (a mixin of the EC2 service): the main table made with
each VPC (local route, main association), CreateRoute / ReplaceRoute /
DeleteRoute to internet and NAT gateways, subnet associations.

A route is {"dest", "gw" | "nat", "origin"}; its state is computed when
rendered: "blackhole" once its gateway is detached/deleted or its NAT
gateway is deleted or failed.
"""

import ipaddress

from ..core import new_id
from ._ec2_common import err, paginate, parse_cidr, render_tags, required, tag_specs


class RoutesMixin:

    def make_route_table(self, ctx, vpc, main=False, tags=None):
        t = {"id": new_id("rtb"), "vpc": vpc["id"], "main": main,
             "routes": [{"dest": vpc["cidr"], "gw": "local", "origin": "CreateRouteTable"}],
             "assocs": [], "tags": tags or {}, "created": ctx.now()}
        if main:
            t["assocs"].append({"id": new_id("rtbassoc"), "main": True, "subnet": None})
        self.region(ctx)["rtb"][t["id"]] = t
        return t

    def route_state(self, ctx, t, route):
        r = self.region(ctx)
        if route.get("gw") == "local":
            return "active"
        if route.get("gw"):
            g = r["igw"].get(route["gw"])
            return "active" if g and g["vpc"] == t["vpc"] else "blackhole"
        if route.get("nat"):
            n = r["nat"].get(route["nat"])
            ok = n and not n["fail"] and self.nat_state(ctx, n) in ("pending", "available")
            return "active" if ok else "blackhole"
        return "blackhole"

    def render_rtb(self, ctx, t):
        routes = []
        for rt in t["routes"]:
            item = {"destinationCidrBlock": rt["dest"]}
            if rt.get("gw"):
                item["gatewayId"] = rt["gw"]
            if rt.get("nat"):
                item["natGatewayId"] = rt["nat"]
            item["origin"] = rt["origin"]
            item["state"] = self.route_state(ctx, t, rt)
            routes.append(item)
        assocs = []
        for a in t["assocs"]:
            item = {"main": a["main"], "routeTableAssociationId": a["id"], "routeTableId": t["id"]}
            if a.get("subnet"):
                item["subnetId"] = a["subnet"]
            item["associationState"] = {"state": "associated"}
            assocs.append(item)
        return {"routeTableId": t["id"], "vpcId": t["vpc"], "ownerId": ctx.account_id,
                "routeSet": routes, "associationSet": assocs, "propagatingVgwSet": [],
                "tagSet": render_tags(t["tags"])}

    def CreateRouteTable(self, ctx, params):
        replay, pending = self.idempotent(ctx, "CreateRouteTable", params, "rtb",
                                          lambda c, o: {"routeTable": self.render_rtb(c, o)})
        if replay:
            return replay
        v = self.get(ctx, "vpc", required(params, "VpcId"))
        t = self.make_route_table(ctx, v, tags=tag_specs(params, "rtb"))
        self.remember_token(ctx, pending, t["id"])
        out = {"routeTable": self.render_rtb(ctx, t)}
        if params.get("ClientToken"):
            out["clientToken"] = params["ClientToken"]
        return out

    def DescribeRouteTables(self, ctx, params):
        fields = {
            "route-table-id": lambda t: t["id"], "vpc-id": lambda t: t["vpc"],
            "owner-id": lambda t: ctx.account_id,
            "association.subnet-id": lambda t: [a.get("subnet") for a in t["assocs"]],
            "association.main": lambda t: t["main"],
            "association.route-table-association-id": lambda t: [a["id"] for a in t["assocs"]],
            "association.route-table-id": lambda t: t["id"] if t["assocs"] else None,
            "route.destination-cidr-block": lambda t: [x["dest"] for x in t["routes"]],
            "route.gateway-id": lambda t: [x.get("gw") for x in t["routes"]],
            "route.nat-gateway-id": lambda t: [x.get("nat") for x in t["routes"]],
            "route.origin": lambda t: [x["origin"] for x in t["routes"]],
            "route.state": lambda t: [self.route_state(ctx, t, x) for x in t["routes"]],
        }
        objs, by_ids = self.select(ctx, "rtb", params, "RouteTableId", fields)
        page, nxt = paginate(objs, params, 5, 100, by_ids)
        return {"routeTableSet": [self.render_rtb(ctx, t) for t in page], "nextToken": nxt}

    def DeleteRouteTable(self, ctx, params):
        t = self.get(ctx, "rtb", required(params, "RouteTableId"))
        if t["main"] or t["assocs"]:
            raise err("DependencyViolation", "The routeTable '%s' has dependencies and cannot "
                      "be deleted." % t["id"])
        del self.region(ctx)["rtb"][t["id"]]
        return {"return": True}

    # ------------------------------------------------------------ routes

    def route_target(self, ctx, t, params):
        """-> {"gw": id} or {"nat": id}, validated against the table's VPC."""
        targets = [k for k in ("GatewayId", "NatGatewayId", "InstanceId", "NetworkInterfaceId",
                               "VpcPeeringConnectionId", "TransitGatewayId",
                               "EgressOnlyInternetGatewayId", "VpcEndpointId",
                               "LocalGatewayId", "CarrierGatewayId") if params.get(k)]
        if len(targets) != 1:
            raise err("InvalidParameterCombination" if targets else "MissingParameter",
                      "The request must contain exactly one of gatewayId, natGatewayId, "
                      "instanceId, networkInterfaceId, vpcPeeringConnectionId, "
                      "transitGatewayId, egressOnlyInternetGatewayId")
        key = targets[0]
        ident = params[key]
        r = self.region(ctx)
        if key == "GatewayId":
            g = r["igw"].get(ident)
            if g is None:
                raise err("InvalidGatewayID.NotFound", "The gateway ID '%s' does not exist" % ident)
            if g["vpc"] != t["vpc"]:
                raise err("InvalidParameterValue", "route table %s and network gateway %s "
                          "belong to different networks" % (t["id"], ident))
            return {"gw": ident}
        if key == "NatGatewayId":
            n = r["nat"].get(ident)
            if n is None or self.nat_state(ctx, n) in ("deleted", "deleting"):
                raise err("InvalidNatGatewayID.NotFound", "The natGateway ID '%s' does not "
                          "exist" % ident)
            if n["vpc"] != t["vpc"]:
                raise err("InvalidParameterValue", "route table %s and NAT gateway %s belong to "
                          "different networks" % (t["id"], ident))
            return {"nat": ident}
        raise err("InvalidParameterValue", "The emulator supports only internet and NAT "
                  "gateway targets (got %s)" % key)

    def route_destination(self, ctx, t, params):
        dest = required(params, "DestinationCidrBlock")
        net = parse_cidr(dest, "destinationCidrBlock")
        return str(net)

    def find_route(self, t, dest):
        for rt in t["routes"]:
            if rt["dest"] == dest:
                return rt
        return None

    def CreateRoute(self, ctx, params):
        t = self.get(ctx, "rtb", required(params, "RouteTableId"))
        dest = self.route_destination(ctx, t, params)
        target = self.route_target(ctx, t, params)
        vnet = ipaddress.IPv4Network(self.region(ctx)["vpc"][t["vpc"]]["cidr"])
        if ipaddress.IPv4Network(dest).subnet_of(vnet):
            raise err("InvalidParameterValue", "The destination CIDR block %s is equal to or more "
                      "specific than one of this VPC's CIDR blocks. This route can target only "
                      "an interface or an instance." % dest)
        if self.find_route(t, dest):
            raise err("RouteAlreadyExists", "The route identified by %s already exists." % dest)
        t["routes"].append(dict(target, dest=dest, origin="CreateRoute"))
        return {"return": True}

    def changeable_route(self, ctx, params, missing, local):
        """(table, route) named by RouteTableId and DestinationCidrBlock. The route must exist
        (else InvalidRoute.NotFound, message `missing`) and not be the VPC's local route (else
        InvalidParameterValue, message `local`); messages take %(dest)s and %(table)s."""
        t = self.get(ctx, "rtb", required(params, "RouteTableId"))
        dest = self.route_destination(ctx, t, params)
        rt = self.find_route(t, dest)
        where = {"dest": dest, "table": t["id"]}
        if rt is None:
            raise err("InvalidRoute.NotFound", missing % where)
        if rt.get("gw") == "local":
            raise err("InvalidParameterValue", local % where)
        return t, rt

    def ReplaceRoute(self, ctx, params):
        t, rt = self.changeable_route(
            ctx, params, "There is no route defined for '%(dest)s' in the route table. Please "
            "correct the destination and try again.",
            "cannot replace local route %(dest)s in route table %(table)s")
        target = self.route_target(ctx, t, params)
        rt.pop("gw", None)
        rt.pop("nat", None)
        rt.update(target)
        return {"return": True}

    def DeleteRoute(self, ctx, params):
        t, rt = self.changeable_route(
            ctx, params, "no route with destination-cidr-block %(dest)s in route table %(table)s",
            "cannot remove local route %(dest)s in route table %(table)s")
        t["routes"].remove(rt)
        return {"return": True}

    # ------------------------------------------------------------ associations

    def AssociateRouteTable(self, ctx, params):
        t = self.get(ctx, "rtb", required(params, "RouteTableId"))
        if params.get("GatewayId"):
            raise err("InvalidParameterValue", "The emulator supports only subnet associations")
        s = self.get(ctx, "subnet", required(params, "SubnetId"))
        if s["vpc"] != t["vpc"]:
            raise err("InvalidParameterValue", "Route table %s and subnet %s belong to different "
                      "networks" % (t["id"], s["id"]))
        for other in self.region(ctx)["rtb"].values():
            for a in other["assocs"]:
                if a.get("subnet") == s["id"]:
                    raise err("Resource.AlreadyAssociated", "the specified association for route "
                              "table %s conflicts with an existing association" % t["id"])
        a = {"id": new_id("rtbassoc"), "main": False, "subnet": s["id"]}
        t["assocs"].append(a)
        return {"associationId": a["id"], "associationState": {"state": "associated"}}

    def DisassociateRouteTable(self, ctx, params):
        aid = required(params, "AssociationId")
        for t in self.region(ctx)["rtb"].values():
            for a in t["assocs"]:
                if a["id"] == aid:
                    if a["main"]:
                        raise err("InvalidParameterValue", "cannot disassociate the main route "
                                  "table association %s" % aid)
                    t["assocs"].remove(a)
                    return {"return": True}
        raise err("InvalidAssociationID.NotFound", "The association ID '%s' does not exist" % aid)
