"""CloudWatch Logs (json 1.1, Logs_20140328): log groups, retention, log streams, tags.

Per region: log groups by name, each with its streams. Times are epoch milliseconds as Logs
returns them. A group's `arn` ends in ":*" and its `logGroupArn` does not (both as AWS). The
tagging API exists twice, as AWS has it: TagResource/UntagResource/ListTagsForResource on the
group ARN (without ":*") and the older TagLogGroup/UntagLogGroup/ListTagsLogGroup by name.
Metric filters belong to a group (at most 100 per group; metricFilterCount counts them); a
filter has exactly one metric transformation, as AWS requires.
"""
import re

from ..core import AwsError, Service
from ._common import add_tags, as_bool, as_int, as_list, constraint_message, paged, region_store, \
    remove_tags, require

GROUP_NAME = re.compile(r"^[.\-_/#A-Za-z0-9]{1,512}$")
STREAM_NAME = re.compile(r"^[^:*]{1,512}$")
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                  2192, 2557, 2922, 3288, 3653)
CLASSES = ("STANDARD", "INFREQUENT_ACCESS", "DELIVERY")


def _invalid(msg):
    return AwsError("InvalidParameterException", msg)


def _require(params, name):
    return require(params, name, "InvalidParameterException")


def _limit(params):
    """The limit of a Describe call: 1-50, default 50."""
    limit = as_int(params.get("limit", 50), "limit", "InvalidParameterException")
    if not 1 <= limit <= 50:
        raise _invalid(constraint_message("limit", "have value less than or equal to 50", limit))
    return limit


def _tags_in(value):
    tags = value or {}
    if not isinstance(tags, dict):
        raise _invalid("tags must be a map")
    for k, v in tags.items():
        if not 1 <= len(k) <= 128 or len(v) > 256 or k.startswith("aws:"):
            raise _invalid("Invalid tag key or value: %s" % k)
    if len(tags) > 50:
        raise AwsError("TooManyTagsException", "A resource can have no more than 50 tags.")
    return dict(tags)


