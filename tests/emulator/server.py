#!/usr/bin/env python3
"""luaform's local AWS emulator: entry point and HTTP front end.

  python3 tests/emulator/server.py --port 0 --state FILE [--seed N] ...

One request: admin path? -> admin.handle. Otherwise parse SigV4 (the
credential scope names the service), verify it against the known keys,
decode by the service's protocol, roll the faults, run the operation under
the emulator's lock, encode the result or the AwsError in that protocol.
A "lost" mutating call is applied and then the connection is closed
without a response.
"""

import argparse
import http.server
import json
import os
import socket
import sys
import time
import traceback
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emulator import admin, sigv4, sparse, wire  # noqa: E402
from emulator import services as service_modules  # noqa: E402
from emulator.core import AwsError, Config, Context, Emulator  # noqa: E402
from emulator.faults import Faults, server_error, throttle_error  # noqa: E402

FORM = "application/x-www-form-urlencoded"

# auth error code -> (json code, json status), (s3 code, s3 status[, s3 message])
_AUTH_MAP = {
    "MissingAuthenticationToken": (("MissingAuthenticationTokenException", 400), ("AccessDenied", 403)),
    "InvalidClientTokenId": (("UnrecognizedClientException", 400),
                             ("InvalidAccessKeyId", 403,
                              "The AWS Access Key Id you provided does not exist in our records.")),
    "SignatureDoesNotMatch": (("InvalidSignatureException", 400), ("SignatureDoesNotMatch", 403)),
    "RequestExpired": (("InvalidSignatureException", 400), ("RequestTimeTooSkewed", 403)),
    "IncompleteSignature": (("IncompleteSignatureException", 400), ("AuthorizationQueryParametersError", 400)),
    "ExpiredToken": (("ExpiredTokenException", 400), ("ExpiredToken", 400)),
}


