"""CloudWatch (query protocol, 2010-08-01, signing name "monitoring"): metric alarms (a single
metric or metric math), dashboards and tags.

Per region: alarms and dashboards by name. PutMetricAlarm creates or replaces an alarm whole
(AWS keeps no partial update), keeps its state, and ignores Tags when the alarm exists (AWS
documents this: tags of an existing alarm change only through TagResource). An alarm names
either one metric (MetricName, Namespace, Statistic or ExtendedStatistic, Period) or Metrics
(metric math): mixing both, or metric math without exactly one ReturnData query, is refused as
AWS does. New alarms are in INSUFFICIENT_DATA. Dashboard bodies must be a JSON object with a
"widgets" list. DescribeAlarms pages by MaxRecords (1-100, default 50).
"""
import json
import re

from ..core import AwsError, Service, iso_time
from ._common import add_tags, as_bool, as_int, as_list, paged, region_store, remove_tags, \
    tags_in, tags_out

ALARM_NAME = re.compile(r"^.{1,255}$", re.S)
DASHBOARD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
QUERY_ID = re.compile(r"^[a-z][A-Za-z0-9_]{0,254}$")
OPERATORS = ("GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold",
             "LessThanOrEqualToThreshold", "LessThanLowerOrGreaterThanUpperThreshold",
             "LessThanLowerThreshold", "GreaterThanUpperThreshold")
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
MISSING = ("breaching", "notBreaching", "ignore", "missing")
STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")


def _invalid(msg):
    return AwsError("InvalidParameterValue", msg)


def _combination(msg):
    return AwsError("InvalidParameterCombination", msg)


def _require(params, name):
    value = params.get(name)
    if value in (None, ""):
        raise AwsError("MissingParameter", "The parameter %s is required." % name)
    return value


def _period(value, where="Period"):
    period = as_int(value, where, "InvalidParameterValue")
    if period not in (10, 20, 30) and (period < 60 or period % 60):
        raise _invalid("The parameter %s must be 10, 20, 30 or a multiple of 60." % where)
    return period


def _dimensions(value):
    out = []
    for d in as_list(value):
        if not isinstance(d, dict) or not d.get("Name") or d.get("Value") in (None, ""):
            raise _invalid("Dimensions must have a Name and a Value.")
        out.append({"Name": d["Name"], "Value": d["Value"]})
    if len(out) > 30:
        raise _invalid("The collection Dimensions must not have more than 30 members.")
    return out


def _metric_queries(value):
    """The Metrics of a metric-math alarm, validated and normalised."""
    queries, ids, returned = [], set(), 0
    for q in as_list(value):
        qid = q.get("Id", "")
        if not QUERY_ID.match(qid):
            raise _invalid("The value %s for parameter Metrics[].Id is invalid: it must start "
                           "with a lowercase letter." % qid)
        if qid in ids:
            raise _invalid("Duplicate Metrics[].Id: %s" % qid)
        ids.add(qid)
        stat, expr = q.get("MetricStat"), q.get("Expression")
        if bool(stat) == bool(expr):
            raise _combination("Exactly one of MetricStat and Expression must be set in "
                               "Metrics[%s]." % qid)
        out = {"Id": qid}
        if stat:
            metric = stat.get("Metric") or {}
            if not metric.get("MetricName") or not metric.get("Namespace"):
                raise AwsError("MissingParameter", "Metrics[%s].MetricStat.Metric needs "
                               "MetricName and Namespace." % qid)
            out["MetricStat"] = {
                "Metric": {"Namespace": metric["Namespace"], "MetricName": metric["MetricName"],
                           "Dimensions": _dimensions(metric.get("Dimensions"))},
                "Period": _period(_require(stat, "Period"), "Metrics[].MetricStat.Period"),
                "Stat": _require(stat, "Stat")}
            if stat.get("Unit"):
                out["MetricStat"]["Unit"] = stat["Unit"]
        else:
            out["Expression"] = expr
        if q.get("Label"):
            out["Label"] = q["Label"]
        if q.get("Period") not in (None, ""):
            out["Period"] = _period(q["Period"], "Metrics[].Period")
        if q.get("AccountId"):
            out["AccountId"] = q["AccountId"]
        out["ReturnData"] = as_bool(q.get("ReturnData", True), "ReturnData",
                                    "InvalidParameterValue")
        returned += out["ReturnData"]
        queries.append(out)
    if not queries:
        raise AwsError("MissingParameter", "The parameter Metrics is required.")
    if returned != 1:
        raise _invalid("Exactly one element of the metrics list should return data.")
    return queries


