"""A tiny AWS client for the emulator's tests: SigV4 signing (written from
the AWS documentation, independent of both the engine and the emulator's
verifier), query/ec2 and json calls, raw requests, XML made easy to assert
on, and helpers to start an emulator in-process or as a subprocess.

    emu = start_server(nat_delay_ms=0)          # in-process, port 0
    c = Client(emu.url)
    r = c.call_query("ec2", "CreateVpc", {"CidrBlock": "10.0.0.0/16"})
    r.status, r.xml.findtext("vpc/vpcId"), r.error_code
    c.call_json("ecs", "AmazonEC2ContainerServiceV20141113.CreateCluster", {...}).json
    emu.stop()                                  # or: with start_server() as emu: ...

Test classes derive from EmulatorCase (one server per class, reset before each
test if `reset`) or FreshEmulatorCase (one server per test).
"""

import datetime
import hashlib
import hmac
import http.client
import json
import os
import subprocess
import sys
import threading
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ACCESS_KEY = "AKIAEMULATOR00000000"
SECRET_KEY = "emulator-secret-key"

# body of S3 CreateBucket in the tests' region
BUCKET_CONF = (b'<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
               b'<LocationConstraint>ap-northeast-2</LocationConstraint></CreateBucketConfiguration>')

API_VERSIONS = {
    "ec2": "2016-11-15", "elasticloadbalancing": "2015-12-01", "iam": "2010-05-08",
    "sts": "2011-06-15", "sns": "2010-03-31", "sqs": "2012-11-05",
}


# ---------------------------------------------------------------- signing

def stale(minutes):
    """A signing time `minutes` in the past."""
    return datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=minutes)


def _hmac(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def _enc(s):
    return urllib.parse.quote(s, safe="-_.~")


def sign(method, path, query, headers, body, service, region, access_key, secret_key,
         session_token=None, when=None):
    """Adds X-Amz-Date, (X-Amz-Security-Token), Authorization to `headers`
    (a dict including Host). path: as sent (already URL-encoded)."""
    when = when or datetime.datetime.now(datetime.timezone.utc)
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    headers["X-Amz-Date"] = amz_date
    if session_token:
        headers["X-Amz-Security-Token"] = session_token
    payload = hashlib.sha256(body).hexdigest()
    if service == "s3":
        headers["x-amz-content-sha256"] = payload
        uri = path
    else:
        uri = urllib.parse.quote(path, safe="/-_.~")
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    cquery = "&".join("%s=%s" % kv for kv in sorted((_enc(k), _enc(v)) for k, v in pairs))
    lower = {k.lower(): " ".join(str(v).split()) for k, v in headers.items()}
    names = sorted(lower)
    cheaders = "".join("%s:%s\n" % (n, lower[n]) for n in names)
    signed = ";".join(names)
    creq = "\n".join([method, uri, cquery, cheaders, signed, payload])
    scope = "%s/%s/%s/aws4_request" % (date, region, service)
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                     hashlib.sha256(creq.encode("utf-8")).hexdigest()])
    key = _hmac(("AWS4" + secret_key).encode("utf-8"), date)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    sig = hmac.new(key, sts.encode("utf-8"), hashlib.sha256).hexdigest()
    headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        access_key, scope, signed, sig)
    return headers


# ---------------------------------------------------------------- responses

def strip_ns(elem):
    for e in elem.iter():
        if isinstance(e.tag, str) and "}" in e.tag:
            e.tag = e.tag.split("}", 1)[1]
    return elem


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers            # lower-case names
        self.body = body
        self._xml = None

    @property
    def xml(self):
        """Parsed XML with namespaces stripped: r.xml.findtext('vpc/vpcId')."""
        if self._xml is None:
            self._xml = strip_ns(ET.fromstring(self.body))
        return self._xml

    @property
    def json(self):
        return json.loads(self.body.decode("utf-8")) if self.body else {}

    @property
    def error_code(self):
        """AWS error code of a failed call, whatever the protocol; None if ok."""
        if self.status < 300:
            return None
        ctype = self.headers.get("content-type", "")
        if "json" in ctype:
            t = self.json.get("__type", "")
            return t.rsplit("#", 1)[-1]
        if not self.body:
            return None
        return self.xml.findtext(".//Code")

    def items(self, path):
        """Texts or elements of a list: r.items('vpcSet/item')."""
        return self.xml.findall(path)

    def __repr__(self):
        return "<Response %d %s>" % (self.status, self.body[:300])


def flatten(params, prefix=""):
    """Nested dict/list -> query form pairs: lists number from 1."""
    out = []
    if isinstance(params, dict):
        for k, v in params.items():
            out += flatten(v, "%s.%s" % (prefix, k) if prefix else k)
    elif isinstance(params, (list, tuple)):
        for i, v in enumerate(params, 1):
            out += flatten(v, "%s.%d" % (prefix, i))
    elif isinstance(params, bool):
        out.append((prefix, "true" if params else "false"))
    elif params is not None:
        out.append((prefix, str(params)))
    return out


