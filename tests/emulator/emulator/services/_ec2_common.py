"""EC2 helpers shared by the EC2 service modules: errors, ids, tags and
TagSpecifications, Describe filters (with * and ? wildcards), pagination
tokens, ClientToken idempotency, CIDR parsing, availability zones.

Internal objects are plain dicts in the service's store (per region); the
helpers here never render XML, they only validate and select.
"""

import fnmatch
import hashlib
import ipaddress
import json
import re

from ..core import AwsError, as_int
from ._common import offset_token, token_offset

# resource kind -> (id prefix, NotFound code, noun used in messages)
KINDS = {
    "vpc": ("vpc", "InvalidVpcID.NotFound", "vpc ID"),
    "subnet": ("subnet", "InvalidSubnetID.NotFound", "subnet ID"),
    "igw": ("igw", "InvalidInternetGatewayID.NotFound", "internetGateway ID"),
    "eip": ("eipalloc", "InvalidAllocationID.NotFound", "allocation ID"),
    "nat": ("nat", "NatGatewayNotFound", "NAT gateway"),
    "rtb": ("rtb", "InvalidRouteTableID.NotFound", "routeTable ID"),
    "sg": ("sg", "InvalidGroup.NotFound", "security group"),
    "vpce": ("vpce", "InvalidVpcEndpointId.NotFound", "VpcEndpoint"),
    "acl": ("acl", "InvalidNetworkAclID.NotFound", "networkAcl ID"),
    "fl": ("fl", "InvalidFlowLogId.NotFound", "flow log"),
}
PREFIX_KIND = {v[0]: k for k, v in KINDS.items()}
MALFORMED = {"vpc": "InvalidVpcID.Malformed", "subnet": "InvalidSubnetID.Malformed",
             "sg": "InvalidGroupId.Malformed"}
_ID_RE = re.compile(r"^[a-z]+-([0-9a-f]{8}|[0-9a-f]{17})$")
TAG_RESOURCE_TYPES = {"vpc": "vpc", "subnet": "subnet", "igw": "internet-gateway",
                      "eip": "elastic-ip", "nat": "natgateway", "rtb": "route-table",
                      "sg": "security-group", "sgr": "security-group-rule",
                      "vpce": "vpc-endpoint", "acl": "network-acl", "fl": "vpc-flow-log"}


def err(code, message, status=400):
    return AwsError(code, message, status)


def not_found(kind, ident):
    _, code, noun = KINDS[kind]
    if kind == "nat":
        return err(code, "The Nat Gateway %s was not found" % ident)
    if kind == "sg":
        return err(code, "The security group '%s' does not exist" % ident)
    return err(code, "The %s '%s' does not exist" % (noun, ident))


def check_id(kind, ident):
    """Malformed ids get the service's Malformed error where AWS has one."""
    if kind in MALFORMED and (not isinstance(ident, str) or not _ID_RE.match(ident)
                              or not ident.startswith(KINDS[kind][0] + "-")):
        raise err(MALFORMED[kind], 'Invalid id: "%s"' % ident)


def required(params, name):
    v = params.get(name)
    if v is None or v == "":
        raise err("MissingParameter", "The request must contain the parameter %s" % name)
    return v


def id_list(params, name):
    v = params.get(name)
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


# ---------------------------------------------------------------- tags