class Logs(Service):
    name = "logs"
    protocol = "json"
    json_version = "1.1"
    target_prefix = "Logs_20140328"
    throttle_code = "ThrottlingException"

    def _r(self, ctx):
        return region_store(self.store, ctx.region, "groups")

    @staticmethod
    def _ms(ctx):
        return int(ctx.now() * 1000)

    def _group(self, ctx, name):
        group = self._r(ctx)["groups"].get(name)
        if group is None or not ctx.visible(group["creationTime"] / 1000.0):
            raise AwsError("ResourceNotFoundException", "The specified log group does not exist.")
        return group

    def _group_of(self, ctx, params):
        """The group named by logGroupName or logGroupIdentifier (name or ARN)."""
        ident = params.get("logGroupIdentifier")
        name = params.get("logGroupName")
        if ident and name:
            raise _invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
        if ident:
            name = ident.split(":log-group:", 1)[1] if ":log-group:" in ident else ident
            if name.endswith(":*"):
                name = name[:-2]
        if not name:
            _require(params, "logGroupName")
        return self._group(ctx, name)

    @staticmethod
    def _group_out(g):
        out = {k: g[k] for k in ("logGroupName", "creationTime", "metricFilterCount", "arn",
                                 "storedBytes", "logGroupClass", "logGroupArn")}
        if g.get("retentionInDays"):
            out["retentionInDays"] = g["retentionInDays"]
        if g.get("kmsKeyId"):
            out["kmsKeyId"] = g["kmsKeyId"]
        return out

    # -- log groups ----------------------------------------------------------------------

    def CreateLogGroup(self, ctx, params):
        name = _require(params, "logGroupName")
        if not GROUP_NAME.match(name):
            raise _invalid(constraint_message(
                "logGroupName", "satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+", name))
        cls = params.get("logGroupClass", "STANDARD")
        if cls not in CLASSES:
            raise _invalid("Invalid logGroupClass %s" % cls)
        kms = params.get("kmsKeyId")
        if kms is not None and not str(kms).startswith("arn:aws:kms:"):
            raise _invalid("Specified KMS key ARN is not valid: %s" % kms)
        tags = _tags_in(params.get("tags"))
        r = self._r(ctx)
        if name in r["groups"]:
            raise AwsError("ResourceAlreadyExistsException", "The specified log group already "
                           "exists")
        arn = "arn:aws:logs:%s:%s:log-group:%s" % (ctx.region, ctx.account_id, name)
        r["groups"][name] = {
            "logGroupName": name, "creationTime": self._ms(ctx), "metricFilterCount": 0,
            "arn": arn + ":*", "logGroupArn": arn, "storedBytes": 0, "logGroupClass": cls,
            "kmsKeyId": kms, "retentionInDays": None, "tags": tags, "streams": {},
        }
        return {}

    def DescribeLogGroups(self, ctx, params):
        prefix = params.get("logGroupNamePrefix")
        pattern = params.get("logGroupNamePattern")
        if prefix and pattern:
            raise _invalid("LogGroup name prefix and LogGroup name pattern are mutually "
                           "exclusive parameters.")
        limit = _limit(params)
        idents = as_list(params.get("logGroupIdentifiers"))
        groups = []
        for name, g in sorted(self._r(ctx)["groups"].items()):
            if not ctx.visible(g["creationTime"] / 1000.0):
                continue
            if prefix and not name.startswith(prefix):
                continue
            if pattern and pattern.lower() not in name.lower():
                continue
            if idents and name not in idents and g["logGroupArn"] not in idents:
                continue
            if params.get("logGroupClass") and g["logGroupClass"] != params["logGroupClass"]:
                continue
            groups.append(g)
        return paged(groups, params, limit, "logGroups", "InvalidParameterException",
                     "The specified nextToken is invalid.", render=self._group_out)

    def DeleteLogGroup(self, ctx, params):
        group = self._group(ctx, _require(params, "logGroupName"))
        del self._r(ctx)["groups"][group["logGroupName"]]
        return {}

    def PutRetentionPolicy(self, ctx, params):
        group = self._group(ctx, _require(params, "logGroupName"))
        days = as_int(_require(params, "retentionInDays"), "retentionInDays",
                      "InvalidParameterException")
        if days not in RETENTION_DAYS:
            raise _invalid(constraint_message("retentionInDays", "satisfy enum value set: [%s]"
                                              % ", ".join(str(d) for d in RETENTION_DAYS), days))
        group["retentionInDays"] = days
        return {}

    def DeleteRetentionPolicy(self, ctx, params):
        group = self._group(ctx, _require(params, "logGroupName"))
        group["retentionInDays"] = None
        return {}

    def AssociateKmsKey(self, ctx, params):
        group = self._group_of(ctx, params)
        kms = _require(params, "kmsKeyId")
        if not str(kms).startswith("arn:aws:kms:"):
            raise _invalid("Specified KMS key ARN is not valid: %s" % kms)
        group["kmsKeyId"] = kms
        return {}

    def DisassociateKmsKey(self, ctx, params):
        group = self._group_of(ctx, params)
        group["kmsKeyId"] = None
        return {}

    # -- log streams ---------------------------------------------------------------------

    def CreateLogStream(self, ctx, params):
        group_name = _require(params, "logGroupName")
        name = _require(params, "logStreamName")
        if not STREAM_NAME.match(name):
            raise _invalid(constraint_message(
                "logStreamName", "satisfy regular expression pattern: [^:*]*", name))
        group = self._group(ctx, group_name)
        if name in group["streams"]:
            raise AwsError("ResourceAlreadyExistsException", "The specified log stream already "
                           "exists")
        group["streams"][name] = {
            "logStreamName": name, "creationTime": self._ms(ctx),
            "arn": "%s:log-stream:%s" % (group["logGroupArn"], name), "storedBytes": 0,
        }
        return {}

    def DescribeLogStreams(self, ctx, params):
        group = self._group_of(ctx, params)
        prefix = params.get("logStreamNamePrefix")
        order = params.get("orderBy", "LogStreamName")
        if order not in ("LogStreamName", "LastEventTime"):
            raise _invalid("Invalid orderBy %s" % order)
        if prefix and order == "LastEventTime":
            raise _invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
        limit = _limit(params)
        streams = [s for n, s in sorted(group["streams"].items())
                   if (not prefix or n.startswith(prefix)) and ctx.visible(s["creationTime"] / 1e3)]
        if order == "LastEventTime":
            streams.sort(key=lambda s: s.get("lastEventTimestamp", 0))
        if as_bool(params.get("descending", False), "descending", "InvalidParameterException"):
            streams.reverse()
        return paged(streams, params, limit, "logStreams", "InvalidParameterException",
                     "The specified nextToken is invalid.", render=dict)

    def DeleteLogStream(self, ctx, params):
        group = self._group(ctx, _require(params, "logGroupName"))
        name = _require(params, "logStreamName")
        if name not in group["streams"]:
            raise AwsError("ResourceNotFoundException", "The specified log stream does not "
                           "exist.")
        del group["streams"][name]
        return {}

    def PutLogEvents(self, ctx, params):
        group = self._group(ctx, _require(params, "logGroupName"))
        stream = group["streams"].get(_require(params, "logStreamName"))
        if stream is None:
            raise AwsError("ResourceNotFoundException", "The specified log stream does not "
                           "exist.")
        events = as_list(_require(params, "logEvents"))
        stamps = [as_int(e.get("timestamp"), "timestamp", "InvalidParameterException")
                  for e in events]
        if stamps != sorted(stamps):
            raise _invalid("Log events in a single PutLogEvents request must be in "
                           "chronological order.")
        size = sum(len(str(e.get("message", "")).encode()) + 26 for e in events)
        stream["storedBytes"] += size
        group["storedBytes"] += size
        stream.setdefault("firstEventTimestamp", stamps[0])
        stream["lastEventTimestamp"] = stamps[-1]
        stream["lastIngestionTime"] = self._ms(ctx)
        return {"nextSequenceToken": "%056d" % self._ms(ctx)}

    # -- tags ----------------------------------------------------------------------------

    def _group_by_arn(self, ctx, params):
        arn = _require(params, "resourceArn")
        m = re.match(r"^arn:aws:logs:([a-z0-9-]+):(\d{12}):log-group:([^:]+)(:\*)?$", arn)
        if not m:
            raise _invalid("Invalid resourceArn: %s" % arn)
        return self._group(ctx, m.group(3))

    def _tag(self, group, tags):
        add_tags(group["tags"], _tags_in(tags),
                 AwsError("TooManyTagsException", "A resource can have no more than 50 tags."))

    def TagResource(self, ctx, params):
        self._tag(self._group_by_arn(ctx, params), _require(params, "tags"))
        return {}

    def UntagResource(self, ctx, params):
        remove_tags(self._group_by_arn(ctx, params)["tags"], _require(params, "tagKeys"))
        return {}

    def ListTagsForResource(self, ctx, params):
        return {"tags": dict(self._group_by_arn(ctx, params)["tags"])}

    def TagLogGroup(self, ctx, params):
        self._tag(self._group(ctx, _require(params, "logGroupName")), _require(params, "tags"))
        return {}

    def UntagLogGroup(self, ctx, params):
        remove_tags(self._group(ctx, _require(params, "logGroupName"))["tags"],
                    _require(params, "tags"))
        return {}

    def ListTagsLogGroup(self, ctx, params):
        return {"tags": dict(self._group(ctx, _require(params, "logGroupName"))["tags"])}

    # -- metric filters ------------------------------------------------------------------

    def PutMetricFilter(self, ctx, params):
        group = self._group(ctx, _require(params, "logGroupName"))
        name = _require(params, "filterName")
        if not STREAM_NAME.match(name):
            raise _invalid("Invalid filterName %s" % name)
        pattern = params.get("filterPattern")
        if pattern is None or len(pattern) > 1024:
            raise _invalid(constraint_message("filterPattern", "not be null"))
        transforms = as_list(_require(params, "metricTransformations"))
        if len(transforms) != 1:
            raise _invalid("Exactly one metric transformation is required.")
        t = transforms[0]
        for k in ("metricName", "metricNamespace", "metricValue"):
            if not t.get(k):
                raise _invalid(constraint_message("metricTransformations.1.member.%s" % k,
                                                  "not be null"))
        if t.get("dimensions") and t.get("defaultValue") is not None:
            raise _invalid("Dimensions and defaultValue are mutually exclusive.")
        filters = group.setdefault("filters", {})
        if name not in filters and len(filters) >= 100:
            raise AwsError("LimitExceededException", "Resource limit exceeded.")
        prior = filters.get(name)
        filters[name] = {"filterName": name, "filterPattern": pattern,
                         "metricTransformations": [t], "logGroupName": group["logGroupName"],
                         "creationTime": prior["creationTime"] if prior else self._ms(ctx)}
        group["metricFilterCount"] = len(filters)
        return {}

    def DescribeMetricFilters(self, ctx, params):
        prefix = params.get("filterNamePrefix")
        if prefix and not params.get("logGroupName"):
            raise _invalid("logGroupName is required when filterNamePrefix is given.")
        if bool(params.get("metricName")) != bool(params.get("metricNamespace")):
            raise _invalid("metricName and metricNamespace must be given together.")
        groups = [self._group(ctx, params["logGroupName"])] if params.get("logGroupName") \
            else [g for _, g in sorted(self._r(ctx)["groups"].items())]
        rows = []
        for g in groups:
            for name, f in sorted(g.get("filters", {}).items()):
                t = f["metricTransformations"][0]
                if prefix and not name.startswith(prefix):
                    continue
                if params.get("metricName") and (t["metricName"], t["metricNamespace"]) != (
                        params["metricName"], params["metricNamespace"]):
                    continue
                rows.append(f)
        return paged(rows, params, _limit(params), "metricFilters", "InvalidParameterException",
                     "The specified nextToken is invalid.")

    def DeleteMetricFilter(self, ctx, params):
        group = self._group(ctx, _require(params, "logGroupName"))
        name = _require(params, "filterName")
        if group.get("filters", {}).pop(name, None) is None:
            raise AwsError("ResourceNotFoundException", "The specified metric filter does not "
                           "exist.")
        group["metricFilterCount"] = len(group["filters"])
        return {}

    def inventory(self):
        groups, streams = [], []
        for region, r in self.store.get("regions", {}).items():
            for g in r["groups"].values():
                row = self._group_out(g)
                row.update(id=g["logGroupName"], region=region, tags=dict(g["tags"]),
                           retentionInDays=g.get("retentionInDays"))
                groups.append(row)
                for s in g["streams"].values():
                    streams.append(dict(s, id="%s:%s" % (g["logGroupName"], s["logStreamName"]),
                                        region=region, logGroupName=g["logGroupName"]))
        return {"log_group": groups, "log_stream": streams}
