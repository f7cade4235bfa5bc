"""Request decoding and response encoding, one pair per protocol.

  ec2 / query  form body (or query string) -> nested dict; the result dict
               -> XML (ElementTree) with <item> (ec2) or <member> (query) lists
  json         JSON body as is; result dict -> JSON
  rest-xml     (S3, Route 53) method/path/query/headers/body handed to the service raw;
               decode_xml and encode_rest_xml for services with XML bodies
  rest-json    (Scheduler) handed to the service raw as rest-xml; result dict -> JSON;
               errors: x-amzn-ErrorType header and a {"Message"} body

Decoding rule for forms: `A.B=1` -> {"A": {"B": "1"}}; numeric segments make
lists (1-based); `member` and `entry` segments are dropped. Leaves stay
strings. Errors are rendered here in each protocol's own error document.
"""

import json
import re
import urllib.parse
import xml.etree.ElementTree as ET

from .core import AwsError


class XmlMap(dict):
    """A dict written as <entry><key>k</key><value>v</value></entry> items."""


class XmlFlat(list):
    """A list written flattened: the items repeat the parent key's element
    (<Attribute>..</Attribute><Attribute>..</Attribute>), no container."""


# ---------------------------------------------------------------- decoding

_NUM = re.compile(r"^[0-9]+$")
_DROPPED = ("member", "entry")


def _listify(node):
    if not isinstance(node, dict):
        return node
    for k in list(node):
        node[k] = _listify(node[k])
    if node and all(isinstance(k, int) for k in node):
        return [node[k] for k in sorted(node)]
    return node


def decode_form(pairs):
    """[(key, value), ...] -> nested params (see module comment)."""
    root = {}
    for key, value in pairs:
        segs = [s for s in key.split(".") if s not in _DROPPED]
        if not segs:
            continue
        node = root
        for i, seg in enumerate(segs):
            k = int(seg) if _NUM.match(seg) else seg
            if not isinstance(node, dict):
                raise AwsError("MalformedQueryString",
                               "Parameter %s conflicts with another parameter" % key)
            if i == len(segs) - 1:
                node[k] = value
            else:
                nxt = node.get(k)
                if nxt is None:
                    nxt = node[k] = {}
                node = nxt
    return _listify(root)


def parse_form_body(body, query_string=""):
    """Form parameters from the query string and an url-encoded body."""
    pairs = urllib.parse.parse_qsl(query_string, keep_blank_values=True)
    if body:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise AwsError("MalformedQueryString", "Request body is not valid UTF-8")
        pairs += urllib.parse.parse_qsl(text, keep_blank_values=True)
    return pairs


def decode_query(body, query_string):
    """-> (action, version, params) for the ec2 and query protocols."""
    params = decode_form(parse_form_body(body, query_string))
    action = params.pop("Action", None)
    version = params.pop("Version", None)
    return action, version, params


def decode_json(body):
    if not body:
        return {}
    try:
        obj = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise AwsError("SerializationException", "Start of structure or map found where not expected.")
    if not isinstance(obj, dict):
        raise AwsError("SerializationException", "Start of structure or map found where not expected.")
    return obj


# ---------------------------------------------------------------- encoding

def _scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _fill(parent, value, item_tag):
    if isinstance(value, XmlMap):
        for k, v in value.items():
            e = ET.SubElement(parent, "entry")
            ET.SubElement(e, "key").text = _scalar(k)
            _fill(ET.SubElement(e, "value"), v, item_tag)
    elif isinstance(value, dict):
        for k, v in value.items():
            if v is None:
                continue
            if isinstance(v, XmlFlat):
                for item in v:
                    _fill(ET.SubElement(parent, k), item, item_tag)
                continue
            _fill(ET.SubElement(parent, k), v, item_tag)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _fill(ET.SubElement(parent, item_tag), v, item_tag)
    elif value is not None:
        parent.text = _scalar(value)


def _xml(root):
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def encode_ec2(svc, action, result, request_id):
    root = ET.Element(action + "Response", xmlns=svc.xmlns)
    ET.SubElement(root, "requestId").text = request_id
    _fill(root, result or {}, "item")
    return _xml(root)


def encode_query(svc, action, result, request_id):
    root = ET.Element(action + "Response", xmlns=svc.xmlns)
    if result is not None:
        _fill(ET.SubElement(root, action + "Result"), result, "member")
    meta = ET.SubElement(root, "ResponseMetadata")
    ET.SubElement(meta, "RequestId").text = request_id
    return _xml(root)


def encode_json(result):
    return json.dumps(result if result is not None else {}).encode("utf-8")


def json_content_type(svc):
    return "application/x-amz-json-%s" % svc.json_version


def encode_rest_xml(result, xmlns):
    """A one-key dict {Root: {...}} -> a rest-xml document in the namespace xmlns."""
    (name, body), = result.items()
    root = ET.Element(name, xmlns=xmlns)
    _fill(root, body, "member")
    return _xml(root)