def auth_error_for(protocol, err):
    m = _AUTH_MAP.get(err.code)
    if m is None or protocol in ("ec2", "query"):
        return err
    form = m[0] if protocol in ("json", "rest-json") else m[1]
    return AwsError(form[0], form[2] if len(form) > 2 else err.message, form[1])


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "luaform-emulator"
    emu = None          # set by make_server
    verbose = False

    def setup(self):
        super().setup()
        # headers and body are separate writes: without NODELAY, Nagle plus the
        # client's delayed ACK adds ~40 ms to every response
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("emulator: " + (fmt % args) + "\n")

    def do_GET(self):
        self.handle_any()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET

    # ------------------------------------------------------------ plumbing

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise AwsError("MissingContentLength", "You must provide the Content-Length HTTP header.", 411)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def send(self, status, headers, body):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if not any(k.lower() == "content-length" for k in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def send_json(self, status, obj):
        self.send(status, {"Content-Type": "application/json"},
                  (json.dumps(obj, indent=1, sort_keys=True) + "\n").encode())

    def header_lists(self):
        out = {}
        for k in set(self.headers.keys()):
            out[k.lower()] = self.headers.get_all(k)
        return out

    # ------------------------------------------------------------ dispatch

    def handle_any(self):
        raw_path, _, raw_query = self.path.partition("?")
        try:
            body = self.read_body()
        except AwsError as e:
            self.close_connection = True
            return self.send(*wire.encode_error("query", None, e, str(uuid.uuid4())))
        if raw_path.startswith(admin.PREFIX) or raw_path == admin.PREFIX.rstrip("/"):
            status, obj = admin.handle(self.emu, self.command, raw_path, body)
            return self.send_json(status, obj)
        self.handle_aws(raw_path, raw_query, body)

    def guess_protocol(self, svc):
        target = self.headers.get("X-Amz-Target")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if svc is None:
            if target:
                return "json"
            if ctype == FORM or "Action=" in self.path:
                return "query"
            return "rest-xml"
        if svc.protocol == "json" and not target and (ctype == FORM or "Action=" in self.path):
            return "query"     # SQS also speaks its query form
        return svc.protocol

    def handle_aws(self, raw_path, raw_query, body):
        emu = self.emu
        headers = {k: v[0] for k, v in self.header_lists().items()}
        query1 = {}
        for k, v in urllib.parse.parse_qsl(raw_query, keep_blank_values=True):
            query1.setdefault(k, v)
        svc = None
        protocol = self.guess_protocol(None)
        action = None
        request_id = None
        try:
            auth = sigv4.parse(headers, query1)
            svc = emu.services.get(auth.service)
            protocol = self.guess_protocol(svc)
            principal = self.authenticate(auth, raw_path, raw_query, body, headers, query1)
            if svc is None:
                raise AwsError("UnknownService", "The emulator has no service '%s'" % auth.service)
            action, params = self.decode(svc, protocol, raw_path, raw_query, headers, body)
        except AwsError as e:
            e = auth_error_for(protocol, e)
            emu.record(svc.name if svc else "?", action or "?", e.status, False)
            return self.send(*wire.encode_error(protocol, svc, e, str(uuid.uuid4())))

        ctx = Context(emu, auth.region, principal.get("account", emu.config.account),
                      access_key=auth.access_key, service=svc.name, action=action,
                      principal=principal)
        ctx.protocol = protocol   # the wire form of this request (SQS answers json or query)
        request_id = ctx.request_id
        mutating = svc.is_mutating(action)
        decision = emu.faults.decide()
        if decision.latency_ms:
            time.sleep(decision.latency_ms / 1000.0)
        try:
            if decision.throttle:
                raise throttle_error(svc)
            if decision.error:
                raise server_error(svc, decision.error_kind)
            result = emu.call(svc, ctx, action, params)
            if emu.config.sparse:
                result = sparse.answer(svc.name, action, result)
            status, out_headers, out_body = self.encode(svc, protocol, action, result, request_id)
        except AwsError as e:
            status, out_headers, out_body = wire.encode_error(protocol, svc, e, request_id)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            e = AwsError("InternalError" if protocol != "json" else "InternalFailure",
                         "emulator bug in %s:%s" % (svc.name, action), 500, sender=False)
            status, out_headers, out_body = wire.encode_error(protocol, svc, e, request_id)
        emu.record(svc.name, action, status, mutating, getattr(ctx, "log_detail", None))
        if decision.lose and mutating and status < 300:
            self.close_connection = True   # applied, but the client never hears back
            return
        self.send(status, out_headers, out_body)

    def authenticate(self, auth, raw_path, raw_query, body, headers, query1):
        emu = self.emu
        creds = emu.credentials(auth.access_key)
        if creds is None:
            raise AwsError("InvalidClientTokenId",
                           "The security token included in the request is invalid.", 403)
        if creds.get("session_token"):
            token = headers.get("x-amz-security-token") or query1.get("X-Amz-Security-Token")
            if token != creds["session_token"]:
                raise AwsError("InvalidClientTokenId",
                               "The security token included in the request is invalid.", 403)
            if creds.get("expires") is not None and emu.clock.now() > creds["expires"]:
                raise AwsError("ExpiredToken",
                               "The security token included in the request is expired", 403)
        sigv4.verify(auth, creds["secret"], self.command, raw_path, raw_query,
                     self.header_lists(), body)
        return creds.get("principal") or {}

    def decode(self, svc, protocol, raw_path, raw_query, headers, body):
        if protocol in ("ec2", "query"):
            action, version, params = wire.decode_query(body, raw_query)
            if not action:
                raise AwsError("MissingAction", "The request must contain the parameter Action")
            if version is None:
                raise AwsError("MissingParameter", "The request must contain the parameter Version")
            if svc.api_version and version != svc.api_version:
                raise AwsError("NoSuchVersion", "The requested version (%s) of service %s "
                               "does not exist" % (version, svc.name))
            if svc.operation(action) is None:
                raise AwsError("InvalidAction", "The action %s is not valid for this web "
                               "service." % action)
            return action, params
        if protocol == "json":
            target = headers.get("x-amz-target", "")
            prefix, _, action = target.rpartition(".")
            if not target or prefix != svc.target_prefix or svc.operation(action) is None:
                raise AwsError("UnknownOperationException", "Unknown operation %s" % target)
            return action, wire.decode_json(body)
        params = wire.s3_params(self.command, raw_path, raw_query, headers, body)
        route = getattr(svc, "route", None)
        action = route(params) if route else wire.s3_action(params)
        if not action or svc.operation(action) is None:
            raise AwsError("NotImplemented", "A header or query you provided implies "
                           "functionality that is not implemented.", 501)
        return action, params

    def encode(self, svc, protocol, action, result, request_id):
        if protocol == "ec2":
            return 200, {"Content-Type": "text/xml;charset=UTF-8"}, \
                wire.encode_ec2(svc, action, result, request_id)
        if protocol == "query":
            return 200, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, \
                wire.encode_query(svc, action, result, request_id)
        if protocol == "json":
            return 200, {"Content-Type": wire.json_content_type(svc),
                         "x-amzn-RequestId": request_id}, wire.encode_json(result)
        if protocol == "rest-json":
            return 200, {"Content-Type": "application/json",
                         "x-amzn-RequestId": request_id}, wire.encode_json(result)
        hdrs = {"x-amz-request-id": request_id}
        if isinstance(result, dict) and ("_body" in result or "_status" in result):
            hdrs.update(result.get("_headers") or {})
            return result.get("_status", 200), hdrs, result.get("_body") or b""
        if result:
            hdrs["Content-Type"] = "application/xml"
            return 200, hdrs, wire.encode_s3_xml(result)
        return (204 if self.command == "DELETE" else 200), hdrs, b""


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128     # parallel clients: the default backlog of 5 resets connections


def make_server(port=0, host="127.0.0.1", verbose=False, **options):
    """-> (httpd, emulator). options: Config fields and Faults fields."""
    service_modules.load_all()
    fault_opts = {k: options.pop(k) for k in list(options)
                  if k in ("throttle_pct", "error_pct", "latency_ms", "lose_pct",
                           "consistency_ms", "seed") and options[k] is not None}
    emu = Emulator(Config(**options), Faults(**fault_opts))
    handler = type("BoundHandler", (Handler,), {"emu": emu, "verbose": verbose})
    httpd = Server((host, port), handler)
    return httpd, emu


def parse_args(argv):
    p = argparse.ArgumentParser(description="luaform local AWS emulator")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--state", help="persist the emulated account in this JSON file")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--access-key")
    p.add_argument("--secret-key")
    p.add_argument("--account")
    p.add_argument("--throttle-pct", type=float, default=0)
    p.add_argument("--error-pct", type=float, default=0)
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument("--lose-pct", type=float, default=0)
    p.add_argument("--consistency-ms", type=int, default=0)
    p.add_argument("--nat-delay-ms", type=int, default=2000)
    p.add_argument("--lb-delay-ms", type=int, default=2000)
    p.add_argument("--drain-delay-ms", type=int, default=2000)
    p.add_argument("--cloudcontrol-delay-ms", type=int, default=0,
                   help="a Cloud Control request reports IN_PROGRESS for this long")
    p.add_argument("--sparse", action="store_true",
                   help="answer as moto does: optional members left out, unset documents as \"\"")
    p.add_argument("--verbose", action="store_true")
    return p.parse_args(argv)


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    httpd, emu = make_server(
        port=a.port, host=a.host, verbose=a.verbose, state=a.state, seed=a.seed,
        access_key=a.access_key, secret_key=a.secret_key, account=a.account,
        throttle_pct=a.throttle_pct, error_pct=a.error_pct, latency_ms=a.latency_ms,
        lose_pct=a.lose_pct, consistency_ms=a.consistency_ms,
        nat_delay_ms=a.nat_delay_ms, lb_delay_ms=a.lb_delay_ms, drain_delay_ms=a.drain_delay_ms,
        cloudcontrol_delay_ms=a.cloudcontrol_delay_ms, sparse=a.sparse)
    host, port = httpd.server_address[:2]
    print("luaform-emulator listening on http://%s:%d" % (host, port))
    print("access_key=%s secret_key=%s" % (emu.config.access_key, emu.config.secret_key))
    sys.stdout.flush()
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


if __name__ == "__main__":
    main()
