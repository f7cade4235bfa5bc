"""Cloud Map (json 1.1, Route53AutoNaming_v20170314): private DNS namespaces, services, the
asynchronous operations that create, update and delete namespaces, and tags.

Per region: namespaces and services by id, operations by id. Namespace changes are
asynchronous as in AWS: the call answers an OperationId; the operation is SUBMITTED until
the NAT delay has passed (the emulator's one "AWS takes a while" knob), then SUCCESS, and only
then does the namespace exist (created), change (updated) or vanish (deleted). A repeated
CreatorRequestId answers the first operation; another namespace of the same name in the same
VPC is NamespaceAlreadyExists. A namespace with services, or a service with instances, is
ResourceInUse. Service DNS record types cannot change (only TTLs), as AWS enforces.
"""
import re
import secrets
import uuid

from ..core import AwsError, Service
from ._common import add_tags, as_int, as_list, paged, region_store, remove_tags, require, \
    tags_in, tags_out

NAMESPACE_NAME = re.compile(r"^[!-~]{1,253}$")
SERVICE_NAME = re.compile(r"^((?=^.{1,127}$)^([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}"
                          r"[a-zA-Z0-9_]|[a-zA-Z0-9])(\.([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}"
                          r"[a-zA-Z0-9_]|[a-zA-Z0-9]))*$)|(^\.$)$")
RECORD_TYPES = ("SRV", "A", "AAAA", "CNAME")
ROUTING = ("MULTIVALUE", "WEIGHTED")


def _invalid(msg):
    return AwsError("InvalidInput", msg)


def _require(params, name):
    return require(params, name, "InvalidInput")


def _id(prefix):
    return "%s-%s" % (prefix, secrets.token_hex(8))


def _dns_records(value):
    records = []
    for rec in as_list(value):
        if not isinstance(rec, dict) or rec.get("Type") not in RECORD_TYPES:
            raise _invalid("DnsRecords Type must be one of %s" % ", ".join(RECORD_TYPES))
        ttl = as_int(_require(rec, "TTL"), "TTL", "InvalidInput")
        if not 0 <= ttl <= 2147483647:
            raise _invalid("TTL must be between 0 and 2147483647")
        records.append({"Type": rec["Type"], "TTL": ttl})
    if not records:
        raise _invalid("DnsRecords must contain at least one record")
    return records


