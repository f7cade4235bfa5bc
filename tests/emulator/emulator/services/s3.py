"""S3 (rest-xml): buckets and objects for luaform's S3 state backend.

Buckets are one global namespace, each with its region; a request signed for another region
than the bucket's gets AuthorizationHeaderMalformed, as S3 answers. Objects keep their bytes
base64-encoded in the store (JSON-serialisable), an MD5 ETag (quoted), content type,
user metadata and server-side-encryption setting: only the one the PutObject asked for
(x-amz-server-side-encryption), as in a bucket without default encryption, so a client that
does not ask gets no encryption and tests can tell the difference.
Conditional writes: If-None-Match: * fails with 412 PreconditionFailed when the key exists,
If-Match fails when the ETag differs (NoSuchKey when there is no object). Reads honour
If-Match / If-None-Match (412 / 304). Both path-style and virtual-host-style addressing
(BUCKET.s3[.REGION].amazonaws.com, BUCKET.localhost) are routed.
Bucket subresources (?versioning, ?policy, ...) live in the mixin _s3_config. In a bucket with
versioning Enabled a PutObject keeps the replaced object as a noncurrent version and a
DeleteObject leaves a delete marker; both stay in bucket["history"] (ListObjectVersions,
DeleteObject?versionId, DeleteObjects) and keep the bucket from being deleted, as in S3.
"""
import base64
import os
import email.utils
import hashlib
import re
import xml.etree.ElementTree as ET

from ..core import AwsError, Service
from ..wire import XmlFlat, s3_action
from ._common import iso8601_ms
from ._s3_config import BucketConfigMixin, listed, malformed, parse_doc

BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
IP_LIKE = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
VHOST = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]*)\.(?:s3[.-][a-z0-9.-]*amazonaws\.com|"
                   r"s3\.amazonaws\.com|localhost)$")
SSE = ("AES256", "aws:kms", "aws:kms:dsse")
NS = "http://s3.amazonaws.com/doc/2006-03-01/"


def _version_id():
    """An S3-style version id (32 URL-safe characters)."""
    return base64.urlsafe_b64encode(os.urandom(24)).decode()


def _http_date(ts):
    return email.utils.formatdate(ts, usegmt=True)


def _xml(root_name, children):
    root = ET.Element(root_name, xmlns=NS)
    for name, value in children:
        if isinstance(value, list):
            el = ET.SubElement(root, name)
            for sub_name, sub_value in value:
                ET.SubElement(el, sub_name).text = str(sub_value)
        elif value is not None:
            ET.SubElement(root, name).text = str(value)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


