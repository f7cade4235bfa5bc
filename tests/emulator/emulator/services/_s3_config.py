"""S3 bucket subresources (a mixin of the S3 service): versioning, default encryption, public
access block, bucket policy, lifecycle configuration, ownership controls and tagging, routed
by their query key (?versioning, ?encryption, ...), as Terraform's split bucket types use them.

Each configuration is validated (MalformedXML, InvalidArgument, MalformedPolicy as S3 answers)
and kept as its parsed document; a Get answers it back, or the subresource's own NoSuch...
error (404) when there is none. As AWS since 2023, a new bucket has SSE-S3 default encryption
(DeleteBucketEncryption returns to it) and BucketOwnerEnforced ownership controls.
"""
import json
import xml.etree.ElementTree as ET

from ..core import AwsError
from ..wire import XmlFlat

# query key -> (Get, Put, Delete) operation names
SUBRESOURCES = {
    "versioning": ("GetBucketVersioning", "PutBucketVersioning", None),
    "encryption": ("GetBucketEncryption", "PutBucketEncryption", "DeleteBucketEncryption"),
    "publicAccessBlock": ("GetPublicAccessBlock", "PutPublicAccessBlock",
                          "DeletePublicAccessBlock"),
    "policy": ("GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"),
    "lifecycle": ("GetBucketLifecycleConfiguration", "PutBucketLifecycleConfiguration",
                  "DeleteBucketLifecycle"),
    "ownershipControls": ("GetBucketOwnershipControls", "PutBucketOwnershipControls",
                          "DeleteBucketOwnershipControls"),
    "tagging": ("GetBucketTagging", "PutBucketTagging", "DeleteBucketTagging"),
}
# subresources S3 has and the emulator does not: answered NotImplemented, never ListObjects
UNSUPPORTED = ("acl", "cors", "website", "logging", "notification", "replication",
               "accelerate", "requestPayment", "object-lock", "analytics", "metrics",
               "inventory", "intelligent-tiering")
SSE = ("AES256", "aws:kms", "aws:kms:dsse")
OWNERSHIP = ("BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced")
LIFECYCLE_ACTIONS = ("Expiration", "Transition", "NoncurrentVersionExpiration",
                     "NoncurrentVersionTransition", "AbortIncompleteMultipartUpload")
PAB_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def malformed():
    return AwsError("MalformedXML", "The XML you provided was not well-formed or did not "
                    "validate against our published schema")


def _strip(el):
    """The element as a plain tree: {tag: text} leaves, repeated tags as lists."""
    kids = list(el)
    if not kids:
        return (el.text or "").strip()
    out = {}
    for k in kids:
        tag = k.tag.split("}")[-1]
        value = _strip(k)
        if tag in out:
            if not isinstance(out[tag], list):
                out[tag] = [out[tag]]
            out[tag].append(value)
        else:
            out[tag] = value
    return out


def parse_doc(body, root):
    """The body's document (a dict) when its root element is `root`, else MalformedXML."""
    try:
        el = ET.fromstring(body)
    except ET.ParseError:
        raise malformed()
    if el.tag.split("}")[-1] != root:
        raise malformed()
    doc = _strip(el)
    return doc if isinstance(doc, dict) else {}


def listed(value):
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


def _xml_value(value):
    """A stored document as wire.encode_s3_xml writes it: repeated elements flattened."""
    if isinstance(value, dict):
        return {k: XmlFlat([_xml_value(x) for x in v]) if isinstance(v, list) else _xml_value(v)
                for k, v in value.items()}
    return value


