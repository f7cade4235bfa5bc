"""AWS Signature Version 4 verification (from the AWS SigV4 documentation).

The server recomputes the signature from the request as received:
canonical request (method, canonical URI, canonical query, signed headers,
payload hash) -> string to sign -> HMAC chain of the secret over date,
region, service, "aws4_request". Accepts the Authorization header and the
presigned-URL query form (X-Amz-Algorithm...). Never logs secrets.
"""

import calendar
import hashlib
import hmac
import re
import time
import urllib.parse

from .core import AwsError

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = 15 * 60
UNSIGNED = "UNSIGNED-PAYLOAD"


class Auth:
    """Parsed SigV4 authorization: who, for which service and region."""

    def __init__(self, access_key, date, region, service, signed_headers, signature,
                 amz_date, presigned=False, expires=None):
        self.access_key = access_key
        self.date = date
        self.region = region
        self.service = service
        self.signed_headers = signed_headers
        self.signature = signature
        self.amz_date = amz_date
        self.presigned = presigned
        self.expires = expires

    @property
    def scope(self):
        return "%s/%s/%s/aws4_request" % (self.date, self.region, self.service)


_AUTH_RE = re.compile(r"^AWS4-HMAC-SHA256\s+(.*)$")


def _missing():
    return AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)


def _incomplete(msg):
    return AwsError("IncompleteSignature", msg, 403)


def _parse_credential(cred):
    parts = cred.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise _incomplete("Credential should be scoped to a valid region, service and "
                          "terminated by aws4_request.")
    return parts


def parse(headers, query):
    """headers: lower-case dict; query: dict of first values. -> Auth.
    Raises MissingAuthenticationToken / IncompleteSignature."""
    if "X-Amz-Algorithm" in query:
        if query["X-Amz-Algorithm"] != ALGORITHM:
            raise _incomplete("Unsupported algorithm")
        try:
            ak, date, region, service, _ = _parse_credential(query["X-Amz-Credential"])
            return Auth(ak, date, region, service,
                        query["X-Amz-SignedHeaders"].split(";"), query["X-Amz-Signature"],
                        query["X-Amz-Date"], presigned=True,
                        expires=int(query.get("X-Amz-Expires", "604800")))
        except (KeyError, ValueError):
            raise _incomplete("Presigned URL is missing a SigV4 parameter")
    value = headers.get("authorization")
    if not value:
        raise _missing()
    m = _AUTH_RE.match(value.strip())
    if not m:
        raise _incomplete("Authorization header requires the AWS4-HMAC-SHA256 algorithm")
    fields = {}
    for part in m.group(1).split(","):
        k, sep, v = part.strip().partition("=")
        if sep:
            fields[k] = v
    for k in ("Credential", "SignedHeaders", "Signature"):
        if k not in fields:
            raise _incomplete("Authorization header requires '%s' parameter." % k)
    ak, date, region, service, _ = _parse_credential(fields["Credential"])
    amz_date = headers.get("x-amz-date")
    if not amz_date:
        raise _incomplete("Authorization header requires existence of either a "
                          "'X-Amz-Date' or a 'Date' header.")
    return Auth(ak, date, region, service, fields["SignedHeaders"].split(";"),
                fields["Signature"], amz_date)


def uri_encode(s, keep_slash=False):
    safe = "-_.~" + ("/" if keep_slash else "")
    return urllib.parse.quote(s, safe=safe)


def canonical_uri(raw_path, service):
    """S3 signs the path as sent; other services encode it once more."""
    path = raw_path or "/"
    if service == "s3":
        return path
    return uri_encode(path, keep_slash=True)


def canonical_query(raw_query, presigned):
    pairs = urllib.parse.parse_qsl(raw_query, keep_blank_values=True)
    enc = sorted((uri_encode(k), uri_encode(v)) for k, v in pairs
                 if not (presigned and k == "X-Amz-Signature"))
    return "&".join("%s=%s" % kv for kv in enc)


def canonical_headers(header_lists, signed):
    """header_lists: lower-case name -> [values]."""
    lines = []
    for name in signed:
        values = header_lists.get(name)
        if values is None:
            raise AwsError("SignatureDoesNotMatch",
                           "Signed header '%s' is missing from the request" % name, 403)
        joined = ",".join(" ".join(v.split()) for v in values)
        lines.append("%s:%s\n" % (name, joined))
    return "".join(lines)


def signing_key(secret, date, region, service):
    k = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


def parse_amz_date(s):
    try:
        return calendar.timegm(time.strptime(s, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        raise _incomplete("Date must be in ISO-8601 'basic format'. Got '%s'." % s)


def payload_hash(auth, headers, body):
    declared = headers.get("x-amz-content-sha256")
    actual = hashlib.sha256(body).hexdigest()
    if auth.presigned:
        return UNSIGNED if auth.service == "s3" else actual
    if auth.service == "s3":
        if declared is None:
            raise AwsError("InvalidRequest", "Missing required header for this request: "
                           "x-amz-content-sha256", 400)
        if declared == UNSIGNED:
            return declared
        if declared != actual:
            raise AwsError("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' "
                           "header does not match what was computed.", 400)
        return declared
    return actual


def string_to_sign(auth, method, raw_path, raw_query, header_lists, phash):
    creq = "\n".join([method, canonical_uri(raw_path, auth.service),
                      canonical_query(raw_query, auth.presigned),
                      canonical_headers(header_lists, auth.signed_headers),
                      ";".join(auth.signed_headers), phash])
    return "\n".join([ALGORITHM, auth.amz_date, auth.scope,
                      hashlib.sha256(creq.encode()).hexdigest()])


def verify(auth, secret, method, raw_path, raw_query, header_lists, body, now=None):
    """Raises AwsError unless the signature is valid and fresh.
    Codes are the query/ec2 ones; the caller maps them per protocol."""
    now = time.time() if now is None else now
    if "host" not in auth.signed_headers:
        raise AwsError("SignatureDoesNotMatch", "'Host' must be a signed header", 403)
    t = parse_amz_date(auth.amz_date)
    if auth.amz_date[:8] != auth.date:
        raise AwsError("SignatureDoesNotMatch", "Credential should be scoped to a valid date, "
                       "not %s; the request date is %s" % (auth.date, auth.amz_date[:8]), 403)
    if auth.presigned:
        if now > t + auth.expires:
            raise AwsError("AccessDenied", "Request has expired", 403)
    elif abs(now - t) > MAX_SKEW:
        raise AwsError("RequestExpired", "Request has expired. Timestamp date is %s"
                       % auth.amz_date, 403)
    headers_flat = {k: v[0] for k, v in header_lists.items()}
    phash = payload_hash(auth, headers_flat, body)
    sts = string_to_sign(auth, method, raw_path, raw_query, header_lists, phash)
    expect = hmac.new(signing_key(secret, auth.date, auth.region, auth.service),
                      sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expect, auth.signature):
        raise AwsError("SignatureDoesNotMatch",
                       "The request signature we calculated does not match the signature "
                       "you provided. Check your AWS Secret Access Key and signing method. "
                       "Consult the service documentation for details.", 403)