def query_pages(call, params, items, next_token, token_param):
    """Follows a query-protocol list call to its last page. call(params) -> Response;
    items: path of the listed values; next_token: path of the token for the next page,
    sent back as token_param. -> (every value in order, number of pages)."""
    seen, token, pages = [], None, 0
    while True:
        r = call(dict(params, **{token_param: token}) if token else dict(params))
        seen += [e.text for e in r.items(items)]
        pages += 1
        token = r.xml.findtext(next_token)
        if not token:
            return seen, pages


# ---------------------------------------------------------------- client

class Client:
    def __init__(self, url, access_key=ACCESS_KEY, secret_key=SECRET_KEY,
                 region="ap-northeast-2", session_token=None, timeout=10):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port
        self.access_key, self.secret_key = access_key, secret_key
        self.region, self.session_token, self.timeout = region, session_token, timeout

    def raw(self, method, path, body=b"", headers=None, service=None, query="",
            sign_request=True, when=None, tamper=None, secret_key=None):
        """One HTTP exchange. tamper(headers, body) -> body is applied after
        signing (to test signature checks)."""
        headers = dict(headers or {})
        headers.setdefault("Host", "%s:%d" % (self.host, self.port))
        if isinstance(body, str):
            body = body.encode("utf-8")
        if sign_request:
            sign(method, path, query, headers, body, service, self.region, self.access_key,
                 secret_key or self.secret_key, self.session_token, when)
        if tamper:
            body = tamper(headers, body)
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.putrequest(method, path + ("?" + query if query else ""),
                            skip_host=True, skip_accept_encoding=True)
            for k, v in headers.items():
                conn.putheader(k, v)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            r = conn.getresponse()
            data = r.read()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        finally:
            conn.close()

    def call_query(self, service, action, params=None, version=None, **kw):
        """ec2/query protocol call; params nested (see flatten) or flat."""
        pairs = [("Action", action), ("Version", version or API_VERSIONS[service])]
        pairs += flatten(params or {})
        body = urllib.parse.urlencode(pairs)
        return self.raw("POST", "/", body, {"Content-Type": "application/x-www-form-urlencoded; "
                                                            "charset=utf-8"}, service, **kw)

    def call_json(self, service, target, body=None, json_version="1.1", **kw):
        data = json.dumps(body if body is not None else {})
        return self.raw("POST", "/", data, {"Content-Type": "application/x-amz-json-%s" % json_version,
                                            "X-Amz-Target": target}, service, **kw)


# ---------------------------------------------------------------- servers

class InProcess:
    """An emulator in a thread of this process (port 0)."""

    def __init__(self, **options):
        sys.path.insert(0, HERE)
        import server
        self.httpd, self.emulator = server.make_server(**options)
        host, port = self.httpd.server_address[:2]
        self.url = "http://%s:%d" % (host, port)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def client(self, **kw):
        return Client(self.url, access_key=self.emulator.config.access_key,
                      secret_key=self.emulator.config.secret_key, **kw)

    def admin(self, method, route, body=None):
        u = urllib.parse.urlparse(self.url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        try:
            data = json.dumps(body).encode() if body is not None else b""
            conn.request(method, "/_emulator/" + route, data)
            r = conn.getresponse()
            return r.status, json.loads(r.read() or b"{}")
        finally:
            conn.close()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    # `with spawn_server(...) as p:` stops the server however the block ends
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_server(**options):
    return InProcess(**options)


class Subprocess(InProcess):
    """python3 server.py as a child process; reads its URL line."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"),
                                      "--port", "0"] + list(args),
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        self.creds_line = self.proc.stdout.readline().strip()
        prefix = "luaform-emulator listening on "
        if not line.startswith(prefix):
            self.proc.kill()
            raise RuntimeError("emulator did not start: %r" % line)
        self.url = line[len(prefix):]

    def credentials(self):
        """(access key, secret key) from the server's second line."""
        fields = dict(f.split("=", 1) for f in self.creds_line.split())
        return fields["access_key"], fields["secret_key"]

    def client(self, **kw):
        access_key, secret_key = self.credentials()
        return Client(self.url, access_key=access_key, secret_key=secret_key, **kw)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def spawn_server(*args):
    return Subprocess(*args)


# ---------------------------------------------------------------- test cases

class EmulatorCase(unittest.TestCase):
    """One in-process emulator for the class: self.emu, self.c (its client).
    server_options go to start_server, client_options to emu.client();
    reset = True empties the account before each test."""

    server_options = {}
    client_options = {}
    reset = False

    @classmethod
    def setUpClass(cls):
        cls.emu = start_server(**cls.server_options)
        cls.c = cls.emu.client(**cls.client_options)

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def setUp(self):
        if self.reset:
            self.emu.admin("POST", "reset")


class FreshEmulatorCase(unittest.TestCase):
    """A new in-process emulator for each test: self.emu, self.c."""

    def setUp(self):
        self.emu = start_server()
        self.c = self.emu.client()

    def tearDown(self):
        self.emu.stop()
