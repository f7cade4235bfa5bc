"""Core of the emulator: errors, the per-request context, the Service base
class, id helpers, the service registry, and the Emulator (all state, the
clock, the request log and the dispatch of one decoded operation).

Design: every service keeps ALL of its state in one JSON-serialisable dict
(its "store"); the Emulator owns those dicts, persists them with --state and
serialises every operation under one lock, so services are plain code with
no threading of their own. Time comes from an emulator clock (wall time plus
an offset that tests may advance), so state transitions (NAT gateway
pending -> available) are computed when described, never by threads.
"""

import json
import os
import secrets
import tempfile
import threading
import time
import uuid


class AwsError(Exception):
    """An error as the service returns it. `code` is the AWS error code,
    `status` the HTTP status, `sender` False for server-side faults.
    `query_code` (optional) is the code for the query-compatible form (SQS
    json: x-amzn-query-error header)."""

    def __init__(self, code, message, status=400, sender=True, query_code=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.sender = sender
        self.query_code = query_code


class Context:
    """One per request. `emulator` gives services access to the clock and to
    the credentials table (STS); most services need only region/account."""

    def __init__(self, emulator, region, account_id, access_key=None,
                 service=None, action=None, principal=None):
        self.emulator = emulator
        self.region = region
        self.account_id = account_id
        self.access_key = access_key
        self.service = service
        self.action = action
        self.principal = principal or {}
        self.request_id = str(uuid.uuid4())

    def now(self):
        return self.emulator.clock.now()

    def visible(self, created_at):
        window = self.emulator.faults.consistency_ms / 1000.0
        if window <= 0 or created_at is None:
            return True
        return self.now() - created_at >= window


class Service:
    name = "ec2"
    protocol = "ec2"
    api_version = "2016-11-15"
    xmlns = "http://ec2.amazonaws.com/doc/2016-11-15/"
    target_prefix = None
    json_version = "1.1"
    throttle_code = "Throttling"
    mutating_prefixes = ("Create", "Delete", "Put", "Register", "Deregister", "Update",
                         "Modify", "Attach", "Detach", "Associate", "Disassociate",
                         "Authorize", "Revoke", "Allocate", "Release", "Replace", "Set",
                         "Subscribe", "Unsubscribe", "Tag", "Untag", "Add", "Remove")

    def __init__(self, store):
        self.store = store

    def inventory(self):
        return {}

    def operation(self, action):
        """The bound method for an AWS action name, or None. Only names
        starting with an upper-case letter defined by a subclass count."""
        if not action or not action[0].isupper() or not action.isidentifier():
            return None
        if hasattr(Service, action):
            return None
        fn = getattr(self, action, None)
        return fn if callable(fn) else None

    def is_mutating(self, action):
        return action.startswith(self.mutating_prefixes)


# ---------------------------------------------------------------- helpers

def new_id(prefix, hex_len=17):
    """AWS-style id: prefix + '-' + hex_len lower-case hex digits."""
    return "%s-%s" % (prefix, secrets.token_hex((hex_len + 1) // 2)[:hex_len])


def arn(ctx, service, resource, region=None):
    if region is None:
        region = ctx.region
    return "arn:aws:%s:%s:%s:%s" % (service, region, ctx.account_id, resource)


def iso_time(ts):
    """Epoch seconds -> '2024-01-02T03:04:05.000Z' (EC2/query timestamps)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + ".%03dZ" % int((ts % 1) * 1000)


def as_bool(value, name="value"):
    """Query-protocol booleans arrive as strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise AwsError("InvalidParameterValue",
                   "Invalid value '%s' for %s: expected true or false" % (value, name))


def as_int(value, name="value", lo=None, hi=None):
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise AwsError("InvalidParameterValue",
                       "Invalid value '%s' for %s: expected an integer" % (value, name))
    if (lo is not None and n < lo) or (hi is not None and n > hi):
        raise AwsError("InvalidParameterValue",
                       "Value %d for %s is outside the range [%s, %s]" % (n, name, lo, hi))
    return n


# ---------------------------------------------------------------- registry

SERVICES = {}   # signing name -> Service subclass


def register(cls):
    SERVICES[cls.name] = cls
    return cls


# ---------------------------------------------------------------- clock

class Clock:
    def __init__(self, offset=0.0):
        self.offset = offset

    def now(self):
        return time.time() + self.offset

    def advance(self, seconds):
        self.offset += float(seconds)


# ---------------------------------------------------------------- emulator

DEFAULT_ACCESS_KEY = "AKIAEMULATOR00000000"
DEFAULT_SECRET_KEY = "emulator-secret-key"
DEFAULT_ACCOUNT = "123456789012"
LOG_LIMIT = 100000


class Config:
    def __init__(self, **kw):
        self.access_key = kw.get("access_key") or DEFAULT_ACCESS_KEY
        self.secret_key = kw.get("secret_key") or DEFAULT_SECRET_KEY
        self.account = kw.get("account") or DEFAULT_ACCOUNT
        self.state = kw.get("state")
        self.nat_delay_ms = int(kw.get("nat_delay_ms", 2000))
        self.lb_delay_ms = int(kw.get("lb_delay_ms", 2000))
        self.drain_delay_ms = int(kw.get("drain_delay_ms", 2000))
        self.cloudcontrol_delay_ms = int(kw.get("cloudcontrol_delay_ms") or 0)
        self.sparse = bool(kw.get("sparse"))      # answers as emulator.sparse shapes them
        self.extra = kw


class Emulator:
    """All state of one emulated AWS account, independent of HTTP."""

    def __init__(self, config, faults):
        self.config = config
        self.faults = faults
        self.clock = Clock()
        self.lock = threading.RLock()
        self.stores = {}
        self.services = {}
        self.log = []
        if config.state and os.path.exists(config.state):
            with open(config.state) as f:
                saved = json.load(f)
            self.stores = saved.get("stores", {})
            self.clock.offset = saved.get("clock_offset", 0.0)
        self._instantiate()

    def _instantiate(self):
        self.services = {}
        for name, cls in SERVICES.items():
            store = self.stores.setdefault(name, {})
            svc = cls(store)
            svc.emulator = self
            self.services[name] = svc

    def reset(self):
        with self.lock:
            self.stores = {}
            self.clock.offset = 0.0
            self._instantiate()
            self.save()

    def save(self):
        """Atomic write of all stores (temp file, fsync, rename)."""
        path = self.config.state
        if not path:
            return
        d = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".emulator-state-", dir=d)
        try:
            with os.fdopen(fd, "w") as f:
                json.dump({"version": 1, "stores": self.stores,
                           "clock_offset": self.clock.offset}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    # credentials: the configured key, plus temporary keys issued by STS
    def credentials(self, access_key):
        """-> dict(secret, session_token|None, expires|None, principal) or None."""
        if access_key == self.config.access_key:
            return {"secret": self.config.secret_key, "session_token": None,
                    "expires": None,
                    "principal": {"arn": "arn:aws:iam::%s:user/emulator" % self.config.account,
                                  "user_id": "AIDAEMULATOR00000000",
                                  "account": self.config.account}}
        sessions = self.stores.get("sts", {}).get("sessions", {})
        return sessions.get(access_key)

    def inventory(self):
        with self.lock:
            return {name: svc.inventory() for name, svc in sorted(self.services.items())}

    def record(self, service, action, status, mutating, detail=None):
        """Logs one request; detail (a dict a service put on ctx.log_detail) joins it."""
        with self.lock:
            entry = {"service": service, "action": action, "status": status,
                     "mutating": mutating, "ts": time.time()}
            if detail is not None:
                entry["detail"] = detail
            self.log.append(entry)
            if len(self.log) > LOG_LIMIT:
                del self.log[:len(self.log) - LOG_LIMIT]

    def counts(self):
        with self.lock:
            out = {}
            for e in self.log:
                k = "%s:%s" % (e["service"], e["action"])
                out[k] = out.get(k, 0) + 1
            return out

    def call(self, svc, ctx, action, params):
        """Runs one operation under the lock; saves state after a mutating
        success. Returns the service's result; raises AwsError."""
        fn = svc.operation(action)
        with self.lock:
            result = fn(ctx, params)
            if svc.is_mutating(action):
                self.save()
            return result