class BucketConfigMixin:

    def route_subresource(self, params):
        """The operation for a bucket-level request with a subresource query key, or None."""
        q, m = params["_query"], params["_method"]
        if m == "POST" and "delete" in q:
            return "DeleteObjects"
        if m == "GET" and "versions" in q:
            return "ListObjectVersions"
        for key, ops in SUBRESOURCES.items():
            if key in q:
                return {"GET": ops[0], "PUT": ops[1], "DELETE": ops[2]}.get(m)
        if any(k in q for k in UNSUPPORTED):
            return "Unsupported"
        return None

    def Unsupported(self, ctx, params):
        raise AwsError("NotImplemented", "A header or query you provided implies "
                       "functionality that is not implemented.", 501)

    def _config(self, ctx, params, key, missing_code, missing_message):
        bucket = self._bucket(ctx, params)
        doc = bucket.get("config", {}).get(key)
        if doc is None:
            raise AwsError(missing_code, missing_message, 404)
        return doc

    def _set_config(self, ctx, params, key, doc):
        self._bucket(ctx, params).setdefault("config", {})[key] = doc

    def _drop_config(self, ctx, params, key):
        self._bucket(ctx, params).setdefault("config", {}).pop(key, None)
        return {"_status": 204, "_headers": {}, "_body": b""}

    # -- versioning ----------------------------------------------------------------------

    def PutBucketVersioning(self, ctx, params):
        bucket = self._bucket(ctx, params)
        doc = parse_doc(params["_body"], "VersioningConfiguration")
        status = doc.get("Status")
        if status not in ("Enabled", "Suspended"):
            raise malformed()
        if doc.get("MfaDelete") not in (None, "", "Disabled"):
            raise AwsError("InvalidRequest", "DevPay and Mfa are mutually exclusive "
                           "authorization methods.")
        bucket["versioning"] = status
        return {}

    def GetBucketVersioning(self, ctx, params):
        bucket = self._bucket(ctx, params)
        status = bucket.get("versioning")
        return {"VersioningConfiguration": {"Status": status} if status else {}}

    # -- default encryption --------------------------------------------------------------

    def PutBucketEncryption(self, ctx, params):
        doc = parse_doc(params["_body"], "ServerSideEncryptionConfiguration")
        rules = listed(doc.get("Rule"))
        if len(rules) != 1 or not isinstance(rules[0], dict):
            raise malformed()
        default = rules[0].get("ApplyServerSideEncryptionByDefault") or {}
        algorithm = default.get("SSEAlgorithm") if isinstance(default, dict) else None
        if algorithm not in SSE:
            raise malformed()
        if default.get("KMSMasterKeyID") and algorithm == "AES256":
            raise AwsError("InvalidArgument", "a KMSMasterKeyID is not applicable if the "
                           "default sse algorithm is not aws:kms or aws:kms:dsse")
        if rules[0].get("BucketKeyEnabled") not in (None, "true", "false"):
            raise malformed()
        self._set_config(ctx, params, "encryption", {"Rule": [rules[0]]})
        return {}

    def GetBucketEncryption(self, ctx, params):
        bucket = self._bucket(ctx, params)
        doc = bucket.get("config", {}).get("encryption") or {"Rule": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
            "BucketKeyEnabled": "false"}]}
        return {"ServerSideEncryptionConfiguration": _xml_value(doc)}

    def DeleteBucketEncryption(self, ctx, params):
        return self._drop_config(ctx, params, "encryption")

    # -- public access block -------------------------------------------------------------

    def PutPublicAccessBlock(self, ctx, params):
        doc = parse_doc(params["_body"], "PublicAccessBlockConfiguration")
        if set(doc) - set(PAB_FLAGS) or any(v not in ("true", "false") for v in doc.values()):
            raise malformed()
        self._set_config(ctx, params, "public_access_block",
                         {k: doc.get(k, "false") for k in PAB_FLAGS})
        return {}

    def GetPublicAccessBlock(self, ctx, params):
        doc = self._config(ctx, params, "public_access_block",
                           "NoSuchPublicAccessBlockConfiguration",
                           "The public access block configuration was not found")
        return {"PublicAccessBlockConfiguration": doc}

    def DeletePublicAccessBlock(self, ctx, params):
        return self._drop_config(ctx, params, "public_access_block")

    # -- policy --------------------------------------------------------------------------

    def PutBucketPolicy(self, ctx, params):
        bucket = self._bucket(ctx, params)
        try:
            doc = json.loads(params["_body"].decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            doc = None
        if not isinstance(doc, dict) or not doc.get("Statement"):
            raise AwsError("MalformedPolicy", "Policies must be valid JSON and the first byte "
                           "must be '{'")
        pab = bucket.get("config", {}).get("public_access_block") or {}
        public = any(s.get("Principal") in ("*", {"AWS": "*"}) and s.get("Effect") == "Allow"
                     and not s.get("Condition") for s in listed(doc["Statement"])
                     if isinstance(s, dict))
        if public and pab.get("BlockPublicPolicy") == "true":
            raise AwsError("AccessDenied", "User is not authorized to perform: "
                           "s3:PutBucketPolicy because public policies are blocked by the "
                           "BlockPublicPolicy block public access setting.", 403)
        self._set_config(ctx, params, "policy", params["_body"].decode("utf-8"))
        return {"_status": 204, "_headers": {}, "_body": b""}

    def GetBucketPolicy(self, ctx, params):
        doc = self._config(ctx, params, "policy", "NoSuchBucketPolicy",
                           "The bucket policy does not exist")
        return {"_status": 200, "_headers": {"Content-Type": "application/json"},
                "_body": doc.encode("utf-8")}

    def DeleteBucketPolicy(self, ctx, params):
        return self._drop_config(ctx, params, "policy")

    # -- lifecycle -----------------------------------------------------------------------

    def PutBucketLifecycleConfiguration(self, ctx, params):
        doc = parse_doc(params["_body"], "LifecycleConfiguration")
        rules = listed(doc.get("Rule"))
        if not rules or len(rules) > 1000:
            raise malformed()
        ids = set()
        for rule in rules:
            if not isinstance(rule, dict) or rule.get("Status") not in ("Enabled", "Disabled"):
                raise malformed()
            rid = rule.get("ID", "")
            if len(rid) > 255:
                raise AwsError("InvalidArgument", "ID length should not exceed allowed limit "
                               "of 255")
            if rid and rid in ids:
                raise AwsError("InvalidArgument", "Rule ID must be unique. Found same ID for "
                               "more than one rule")
            ids.add(rid)
            if "Filter" in rule and "Prefix" in rule:
                raise malformed()
            if not any(a in rule for a in LIFECYCLE_ACTIONS):
                raise AwsError("InvalidRequest", "At least one action needs to be specified "
                               "in a rule")
            days = (rule.get("Expiration") or {}) if isinstance(rule.get("Expiration"),
                                                                 dict) else {}
            if days.get("Days") not in (None, "") and int(days["Days"]) < 1:
                raise AwsError("InvalidArgument", "'Days' for Expiration action must be a "
                               "positive integer")
        self._set_config(ctx, params, "lifecycle", {"Rule": rules})
        return {}

    def GetBucketLifecycleConfiguration(self, ctx, params):
        doc = self._config(ctx, params, "lifecycle", "NoSuchLifecycleConfiguration",
                           "The lifecycle configuration does not exist")
        return {"LifecycleConfiguration": _xml_value(doc)}

    def DeleteBucketLifecycle(self, ctx, params):
        return self._drop_config(ctx, params, "lifecycle")

    # -- ownership controls --------------------------------------------------------------

    def PutBucketOwnershipControls(self, ctx, params):
        doc = parse_doc(params["_body"], "OwnershipControls")
        rules = listed(doc.get("Rule"))
        if len(rules) != 1 or not isinstance(rules[0], dict) or \
                rules[0].get("ObjectOwnership") not in OWNERSHIP:
            raise malformed()
        self._set_config(ctx, params, "ownership", rules[0]["ObjectOwnership"])
        return {}

    def GetBucketOwnershipControls(self, ctx, params):
        owner = self._config(ctx, params, "ownership", "OwnershipControlsNotFoundError",
                             "The bucket ownership controls were not found")
        return {"OwnershipControls": {"Rule": XmlFlat([{"ObjectOwnership": owner}])}}

    def DeleteBucketOwnershipControls(self, ctx, params):
        return self._drop_config(ctx, params, "ownership")

    # -- tagging -------------------------------------------------------------------------

    def PutBucketTagging(self, ctx, params):
        doc = parse_doc(params["_body"], "Tagging")
        tags = {}
        tag_set = doc.get("TagSet") if isinstance(doc.get("TagSet"), dict) else {}
        for t in listed(tag_set.get("Tag")):
            if not isinstance(t, dict) or not 1 <= len(t.get("Key", "")) <= 128 \
                    or len(t.get("Value", "")) > 256:
                raise AwsError("InvalidTag", "The TagKey you have provided is invalid")
            if t["Key"] in tags:
                raise AwsError("InvalidTag", "Cannot provide multiple Tags with the same key")
            if t["Key"].startswith("aws:"):
                raise AwsError("InvalidTag", "System tags cannot be added/updated by requester")
            tags[t["Key"]] = t.get("Value", "")
        if len(tags) > 50:
            raise AwsError("InvalidTag", "Object tags cannot be greater than 50")
        self._set_config(ctx, params, "tags", tags)
        return {"_status": 204, "_headers": {}, "_body": b""}

    def GetBucketTagging(self, ctx, params):
        tags = self._config(ctx, params, "tags", "NoSuchTagSet", "The TagSet does not exist")
        return {"Tagging": {"TagSet": {"Tag": XmlFlat([{"Key": k, "Value": v}
                                                      for k, v in sorted(tags.items())])}}}

    def DeleteBucketTagging(self, ctx, params):
        return self._drop_config(ctx, params, "tags")
