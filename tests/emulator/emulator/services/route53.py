"""Route 53 (rest-xml, 2013-04-01): hosted zones (public, and private with VPCs), record sets
(simple, alias, weighted and failover with SetIdentifier), changes, zone tags.

Route 53 is global. Zones are keyed by id (bare "Z..." in request paths, "/hostedzone/Z..." in
answers, as AWS). A new zone has its SOA and NS records (public zones four name servers).
ChangeResourceRecordSets is atomic: every change is checked against the zone as the batch
leaves it, and any failure (CREATE of an existing set, DELETE of a missing one or with other
values, a CNAME beside other types, simple beside routed sets of one name and type) rejects
the whole batch with InvalidChangeBatch. A change is PENDING when made and INSYNC when asked
for with GetChange. Record names are kept lower-case with the final dot; "*" is answered as
"\\052", as AWS lists it. find_record() serves ACM's DNS validation.
"""
import hashlib
import re
import secrets
import string

from ..core import AwsError, Service
from ..wire import XmlFlat, decode_xml, encode_rest_xml
from ._common import as_int, iso8601

XMLNS = "https://route53.amazonaws.com/doc/2013-04-01/"
TYPES = ("A", "AAAA", "CAA", "CNAME", "DS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV",
         "TXT")
ROUTING = ("Weight", "Failover", "Region", "GeoLocation", "MultiValueAnswer",
           "CidrRoutingConfig")
LISTS = {"Changes", "ResourceRecords", "AddTags", "RemoveTagKeys", "NameServers", "VPCs"}


def _id(n=14):
    return "Z" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(n))


def fqdn(name):
    """name lower-case with the final dot; the escaped wildcard \\052 as "*"."""
    name = name.replace("\\052", "*").lower()
    return name if name.endswith(".") else name + "."


def _shown(name):
    return name.replace("*", "\\052")


def _sort_key(rr):
    return (list(reversed(rr["Name"].rstrip(".").split("."))), rr["Type"],
            rr.get("SetIdentifier") or "")


def _bad_batch(msg):
    return AwsError("InvalidChangeBatch", msg)


def _no_zone(zid):
    return AwsError("NoSuchHostedZone", "No hosted zone found with ID: %s" % zid, 404)


def _answer(root, body, status=200, headers=None):
    return {"_status": status, "_headers": dict(headers or {}, **{"Content-Type": "text/xml"}),
            "_body": encode_rest_xml({root: body}, XMLNS)}


ROUTES = [  # (method, path regex, action)
    ("POST", r"hostedzone", "CreateHostedZone"),
    ("GET", r"hostedzone", "ListHostedZones"),
    ("GET", r"hostedzonesbyname", "ListHostedZonesByName"),
    ("GET", r"hostedzone/(?P<Id>[^/]+)", "GetHostedZone"),
    ("DELETE", r"hostedzone/(?P<Id>[^/]+)", "DeleteHostedZone"),
    ("POST", r"hostedzone/(?P<Id>[^/]+)", "UpdateHostedZoneComment"),
    ("POST", r"hostedzone/(?P<Id>[^/]+)/rrset/?", "ChangeResourceRecordSets"),
    ("GET", r"hostedzone/(?P<Id>[^/]+)/rrset", "ListResourceRecordSets"),
    ("POST", r"hostedzone/(?P<Id>[^/]+)/associatevpc", "AssociateVPCWithHostedZone"),
    ("POST", r"hostedzone/(?P<Id>[^/]+)/disassociatevpc", "DisassociateVPCFromHostedZone"),
    ("GET", r"change/(?P<Id>[^/]+)", "GetChange"),
    ("POST", r"tags/hostedzone/(?P<Id>[^/]+)", "ChangeTagsForResource"),
    ("GET", r"tags/hostedzone/(?P<Id>[^/]+)", "ListTagsForResource"),
]


