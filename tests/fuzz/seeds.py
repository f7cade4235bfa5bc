#!/usr/bin/env python3
"""seeds.py - writes the generated seed corpora of the fuzz targets.

Usage: seeds.py OUT_DIR   (writes OUT_DIR/<target>/<name> files)

The seeds come from the conformance vectors (../shared/aws-conformance, or
$LUAFORM_CONFORMANCE_DIR) and the repository's own files, in the input
layout each target reads (tests/fuzz/*.c); they are generated at build time
rather than committed. Hand-written seeds and regression inputs are
committed under tests/fuzz/corpus/<target>/. Missing vectors are an error.
"""
import hashlib
import json
import os
import sys

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
    sigv4_seeds(out)
    model_seeds(out)
    endpoints_seeds(out)


if __name__ == "__main__":
    main()