class ServiceDiscovery(Service):
    name = "servicediscovery"
    protocol = "json"
    json_version = "1.1"
    target_prefix = "Route53AutoNaming_v20170314"
    throttle_code = "ThrottlingException"

    def _r(self, ctx):
        r = region_store(self.store, ctx.region, "namespaces", "services", "operations",
                         "tags")
        self._settle(ctx, r)
        return r

    def _delay(self):
        emu = getattr(self, "emulator", None)
        return (emu.config.nat_delay_ms if emu else 2000) / 1000.0

    def _settle(self, ctx, r):
        """Applies every operation whose time has come (SUBMITTED -> SUCCESS)."""
        now = ctx.now()
        for op in r["operations"].values():
            if op["Status"] != "SUBMITTED" or now < op["due"]:
                continue
            op.update(Status="SUCCESS", UpdateDate=op["due"])
            ns_id = op["Targets"]["NAMESPACE"]
            change = op.pop("change", None)
            if op["Type"] == "CREATE_NAMESPACE":
                r["namespaces"][ns_id]["ready"] = True
            elif op["Type"] == "UPDATE_NAMESPACE" and ns_id in r["namespaces"]:
                r["namespaces"][ns_id].update(change or {})
            elif op["Type"] == "DELETE_NAMESPACE":
                ns = r["namespaces"].pop(ns_id, None)
                if ns:
                    r["tags"].pop(ns["Arn"], None)

    def _operation(self, ctx, r, kind, ns_id, change=None):
        now = ctx.now()
        op = {"Id": uuid.uuid4().hex, "Type": kind, "Status": "SUBMITTED", "CreateDate": now,
              "UpdateDate": now, "Targets": {"NAMESPACE": ns_id}, "due": now + self._delay()}
        if change is not None:
            op["change"] = change
        r["operations"][op["Id"]] = op
        return op["Id"]

    def _namespace(self, ctx, ns_id):
        ns = self._r(ctx)["namespaces"].get(ns_id)
        if ns is None or not ns.get("ready"):
            raise AwsError("NamespaceNotFound", "Namespace not found: %s" % ns_id)
        return ns

    def _service(self, ctx, sid):
        svc = self._r(ctx)["services"].get(sid)
        if svc is None:
            raise AwsError("ServiceNotFound", "Service not found: %s" % sid)
        return svc

    def _vpc_exists(self, ctx, vpc_id):
        emu = getattr(self, "emulator", None)
        ec2 = emu.services.get("ec2") if emu else None
        if ec2 is None or not hasattr(ec2, "region"):
            return True
        return vpc_id in ec2.region(ctx)["vpc"]

    # -- namespaces ----------------------------------------------------------------------

    def CreatePrivateDnsNamespace(self, ctx, params):
        name = _require(params, "Name")
        vpc = _require(params, "Vpc")
        if not NAMESPACE_NAME.match(name):
            raise _invalid("Namespace name is not valid: %s" % name)
        r = self._r(ctx)
        request = params.get("CreatorRequestId")
        for ns in r["namespaces"].values():
            if ns["Name"] == name and ns["vpc"] == vpc:
                if request and ns.get("CreatorRequestId") == request:
                    return {"OperationId": ns["operation"]}
                raise AwsError("NamespaceAlreadyExists", "Namespace already exists with name "
                               "%s in VPC %s" % (name, vpc))
        if not self._vpc_exists(ctx, vpc):
            raise _invalid("VPC %s does not exist" % vpc)
        ttl = ((((params.get("Properties") or {}).get("DnsProperties") or {}).get("SOA") or {})
               .get("TTL"))
        ns_id = _id("ns")
        arn = "arn:aws:servicediscovery:%s:%s:namespace/%s" % (ctx.region, ctx.account_id, ns_id)
        ns = {"Id": ns_id, "Arn": arn, "Name": name, "Type": "DNS_PRIVATE", "vpc": vpc,
              "Description": params.get("Description", ""), "CreateDate": ctx.now(),
              "hosted_zone": "Z" + secrets.token_hex(10).upper()[:19], "ready": False,
              "soa_ttl": as_int(ttl, "TTL", "InvalidInput") if ttl is not None else 15}
        if request:
            ns["CreatorRequestId"] = request
        r["namespaces"][ns_id] = ns
        r["tags"][arn] = tags_in(params.get("Tags"), code="InvalidInput")
        ns["operation"] = self._operation(ctx, r, "CREATE_NAMESPACE", ns_id)
        return {"OperationId": ns["operation"]}

    def _render_namespace(self, ctx, ns):
        out = {k: ns[k] for k in ("Id", "Arn", "Name", "Type", "Description", "CreateDate",
                                  "CreatorRequestId") if k in ns}
        out["ServiceCount"] = sum(1 for s in self._r(ctx)["services"].values()
                                  if s["NamespaceId"] == ns["Id"])
        out["Properties"] = {"DnsProperties": {"HostedZoneId": ns["hosted_zone"],
                                               "SOA": {"TTL": ns["soa_ttl"]}},
                             "HttpProperties": {"HttpName": ns["Name"]}}
        return out

    def GetNamespace(self, ctx, params):
        return {"Namespace": self._render_namespace(ctx, self._namespace(
            ctx, _require(params, "Id")))}

    def ListNamespaces(self, ctx, params):
        limit = as_int(params.get("MaxResults", 100), "MaxResults", "InvalidInput")
        if not 1 <= limit <= 100:
            raise _invalid("MaxResults must be between 1 and 100")
        spaces = [ns for _, ns in sorted(self._r(ctx)["namespaces"].items()) if ns["ready"]]
        for f in as_list(params.get("Filters")):
            name, values = f.get("Name"), as_list(f.get("Values"))
            cond = f.get("Condition") or "EQ"
            key = {"TYPE": "Type", "NAME": "Name", "HTTP_NAME": "Name"}.get(name)
            if key is None or cond not in ("EQ", "IN", "BEGINS_WITH") or not values:
                raise _invalid("Invalid namespace filter")
            if cond == "BEGINS_WITH":
                spaces = [ns for ns in spaces if ns[key].startswith(values[0])]
            else:
                spaces = [ns for ns in spaces if ns[key] in values]
        return paged(spaces, params, limit, "Namespaces", "InvalidInput",
                     "Invalid NextToken", token="NextToken",
                     render=lambda ns: {k: v for k, v in self._render_namespace(ctx, ns).items()
                                        if k != "CreatorRequestId"})

    def UpdatePrivateDnsNamespace(self, ctx, params):
        ns = self._namespace(ctx, _require(params, "Id"))
        change_in = _require(params, "Namespace")
        change = {}
        if "Description" in change_in:
            change["Description"] = change_in["Description"]
        ttl = (((change_in.get("Properties") or {}).get("DnsProperties") or {}).get("SOA")
               or {}).get("TTL")
        if ttl is not None:
            change["soa_ttl"] = as_int(ttl, "TTL", "InvalidInput")
        if not change:
            raise _invalid("Namespace change must update Description or Properties")
        return {"OperationId": self._operation(ctx, self._r(ctx), "UPDATE_NAMESPACE", ns["Id"],
                                               change)}

    def DeleteNamespace(self, ctx, params):
        ns = self._namespace(ctx, _require(params, "Id"))
        r = self._r(ctx)
        if any(s["NamespaceId"] == ns["Id"] for s in r["services"].values()):
            raise AwsError("ResourceInUse", "Namespace %s has associated services" % ns["Id"])
        return {"OperationId": self._operation(ctx, r, "DELETE_NAMESPACE", ns["Id"])}

    def GetOperation(self, ctx, params):
        op = self._r(ctx)["operations"].get(_require(params, "OperationId"))
        if op is None:
            raise AwsError("OperationNotFound", "Operation not found")
        return {"Operation": {k: v for k, v in op.items() if k not in ("due", "change")}}

    # -- what ECS asks (service_connect_defaults, serviceRegistries) ----------------------

    def namespace_arn(self, ctx, ref):
        """The ARN of the ready namespace ref names (its ARN or name), or None."""
        for ns in self._r(ctx)["namespaces"].values():
            if ns.get("ready") and ref in (ns["Arn"], ns["Name"]):
                return ns["Arn"]
        return None

    def service_by_arn(self, ctx, arn):
        """The service whose ARN is arn, or None."""
        return next((s for s in self._r(ctx)["services"].values() if s["Arn"] == arn), None)

    # -- services ------------------------------------------------------------------------

    def CreateService(self, ctx, params):
        name = _require(params, "Name")
        if not SERVICE_NAME.match(name):
            raise _invalid("Service name is not valid: %s" % name)
        dns_in = params.get("DnsConfig")
        ns_id = params.get("NamespaceId") or (dns_in or {}).get("NamespaceId")
        if not ns_id:
            raise _invalid("NamespaceId is required")
        ns = self._namespace(ctx, ns_id)
        r = self._r(ctx)
        request = params.get("CreatorRequestId")
        for s in r["services"].values():
            if s["NamespaceId"] == ns_id and s["Name"] == name:
                if request and s.get("CreatorRequestId") == request:
                    return {"Service": self._render_service(ctx, s)}
                raise AwsError("ServiceAlreadyExists", "Service already exists: %s" % s["Id"])
        if params.get("HealthCheckConfig"):
            raise _invalid("HealthCheckConfig is only valid for services in public DNS "
                           "namespaces")
        svc = {"Id": _id("srv"), "Name": name, "NamespaceId": ns_id,
               "Description": params.get("Description", ""), "CreateDate": ctx.now()}
        svc["Arn"] = "arn:aws:servicediscovery:%s:%s:service/%s" % (ctx.region, ctx.account_id,
                                                                   svc["Id"])
        if params.get("Type"):
            if params["Type"] != "HTTP":
                raise _invalid("Type must be HTTP")
            svc["Type"] = "HTTP"
        elif dns_in:
            routing = dns_in.get("RoutingPolicy") or "MULTIVALUE"
            if routing not in ROUTING:
                raise _invalid("RoutingPolicy must be MULTIVALUE or WEIGHTED")
            records = _dns_records(dns_in.get("DnsRecords"))
            if any(x["Type"] == "CNAME" for x in records) and routing != "WEIGHTED":
                raise _invalid("CNAME records require the WEIGHTED routing policy")
            svc["DnsConfig"] = {"NamespaceId": ns["Id"], "RoutingPolicy": routing,
                                "DnsRecords": records}
            svc["Type"] = "DNS_HTTP"
        else:
            svc["Type"] = "HTTP"
        custom = params.get("HealthCheckCustomConfig")
        if custom is not None:
            threshold = custom.get("FailureThreshold", 1)
            svc["HealthCheckCustomConfig"] = {"FailureThreshold": as_int(
                threshold, "FailureThreshold", "InvalidInput")}
        if request:
            svc["CreatorRequestId"] = request
        svc["instances"] = {}
        r["services"][svc["Id"]] = svc
        r["tags"][svc["Arn"]] = tags_in(params.get("Tags"), code="InvalidInput")
        return {"Service": self._render_service(ctx, svc)}

    @staticmethod
    def _render_service(ctx, svc):
        out = {k: v for k, v in svc.items() if k != "instances"}
        out["InstanceCount"] = len(svc["instances"])
        return out

    def GetService(self, ctx, params):
        return {"Service": self._render_service(ctx, self._service(ctx, _require(params, "Id")))}

    def ListServices(self, ctx, params):
        limit = as_int(params.get("MaxResults", 100), "MaxResults", "InvalidInput")
        if not 1 <= limit <= 100:
            raise _invalid("MaxResults must be between 1 and 100")
        services = [s for _, s in sorted(self._r(ctx)["services"].items())]
        for f in as_list(params.get("Filters")):
            values = as_list(f.get("Values"))
            if f.get("Name") != "NAMESPACE_ID" or (f.get("Condition") or "EQ") not in (
                    "EQ", "IN") or not values:
                raise _invalid("Invalid service filter")
            services = [s for s in services if s["NamespaceId"] in values]
        return paged(services, params, limit, "Services", "InvalidInput", "Invalid NextToken",
                     token="NextToken",
                     render=lambda s: {k: v for k, v in self._render_service(ctx, s).items()
                                       if k not in ("NamespaceId", "CreatorRequestId")})

    def UpdateService(self, ctx, params):
        svc = self._service(ctx, _require(params, "Id"))
        change = _require(params, "Service")
        if "Description" in change:
            svc["Description"] = change["Description"]
        if change.get("DnsConfig"):
            if "DnsConfig" not in svc:
                raise _invalid("The service has no DNS configuration")
            records = _dns_records(change["DnsConfig"].get("DnsRecords"))
            if [x["Type"] for x in records] != [x["Type"] for x in svc["DnsConfig"]["DnsRecords"]]:
                raise _invalid("The DNS record types of a service cannot be changed")
            svc["DnsConfig"]["DnsRecords"] = records
        if change.get("HealthCheckConfig"):
            raise _invalid("HealthCheckConfig is only valid for services in public DNS "
                           "namespaces")
        r = self._r(ctx)
        now = ctx.now()
        op = {"Id": uuid.uuid4().hex, "Type": "UPDATE_SERVICE", "Status": "SUCCESS",
              "CreateDate": now, "UpdateDate": now, "Targets": {"SERVICE": svc["Id"]},
              "due": now}
        r["operations"][op["Id"]] = op
        return {"OperationId": op["Id"]}

    def DeleteService(self, ctx, params):
        svc = self._service(ctx, _require(params, "Id"))
        if svc["instances"]:
            raise AwsError("ResourceInUse", "Service %s has registered instances" % svc["Id"])
        r = self._r(ctx)
        del r["services"][svc["Id"]]
        r["tags"].pop(svc["Arn"], None)
        return {}

    # -- tags ----------------------------------------------------------------------------

    def _tags(self, ctx, params):
        arn = _require(params, "ResourceARN")
        tags = self._r(ctx)["tags"].get(arn)
        if tags is None:
            raise AwsError("ResourceNotFoundException", "Resource not found: %s" % arn)
        return tags

    def TagResource(self, ctx, params):
        add_tags(self._tags(ctx, params), tags_in(_require(params, "Tags"), code="InvalidInput"),
                 AwsError("TooManyTagsException", "A resource can have at most 50 tags."))
        return {}

    def UntagResource(self, ctx, params):
        remove_tags(self._tags(ctx, params), _require(params, "TagKeys"))
        return {}

    def ListTagsForResource(self, ctx, params):
        return {"Tags": tags_out(self._tags(ctx, params))}

    def inventory(self):
        out = {"namespace": [], "service": []}
        for region, r in sorted(self.store.get("regions", {}).items()):
            out["namespace"] += [{"id": i, "region": region, "name": ns["Name"]}
                                 for i, ns in sorted(r.get("namespaces", {}).items())]
            out["service"] += [{"id": i, "region": region, "name": s["Name"]}
                               for i, s in sorted(r.get("services", {}).items())]
        return out
