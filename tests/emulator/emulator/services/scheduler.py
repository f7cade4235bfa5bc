"""EventBridge Scheduler (rest-json, 2021-06-30): schedules and schedule groups.

Per region: groups by name ("default" always there, never deleted) and schedules by
"group/name". CreateSchedule and UpdateSchedule take the whole schedule and are checked the same way
(UpdateSchedule replaces it: what it leaves out is reset, e.g. RetryPolicy back to AWS's 185
attempts over 86400 s); a repeated CreateSchedule with the same ClientToken answers the same
schedule. A schedule expression is at(...), rate(...) or cron(...) with six fields; OFF has no
window and FLEXIBLE needs one of 1-1440 minutes; a target needs Arn and RoleArn, an ECS target
its task definition (and subnets in awsvpc configuration); unknown members of the structures
are refused, so a misspelt request fails here. Dates are epoch seconds in and out. Deleting a
group deletes its schedules. Tagging calls are not served.
"""
import json
import re
import urllib.parse
import zoneinfo

from ..core import AwsError, Service
from ._common import as_int, page, region_store

NAME = re.compile(r"^[0-9a-zA-Z\-_.]{1,64}$")
AT = re.compile(r"^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$")
RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
CRON = re.compile(r"^cron\(([^ ()]+ ){5}[^ ()]+\)$")
ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$")
STATES = ("ENABLED", "DISABLED")
RETRY_DEFAULT = {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
SCHEDULE_KEYS = {"ClientToken", "Description", "EndDate", "FlexibleTimeWindow", "GroupName",
                 "KmsKeyArn", "ScheduleExpression", "ScheduleExpressionTimezone", "StartDate",
                 "State", "Target"}
TARGET_KEYS = {"Arn", "RoleArn", "Input", "DeadLetterConfig", "EcsParameters",
               "EventBridgeParameters", "KinesisParameters", "RetryPolicy",
               "SageMakerPipelineParameters", "SqsParameters"}
ECS_KEYS = {"TaskDefinitionArn", "CapacityProviderStrategy", "EnableECSManagedTags",
            "EnableExecuteCommand", "Group", "LaunchType", "NetworkConfiguration",
            "PlacementConstraints", "PlacementStrategy", "PlatformVersion", "PropagateTags",
            "ReferenceId", "Tags", "TaskCount"}

ROUTES = [  # (method, path regex, action)
    ("POST", r"schedules/(?P<Name>[^/]+)", "CreateSchedule"),
    ("GET", r"schedules/(?P<Name>[^/]+)", "GetSchedule"),
    ("PUT", r"schedules/(?P<Name>[^/]+)", "UpdateSchedule"),
    ("DELETE", r"schedules/(?P<Name>[^/]+)", "DeleteSchedule"),
    ("GET", r"schedules", "ListSchedules"),
    ("POST", r"schedule-groups/(?P<Name>[^/]+)", "CreateScheduleGroup"),
    ("GET", r"schedule-groups/(?P<Name>[^/]+)", "GetScheduleGroup"),
    ("DELETE", r"schedule-groups/(?P<Name>[^/]+)", "DeleteScheduleGroup"),
    ("GET", r"schedule-groups", "ListScheduleGroups"),
]


def _invalid(msg):
    return AwsError("ValidationException", msg)


def _not_found(msg):
    return AwsError("ResourceNotFoundException", msg, 404)


def _name(value, what):
    if not isinstance(value, str) or not NAME.match(value):
        raise _invalid("1 validation error detected: Value '%s' at '%s' failed to satisfy "
                       "constraint: Member must satisfy regular expression pattern: "
                       "^[0-9a-zA-Z-_.]+$" % (value, what))
    return value


def _known(obj, keys, what):
    if not isinstance(obj, dict):
        raise _invalid("%s must be an object" % what)
    extra = sorted(set(obj) - keys)
    if extra:
        raise _invalid("Unknown member(s) of %s: %s" % (what, ", ".join(extra)))
    return obj


def _arn(value, what):
    if not isinstance(value, str) or not ARN.match(value):
        raise _invalid("Invalid %s: %s is not an ARN" % (what, value))
    return value


def _int(obj, key, lo, hi, what):
    if key not in obj:
        return None
    n = as_int(obj[key], what)
    if not lo <= n <= hi:
        raise _invalid("1 validation error detected: Value '%d' at '%s' failed to satisfy "
                       "constraint: Member must have value between %d and %d" % (n, what, lo, hi))
    return n


def _date(params, key):
    v = params.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _invalid("%s must be a timestamp (epoch seconds)" % key)
    return v


def _target(t):
    _known(t, TARGET_KEYS, "Target")
    _arn(t.get("Arn"), "Target.Arn")
    _arn(t.get("RoleArn"), "Target.RoleArn")
    out = {"Arn": t["Arn"], "RoleArn": t["RoleArn"],
           "RetryPolicy": dict(RETRY_DEFAULT)}
    if "Input" in t:
        if not isinstance(t["Input"], str) or not t["Input"]:
            raise _invalid("Target.Input must be a non-empty string")
        out["Input"] = t["Input"]
    if "RetryPolicy" in t:
        r = _known(t["RetryPolicy"], set(RETRY_DEFAULT), "RetryPolicy")
        age = _int(r, "MaximumEventAgeInSeconds", 60, 86400, "target.retryPolicy.maximumEventAgeInSeconds")
        tries = _int(r, "MaximumRetryAttempts", 0, 185, "target.retryPolicy.maximumRetryAttempts")
        out["RetryPolicy"] = {"MaximumEventAgeInSeconds": 86400 if age is None else age,
                              "MaximumRetryAttempts": 185 if tries is None else tries}
    if "DeadLetterConfig" in t:
        d = _known(t["DeadLetterConfig"], {"Arn"}, "DeadLetterConfig")
        if "Arn" in d:
            _arn(d["Arn"], "DeadLetterConfig.Arn")
        out["DeadLetterConfig"] = dict(d)
    if "EcsParameters" in t:
        e = _known(t["EcsParameters"], ECS_KEYS, "EcsParameters")
        _arn(e.get("TaskDefinitionArn"), "EcsParameters.TaskDefinitionArn")
        if e.get("LaunchType") not in (None, "EC2", "FARGATE", "EXTERNAL"):
            raise _invalid("Invalid LaunchType %s" % e["LaunchType"])
        _int(e, "TaskCount", 1, 10, "target.ecsParameters.taskCount")
        net = e.get("NetworkConfiguration")
        if net is not None:
            vpc = _known(_known(net, {"awsvpcConfiguration"}, "NetworkConfiguration")
                         .get("awsvpcConfiguration") or {},
                         {"Subnets", "SecurityGroups", "AssignPublicIp"}, "awsvpcConfiguration")
            if not vpc.get("Subnets") or not isinstance(vpc["Subnets"], list) or len(vpc["Subnets"]) > 16:
                raise _invalid("awsvpcConfiguration.Subnets needs 1 to 16 subnets")
            if len(vpc.get("SecurityGroups") or []) > 5:
                raise _invalid("awsvpcConfiguration.SecurityGroups takes at most 5 groups")
            if vpc.get("AssignPublicIp") not in (None, "ENABLED", "DISABLED"):
                raise _invalid("Invalid AssignPublicIp %s" % vpc["AssignPublicIp"])
            if vpc.get("AssignPublicIp") == "ENABLED" and e.get("LaunchType") != "FARGATE":
                raise _invalid("AssignPublicIp ENABLED is supported only with launch type FARGATE")
        out["EcsParameters"] = json.loads(json.dumps(e))
    for key, keys in (("SqsParameters", {"MessageGroupId"}),
                      ("EventBridgeParameters", {"DetailType", "Source"}),
                      ("KinesisParameters", {"PartitionKey"}),
                      ("SageMakerPipelineParameters", {"PipelineParameterList"})):
        if key in t:
            out[key] = dict(_known(t[key], keys, key))
    return out


def _schedule(params, name, group):
    _known({k: v for k, v in params.items() if not k.startswith("_") and k != "Name"},
           SCHEDULE_KEYS, "the request")
    expr = params.get("ScheduleExpression")
    if not isinstance(expr, str) or not (AT.match(expr) or CRON.match(expr) or RATE.match(expr)):
        raise _invalid("Invalid Schedule Expression %s." % expr)
    m = RATE.match(expr)
    if m and (int(m.group(1)) < 1 or (int(m.group(1)) == 1) != (not m.group(2).endswith("s"))):
        raise _invalid("Invalid Schedule Expression %s." % expr)
    tz = params.get("ScheduleExpressionTimezone", "UTC")
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise _invalid("Invalid timezone %s." % tz)
    window = _known(params.get("FlexibleTimeWindow"), {"Mode", "MaximumWindowInMinutes"},
                    "FlexibleTimeWindow")
    if window.get("Mode") == "OFF":
        if "MaximumWindowInMinutes" in window:
            raise _invalid("MaximumWindowInMinutes must not be set when Mode is OFF")
    elif window.get("Mode") == "FLEXIBLE":
        if _int(window, "MaximumWindowInMinutes", 1, 1440,
                "flexibleTimeWindow.maximumWindowInMinutes") is None:
            raise _invalid("MaximumWindowInMinutes is required when Mode is FLEXIBLE")
    else:
        raise _invalid("Invalid FlexibleTimeWindow Mode %s" % window.get("Mode"))
    state = params.get("State", "ENABLED")
    if state not in STATES:
        raise _invalid("Invalid State %s" % state)
    desc = params.get("Description")
    if desc is not None and (not isinstance(desc, str) or len(desc) > 512):
        raise _invalid("Description takes at most 512 characters")
    kms = params.get("KmsKeyArn")
    if kms is not None and not str(kms).startswith("arn:aws:kms:"):
        raise _invalid("Invalid KmsKeyArn %s" % kms)
    start, end = _date(params, "StartDate"), _date(params, "EndDate")
    if start is not None and end is not None and end <= start:
        raise _invalid("The EndDate must be after the StartDate.")
    s = {"Name": name, "GroupName": group, "ScheduleExpression": expr,
         "ScheduleExpressionTimezone": tz, "FlexibleTimeWindow": dict(window), "State": state,
         "Target": _target(params.get("Target"))}
    for k, v in (("Description", desc), ("KmsKeyArn", kms), ("StartDate", start),
                 ("EndDate", end)):
        if v is not None:
            s[k] = v
    return s


class Scheduler(Service):
    name = "scheduler"
    protocol = "rest-json"
    api_version = "2021-06-30"
    xmlns = None
    throttle_code = "ThrottlingException"

    def route(self, params):
        path = "/".join(p for p in params["_path"] if p)
        for method, pattern, action in ROUTES:
            m = re.fullmatch(pattern, path)
            if m and method == params["_method"]:
                params.update({k: urllib.parse.unquote(v) for k, v in m.groupdict().items()})
                body = params.get("_body") or b""
                if body:
                    try:
                        doc = json.loads(body)
                    except ValueError:
                        raise AwsError("SerializationException", "The request body is not JSON")
                    if not isinstance(doc, dict):
                        raise AwsError("SerializationException", "The request body is not a JSON object")
                    params.update(doc)
                return action
        return None

    def _r(self, ctx):
        r = region_store(self.store, ctx.region, "groups", "schedules")
        if "default" not in r["groups"]:
            r["groups"]["default"] = {"Name": "default", "CreationDate": ctx.now(),
                                      "LastModificationDate": ctx.now(), "State": "ACTIVE"}
        return r

    def _group(self, ctx, name):
        g = self._r(ctx)["groups"].get(name)
        if g is None:
            raise _not_found("Schedule group %s does not exist." % name)
        return g

    def _arn(self, ctx, kind, name):
        return "arn:aws:scheduler:%s:%s:%s/%s" % (ctx.region, ctx.account_id, kind, name)

    def _find(self, ctx, params, group):
        name = _name(params.get("Name"), "name")
        group = _name(group or "default", "groupName")
        s = self._r(ctx)["schedules"].get(group + "/" + name)
        if s is None:
            self._group(ctx, group)
            raise _not_found("Schedule %s does not exist." % name)
        return s

    # -- schedules -----------------------------------------------------------------------

    def CreateSchedule(self, ctx, params):
        name = _name(params.get("Name"), "name")
        group = _name(params.get("GroupName") or "default", "groupName")
        self._group(ctx, group)
        schedules = self._r(ctx)["schedules"]
        old = schedules.get(group + "/" + name)
        token = params.get("ClientToken")
        if old is not None:
            if token and old.get("_token") == token:
                return {"ScheduleArn": old["Arn"]}
            raise AwsError("ConflictException", "Schedule %s already exists." % name, 409)
        s = _schedule(params, name, group)
        s.update({"Arn": self._arn(ctx, "schedule", group + "/" + name), "CreationDate": ctx.now(),
                  "LastModificationDate": ctx.now(), "_token": token})
        schedules[group + "/" + name] = s
        return {"ScheduleArn": s["Arn"]}

    def UpdateSchedule(self, ctx, params):
        old = self._find(ctx, params, params.get("GroupName"))
        s = _schedule(params, old["Name"], old["GroupName"])
        s.update({"Arn": old["Arn"], "CreationDate": old["CreationDate"],
                  "LastModificationDate": ctx.now(), "_token": old.get("_token")})
        self._r(ctx)["schedules"][old["GroupName"] + "/" + old["Name"]] = s
        return {"ScheduleArn": s["Arn"]}

    def GetSchedule(self, ctx, params):
        s = self._find(ctx, params, (params.get("_query") or {}).get("groupName"))
        return {k: v for k, v in s.items() if not k.startswith("_")}

    def DeleteSchedule(self, ctx, params):
        s = self._find(ctx, params, (params.get("_query") or {}).get("groupName"))
        del self._r(ctx)["schedules"][s["GroupName"] + "/" + s["Name"]]
        return {}

    def ListSchedules(self, ctx, params):
        q = params.get("_query") or {}
        group, prefix, state = q.get("ScheduleGroup"), q.get("NamePrefix"), q.get("State")
        if group:
            self._group(ctx, group)
        if state is not None and state not in STATES:
            raise _invalid("Invalid State %s" % state)
        limit = _int(q, "MaxResults", 1, 100, "maxResults") or 100
        items = [s for k, s in sorted(self._r(ctx)["schedules"].items())
                 if (not group or s["GroupName"] == group)
                 and (not prefix or s["Name"].startswith(prefix))
                 and (not state or s["State"] == state)]
        chunk, nxt = page(items, q.get("NextToken"), limit, "ValidationException",
                          "Invalid NextToken")
        out = {"Schedules": [{"Arn": s["Arn"], "Name": s["Name"], "GroupName": s["GroupName"],
                              "State": s["State"], "CreationDate": s["CreationDate"],
                              "LastModificationDate": s["LastModificationDate"],
                              "Target": {"Arn": s["Target"]["Arn"]}} for s in chunk]}
        if nxt:
            out["NextToken"] = nxt
        return out

    # -- groups --------------------------------------------------------------------------

    def CreateScheduleGroup(self, ctx, params):
        name = _name(params.get("Name"), "name")
        groups = self._r(ctx)["groups"]
        if name in groups:
            raise AwsError("ConflictException", "Schedule group %s already exists." % name, 409)
        groups[name] = {"Name": name, "CreationDate": ctx.now(),
                        "LastModificationDate": ctx.now(), "State": "ACTIVE"}
        return {"ScheduleGroupArn": self._arn(ctx, "schedule-group", name)}

    def _group_out(self, ctx, g):
        return dict(g, Arn=self._arn(ctx, "schedule-group", g["Name"]))

    def GetScheduleGroup(self, ctx, params):
        return self._group_out(ctx, self._group(ctx, _name(params.get("Name"), "name")))

    def DeleteScheduleGroup(self, ctx, params):
        name = _name(params.get("Name"), "name")
        self._group(ctx, name)
        if name == "default":
            raise _invalid("The default schedule group cannot be deleted.")
        r = self._r(ctx)
        for key in [k for k, s in r["schedules"].items() if s["GroupName"] == name]:
            del r["schedules"][key]
        del r["groups"][name]
        return {}

    def ListScheduleGroups(self, ctx, params):
        q = params.get("_query") or {}
        limit = _int(q, "MaxResults", 1, 100, "maxResults") or 100
        items = [self._group_out(ctx, g) for _, g in sorted(self._r(ctx)["groups"].items())
                 if not q.get("NamePrefix") or g["Name"].startswith(q["NamePrefix"])]
        chunk, nxt = page(items, q.get("NextToken"), limit, "ValidationException",
                          "Invalid NextToken")
        out = {"ScheduleGroups": chunk}
        if nxt:
            out["NextToken"] = nxt
        return out

    def inventory(self):
        out = {"schedule": [], "schedule_group": []}
        for region, r in sorted(self.store.get("regions", {}).items()):
            out["schedule"] += [{"id": k, "region": region}
                                for k in sorted(r.get("schedules", {}))]
            out["schedule_group"] += [{"id": g, "region": region}
                                      for g in sorted(r.get("groups", {})) if g != "default"]
        return out
