#!/usr/bin/env python3
"""seeds.py - writes the generated seed corpora of the fuzz targets.

Usage: seeds.py OUT_DIR   (writes OUT_DIR/<target>/<name> files)

The seeds come from the conformance vectors (../shared/aws-conformance, or
$LUAFORM_CONFORMANCE_DIR), from responses of the local AWS emulator
(tests/emulator, run in this process and called with boto3) to a few calls
of each built-in model, and from the repository's own files, in the input
layout each target reads (tests/fuzz/*.c); they are generated at build time
rather than committed. Hand-written seeds and regression inputs are
committed under tests/fuzz/corpus/<target>/. Missing vectors are an error.
"""
import hashlib
import json
import os
import sys
import threading

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VECTORS = os.environ.get("LUAFORM_CONFORMANCE_DIR") or os.path.join(REPO, "..", "shared",
                                                                     "aws-conformance")
# response target -> conformance output files (as the targets' VECTORS)
RESPONSE_FILES = {
    "response_ec2": ["ec2.json"],
    "response_query": ["query.json"],
    "response_json": ["json.json", "json_1_0.json"],
    "response_rest_json": ["rest-json.json"],
    "response_rest_xml": ["rest-xml.json"],
}


def write(out, target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def response_seeds(out):
    for target, files in RESPONSE_FILES.items():
        for name in files:
            for suite in load(os.path.join(VECTORS, "protocols", "output", name)):
                for case in suite.get("cases", []):
                    resp = case.get("response", {})
                    lines = [case["id"], str(resp.get("status_code", 200))]
                    lines += ["%s: %s" % kv for kv in resp.get("headers", {}).items()]
                    write(out, target, "\n".join(lines) + "\n\n" + resp.get("body", ""))


# (response target, model directory, boto3 service, operation, parameters); some
# calls fail on purpose (error bodies). Created names are fixed: the emulator is new.
EMULATOR_CALLS = [
    ("response_ec2", "ec2", "ec2", "CreateVpc", {"CidrBlock": "10.0.0.0/16"}),
    ("response_ec2", "ec2", "ec2", "DescribeVpcs", {}),
    ("response_ec2", "ec2", "ec2", "DescribeAvailabilityZones", {}),
    ("response_ec2", "ec2", "ec2", "DescribeSecurityGroups", {}),
    ("response_ec2", "ec2", "ec2", "DeleteVpc", {"VpcId": "vpc-00000000"}),
    ("response_query", "iam", "iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": "{}"}),
    ("response_query", "iam", "iam", "GetRole", {"RoleName": "absent"}),
    ("response_query", "sts", "sts", "GetCallerIdentity", {}),
    ("response_query", "sns", "sns", "CreateTopic", {"Name": "t"}),
    ("response_query", "sns", "sns", "ListTopics", {}),
    ("response_query", "elbv2", "elbv2", "DescribeLoadBalancers", {}),
    ("response_json", "ecs", "ecs", "CreateCluster", {"clusterName": "c"}),
    ("response_json", "ecs", "ecs", "DescribeClusters", {"clusters": ["c", "absent"]}),
    ("response_json", "logs", "logs", "CreateLogGroup", {"logGroupName": "g"}),
    ("response_json", "logs", "logs", "DescribeLogGroups", {}),
    ("response_json", "logs", "logs", "CreateLogGroup", {"logGroupName": "g"}),
    ("response_json", "ecr", "ecr", "CreateRepository", {"repositoryName": "repo"}),
    ("response_json", "dynamodb", "dynamodb", "DescribeTable", {"TableName": "absent"}),
    ("response_rest_xml", "s3", "s3", "CreateBucket", {"Bucket": "bucket1"}),
    ("response_rest_xml", "s3", "s3", "PutObject", {"Bucket": "bucket1", "Key": "k", "Body": b"x"}),
    ("response_rest_xml", "s3", "s3", "HeadObject", {"Bucket": "bucket1", "Key": "k"}),
    ("response_rest_xml", "s3", "s3", "ListObjectsV2", {"Bucket": "bucket1"}),
    ("response_rest_xml", "s3", "s3", "GetObject", {"Bucket": "bucket1", "Key": "absent"}),
]


def emulator_seeds(out):
    sys.path.insert(0, os.path.join(REPO, "tests", "emulator"))
    import boto3  # noqa: E402  (Debian's python3-boto3, scripts/deps.sh)
    import botocore  # noqa: E402
    import botocore.config  # noqa: E402
    import server  # noqa: E402
    httpd, _ = server.make_server(port=0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d" % httpd.server_address[1]
    session = boto3.session.Session(aws_access_key_id="AKIAEMULATOR00000000",
                                    aws_secret_access_key="emulator-secret-key",
                                    region_name="us-east-1")
    cfg = botocore.config.Config(retries={"max_attempts": 1},
                                 s3={"addressing_style": "path"})
    try:
        for target, model, service, op, params in EMULATOR_CALLS:
            client = session.client(service, endpoint_url=url, config=cfg)
            seen = []
            client.meta.events.register("after-call", lambda http_response, **_: seen.append(http_response))
            try:
                getattr(client, botocore.xform_name(op))(**params)
            except client.exceptions.ClientError:
                pass
            for r in seen:
                head = "%s:%s\n%d\n" % (model, op, r.status_code)
                head += "".join("%s: %s\n" % kv for kv in r.headers.items())
                write(out, target, head.encode() + b"\n" + r.content)
    finally:
        httpd.shutdown()


def sigv4_seeds(out):
    root = os.path.join(VECTORS, "sigv4")
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".req"):
                with open(os.path.join(dirpath, f), "rb") as r:
                    write(out, "sigv4", r.read())


def model_seeds(out):
    """One service description per conformance suite (its cases' operations)."""
    for direction in ("input", "output"):
        d = os.path.join(VECTORS, "protocols", direction)
        for name in sorted(os.listdir(d)):
            if not name.endswith(".json") or name == "ignore-list.json":
                continue
            for suite in load(os.path.join(d, name)):
                ops = {c["given"]["name"]: c["given"] for c in suite.get("cases", [])
                       if "given" in c and "name" in c["given"]}
                write(out, "model", json.dumps({"metadata": suite.get("metadata", {}),
                                                "shapes": suite.get("shapes", {}),
                                                "operations": ops}))
    for svc in ("sts", "sns"):
        with open(os.path.join(REPO, "models", svc, "service-2.json"), "rb") as f:
            write(out, "model", f.read())


def endpoints_seeds(out):
    with open(os.path.join(REPO, "models", "endpoints.json"), "rb") as f:
        write(out, "endpoints", f.read())


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if not os.path.isdir(os.path.join(VECTORS, "protocols")):
        sys.exit("seeds.py: conformance vectors not found at %s" % VECTORS)
    out = sys.argv[1]
    response_seeds(out)
    emulator_seeds(out)
    sigv4_seeds(out)
    model_seeds(out)
    endpoints_seeds(out)


if __name__ == "__main__":
    main()