class Route53(Service):
    name = "route53"
    protocol = "rest-xml"
    api_version = "2013-04-01"
    xmlns = XMLNS
    error_response = True
    throttle_code = "Throttling"
    mutating_prefixes = Service.mutating_prefixes + ("Change",)

    def __init__(self, store):
        super().__init__(store)
        self.store.setdefault("zones", {})
        self.store.setdefault("changes", {})

    def route(self, params):
        version, _, rest = "/".join(params["_path"]).partition("/")
        if version != self.api_version:
            return None
        for method, pattern, action in ROUTES:
            m = re.fullmatch(pattern, rest)
            if m and method == params["_method"]:
                params.update(m.groupdict())
                return action
        return None

    # -- helpers -------------------------------------------------------------------------

    def _body(self, params):
        return decode_xml(params["_body"], LISTS)[1]

    def _zone(self, ctx, params):
        zid = params["Id"]
        z = self.store["zones"].get(zid)
        if z is None or not ctx.visible(z["created"]):
            raise _no_zone(zid)
        return z

    def _change(self, ctx, comment=None):
        cid = "C" + _id(19)[1:]
        self.store["changes"][cid] = {"submitted": ctx.now(), "comment": comment}
        return self._change_out(cid)

    def _change_out(self, cid, status="PENDING"):
        c = self.store["changes"][cid]
        out = {"Id": "/change/" + cid, "Status": status, "SubmittedAt": iso8601(c["submitted"])}
        if c.get("comment"):
            out["Comment"] = c["comment"]
        return out

    @staticmethod
    def _zone_out(z):
        return {"Id": "/hostedzone/" + z["Id"], "Name": z["Name"],
                "CallerReference": z["CallerReference"],
                "Config": {"Comment": z.get("Comment"), "PrivateZone": z["Private"]},
                "ResourceRecordSetCount": len(z["records"])}

    @staticmethod
    def _vpcs_out(z):
        return {"VPC": XmlFlat([{"VPCRegion": v["VPCRegion"], "VPCId": v["VPCId"]}
                                for v in z["VPCs"]])}

    def _vpc(self, ctx, vpc):
        if not isinstance(vpc, dict) or not vpc.get("VPCId") or not vpc.get("VPCRegion"):
            raise AwsError("InvalidVPCId", "The VPC ID and region are required.")
        ec2 = self.emulator.services.get("ec2")
        vpcs = ec2.store.get("regions", {}).get(vpc["VPCRegion"], {}).get("vpc", {}) if ec2 else {}
        if vpc["VPCId"] not in vpcs:
            raise AwsError("InvalidVPCId", "The VPC ID '%s' is not valid or not found in region "
                           "%s." % (vpc["VPCId"], vpc["VPCRegion"]))
        return {"VPCRegion": vpc["VPCRegion"], "VPCId": vpc["VPCId"]}

    def find_record(self, name, rtype):
        """The values of every record set named name of type rtype in any zone (ACM)."""
        name = fqdn(name)
        return [r["Value"] for z in self.store["zones"].values() for rr in z["records"]
                if rr["Name"] == name and rr["Type"] == rtype
                for r in rr.get("ResourceRecords", [])]

    # -- zones ---------------------------------------------------------------------------

    def CreateHostedZone(self, ctx, params):
        body = self._body(params)
        name, ref = body.get("Name"), body.get("CallerReference")
        if not name or not ref:
            raise AwsError("InvalidInput", "Name and CallerReference are required.")
        if not re.fullmatch(r"[a-zA-Z0-9.*_-]{1,255}\.?", name) or ".." in name:
            raise AwsError("InvalidDomainName", "%s is reserved by AWS or is not a valid domain "
                           "name." % name)
        cfg = body.get("HostedZoneConfig") or {}
        private = str(cfg.get("PrivateZone", "false")).lower() == "true"
        vpc = body.get("VPC")
        if private and not vpc:
            raise AwsError("InvalidInput", "When you're creating a private hosted zone "
                           "(PrivateZone is true), you must specify values for VPCId and "
                           "VPCRegion.")
        if vpc and not private and "PrivateZone" in cfg:
            raise AwsError("InvalidInput", "A VPC cannot be given for a public hosted zone.")
        if any(z["CallerReference"] == ref for z in self.store["zones"].values()):
            raise AwsError("HostedZoneAlreadyExists", "A hosted zone has already been created "
                           "with the specified caller reference.", 409)
        vpcs = [self._vpc(ctx, vpc)] if vpc else []
        name = fqdn(name)
        zid = _id()
        seed = hashlib.sha256(zid.encode()).hexdigest()
        ns = ["ns-%d.awsdns-%02d.%s" % (int(seed[i * 4:i * 4 + 3], 16) % 2048, i * 16 % 64, tld)
              for i, tld in enumerate(("com.", "net.", "org.", "co.uk."))] if not vpcs else \
            ["ns-0.awsdns-00.com."]
        z = {"Id": zid, "Name": name, "CallerReference": ref, "Comment": cfg.get("Comment"),
             "Private": bool(vpcs), "VPCs": vpcs, "created": ctx.now(), "Tags": {},
             "NameServers": ns, "records": [
                 {"Name": name, "Type": "NS", "TTL": "172800",
                  "ResourceRecords": [{"Value": n} for n in ns]},
                 {"Name": name, "Type": "SOA", "TTL": "900", "ResourceRecords": [
                     {"Value": "%s awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"
                      % ns[0]}]}]}
        self.store["zones"][zid] = z
        out = {"HostedZone": self._zone_out(z), "ChangeInfo": self._change(ctx)}
        if vpcs:
            out["VPC"] = vpcs[0]
        else:
            out["DelegationSet"] = {"NameServers": {"NameServer": XmlFlat(ns)}}
        return _answer("CreateHostedZoneResponse", out, 201,
                       {"Location": "https://route53.amazonaws.com/2013-04-01/hostedzone/" + zid})

    def GetHostedZone(self, ctx, params):
        z = self._zone(ctx, params)
        out = {"HostedZone": self._zone_out(z)}
        if z["Private"]:
            out["VPCs"] = self._vpcs_out(z)
        else:
            out["DelegationSet"] = {"NameServers": {"NameServer": XmlFlat(z["NameServers"])}}
        return _answer("GetHostedZoneResponse", out)

    def _zone_page(self, zones, params, marker_key):
        limit = as_int(params["_query"].get("maxitems", 100), "maxitems")
        start = 0
        marker = params["_query"].get(marker_key)
        if marker:
            ids = [z["Id"] for z in zones]
            if marker not in ids:
                raise AwsError("InvalidInput", "Invalid marker")
            start = ids.index(marker)
        chunk = zones[start:start + limit]
        nxt = zones[start + limit]["Id"] if start + limit < len(zones) else None
        return chunk, nxt, limit

    def ListHostedZones(self, ctx, params):
        zones = sorted((z for z in self.store["zones"].values() if ctx.visible(z["created"])),
                       key=lambda z: z["Id"])
        chunk, nxt, limit = self._zone_page(zones, params, "marker")
        out = {"HostedZones": {"HostedZone": XmlFlat([self._zone_out(z) for z in chunk])},
               "Marker": params["_query"].get("marker", ""), "IsTruncated": nxt is not None,
               "MaxItems": str(limit)}
        if nxt:
            out["NextMarker"] = nxt
        return _answer("ListHostedZonesResponse", out)

    def ListHostedZonesByName(self, ctx, params):
        q = params["_query"]
        zones = sorted((z for z in self.store["zones"].values() if ctx.visible(z["created"])),
                       key=lambda z: (list(reversed(z["Name"].rstrip(".").split("."))), z["Id"]))
        if q.get("dnsname"):
            want = list(reversed(fqdn(q["dnsname"]).rstrip(".").split(".")))
            zones = [z for z in zones
                     if list(reversed(z["Name"].rstrip(".").split("."))) >= want]
        limit = as_int(q.get("maxitems", 100), "maxitems")
        chunk = zones[:limit]
        out = {"HostedZones": {"HostedZone": XmlFlat([self._zone_out(z) for z in chunk])},
               "IsTruncated": len(zones) > limit, "MaxItems": str(limit)}
        if q.get("dnsname"):
            out["DNSName"] = q["dnsname"]
        if len(zones) > limit:
            out["NextDNSName"], out["NextHostedZoneId"] = zones[limit]["Name"], zones[limit]["Id"]
        return _answer("ListHostedZonesByNameResponse", out)

    def DeleteHostedZone(self, ctx, params):
        z = self._zone(ctx, params)
        if any(rr["Name"] != z["Name"] or rr["Type"] not in ("SOA", "NS") for rr in z["records"]):
            raise AwsError("HostedZoneNotEmpty", "The specified hosted zone contains non-required "
                           "resource record sets and so cannot be deleted.")
        del self.store["zones"][z["Id"]]
        return _answer("DeleteHostedZoneResponse", {"ChangeInfo": self._change(ctx)})

    def UpdateHostedZoneComment(self, ctx, params):
        z = self._zone(ctx, params)
        z["Comment"] = self._body(params).get("Comment") or None
        return _answer("UpdateHostedZoneCommentResponse", {"HostedZone": self._zone_out(z)})

    def AssociateVPCWithHostedZone(self, ctx, params):
        z = self._zone(ctx, params)
        if not z["Private"]:
            raise AwsError("PublicZoneVPCAssociation", "Public hosted zones cannot be associated "
                           "with a VPC.")
        vpc = self._vpc(ctx, self._body(params).get("VPC"))
        if vpc in z["VPCs"]:
            raise AwsError("ConflictingDomainExists", "The VPC is already associated.", 409)
        z["VPCs"].append(vpc)
        return _answer("AssociateVPCWithHostedZoneResponse", {"ChangeInfo": self._change(ctx)})

    def DisassociateVPCFromHostedZone(self, ctx, params):
        z = self._zone(ctx, params)
        vpc = self._body(params).get("VPC") or {}
        vpc = {"VPCRegion": vpc.get("VPCRegion"), "VPCId": vpc.get("VPCId")}
        if vpc not in z["VPCs"]:
            raise AwsError("VPCAssociationNotFound", "The specified VPC and hosted zone are not "
                           "currently associated.", 404)
        if len(z["VPCs"]) == 1:
            raise AwsError("LastVPCAssociation", "The VPC can't be disassociated from the hosted "
                           "zone: it is the last one.")
        z["VPCs"].remove(vpc)
        return _answer("DisassociateVPCFromHostedZoneResponse", {"ChangeInfo": self._change(ctx)})

    def GetChange(self, ctx, params):
        cid = params["Id"]
        if cid not in self.store["changes"]:
            raise AwsError("NoSuchChange", "A change with the specified change ID does not exist.",
                           404)
        return _answer("GetChangeResponse", {"ChangeInfo": self._change_out(cid, "INSYNC")})

    # -- record sets ---------------------------------------------------------------------

    def _record_in(self, z, rr):
        """A checked record set from a request's ResourceRecordSet."""
        if not isinstance(rr, dict) or not rr.get("Name") or not rr.get("Type"):
            raise _bad_batch("A ResourceRecordSet needs a Name and a Type.")
        name, rtype = fqdn(rr["Name"]), rr["Type"]
        if rtype not in TYPES:
            raise AwsError("InvalidInput", "Invalid type %s" % rtype)
        if name != z["Name"] and not name.endswith("." + z["Name"]):
            raise _bad_batch("RRSet with DNS name %s is not permitted in zone %s"
                             % (name, z["Name"]))
        out = {"Name": name, "Type": rtype}
        ident = rr.get("SetIdentifier")
        routed = [k for k in ROUTING if k in rr]
        if ident and not routed:
            raise AwsError("InvalidInput", "Invalid request: Expected exactly one of [Weight, "
                           "Region, Failover, GeoLocation, MultiValueAnswer, CidrRoutingConfig], "
                           "but found none in Change with [Action=CREATE, Name=%s, Type=%s, "
                           "SetIdentifier=%s]" % (name, rtype, ident))
        if routed and not ident:
            raise AwsError("InvalidInput", "Invalid request: Missing field 'SetIdentifier' in "
                           "Change with [Action=CREATE, Name=%s, Type=%s]" % (name, rtype))
        if len(routed) > 1:
            raise AwsError("InvalidInput", "Invalid request: more than one routing policy")
        if ident:
            out["SetIdentifier"] = ident
            for k in routed:
                out[k] = rr[k]
            if "Weight" in out and not 0 <= as_int(out["Weight"], "Weight") <= 255:
                raise AwsError("InvalidInput", "Weight must be between 0 and 255")
            if out.get("Failover") not in (None, "PRIMARY", "SECONDARY"):
                raise AwsError("InvalidInput", "Failover must be PRIMARY or SECONDARY")
        alias, records = rr.get("AliasTarget"), rr.get("ResourceRecords")
        if alias and (records or rr.get("TTL")):
            raise AwsError("InvalidInput", "Invalid request: an alias record set has no TTL or "
                           "ResourceRecords")
        if alias:
            if not alias.get("HostedZoneId") or not alias.get("DNSName"):
                raise AwsError("InvalidInput", "AliasTarget needs HostedZoneId and DNSName")
            out["AliasTarget"] = {"HostedZoneId": alias["HostedZoneId"],
                                  "DNSName": fqdn(alias["DNSName"]),
                                  "EvaluateTargetHealth": str(alias.get(
                                      "EvaluateTargetHealth", "false")).lower() == "true"}
        else:
            if not records or rr.get("TTL") is None:
                raise AwsError("InvalidInput", "Invalid request: a record set needs TTL and "
                               "ResourceRecords (or an AliasTarget)")
            out["TTL"] = str(as_int(rr["TTL"], "TTL", 0, 2147483647))
            out["ResourceRecords"] = [{"Value": r.get("Value", "") if isinstance(r, dict)
                                       else r} for r in records]
            if rtype == "CNAME" and len(out["ResourceRecords"]) != 1:
                raise _bad_batch("RRSet of type CNAME with DNS name %s is not permitted because a "
                                 "CNAME has exactly one value" % name)
        if rr.get("HealthCheckId"):
            out["HealthCheckId"] = rr["HealthCheckId"]
        if rtype == "CNAME" and name == z["Name"]:
            raise _bad_batch("RRSet of type CNAME with DNS name %s is not permitted at apex in "
                             "zone %s" % (name, z["Name"]))
        return out

    @staticmethod
    def _same(a, b):
        return (a["Name"], a["Type"], a.get("SetIdentifier")) == \
            (b["Name"], b["Type"], b.get("SetIdentifier"))

    def _apply(self, z, records, action, rr):
        desc = "[name='%s', type='%s'%s]" % (rr["Name"], rr["Type"], ", set-identifier='%s'"
                                             % rr["SetIdentifier"] if rr.get("SetIdentifier")
                                             else "")
        current = next((x for x in records if self._same(x, rr)), None)
        if action == "DELETE":
            if current is None:
                raise _bad_batch("Tried to delete resource record set %s but it was not found"
                                 % desc)
            if current != rr:
                raise _bad_batch("Tried to delete resource record set %s but the values provided "
                                 "do not match the current values" % desc)
            if rr["Name"] == z["Name"] and rr["Type"] in ("SOA", "NS"):
                raise _bad_batch("A HostedZone must contain at least one NS record for the zone "
                                 "itself and exactly one SOA record.")
            records.remove(current)
            return
        if action == "CREATE" and current is not None:
            raise _bad_batch("Tried to create resource record set %s but it already exists" % desc)
        if action not in ("CREATE", "UPSERT"):
            raise AwsError("InvalidInput", "Invalid Action %s" % action)
        for x in records:
            if x["Name"] != rr["Name"] or self._same(x, rr):
                continue
            if (x["Type"] == "CNAME") != (rr["Type"] == "CNAME"):
                raise _bad_batch("RRSet of type %s with DNS name %s is not permitted as it "
                                 "conflicts with other records with the same DNS name in zone %s"
                                 % (rr["Type"], rr["Name"], z["Name"]))
            if x["Type"] == rr["Type"] and bool(x.get("SetIdentifier")) != \
                    bool(rr.get("SetIdentifier")):
                raise _bad_batch("RRSet with DNS name %s, type %s cannot be created as other "
                                 "RRSets exist with the same name and type." % (rr["Name"],
                                                                                rr["Type"]))
        if current is not None:
            records.remove(current)
        records.append(rr)

    def ChangeResourceRecordSets(self, ctx, params):
        z = self._zone(ctx, params)
        batch = self._body(params).get("ChangeBatch") or {}
        changes = batch.get("Changes") or []
        if not changes:
            raise AwsError("InvalidInput", "ChangeBatch must contain at least one Change")
        records = [dict(r) for r in z["records"]]
        for ch in changes:
            self._apply(z, records, ch.get("Action"), self._record_in(z, ch.get(
                "ResourceRecordSet")))
        z["records"] = records
        return _answer("ChangeResourceRecordSetsResponse",
                       {"ChangeInfo": self._change(ctx, batch.get("Comment"))})

    @staticmethod
    def _record_out(rr):
        out = {"Name": _shown(rr["Name"]), "Type": rr["Type"]}
        for k in ("SetIdentifier",) + ROUTING:
            if k in rr:
                out[k] = rr[k]
        if "AliasTarget" in rr:
            out["AliasTarget"] = dict(rr["AliasTarget"], DNSName=_shown(rr["AliasTarget"]
                                                                        ["DNSName"]))
        else:
            out["TTL"] = rr["TTL"]
            out["ResourceRecords"] = {"ResourceRecord": XmlFlat(rr["ResourceRecords"])}
        if rr.get("HealthCheckId"):
            out["HealthCheckId"] = rr["HealthCheckId"]
        return out

    def ListResourceRecordSets(self, ctx, params):
        z = self._zone(ctx, params)
        q = params["_query"]
        limit = as_int(q.get("maxitems", 300), "maxitems", 1, 300)
        records = sorted(z["records"], key=_sort_key)
        if q.get("name"):
            start = (list(reversed(fqdn(q["name"]).rstrip(".").split("."))), q.get("type", ""),
                     q.get("identifier", ""))
            if q.get("type") and q["type"] not in TYPES:
                raise AwsError("InvalidInput", "Invalid type %s" % q["type"])
            records = [r for r in records if _sort_key(r) >= start]
        elif q.get("type"):
            raise AwsError("InvalidInput", "The input is not valid: type needs name")
        chunk = records[:limit]
        out = {"ResourceRecordSets": {"ResourceRecordSet": XmlFlat(
            [self._record_out(r) for r in chunk])}, "IsTruncated": len(records) > limit,
            "MaxItems": str(limit)}
        if len(records) > limit:
            nxt = records[limit]
            out["NextRecordName"], out["NextRecordType"] = _shown(nxt["Name"]), nxt["Type"]
            if nxt.get("SetIdentifier"):
                out["NextRecordIdentifier"] = nxt["SetIdentifier"]
        return _answer("ListResourceRecordSetsResponse", out)

    # -- tags ----------------------------------------------------------------------------

    def ChangeTagsForResource(self, ctx, params):
        z = self._zone(ctx, params)
        body = self._body(params)
        adds = {t.get("Key"): t.get("Value", "") for t in body.get("AddTags") or []}
        tags = dict(z["Tags"], **adds)
        for k in body.get("RemoveTagKeys") or []:
            tags.pop(k, None)
        if len(tags) > 50:
            raise AwsError("InvalidInput", "Too many tags: at most 50 tags per resource")
        z["Tags"] = tags
        return _answer("ChangeTagsForResourceResponse", {})

    def ListTagsForResource(self, ctx, params):
        z = self._zone(ctx, params)
        return _answer("ListTagsForResourceResponse", {"ResourceTagSet": {
            "ResourceType": "hostedzone", "ResourceId": z["Id"],
            "Tags": {"Tag": XmlFlat([{"Key": k, "Value": v} for k, v in sorted(z["Tags"].items())])}}})

    def inventory(self):
        return {
            "zone": [{"id": z["Id"], "name": z["Name"], "private": z["Private"],
                      "comment": z.get("Comment"), "vpcs": z["VPCs"], "tags": z["Tags"],
                      "name_servers": z["NameServers"]} for z in self.store["zones"].values()],
            "record": [dict(rr, id="%s_%s_%s%s" % (z["Id"], rr["Name"], rr["Type"],
                                                   "_" + rr["SetIdentifier"]
                                                   if rr.get("SetIdentifier") else ""),
                            zone_id=z["Id"])
                       for z in self.store["zones"].values() for rr in z["records"]
                       if not (rr["Name"] == z["Name"] and rr["Type"] in ("SOA", "NS"))],
        }
