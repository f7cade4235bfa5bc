#!/usr/bin/env python3
"""trim_models.py - write luaform's compact AWS models from botocore's data.

Reads <botocore>/data/<service>/<newest version>/{service-2,paginators-1,waiters-2}.json
(Debian's python3-botocore by default), drops documentation strings and other
doc-only keys, and writes compact JSON to models/<service>/. Whole services
are kept (every operation and shape): migration scripts may call anything.
A few members newer than Debian's botocore are overlaid (OVERLAYS below).
Also writes models/endpoints.json from <botocore>/data/endpoints.json: per
partition its id, dnsSuffix, regionRegex and region names, and only the
services that are not regionalized (isRegionalized false, partitionEndpoint)
with that one endpoint's hostname and credentialScope: what the transport
reads for global services (CloudFront, Route 53, Organizations, ...).

usage: tools/trim_models.py [--data DIR] [--out DIR] [service ...]
"""
import argparse
import gzip
import json
import os
import sys

SERVICES = ["ec2", "elbv2", "ecs", "ecr", "iam", "logs", "application-autoscaling",
            "sns", "sqs", "sts", "s3", "dynamodb", "cloudcontrol", "route53", "acm",
            "secretsmanager", "ssm", "kms", "cloudwatch", "events", "servicediscovery", "scheduler"]
DEFAULT_DATA = "/usr/lib/python3/dist-packages/botocore/data"
FILES = ["service-2.json", "paginators-1.json", "waiters-2.json"]
# Keys that only document; nothing in the transport reads them.
DOC_KEYS = {"documentation", "documentationUrl", "deprecatedMessage", "examples",
            "description"}


def strip(node, in_members=False):
    """Copy of node without doc keys. Keys of a members/shapes/operations map
    are names, never dropped, so in_members marks such a map."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if not in_members and k in DOC_KEYS:
                continue
            out[k] = strip(v, k in ("members", "shapes", "operations", "waiters",
                                    "pagination", "errors_map"))
        return out
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node

# Overlays: members that AWS's current models have and Debian 12's botocore
# (1.29) predates. Each is added only when the model lacks it, so a newer
# botocore's own definition wins. (service, shape, member, definition)
OVERLAYS = [
    # S3 conditional writes (current AWS S3 model, 2024): PutObject with
    # If-None-Match: * (create only) and If-Match: <etag> (compare and swap);
    # S3 answers 412 PreconditionFailed or 409 ConditionalRequestConflict.
    # Used by the S3 state backend. Shapes IfMatch/IfNoneMatch are strings
    # (GetObject's, already in the model).
    ("s3", "PutObjectRequest", "IfMatch",
     {"shape": "IfMatch", "location": "header", "locationName": "If-Match"}),
    ("s3", "PutObjectRequest", "IfNoneMatch",
     {"shape": "IfNoneMatch", "location": "header", "locationName": "If-None-Match"}),
    # CloudWatch Logs log group classes (current AWS Logs model, 2023): CreateLogGroup's
    # logGroupClass (STANDARD or INFREQUENT_ACCESS, fixed at creation), answered in
    # DescribeLogGroups' LogGroup and usable as its filter. aws_cloudwatch_log_group's
    # log_group_class.
    ("logs", "CreateLogGroupRequest", "logGroupClass", {"shape": "LogGroupClass"}),
    ("logs", "LogGroup", "logGroupClass", {"shape": "LogGroupClass"}),
    ("logs", "DescribeLogGroupsRequest", "logGroupClass", {"shape": "LogGroupClass"}),
]
OVERLAY_SHAPES = {"s3": {"IfMatch": {"type": "string"}, "IfNoneMatch": {"type": "string"}},
                  "logs": {"LogGroupClass": {"type": "string",
                                             "enum": ["STANDARD", "INFREQUENT_ACCESS"]}}}


def overlay(service, model):
    """Adds the OVERLAYS of service to a service-2.json tree (in place)."""
    shapes = model["shapes"]
    for name, shape in OVERLAY_SHAPES.get(service, {}).items():
        shapes.setdefault(name, shape)
    for svc, shape, member, definition in OVERLAYS:
        if svc == service and shape in shapes:
            shapes[shape]["members"].setdefault(member, definition)


def read_json(path):
    if os.path.exists(path):
        with open(path, "rb") as f:
            return json.load(f)
    if os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz", "rb") as f:
            return json.load(f)
    return None


def newest_version(service_dir):
    versions = [v for v in os.listdir(service_dir)
                if read_json(os.path.join(service_dir, v, "service-2.json")) is not None
                or os.path.exists(os.path.join(service_dir, v, "service-2.json.gz"))]
    if not versions:
        raise SystemExit("no service-2.json under " + service_dir)
    return max(versions)


def trim_service(data, out, service):
    src = os.path.join(data, service, newest_version(os.path.join(data, service)))
    dst = os.path.join(out, service)
    os.makedirs(dst, exist_ok=True)
    total = 0
    for name in FILES:
        tree = read_json(os.path.join(src, name))
        if tree is None:
            continue
        if name == "service-2.json":
            overlay(service, tree)
        text = json.dumps(strip(tree), separators=(",", ":"), ensure_ascii=False)
        with open(os.path.join(dst, name), "w", encoding="utf-8") as f:
            f.write(text + "\n")
        total += len(text) + 1
    return src, total


def trim_endpoints(data, out):
    """models/endpoints.json: the partitions file cut to the global services."""
    tree = read_json(os.path.join(data, "endpoints.json"))
    if tree is None:
        raise SystemExit("no endpoints.json under " + data)
    parts = []
    for p in tree["partitions"]:
        services = {}
        for name, svc in sorted(p.get("services", {}).items()):
            pe = svc.get("partitionEndpoint")
            if svc.get("isRegionalized") is not False or not pe:
                continue
            ep = svc.get("endpoints", {}).get(pe, {})
            keep = {k: ep[k] for k in ("hostname", "credentialScope") if k in ep}
            services[name] = {"isRegionalized": False, "partitionEndpoint": pe,
                              "endpoints": {pe: keep}}
        parts.append({"partition": p["partition"], "dnsSuffix": p["dnsSuffix"],
                      "regionRegex": p["regionRegex"],
                      "defaults": {"hostname": p.get("defaults", {}).get("hostname",
                                                                        "{service}.{region}.{dnsSuffix}")},
                      "regions": {r: {} for r in sorted(p.get("regions", {}))},
                      "services": services})
    text = json.dumps({"partitions": parts, "version": tree.get("version", 3)},
                      separators=(",", ":"), sort_keys=False)
    with open(os.path.join(out, "endpoints.json"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
    return len(text) + 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    ap.add_argument("services", nargs="*", default=SERVICES)
    args = ap.parse_args()
    grand = 0
    for svc in args.services:
        src, size = trim_service(args.data, args.out, svc)
        grand += size
        print(f"{svc:26} {size:>9} bytes  from {src}")
    size = trim_endpoints(args.data, args.out)
    grand += size
    print(f"{'endpoints.json':26} {size:>9} bytes  from {args.data}")
    print(f"{'total':26} {grand:>9} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
