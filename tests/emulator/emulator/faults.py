"""Fault injection: throttling, server errors, latency, lost responses and
an eventual-consistency window.

Deterministic: one random.Random(seed); every signed request draws exactly
three numbers (throttle, error, lose) in that order whatever the settings,
so a run with a fixed seed and the same request sequence injects the same
faults. Changing the settings through the admin endpoint re-seeds.
"""

import random
import threading

from .core import AwsError

FIELDS = ("throttle_pct", "error_pct", "latency_ms", "lose_pct", "consistency_ms", "seed")


class Decision:
    def __init__(self, throttle, error, error_kind, lose, latency_ms):
        self.throttle = throttle
        self.error = error
        self.error_kind = error_kind   # 0: 500, 1: 503
        self.lose = lose
        self.latency_ms = latency_ms


class Faults:
    def __init__(self, throttle_pct=0.0, error_pct=0.0, latency_ms=0, lose_pct=0.0,
                 consistency_ms=0, seed=0):
        self._lock = threading.Lock()
        self.configure(dict(throttle_pct=throttle_pct, error_pct=error_pct,
                            latency_ms=latency_ms, lose_pct=lose_pct,
                            consistency_ms=consistency_ms, seed=seed))

    def configure(self, settings):
        """Applies the given subset of FIELDS; raises ValueError on bad input."""
        with self._lock:
            unknown = set(settings) - set(FIELDS)
            if unknown:
                raise ValueError("unknown fault settings: %s" % ", ".join(sorted(unknown)))
            for k in FIELDS:
                if k in settings:
                    v = settings[k]
                    v = int(v) if k in ("seed", "latency_ms", "consistency_ms") else float(v)
                    if v < 0 or (k.endswith("_pct") and v > 100):
                        raise ValueError("%s out of range: %s" % (k, v))
                    setattr(self, k, v)
            self.rng = random.Random(self.seed)

    def settings(self):
        return {k: getattr(self, k) for k in FIELDS}

    def decide(self):
        with self._lock:
            a, b, c = self.rng.random() * 100, self.rng.random() * 100, self.rng.random() * 100
            kind = self.rng.randrange(2)
            return Decision(a < self.throttle_pct, b < self.error_pct, kind,
                            c < self.lose_pct, self.latency_ms)


def throttle_error(svc):
    """The service's own throttling error (EC2: RequestLimitExceeded 503)."""
    if svc.protocol == "ec2":
        return AwsError("RequestLimitExceeded", "Request limit exceeded.", 503)
    if svc.protocol == "rest-xml":
        return AwsError("SlowDown", "Please reduce your request rate.", 503)
    code = svc.throttle_code
    if svc.protocol == "json" and code == "Throttling":
        code = "ThrottlingException"
    return AwsError(code, "Rate exceeded", 400)


def server_error(svc, kind):
    if kind == 0:
        code = "InternalFailure" if svc.protocol == "json" else "InternalError"
        return AwsError(code, "An internal error has occurred", 500, sender=False)
    code = "Unavailable" if svc.protocol == "ec2" else "ServiceUnavailable"
    return AwsError(code, "The service is unavailable. Please try again shortly.", 503,
                    sender=False)