def _actions(params, name):
    actions = [a for a in as_list(params.get(name)) if a]
    if len(actions) > 5:
        raise _invalid("The collection %s must not have more than 5 members." % name)
    for a in actions:
        if not a.startswith("arn:"):
            raise _invalid("Invalid arn syntax: %s" % a)
    return actions


class CloudWatch(Service):
    name = "monitoring"
    protocol = "query"
    api_version = "2010-08-01"
    xmlns = "http://monitoring.amazonaws.com/doc/2010-08-01/"
    throttle_code = "Throttling"

    def _r(self, ctx):
        return region_store(self.store, ctx.region, "alarms", "dashboards", "tags")

    def _alarm_arn(self, ctx, name):
        return "arn:aws:cloudwatch:%s:%s:alarm:%s" % (ctx.region, ctx.account_id, name)

    def _dashboard_arn(self, ctx, name):
        return "arn:aws:cloudwatch::%s:dashboard/%s" % (ctx.account_id, name)

    # -- alarms --------------------------------------------------------------------------

    def PutMetricAlarm(self, ctx, params):
        name = _require(params, "AlarmName")
        if not ALARM_NAME.match(name):
            raise _invalid("The parameter AlarmName must be 1-255 characters.")
        operator = _require(params, "ComparisonOperator")
        if operator not in OPERATORS:
            raise _invalid("Invalid ComparisonOperator: %s" % operator)
        evaluation = as_int(_require(params, "EvaluationPeriods"), "EvaluationPeriods",
                            "InvalidParameterValue")
        if evaluation < 1:
            raise _invalid("The parameter EvaluationPeriods must be at least 1.")
        alarm = {"AlarmName": name, "AlarmDescription": params.get("AlarmDescription", ""),
                 "ActionsEnabled": as_bool(params.get("ActionsEnabled", True), "ActionsEnabled",
                                           "InvalidParameterValue"),
                 "OKActions": _actions(params, "OKActions"),
                 "AlarmActions": _actions(params, "AlarmActions"),
                 "InsufficientDataActions": _actions(params, "InsufficientDataActions"),
                 "EvaluationPeriods": evaluation, "ComparisonOperator": operator,
                 "Dimensions": []}
        single = [k for k in ("MetricName", "Namespace", "Statistic", "ExtendedStatistic",
                              "Period", "Dimensions", "Unit") if params.get(k) not in (None, "")]
        if params.get("Metrics") not in (None, "", []):
            if single:
                raise _combination("The parameters %s and Metrics are mutually exclusive."
                                   % single[0])
            alarm["Metrics"] = _metric_queries(params["Metrics"])
        else:
            alarm["MetricName"] = _require(params, "MetricName")
            alarm["Namespace"] = _require(params, "Namespace")
            stat, ext = params.get("Statistic"), params.get("ExtendedStatistic")
            if bool(stat) == bool(ext):
                raise _combination("Exactly one of Statistic and ExtendedStatistic must be "
                                   "set.")
            if stat and stat not in STATISTICS:
                raise _invalid("Invalid Statistic: %s" % stat)
            alarm["Statistic" if stat else "ExtendedStatistic"] = stat or ext
            alarm["Period"] = _period(_require(params, "Period"))
            alarm["Dimensions"] = _dimensions(params.get("Dimensions"))
            if params.get("Unit"):
                alarm["Unit"] = params["Unit"]
        if params.get("ThresholdMetricId"):
            alarm["ThresholdMetricId"] = params["ThresholdMetricId"]
        else:
            try:
                alarm["Threshold"] = float(_require(params, "Threshold"))
            except (TypeError, ValueError):
                raise _invalid("Invalid Threshold: %s" % params.get("Threshold"))
        if params.get("DatapointsToAlarm") not in (None, ""):
            dp = as_int(params["DatapointsToAlarm"], "DatapointsToAlarm",
                        "InvalidParameterValue")
            if not 1 <= dp <= evaluation:
                raise _invalid("DatapointsToAlarm must be between 1 and EvaluationPeriods.")
            alarm["DatapointsToAlarm"] = dp
        missing = params.get("TreatMissingData")
        if missing not in (None, ""):
            if missing not in MISSING:
                raise _invalid("Invalid TreatMissingData: %s" % missing)
            alarm["TreatMissingData"] = missing
        if params.get("EvaluateLowSampleCountPercentile"):
            alarm["EvaluateLowSampleCountPercentile"] = params["EvaluateLowSampleCountPercentile"]
        r = self._r(ctx)
        prior = r["alarms"].get(name)
        now = ctx.now()
        alarm["updated"] = now
        if prior is None:
            alarm.update(state="INSUFFICIENT_DATA", state_reason="Unchecked: Initial alarm "
                         "creation", state_updated=now, created=now)
            arn = self._alarm_arn(ctx, name)
            r["tags"][arn] = tags_in(params.get("Tags"), code="InvalidParameterValue")
        else:
            for k in ("state", "state_reason", "state_updated", "created"):
                alarm[k] = prior[k]
        r["alarms"][name] = alarm
        return None

    def _render_alarm(self, ctx, a):
        out = {k: a[k] for k in ("AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions",
                                 "AlarmActions", "InsufficientDataActions") if k in a}
        out["AlarmArn"] = self._alarm_arn(ctx, a["AlarmName"])
        out["AlarmConfigurationUpdatedTimestamp"] = iso_time(a["updated"])
        out.update(StateValue=a["state"], StateReason=a["state_reason"],
                   StateUpdatedTimestamp=iso_time(a["state_updated"]))
        for k in ("MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions",
                  "Period", "Unit", "EvaluationPeriods", "DatapointsToAlarm", "Threshold",
                  "ComparisonOperator", "TreatMissingData", "EvaluateLowSampleCountPercentile",
                  "Metrics", "ThresholdMetricId"):
            if k in a:
                out[k] = a[k]
        if "TreatMissingData" not in out:
            out["TreatMissingData"] = "missing"
        return out

    def DescribeAlarms(self, ctx, params):
        names = as_list(params.get("AlarmNames"))
        prefix = params.get("AlarmNamePrefix")
        if names and prefix:
            raise _combination("AlarmNamePrefix and AlarmNames are mutually exclusive.")
        if len(names) > 100:
            raise _invalid("The collection AlarmNames must not have more than 100 members.")
        limit = as_int(params.get("MaxRecords", 50), "MaxRecords", "InvalidParameterValue")
        if not 1 <= limit <= 100:
            raise _invalid("The parameter MaxRecords must be between 1 and 100.")
        types = as_list(params.get("AlarmTypes")) or ["MetricAlarm"]
        state = params.get("StateValue")
        if state and state not in STATES:
            raise _invalid("Invalid StateValue: %s" % state)
        alarms = self._r(ctx)["alarms"]
        chosen = [alarms[n] for n in sorted(alarms)
                  if "MetricAlarm" in types and ctx.visible(alarms[n]["created"])
                  and (not names or n in names) and (not prefix or n.startswith(prefix))
                  and (not state or alarms[n]["state"] == state)
                  and (not params.get("ActionPrefix") or any(
                      x.startswith(params["ActionPrefix"]) for x in alarms[n]["AlarmActions"]))]
        out = paged(chosen, params, limit, "MetricAlarms", "InvalidNextToken",
                    "The service returned an invalid NextToken.", token="NextToken",
                    render=lambda a: self._render_alarm(ctx, a))
        out["CompositeAlarms"] = []
        return out

    def DeleteAlarms(self, ctx, params):
        names = as_list(_require(params, "AlarmNames"))
        alarms = self._r(ctx)["alarms"]
        missing = [n for n in names if n not in alarms]
        if missing:
            raise AwsError("ResourceNotFound", "1 alarm(s) were not found: %s" % missing[0], 404)
        for n in names:
            del alarms[n]
            self._r(ctx)["tags"].pop(self._alarm_arn(ctx, n), None)
        return None

    def SetAlarmState(self, ctx, params):
        alarm = self._r(ctx)["alarms"].get(_require(params, "AlarmName"))
        if alarm is None:
            raise AwsError("ResourceNotFound", "Alarm %s not found" % params["AlarmName"], 404)
        state = _require(params, "StateValue")
        if state not in STATES:
            raise _invalid("Invalid StateValue: %s" % state)
        alarm.update(state=state, state_reason=_require(params, "StateReason"),
                     state_updated=ctx.now())
        return None

    # -- dashboards ----------------------------------------------------------------------

    def PutDashboard(self, ctx, params):
        name = _require(params, "DashboardName")
        body = _require(params, "DashboardBody")
        if not DASHBOARD_NAME.match(name):
            raise AwsError("InvalidParameterInput", "The value for field DashboardName "
                           "contains invalid characters.")
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
        if not isinstance(doc, dict) or not isinstance(doc.get("widgets"), list):
            raise AwsError("InvalidParameterInput", "The field DashboardBody must be a JSON "
                           "object with a widgets array.")
        self._r(ctx)["dashboards"][name] = {"body": body, "modified": ctx.now()}
        return {"DashboardValidationMessages": []}

    def _dashboard(self, ctx, name):
        d = self._r(ctx)["dashboards"].get(name)
        if d is None:
            raise AwsError("ResourceNotFound", "Dashboard %s does not exist" % name, 404)
        return d

    def GetDashboard(self, ctx, params):
        name = _require(params, "DashboardName")
        d = self._dashboard(ctx, name)
        return {"DashboardArn": self._dashboard_arn(ctx, name), "DashboardBody": d["body"],
                "DashboardName": name}

    def DeleteDashboards(self, ctx, params):
        names = as_list(_require(params, "DashboardNames"))
        for n in names:
            self._dashboard(ctx, n)
        for n in names:
            del self._r(ctx)["dashboards"][n]
        return {}

    def ListDashboards(self, ctx, params):
        prefix = params.get("DashboardNamePrefix") or ""
        dash = self._r(ctx)["dashboards"]
        names = [n for n in sorted(dash) if n.startswith(prefix)]
        return paged(names, params, 1000, "DashboardEntries", "InvalidNextToken",
                     "The service returned an invalid NextToken.", token="NextToken",
                     render=lambda n: {"DashboardName": n,
                                       "DashboardArn": self._dashboard_arn(ctx, n),
                                       "LastModified": iso_time(dash[n]["modified"]),
                                       "Size": len(dash[n]["body"])})

    # -- tags ----------------------------------------------------------------------------

    def _tags(self, ctx, arn):
        r = self._r(ctx)
        if arn not in r["tags"]:
            name = arn.split(":alarm:", 1)[-1]
            if ":alarm:" not in arn or name not in r["alarms"]:
                raise AwsError("ResourceNotFoundException", "Resource %s not found" % arn, 404)
            r["tags"][arn] = {}
        return r["tags"][arn]

    def TagResource(self, ctx, params):
        tags = self._tags(ctx, _require(params, "ResourceARN"))
        add_tags(tags, tags_in(_require(params, "Tags"), code="InvalidParameterValue"),
                 _invalid("A resource can have at most 50 tags."))
        return {}

    def UntagResource(self, ctx, params):
        remove_tags(self._tags(ctx, _require(params, "ResourceARN")),
                    _require(params, "TagKeys"))
        return {}

    def ListTagsForResource(self, ctx, params):
        return {"Tags": tags_out(self._tags(ctx, _require(params, "ResourceARN")))}

    def inventory(self):
        out = {"alarm": [], "dashboard": []}
        for region, r in sorted(self.store.get("regions", {}).items()):
            out["alarm"] += [{"id": n, "region": region} for n in sorted(r.get("alarms", {}))]
            out["dashboard"] += [{"id": n, "region": region}
                                 for n in sorted(r.get("dashboards", {}))]
        return out
