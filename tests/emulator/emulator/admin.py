"""The unsigned admin endpoint under /_emulator/ (JSON in, JSON out).

  GET  /_emulator/inventory        every service's live objects
  POST /_emulator/reset            forget everything (state file rewritten)
  GET  /_emulator/requests         request log [{service, action, status, mutating, ts[, detail]}]
  POST /_emulator/requests/clear   empty the log
  GET  /_emulator/counts           {"ec2:DescribeVpcs": 3, ...}
  GET|POST /_emulator/faults       fault settings (POST merges the given fields)
  GET|POST /_emulator/clock        {"now": t, "offset": s}; POST {"advance": seconds}
  GET  /_emulator/health           {"ok": true}
"""

import json

PREFIX = "/_emulator/"


def handle(emu, method, path, body):
    """-> (status, dict)."""
    route = path.split("?", 1)[0][len(PREFIX):].strip("/")
    try:
        req = json.loads(body.decode("utf-8")) if body else {}
    except ValueError:
        return 400, {"error": "body is not JSON"}
    if not isinstance(req, dict):
        return 400, {"error": "body must be a JSON object"}
    key = (method, route)
    if key == ("GET", "health"):
        return 200, {"ok": True}
    if key == ("GET", "inventory"):
        return 200, emu.inventory()
    if key == ("POST", "reset"):
        emu.reset()
        return 200, {"ok": True}
    if key == ("GET", "requests"):
        with emu.lock:
            return 200, {"requests": list(emu.log)}
    if key == ("POST", "requests/clear"):
        with emu.lock:
            emu.log.clear()
        return 200, {"ok": True}
    if key == ("GET", "counts"):
        return 200, emu.counts()
    if route == "faults" and method in ("GET", "POST"):
        if method == "POST":
            try:
                emu.faults.configure(req)
            except (ValueError, TypeError) as e:
                return 400, {"error": str(e)}
        return 200, emu.faults.settings()
    if route == "clock" and method in ("GET", "POST"):
        if method == "POST":
            try:
                with emu.lock:
                    emu.clock.advance(float(req.get("advance", 0)))
                    emu.save()
            except (ValueError, TypeError):
                return 400, {"error": "advance must be a number of seconds"}
        return 200, {"now": emu.clock.now(), "offset": emu.clock.offset}
    return 404, {"error": "no such admin endpoint: %s %s" % (method, path)}
