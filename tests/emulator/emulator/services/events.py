"""EventBridge (json 1.1, AWSEvents): rules on the default event bus, their targets, and tags.

Per region: rules by name, each with its targets by Id. PutRule creates or replaces a rule
(tags only on creation, as AWS); a rule needs a ScheduleExpression (rate(...) or cron(...) with
six fields) or an EventPattern (a JSON object), or both. A rule with targets cannot be deleted;
deleting a missing rule succeeds (AWS documents repeated deletes as succeeding). A rule holds
at most 5 targets; an ECS target needs RoleArn and EcsParameters.TaskDefinitionArn, and
awsvpc network configuration when its launch type is FARGATE. Input, InputPath and
InputTransformer exclude one another. Only the "default" event bus exists.
"""
import json
import re

from ..core import AwsError, Service
from ._common import add_tags, as_int, as_list, paged, region_store, remove_tags, require, \
    tags_in, tags_out

NAME = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")
RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
CRON = re.compile(r"^cron\(([^ ()]+ ){5}[^ ()]+\)$")
STATES = ("ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
MAX_TARGETS = 5
TARGET_KEYS = ("Id", "Arn", "RoleArn", "Input", "InputPath", "InputTransformer",
               "KinesisParameters", "RunCommandParameters", "EcsParameters", "BatchParameters",
               "SqsParameters", "HttpParameters", "RedshiftDataParameters",
               "SageMakerPipelineParameters", "DeadLetterConfig", "RetryPolicy",
               "AppSyncParameters")


def _invalid(msg):
    return AwsError("ValidationException", msg)


def _require(params, name):
    return require(params, name)


def _schedule(expr):
    m = RATE.match(expr)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        if n < 1 or (n == 1) != (not unit.endswith("s")):
            raise _invalid("Parameter ScheduleExpression is not valid.")
        return expr
    if CRON.match(expr):
        return expr
    raise _invalid("Parameter ScheduleExpression is not valid.")


def _pattern(text):
    try:
        doc = json.loads(text)
    except (TypeError, ValueError):
        doc = None
    if not isinstance(doc, dict) or not doc:
        raise AwsError("InvalidEventPatternException", "Event pattern is not valid. Reason: "
                       "Filter is not an object")
    return text


def _check_target(t):
    """None when the target is acceptable, else (code, message) as PutTargets reports it."""
    if not isinstance(t, dict) or not NAME.match(t.get("Id") or ""):
        return "ValidationException", "Target Id is not valid."
    arn = t.get("Arn") or ""
    if not arn.startswith("arn:"):
        return "ValidationException", "Parameter %s is not valid." % arn
    if sum(1 for k in ("Input", "InputPath", "InputTransformer") if t.get(k)) > 1:
        return "ValidationException", "Only one of Input, InputPath, or InputTransformer " \
                                      "must be provided."
    if t.get("Input"):
        try:
            json.loads(t["Input"])
        except ValueError:
            return "ValidationException", "Target Input is not valid JSON text."
    if arn.startswith("arn:aws:ecs:"):
        if not t.get("RoleArn"):
            return "ValidationException", "RoleArn is required for target %s." % arn
        ecs = t.get("EcsParameters")
        if not isinstance(ecs, dict) or not ecs.get("TaskDefinitionArn"):
            return "ValidationException", "EcsParameters.TaskDefinitionArn is required for " \
                                          "target %s." % arn
        count = ecs.get("TaskCount", 1)
        if not isinstance(count, int) or count < 1:
            return "ValidationException", "EcsParameters.TaskCount must be at least 1."
        awsvpc = (ecs.get("NetworkConfiguration") or {}).get("awsvpcConfiguration")
        if ecs.get("LaunchType") == "FARGATE" and not (awsvpc and awsvpc.get("Subnets")):
            return "ValidationException", "Network Configuration must be specified when " \
                                          "Launch Type is FARGATE."
    if t.get("SqsParameters") and ".fifo" not in arn:
        return "ValidationException", "SqsParameters are only valid for FIFO queues."
    return None


class Events(Service):
    name = "events"
    protocol = "json"
    json_version = "1.1"
    target_prefix = "AWSEvents"
    throttle_code = "ThrottlingException"

    def _r(self, ctx):
        return region_store(self.store, ctx.region, "rules")

    def _bus(self, params):
        bus = params.get("EventBusName") or "default"
        if bus.startswith("arn:"):
            bus = bus.rsplit("/", 1)[-1]
        if bus != "default":
            raise AwsError("ResourceNotFoundException", "Event bus %s does not exist." % bus)
        return bus

    def _arn(self, ctx, name):
        return "arn:aws:events:%s:%s:rule/%s" % (ctx.region, ctx.account_id, name)

    def _rule(self, ctx, params, key="Name"):
        self._bus(params)
        name = _require(params, key)
        rule = self._r(ctx)["rules"].get(name)
        if rule is None or not ctx.visible(rule["created"]):
            raise AwsError("ResourceNotFoundException", "Rule %s does not exist on EventBus "
                           "default." % name)
        return rule

    # -- rules ---------------------------------------------------------------------------

    def PutRule(self, ctx, params):
        self._bus(params)
        name = _require(params, "Name")
        if not NAME.match(name):
            raise _invalid("1 validation error detected: Value '%s' at 'name' failed to "
                           "satisfy constraint: Member must satisfy regular expression "
                           "pattern: [\\.\\-_A-Za-z0-9]+" % name)
        schedule, pattern = params.get("ScheduleExpression"), params.get("EventPattern")
        if not schedule and not pattern:
            raise _invalid("Parameter(s) ScheduleExpression or EventPattern must be specified.")
        state = params.get("State") or "ENABLED"
        if state not in STATES:
            raise _invalid("Parameter State is not valid.")
        rule = {"Name": name, "State": state, "EventBusName": "default"}
        if schedule:
            rule["ScheduleExpression"] = _schedule(schedule)
        if pattern:
            rule["EventPattern"] = _pattern(pattern)
        for k in ("Description", "RoleArn"):
            if params.get(k):
                rule[k] = params[k]
        rules = self._r(ctx)["rules"]
        prior = rules.get(name)
        if prior is None:
            rule.update(created=ctx.now(), targets={},
                        tags=tags_in(params.get("Tags"), code="ValidationException"))
        else:
            rule.update(created=prior["created"], targets=prior["targets"], tags=prior["tags"])
        rules[name] = rule
        return {"RuleArn": self._arn(ctx, name)}

    def _render_rule(self, ctx, rule):
        out = {k: rule[k] for k in ("Name", "EventPattern", "ScheduleExpression", "State",
                                    "Description", "RoleArn", "EventBusName") if k in rule}
        out["Arn"] = self._arn(ctx, rule["Name"])
        return out

    def DescribeRule(self, ctx, params):
        out = self._render_rule(ctx, self._rule(ctx, params))
        out["CreatedBy"] = ctx.account_id
        return out

    def ListRules(self, ctx, params):
        self._bus(params)
        limit = as_int(params.get("Limit", 100), "Limit")
        if not 1 <= limit <= 100:
            raise _invalid("Parameter Limit is not valid.")
        prefix = params.get("NamePrefix") or ""
        rules = self._r(ctx)["rules"]
        chosen = [rules[n] for n in sorted(rules)
                  if n.startswith(prefix) and ctx.visible(rules[n]["created"])]
        return paged(chosen, params, limit, "Rules", "ValidationException",
                     "The nextToken provided is invalid.", token="NextToken",
                     render=lambda r: self._render_rule(ctx, r))

    def DeleteRule(self, ctx, params):
        self._bus(params)
        rules = self._r(ctx)["rules"]
        rule = rules.get(_require(params, "Name"))
        if rule is None:
            return {}
        if rule["targets"]:
            raise _invalid("Rule can't be deleted since it has targets.")
        del rules[rule["Name"]]
        return {}

    def EnableRule(self, ctx, params):
        self._rule(ctx, params)["State"] = "ENABLED"
        return {}

    def DisableRule(self, ctx, params):
        self._rule(ctx, params)["State"] = "DISABLED"
        return {}

    # -- targets -------------------------------------------------------------------------

    def PutTargets(self, ctx, params):
        rule = self._rule(ctx, params, "Rule")
        targets = as_list(_require(params, "Targets"))
        new_ids = {t.get("Id") for t in targets if isinstance(t, dict)} - set(rule["targets"])
        if len(rule["targets"]) + len(new_ids) > MAX_TARGETS:
            raise AwsError("LimitExceededException", "The requested resource exceeds the "
                           "maximum number allowed.")
        failed = []
        for t in targets:
            bad = _check_target(t)
            if bad:
                failed.append({"TargetId": (t or {}).get("Id", ""), "ErrorCode": bad[0],
                               "ErrorMessage": bad[1]})
                continue
            rule["targets"][t["Id"]] = {k: t[k] for k in TARGET_KEYS if k in t}
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    def RemoveTargets(self, ctx, params):
        rule = self._rule(ctx, params, "Rule")
        for i in as_list(_require(params, "Ids")):
            rule["targets"].pop(i, None)
        return {"FailedEntryCount": 0, "FailedEntries": []}

    def ListTargetsByRule(self, ctx, params):
        rule = self._rule(ctx, params, "Rule")
        limit = as_int(params.get("Limit", 100), "Limit")
        if not 1 <= limit <= 100:
            raise _invalid("Parameter Limit is not valid.")
        targets = [rule["targets"][i] for i in sorted(rule["targets"])]
        return paged(targets, params, limit, "Targets", "ValidationException",
                     "The nextToken provided is invalid.", token="NextToken")

    # -- tags ----------------------------------------------------------------------------

    def _tagged(self, ctx, params):
        arn = _require(params, "ResourceARN")
        prefix = "arn:aws:events:%s:%s:rule/" % (ctx.region, ctx.account_id)
        rule = self._r(ctx)["rules"].get(arn[len(prefix):]) if arn.startswith(prefix) else None
        if rule is None:
            raise AwsError("ResourceNotFoundException", "Rule %s does not exist." % arn)
        return rule["tags"]

    def TagResource(self, ctx, params):
        add_tags(self._tagged(ctx, params), tags_in(_require(params, "Tags")),
                 AwsError("LimitExceededException", "A resource can have at most 50 tags."))
        return {}

    def UntagResource(self, ctx, params):
        remove_tags(self._tagged(ctx, params), _require(params, "TagKeys"))
        return {}

    def ListTagsForResource(self, ctx, params):
        return {"Tags": tags_out(self._tagged(ctx, params))}

    def inventory(self):
        out = {"rule": [], "target": []}
        for region, r in sorted(self.store.get("regions", {}).items()):
            for name, rule in sorted(r.get("rules", {}).items()):
                out["rule"].append({"id": name, "region": region})
                out["target"] += [{"id": "%s/%s" % (name, i), "region": region}
                                  for i in sorted(rule["targets"])]
        return out