def validate_tags(tags):
    out = {}
    for t in tags or []:
        if not isinstance(t, dict) or "Key" not in t:
            raise err("InvalidParameterValue", "Tag keys must be provided")
        k, v = t["Key"], t.get("Value", "")
        if not 1 <= len(k) <= 128:
            raise err("InvalidParameterValue", "Tag key exceeds the maximum length of 128 characters")
        if len(v) > 256:
            raise err("InvalidParameterValue", "Tag value exceeds the maximum length of 256 characters")
        if k.lower().startswith("aws:"):
            raise err("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
        out[k] = v
    return out


def apply_tags(obj, new):
    tags = obj.setdefault("tags", {})
    merged = dict(tags)
    merged.update(new)
    if len(merged) > 50:
        raise err("TagLimitExceeded", "The maximum number of tags per resource (50) has been reached")
    obj["tags"] = merged


def tag_specs(params, kind):
    """Tags from TagSpecification.N for a resource of this kind."""
    out = {}
    for spec in id_list(params, "TagSpecification"):
        rtype = spec.get("ResourceType") if isinstance(spec, dict) else None
        if rtype != TAG_RESOURCE_TYPES[kind]:
            raise err("InvalidParameterValue", "'%s' is not a valid taggable resource type for "
                      "this operation." % rtype)
        out.update(validate_tags(spec.get("Tag", [])))
    if len(out) > 50:
        raise err("TagLimitExceeded", "The maximum number of tags per resource (50) has been reached")
    return out


def render_tags(tags):
    if not tags:
        return None
    return [{"key": k, "value": v} for k, v in tags.items()]


# ---------------------------------------------------------------- filters

def tag_filter(name, obj):
    tags = obj.get("tags", {})
    if name.startswith("tag:"):
        k = name[4:]
        return [tags[k]] if k in tags else []
    if name == "tag-key":
        return list(tags)
    if name == "tag-value":
        return list(tags.values())
    return None


def apply_filters(objs, params, fields):
    """fields: filter name -> fn(obj) -> value or list of values.
    Unknown filter names are an error, like AWS."""
    filters = id_list(params, "Filter")
    for f in filters:
        name = f.get("Name") if isinstance(f, dict) else None
        if not name:
            raise err("InvalidParameterValue", "The filter 'null' is invalid")
        if name not in fields and not name.startswith("tag:") and name not in ("tag-key", "tag-value"):
            raise err("InvalidParameterValue", "The filter '%s' is invalid" % name)
    out = []
    for o in objs:
        ok = True
        for f in filters:
            name, values = f["Name"], f.get("Value", [])
            if not isinstance(values, list):
                values = [values]
            got = tag_filter(name, o)
            if got is None:
                got = fields[name](o)
            if not isinstance(got, list):
                got = [got]
            got = [("true" if g else "false") if isinstance(g, bool) else str(g)
                   for g in got if g is not None]
            if not any(fnmatch.fnmatchcase(g, v) for g in got for v in values):
                ok = False
                break
        if ok:
            out.append(o)
    return out


# ---------------------------------------------------------------- pagination

def paginate(items, params, lo=5, hi=1000, ids_given=False):
    """-> (page, next_token or None)."""
    mr = params.get("MaxResults")
    token = params.get("NextToken")
    if mr is not None and ids_given:
        raise err("InvalidParameterCombination", "The parameter MaxResults cannot be used "
                  "with the parameter of resource IDs")
    start = 0
    if token:
        try:
            start = token_offset(token, urlsafe=True)
        except ValueError:
            raise err("InvalidPaginationToken", "The specified pagination token is not valid or is expired.")
    if mr is None:
        return items[start:], None
    n = as_int(mr, "MaxResults")
    if not lo <= n <= hi:
        raise err("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. "
                  "Parameter must be between %d and %d." % (n, lo, hi))
    more = start + n < len(items)
    return items[start:start + n], offset_token(start + n, urlsafe=True) if more else None


# ---------------------------------------------------------------- idempotency

def params_digest(params):
    p = {k: v for k, v in params.items() if k not in ("ClientToken", "DryRun")}
    return hashlib.sha256(json.dumps(p, sort_keys=True).encode()).hexdigest()


# ---------------------------------------------------------------- CIDRs

def parse_cidr(value, param="cidrBlock"):
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except (ValueError, TypeError):
        raise err("InvalidParameterValue", "Value (%s) for parameter %s is invalid. This is not "
                  "a valid CIDR block." % (value, param))


# ---------------------------------------------------------------- zones

_DIRS = {"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
         "north": "n", "south": "s", "east": "e", "west": "w", "central": "c"}


def zone_prefix(region):
    parts = region.split("-")
    if len(parts) < 3:
        return region.replace("-", "")
    return parts[0] + _DIRS.get(parts[1], parts[1][:2]) + parts[-1]


def zones(region):
    """[(zone name, zone id)] of a region: a..d."""
    return [(region + letter, "%s-az%d" % (zone_prefix(region), i))
            for i, letter in enumerate("abcd", 1)]