def encode_s3_xml(result):
    """A one-key dict {Root: {...}} -> S3 XML document."""
    return encode_rest_xml(result, "http://s3.amazonaws.com/doc/2006-03-01/")


def decode_xml(body, lists):
    """A rest-xml request body -> (root tag, nested dict); an element whose tag is in lists
    becomes the list of its children's values; repeated elements otherwise keep the last."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise AwsError("MalformedXML", "The XML you provided was not well-formed or did not "
                       "validate against our published schema.")

    def value(e):
        tag = e.tag.split("}", 1)[-1]
        if tag in lists:
            return [value(c) for c in e]
        if len(e) == 0:
            return e.text or ""
        return {c.tag.split("}", 1)[-1]: value(c) for c in e}
    return root.tag.split("}", 1)[-1], value(root)


# ---------------------------------------------------------------- errors

def encode_error(protocol, svc, err, request_id):
    """-> (status, headers, body) for an AwsError in the given protocol."""
    headers = {"x-amzn-RequestId": request_id}
    if protocol == "ec2":
        root = ET.Element("Response")
        e = ET.SubElement(ET.SubElement(root, "Errors"), "Error")
        ET.SubElement(e, "Code").text = err.code
        ET.SubElement(e, "Message").text = err.message
        ET.SubElement(root, "RequestID").text = request_id
        headers["Content-Type"] = "text/xml;charset=UTF-8"
        return err.status, headers, _xml(root)
    if protocol == "json":
        headers["Content-Type"] = json_content_type(svc) if svc else "application/x-amz-json-1.1"
        if svc is not None and (getattr(svc, "json_query_error", False) or svc.name == "sqs"):
            headers["x-amzn-query-error"] = "%s;%s" % (err.query_code or err.code,
                                                      "Sender" if err.sender else "Receiver")
        return err.status, headers, json.dumps({"__type": err.code, "message": err.message}).encode()
    if protocol == "rest-json":
        headers["Content-Type"] = "application/json"
        headers["x-amzn-ErrorType"] = err.code
        return err.status, headers, json.dumps({"Message": err.message}).encode()
    if protocol == "rest-xml" and svc is not None and getattr(svc, "error_response", False):
        root = ET.Element("ErrorResponse", xmlns=svc.xmlns)   # Route 53's form
        e = ET.SubElement(root, "Error")
        ET.SubElement(e, "Type").text = "Sender" if err.sender else "Receiver"
        ET.SubElement(e, "Code").text = err.code
        ET.SubElement(e, "Message").text = err.message
        ET.SubElement(root, "RequestId").text = request_id
        headers["Content-Type"] = "text/xml"
        return err.status, headers, _xml(root)
    if protocol == "rest-xml":
        root = ET.Element("Error")
        ET.SubElement(root, "Code").text = err.code
        ET.SubElement(root, "Message").text = err.message
        ET.SubElement(root, "RequestId").text = request_id
        headers["Content-Type"] = "application/xml"
        headers["x-amz-request-id"] = request_id
        return err.status, headers, _xml(root)
    # query (also the fallback when the service is not known yet)
    xmlns = svc.xmlns if svc is not None and svc.xmlns else None
    root = ET.Element("ErrorResponse", xmlns=xmlns) if xmlns else ET.Element("ErrorResponse")
    e = ET.SubElement(root, "Error")
    ET.SubElement(e, "Type").text = "Sender" if err.sender else "Receiver"
    ET.SubElement(e, "Code").text = err.query_code or err.code
    ET.SubElement(e, "Message").text = err.message
    ET.SubElement(root, "RequestId").text = request_id
    headers["Content-Type"] = "text/xml"
    return err.status, headers, _xml(root)


# ---------------------------------------------------------------- S3 routing

def s3_params(method, raw_path, query_string, headers, body):
    """rest-xml params: _method, _path ([bucket, key]), _bucket, _key,
    _query (dict of first values), _headers (lower-case), _body."""
    path = urllib.parse.unquote(raw_path)
    parts = path.lstrip("/").split("/", 1)
    bucket = parts[0]
    key = parts[1] if len(parts) > 1 else ""
    query = {}
    for k, v in urllib.parse.parse_qsl(query_string, keep_blank_values=True):
        query.setdefault(k, v)
    return {"_method": method, "_path": [bucket, key], "_bucket": bucket, "_key": key,
            "_query": query, "_headers": headers, "_body": body}


def s3_action(params):
    """Default S3 operation name for a REST request (a service may override
    it with a route(params) method)."""
    m, bucket, key, q = params["_method"], params["_bucket"], params["_key"], params["_query"]
    if not bucket:
        return "ListBuckets" if m == "GET" else None
    if not key:
        return {"GET": "ListObjectsV2" if q.get("list-type") == "2" else "ListObjects",
                "PUT": "CreateBucket", "DELETE": "DeleteBucket",
                "HEAD": "HeadBucket"}.get(m)
    return {"GET": "GetObject", "PUT": "PutObject", "DELETE": "DeleteObject",
            "HEAD": "HeadObject"}.get(m)