class S3(BucketConfigMixin, Service):
    name = "s3"
    protocol = "rest-xml"
    api_version = None
    xmlns = NS
    throttle_code = "SlowDown"

    def __init__(self, store):
        super().__init__(store)
        self.store.setdefault("buckets", {})

    def is_mutating(self, action):
        return action.startswith(("Create", "Delete", "Put"))

    def route(self, params):
        """Virtual-host style: the bucket comes from the Host header, the key is the path."""
        host = (params["_headers"].get("host") or "").rsplit(":", 1)[0].lower()
        m = VHOST.match(host)
        if m:
            path = params["_path"]
            key = "/".join(p for p in path if p) if path[1] else path[0]
            params["_bucket"] = m.group("bucket")
            params["_key"] = key
            params["_path"] = [params["_bucket"], key]
        if params["_bucket"] and not params["_key"]:
            sub = self.route_subresource(params)
            if sub:
                return sub
        return s3_action(params)

    # -- buckets -------------------------------------------------------------------------

    def _bucket(self, ctx, params):
        name = params["_bucket"]
        bucket = self.store["buckets"].get(name)
        if bucket is None or not ctx.visible(bucket["created"]):
            raise AwsError("NoSuchBucket", "The specified bucket does not exist", 404)
        if bucket["region"] != ctx.region:
            raise AwsError("AuthorizationHeaderMalformed", "The authorization header is "
                           "malformed; the region '%s' is wrong; expecting '%s'"
                           % (ctx.region, bucket["region"]))
        return bucket

    def CreateBucket(self, ctx, params):
        name = params["_bucket"]
        if not BUCKET_NAME.match(name) or ".." in name or IP_LIKE.match(name):
            raise AwsError("InvalidBucketName", "The specified bucket is not valid.")
        constraint = None
        body = params["_body"]
        if body.strip():
            try:
                root = ET.fromstring(body)
            except ET.ParseError:
                raise AwsError("MalformedXML", "The XML you provided was not well-formed or did "
                               "not validate against our published schema")
            for el in root.iter():
                if el.tag.split("}")[-1] == "LocationConstraint":
                    constraint = (el.text or "").strip() or None
        if ctx.region == "us-east-1":
            if constraint not in (None, "us-east-1"):
                raise AwsError("IllegalLocationConstraintException", "The %s location "
                               "constraint is incompatible for the region specific endpoint "
                               "this request was sent to." % constraint)
        elif constraint is None:
            raise AwsError("IllegalLocationConstraintException", "The unspecified location "
                           "constraint is incompatible for the region specific endpoint this "
                           "request was sent to.")
        elif constraint != ctx.region:
            raise AwsError("IllegalLocationConstraintException", "The %s location constraint "
                           "is incompatible for the region specific endpoint this request was "
                           "sent to." % constraint)
        existing = self.store["buckets"].get(name)
        if existing is not None:
            if existing["region"] == "us-east-1" and ctx.region == "us-east-1":
                return {"_status": 200, "_headers": {"Location": "/" + name}, "_body": b""}
            raise AwsError("BucketAlreadyOwnedByYou", "Your previous request to create the "
                           "named bucket succeeded and you already own it.", 409)
        self.store["buckets"][name] = {"region": ctx.region, "created": ctx.now(), "objects": {},
                                       "history": {},
                                       "config": {"ownership": "BucketOwnerEnforced"}}
        return {"_status": 200, "_headers": {"Location": "/" + name}, "_body": b""}

    def HeadBucket(self, ctx, params):
        bucket = self._bucket(ctx, params)
        return {"_status": 200, "_headers": {"x-amz-bucket-region": bucket["region"]},
                "_body": b""}

    def DeleteBucket(self, ctx, params):
        bucket = self._bucket(ctx, params)
        if bucket["objects"] or any(bucket.get("history", {}).values()):
            raise AwsError("BucketNotEmpty", "The bucket you tried to delete is not empty", 409)
        del self.store["buckets"][params["_bucket"]]
        return {"_status": 204, "_headers": {}, "_body": b""}

    def ListBuckets(self, ctx, params):
        root = ET.Element("ListAllMyBucketsResult", xmlns=NS)
        owner = ET.SubElement(root, "Owner")
        ET.SubElement(owner, "ID").text = hashlib.sha256(ctx.account_id.encode()).hexdigest()
        buckets = ET.SubElement(root, "Buckets")
        for name, b in sorted(self.store["buckets"].items()):
            el = ET.SubElement(buckets, "Bucket")
            ET.SubElement(el, "Name").text = name
            ET.SubElement(el, "CreationDate").text = iso8601_ms(b["created"])
        body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
        return {"_status": 200, "_headers": {"Content-Type": "application/xml"}, "_body": body}

    # -- objects -------------------------------------------------------------------------

    def _object_headers(self, obj):
        headers = {"ETag": obj["etag"], "Last-Modified": _http_date(obj["modified"]),
                   "Content-Type": obj["content_type"], "Accept-Ranges": "bytes"}
        if obj.get("sse"):
            headers["x-amz-server-side-encryption"] = obj["sse"]
        if obj.get("version"):
            headers["x-amz-version-id"] = obj["version"]
        if obj.get("kms_key"):
            headers["x-amz-server-side-encryption-aws-kms-key-id"] = obj["kms_key"]
        for k, v in obj["meta"].items():
            headers["x-amz-meta-" + k] = v
        return headers

    def _read_conditions(self, headers, obj):
        if_match = headers.get("if-match")
        if if_match is not None and if_match not in ("*", obj["etag"]) \
                and if_match.strip('"') != obj["etag"].strip('"'):
            raise AwsError("PreconditionFailed", "At least one of the pre-conditions you "
                           "specified did not hold", 412)
        if_none = headers.get("if-none-match")
        if if_none is not None and (if_none == "*" or if_none.strip('"') == obj["etag"].strip('"')):
            return {"_status": 304, "_headers": {"ETag": obj["etag"]}, "_body": b""}
        return None

    def _object(self, ctx, params):
        bucket = self._bucket(ctx, params)
        obj = bucket["objects"].get(params["_key"])
        if obj is None:
            raise AwsError("NoSuchKey", "The specified key does not exist.", 404)
        return obj

    def PutObject(self, ctx, params):
        bucket = self._bucket(ctx, params)
        headers = params["_headers"]
        key = params["_key"]
        if len(key.encode()) > 1024:
            raise AwsError("KeyTooLongError", "Your key is too long")
        body = params["_body"]
        if "x-amz-copy-source" in headers:
            raise AwsError("NotImplemented", "CopyObject is not implemented by the emulator.", 501)
        md5 = hashlib.md5(body)
        if "content-md5" in headers:
            try:
                sent = base64.b64decode(headers["content-md5"], validate=True)
            except ValueError:
                raise AwsError("InvalidDigest", "The Content-MD5 you specified was invalid.")
            if sent != md5.digest():
                raise AwsError("BadDigest", "The Content-MD5 you specified did not match what "
                               "we received.")
        sse = headers.get("x-amz-server-side-encryption")
        if sse is not None and sse not in SSE:
            raise AwsError("InvalidArgument", "The encryption method specified is not supported")
        existing = bucket["objects"].get(key)
        if_none = headers.get("if-none-match")
        if if_none is not None:
            if if_none != "*":
                raise AwsError("NotImplemented", "A header you provided implies functionality "
                               "that is not implemented", 501)
            if existing is not None:
                raise AwsError("PreconditionFailed", "At least one of the pre-conditions you "
                               "specified did not hold", 412)
        if_match = headers.get("if-match")
        if if_match is not None:
            if existing is None:
                raise AwsError("NoSuchKey", "The specified key does not exist.", 404)
            if if_match.strip('"') != existing["etag"].strip('"'):
                raise AwsError("PreconditionFailed", "At least one of the pre-conditions you "
                               "specified did not hold", 412)
        obj = {
            "data": base64.b64encode(body).decode(), "size": len(body),
            "etag": '"%s"' % md5.hexdigest(), "modified": ctx.now(),
            "content_type": headers.get("content-type", "binary/octet-stream"),
            "meta": {k[len("x-amz-meta-"):]: v for k, v in headers.items()
                     if k.startswith("x-amz-meta-")},
            "sse": sse, "kms_key": headers.get("x-amz-server-side-encryption-aws-kms-key-id"),
        }
        if sse and sse.startswith("aws:kms") and not obj["kms_key"]:
            obj["kms_key"] = "arn:aws:kms:%s:%s:alias/aws/s3" % (ctx.region, ctx.account_id)
        if bucket.get("versioning") == "Enabled":
            obj["version"] = _version_id()
            if existing is not None:
                self._keep_noncurrent(bucket, key, existing)
        elif existing is not None and existing.get("version"):
            self._keep_noncurrent(bucket, key, existing)
        bucket["objects"][key] = obj
        out = {"ETag": obj["etag"]}
        if obj.get("version"):
            out["x-amz-version-id"] = obj["version"]
        if sse:
            out["x-amz-server-side-encryption"] = sse
        if obj["kms_key"]:
            out["x-amz-server-side-encryption-aws-kms-key-id"] = obj["kms_key"]
        return {"_status": 200, "_headers": out, "_body": b""}

    def GetObject(self, ctx, params):
        obj = self._object(ctx, params)
        short = self._read_conditions(params["_headers"], obj)
        if short:
            return short
        data = base64.b64decode(obj["data"])
        headers = self._object_headers(obj)
        status = 200
        rng = params["_headers"].get("range")
        if rng:
            m = re.match(r"^bytes=(\d*)-(\d*)$", rng.strip())
            if m and (m.group(1) or m.group(2)):
                size = len(data)
                if m.group(1):
                    start = int(m.group(1))
                    end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                else:
                    start, end = max(size - int(m.group(2)), 0), size - 1
                if start >= size or start > end:
                    raise AwsError("InvalidRange", "The requested range is not satisfiable", 416)
                data = data[start:end + 1]
                headers["Content-Range"] = "bytes %d-%d/%d" % (start, end, size)
                status = 206
        headers["Content-Length"] = str(len(data))
        return {"_status": status, "_headers": headers, "_body": data}

    def HeadObject(self, ctx, params):
        obj = self._object(ctx, params)
        short = self._read_conditions(params["_headers"], obj)
        if short:
            return short
        headers = self._object_headers(obj)
        headers["Content-Length"] = str(obj["size"])
        return {"_status": 200, "_headers": headers, "_body": b""}

    @staticmethod
    def _keep_noncurrent(bucket, key, obj):
        bucket.setdefault("history", {}).setdefault(key, []).append(obj)

    def _delete_one(self, ctx, bucket, key, version):
        """Deletes a key (or one version of it); the headers S3 answers with."""
        history = bucket.setdefault("history", {})
        if version:
            current = bucket["objects"].get(key)
            if current is not None and current.get("version") == version:
                del bucket["objects"][key]
            else:
                kept = history.get(key, [])
                if not any(v.get("version") == version for v in kept) and version != "null":
                    raise AwsError("InvalidArgument", "Invalid version id specified")
                history[key] = [v for v in kept if v.get("version") != version]
            return {"x-amz-version-id": version}
        if bucket.get("versioning") == "Enabled":
            current = bucket["objects"].pop(key, None)
            if current is not None:
                self._keep_noncurrent(bucket, key, current)
            marker = {"version": _version_id(), "marker": True, "modified": ctx.now()}
            self._keep_noncurrent(bucket, key, marker)
            return {"x-amz-delete-marker": "true", "x-amz-version-id": marker["version"]}
        bucket["objects"].pop(key, None)
        return {}

    def DeleteObject(self, ctx, params):
        bucket = self._bucket(ctx, params)
        headers = self._delete_one(ctx, bucket, params["_key"], params["_query"].get("versionId"))
        return {"_status": 204, "_headers": headers, "_body": b""}

    def DeleteObjects(self, ctx, params):
        bucket = self._bucket(ctx, params)
        doc = parse_doc(params["_body"], "Delete")
        entries = listed(doc.get("Object"))
        if not entries or len(entries) > 1000:
            raise malformed()
        deleted, errors = [], []
        for e in entries:
            if not isinstance(e, dict) or not e.get("Key"):
                raise malformed()
            try:
                out = self._delete_one(ctx, bucket, e["Key"], e.get("VersionId"))
            except AwsError as err:
                errors.append({"Key": e["Key"], "VersionId": e.get("VersionId"),
                               "Code": err.code, "Message": err.message})
                continue
            item = {"Key": e["Key"], "VersionId": e.get("VersionId")}
            if out.get("x-amz-delete-marker"):
                item.update(DeleteMarker="true", DeleteMarkerVersionId=out["x-amz-version-id"])
            deleted.append(item)
        quiet = doc.get("Quiet") == "true"
        return {"DeleteResult": {"Deleted": XmlFlat([] if quiet else deleted),
                                 "Error": XmlFlat(errors)}}

    def ListObjectVersions(self, ctx, params):
        bucket = self._bucket(ctx, params)
        q = params["_query"]
        prefix = q.get("prefix", "")
        try:
            max_keys = min(int(q.get("max-keys", "1000")), 1000)
        except ValueError:
            raise AwsError("InvalidArgument", "Provided max-keys not an integer or within "
                           "integer range")
        rows = []
        keys = set(bucket["objects"]) | set(bucket.get("history", {}))
        for key in sorted(k for k in keys if k.startswith(prefix)):
            current = bucket["objects"].get(key)
            older = list(reversed(bucket.get("history", {}).get(key, [])))
            for i, v in enumerate(([current] if current else []) + older):
                rows.append((key, v, i == 0 and (current is not None or v.get("marker"))))
        marker_key = q.get("key-marker", "")
        marker_version = q.get("version-id-marker", "")
        if marker_key:
            at = next((i for i, (k, v, _) in enumerate(rows) if k == marker_key and
                       (v.get("version") or "null") == marker_version), None)
            rows = rows[at + 1:] if at is not None else [r for r in rows if r[0] > marker_key]
        page, rest = rows[:max_keys], rows[max_keys:]
        versions, markers = [], []
        for key, v, latest in page:
            item = {"Key": key, "VersionId": v.get("version") or "null",
                    "IsLatest": "true" if latest else "false",
                    "LastModified": iso8601_ms(v["modified"])}
            if v.get("marker"):
                markers.append(item)
            else:
                item.update(ETag=v["etag"], Size=v["size"], StorageClass="STANDARD")
                versions.append(item)
        out = {"Name": params["_bucket"], "Prefix": prefix, "MaxKeys": max_keys,
               "IsTruncated": "true" if rest else "false",
               "Version": XmlFlat(versions), "DeleteMarker": XmlFlat(markers)}
        if rest:
            out["NextKeyMarker"] = page[-1][0]
            out["NextVersionIdMarker"] = page[-1][1].get("version") or "null"
        return {"ListVersionsResult": out}

    def ListObjectsV2(self, ctx, params):
        bucket = self._bucket(ctx, params)
        q = params["_query"]
        prefix = q.get("prefix", "")
        delimiter = q.get("delimiter") or None
        try:
            max_keys = int(q.get("max-keys", "1000"))
        except ValueError:
            raise AwsError("InvalidArgument", "Provided max-keys not an integer or within "
                           "integer range")
        if max_keys < 0:
            raise AwsError("InvalidArgument", "Argument maxKeys must be an integer between 0 "
                           "and 2147483647")
        max_keys = min(max_keys, 1000)
        token = q.get("continuation-token")
        start_after = q.get("start-after", "")
        after = start_after
        if token is not None:
            try:
                after = base64.urlsafe_b64decode(token.encode()).decode()
            except (ValueError, UnicodeDecodeError):
                raise AwsError("InvalidArgument", "The continuation token provided is incorrect")
        entries, prefixes, seen = [], [], set()
        truncated, last = False, None
        for key in sorted(bucket["objects"]):
            if not key.startswith(prefix) or key <= after:
                continue
            if delimiter:
                cut = key.find(delimiter, len(prefix))
                if cut >= 0:
                    cp = key[:cut + len(delimiter)]
                    if cp in seen:
                        continue
                    if len(entries) + len(prefixes) >= max_keys:
                        truncated = True
                        break
                    seen.add(cp)
                    prefixes.append(cp)
                    last = key if not cp else cp + "\uffff"
                    continue
            if len(entries) + len(prefixes) >= max_keys:
                truncated = True
                break
            entries.append(key)
            last = key
        children = [("Name", params["_bucket"]), ("Prefix", prefix)]
        if delimiter:
            children.append(("Delimiter", delimiter))
        children += [("MaxKeys", max_keys), ("KeyCount", len(entries) + len(prefixes)),
                     ("IsTruncated", "true" if truncated else "false")]
        if token is not None:
            children.append(("ContinuationToken", token))
        if truncated and last is not None:
            children.append(("NextContinuationToken",
                             base64.urlsafe_b64encode(last.encode()).decode()))
        if start_after:
            children.append(("StartAfter", start_after))
        for key in entries:
            obj = bucket["objects"][key]
            children.append(("Contents", [("Key", key), ("LastModified",
                                                         iso8601_ms(obj["modified"])),
                                          ("ETag", obj["etag"]), ("Size", obj["size"]),
                                          ("StorageClass", "STANDARD")]))
        for cp in prefixes:
            children.append(("CommonPrefixes", [("Prefix", cp)]))
        return {"_status": 200, "_headers": {"Content-Type": "application/xml"},
                "_body": _xml("ListBucketResult", children)}

    def inventory(self):
        buckets, objects = [], []
        for name, b in sorted(self.store["buckets"].items()):
            buckets.append({"id": name, "region": b["region"], "objects": len(b["objects"])})
            for key, obj in sorted(b["objects"].items()):
                objects.append({"id": "%s/%s" % (name, key), "bucket": name, "key": key,
                                "size": obj["size"], "etag": obj["etag"], "sse": obj["sse"]})
        return {"bucket": buckets, "object": objects}
