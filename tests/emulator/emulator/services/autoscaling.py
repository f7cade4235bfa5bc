"""Application Auto Scaling (json 1.1, AnyScaleFrontendService): scalable targets and policies.

Per region: targets keyed by (namespace, resource id, dimension), policies keyed by target key
and policy name. RegisterScalableTarget is an upsert (a new target needs Min and Max). A
target-tracking policy owns the two CloudWatch alarms AWS creates for it (AlarmHigh, and
AlarmLow unless DisableScaleIn); deregistering a target deletes its policies and scheduled
actions. A step-scaling configuration needs an AdjustmentType and step adjustments whose
intervals do not overlap. Scheduled actions (at(...), rate(...), cron(...)) are keyed like
policies, by target and name.
"""
import re
import uuid

from ..core import AwsError, Service
from ._common import add_tags, as_int, as_list, constraint_message, paged, region_store, \
    remove_tags, require

NAMESPACES = ("ecs", "elasticmapreduce", "ec2", "appstream", "dynamodb", "rds", "sagemaker",
              "custom-resource", "comprehend", "lambda", "cassandra", "kafka", "elasticache",
              "neptune", "workspaces")
ECS_RESOURCE = re.compile(r"^service/[A-Za-z0-9_-]{1,255}/[A-Za-z0-9_-]{1,255}$")
ECS_METRICS = ("ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization",
               "ALBRequestCountPerTarget")
POLICY_NAME = re.compile(r"^\S{1,256}$")


def _validation(msg):
    return AwsError("ValidationException", msg)


def _require(params, name):
    return require(params, name, empty=(None, "", []))


SCHEDULE = re.compile(r"^(at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)|"
                      r"rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^()]+\))$")
ADJUSTMENT_TYPES = ("ChangeInCapacity", "PercentChangeInCapacity", "ExactCapacity")


def _check_step_scaling(cfg):
    """ValidationException unless cfg is a step-scaling configuration AWS accepts."""
    if cfg.get("AdjustmentType") not in ADJUSTMENT_TYPES:
        raise _validation("AdjustmentType must be one of %s" % ", ".join(ADJUSTMENT_TYPES))
    steps = as_list(cfg.get("StepAdjustments"))
    if not steps:
        raise _validation("StepAdjustments must have at least one step")
    spans = []
    for s in steps:
        if "ScalingAdjustment" not in s:
            raise _validation("ScalingAdjustment is required in each step adjustment")
        lo = float(s["MetricIntervalLowerBound"]) if s.get("MetricIntervalLowerBound") \
            is not None else float("-inf")
        hi = float(s["MetricIntervalUpperBound"]) if s.get("MetricIntervalUpperBound") \
            is not None else float("inf")
        if lo >= hi:
            raise _validation("The upper bound of a step must be greater than its lower bound")
        spans.append((lo, hi))
    spans.sort()
    for (_, hi), (lo, _) in zip(spans, spans[1:]):
        if lo < hi:
            raise _validation("Step adjustment intervals must not overlap")
    if cfg.get("MetricAggregationType") not in (None, "Average", "Minimum", "Maximum"):
        raise _validation("MetricAggregationType must be Average, Minimum or Maximum")


def _key(ns, rid, dim):
    return "%s|%s|%s" % (ns, rid, dim)


class AppAutoScaling(Service):
    name = "application-autoscaling"
    protocol = "json"
    json_version = "1.1"
    target_prefix = "AnyScaleFrontendService"
    throttle_code = "ThrottlingException"

    def _r(self, ctx):
        return region_store(self.store, ctx.region, "targets", "policies", "scheduled")

    def _target_key(self, params):
        ns = _require(params, "ServiceNamespace")
        if ns not in NAMESPACES:
            raise _validation(constraint_message("serviceNamespace", "satisfy enum value set", ns))
        rid = _require(params, "ResourceId")
        dim = _require(params, "ScalableDimension")
        if ns == "ecs":
            if not ECS_RESOURCE.match(rid):
                raise _validation("Unsupported resource ID: %s" % rid)
            if dim != "ecs:service:DesiredCount":
                raise _validation("Unsupported scalable dimension: %s" % dim)
        elif not dim.startswith(ns + ":") and ns != "custom-resource":
            raise _validation("Unsupported scalable dimension: %s" % dim)
        return ns, rid, dim

    def _target(self, ctx, ns, rid, dim):
        t = self._r(ctx)["targets"].get(_key(ns, rid, dim))
        if t is None or not ctx.visible(t["CreationTime"]):
            raise AwsError("ObjectNotFoundException", "No scalable target registered for service "
                           "namespace: %s, resource ID: %s, scalable dimension: %s"
                           % (ns, rid, dim))
        return t

    @staticmethod
    def _target_out(t):
        return {k: t[k] for k in ("ServiceNamespace", "ResourceId", "ScalableDimension",
                                  "MinCapacity", "MaxCapacity", "RoleARN", "CreationTime",
                                  "SuspendedState", "ScalableTargetARN")}

    # -- scalable targets ----------------------------------------------------------------

    def RegisterScalableTarget(self, ctx, params):
        ns, rid, dim = self._target_key(params)
        key = _key(ns, rid, dim)
        r = self._r(ctx)
        t = r["targets"].get(key)
        if t is None and ("MinCapacity" not in params or "MaxCapacity" not in params):
            raise _validation("MinCapacity and MaxCapacity are required for registering a new "
                              "scalable target.")
        low = as_int(params.get("MinCapacity", t and t["MinCapacity"]), "MinCapacity")
        high = as_int(params.get("MaxCapacity", t and t["MaxCapacity"]), "MaxCapacity")
        if low < 0 or high < 0:
            raise _validation("Capacity values must be non-negative.")
        if low > high:
            raise _validation("Minimum capacity cannot be greater than maximum capacity")
        suspended = {"DynamicScalingInSuspended": False, "DynamicScalingOutSuspended": False,
                     "ScheduledScalingSuspended": False}
        if t is not None:
            suspended = t["SuspendedState"]
        for k, v in (params.get("SuspendedState") or {}).items():
            if k not in suspended:
                raise _validation("Unknown SuspendedState member %s" % k)
            suspended[k] = bool(v)
        if t is None:
            role = params.get("RoleARN") or (
                "arn:aws:iam::%s:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
                "AWSServiceRoleForApplicationAutoScaling_ECSService" % ctx.account_id
                if ns == "ecs" else
                "arn:aws:iam::%s:role/aws-service-role/AWSServiceRoleForApplicationAutoScaling"
                % ctx.account_id)
            t = {"ServiceNamespace": ns, "ResourceId": rid, "ScalableDimension": dim,
                 "RoleARN": role, "CreationTime": ctx.now(),
                 "ScalableTargetARN": "arn:aws:application-autoscaling:%s:%s:scalable-target/%s"
                 % (ctx.region, ctx.account_id, uuid.uuid4().hex[:4] + uuid.uuid4().hex),
                 "Tags": {}}
            r["targets"][key] = t
        elif params.get("RoleARN"):
            t["RoleARN"] = params["RoleARN"]
        t.update(MinCapacity=low, MaxCapacity=high, SuspendedState=suspended)
        tags = params.get("Tags") or {}
        if not isinstance(tags, dict) or len(tags) > 50:
            raise _validation("Tags must be a map of at most 50 entries.")
        t["Tags"].update(tags)
        return {"ScalableTargetARN": t["ScalableTargetARN"]}

    def DescribeScalableTargets(self, ctx, params):
        ns = _require(params, "ServiceNamespace")
        ids = as_list(params.get("ResourceIds"))
        dim = params.get("ScalableDimension")
        if dim and not ids:
            raise _validation("ResourceIds must be provided when ScalableDimension is specified")
        limit = as_int(params.get("MaxResults", 50), "MaxResults")
        if not 1 <= limit <= 50:
            raise _validation("MaxResults must be between 1 and 50")
        rows = [t for k, t in sorted(self._r(ctx)["targets"].items())
                if t["ServiceNamespace"] == ns and (not ids or t["ResourceId"] in ids)
                and (not dim or t["ScalableDimension"] == dim) and ctx.visible(t["CreationTime"])]
        return paged(rows, params, limit, "ScalableTargets", "InvalidNextTokenException",
                     "Invalid token", token="NextToken", render=self._target_out)

    def DeregisterScalableTarget(self, ctx, params):
        ns, rid, dim = self._target_key(params)
        key = _key(ns, rid, dim)
        r = self._r(ctx)
        if key not in r["targets"]:
            raise AwsError("ObjectNotFoundException", "No scalable target found for service "
                           "namespace: %s, resource ID: %s, scalable dimension: %s"
                           % (ns, rid, dim))
        del r["targets"][key]
        r["policies"].pop(key, None)
        r["scheduled"].pop(key, None)
        return {}

    # -- scaling policies ----------------------------------------------------------------

    def _check_target_tracking(self, ns, cfg):
        if not isinstance(cfg, dict) or "TargetValue" not in cfg:
            raise _validation("TargetTrackingScalingPolicyConfiguration.TargetValue is required")
        try:
            value = float(cfg["TargetValue"])
        except (TypeError, ValueError):
            raise _validation("TargetValue must be a number")
        if not 8.515920e-109 <= value <= 6.174271e+107:
            raise _validation("TargetValue out of range")
        predefined = cfg.get("PredefinedMetricSpecification")
        custom = cfg.get("CustomizedMetricSpecification")
        if bool(predefined) == bool(custom):
            raise _validation("Exactly one of PredefinedMetricSpecification and "
                              "CustomizedMetricSpecification must be specified")
        if predefined:
            mtype = predefined.get("PredefinedMetricType")
            if not mtype:
                raise _validation("PredefinedMetricType is required")
            if ns == "ecs" and mtype not in ECS_METRICS:
                raise _validation("Unsupported metric type %s for service namespace ecs" % mtype)
            if mtype == "ALBRequestCountPerTarget" and not predefined.get("ResourceLabel"):
                raise _validation("ResourceLabel is required for predefined metric type "
                                  "ALBRequestCountPerTarget")
        for k in ("ScaleInCooldown", "ScaleOutCooldown"):
            if k in cfg and not 0 <= as_int(cfg[k], k) <= 31536000:
                raise _validation("%s must be between 0 and 31536000" % k)

    def PutScalingPolicy(self, ctx, params):
        name = _require(params, "PolicyName")
        if not POLICY_NAME.match(name):
            raise _validation("Invalid PolicyName %s" % name)
        ns, rid, dim = self._target_key(params)
        self._target(ctx, ns, rid, dim)
        ptype = params.get("PolicyType", "StepScaling")
        if ptype not in ("StepScaling", "TargetTrackingScaling", "PredictiveScaling"):
            raise _validation("Unsupported policy type %s" % ptype)
        policy = {"PolicyName": name, "ServiceNamespace": ns, "ResourceId": rid,
                  "ScalableDimension": dim, "PolicyType": ptype}
        if ptype == "TargetTrackingScaling":
            cfg = params.get("TargetTrackingScalingPolicyConfiguration")
            if params.get("StepScalingPolicyConfiguration"):
                raise _validation("StepScalingPolicyConfiguration is not valid for "
                                  "TargetTrackingScaling")
            self._check_target_tracking(ns, cfg)
            policy["TargetTrackingScalingPolicyConfiguration"] = cfg
        elif ptype == "StepScaling":
            cfg = params.get("StepScalingPolicyConfiguration")
            if not cfg:
                raise _validation("StepScalingPolicyConfiguration is required for StepScaling")
            _check_step_scaling(cfg)
            policy["StepScalingPolicyConfiguration"] = cfg
        else:
            policy["PredictiveScalingPolicyConfiguration"] = \
                _require(params, "PredictiveScalingPolicyConfiguration")
        by_name = self._r(ctx)["policies"].setdefault(_key(ns, rid, dim), {})
        old = by_name.get(name)
        policy_id = old["id"] if old else str(uuid.uuid4())
        policy["id"] = policy_id
        policy["PolicyARN"] = ("arn:aws:autoscaling:%s:%s:scalingPolicy:%s:resource/%s/%s:"
                               "policyName/%s" % (ctx.region, ctx.account_id, policy_id, ns, rid,
                                                  name))
        policy["CreationTime"] = old["CreationTime"] if old else ctx.now()
        policy["Alarms"] = []
        if ptype == "TargetTrackingScaling":
            kinds = ["AlarmHigh"] if cfg.get("DisableScaleIn") else ["AlarmHigh", "AlarmLow"]
            for kind in kinds:
                alarm = "TargetTracking-%s-%s-%s" % (rid, kind, policy_id)
                policy["Alarms"].append({"AlarmName": alarm, "AlarmARN":
                                         "arn:aws:cloudwatch:%s:%s:alarm:%s"
                                         % (ctx.region, ctx.account_id, alarm)})
        by_name[name] = policy
        return {"PolicyARN": policy["PolicyARN"], "Alarms": policy["Alarms"]}

    def DescribeScalingPolicies(self, ctx, params):
        ns = _require(params, "ServiceNamespace")
        names = as_list(params.get("PolicyNames"))
        rid = params.get("ResourceId")
        dim = params.get("ScalableDimension")
        limit = as_int(params.get("MaxResults", 50), "MaxResults")
        if not 1 <= limit <= 50:
            raise _validation("MaxResults must be between 1 and 50")
        rows = []
        for key, by_name in sorted(self._r(ctx)["policies"].items()):
            for pname, p in sorted(by_name.items()):
                if p["ServiceNamespace"] != ns or (names and pname not in names) \
                        or (rid and p["ResourceId"] != rid) \
                        or (dim and p["ScalableDimension"] != dim) \
                        or not ctx.visible(p["CreationTime"]):
                    continue
                rows.append({k: v for k, v in p.items() if k != "id"})
        return paged(rows, params, limit, "ScalingPolicies", "InvalidNextTokenException",
                     "Invalid token", token="NextToken")

    def DeleteScalingPolicy(self, ctx, params):
        name = _require(params, "PolicyName")
        ns, rid, dim = self._target_key(params)
        by_name = self._r(ctx)["policies"].get(_key(ns, rid, dim), {})
        if name not in by_name:
            raise AwsError("ObjectNotFoundException", "No scaling policy found for service "
                           "namespace: %s, resource ID: %s, scalable dimension: %s, policy name:"
                           " %s" % (ns, rid, dim, name))
        del by_name[name]
        return {}

    # -- scheduled actions ---------------------------------------------------------------

    def PutScheduledAction(self, ctx, params):
        name = _require(params, "ScheduledActionName")
        if not POLICY_NAME.match(name):
            raise _validation("Invalid ScheduledActionName %s" % name)
        ns, rid, dim = self._target_key(params)
        self._target(ctx, ns, rid, dim)
        by_name = self._r(ctx)["scheduled"].setdefault(_key(ns, rid, dim), {})
        old = by_name.get(name)
        schedule = params.get("Schedule") or (old or {}).get("Schedule")
        if not schedule:
            raise _validation("Schedule is required for a new scheduled action")
        if not SCHEDULE.match(schedule):
            raise _validation("Invalid schedule expression: %s" % schedule)
        action = params.get("ScalableTargetAction") or (old or {}).get("ScalableTargetAction")
        if action:
            low, high = action.get("MinCapacity"), action.get("MaxCapacity")
            if low is None and high is None:
                raise _validation("ScalableTargetAction needs MinCapacity or MaxCapacity")
            if low is not None and high is not None and as_int(low, "MinCapacity") > \
                    as_int(high, "MaxCapacity"):
                raise _validation("Minimum capacity cannot be greater than maximum capacity")
        action_id = old["id"] if old else str(uuid.uuid4())
        item = {"ScheduledActionName": name, "ServiceNamespace": ns, "ResourceId": rid,
                "ScalableDimension": dim, "Schedule": schedule, "id": action_id,
                "ScheduledActionARN": "arn:aws:autoscaling:%s:%s:scheduledAction:%s:resource/"
                "%s/%s:scheduledActionName/%s" % (ctx.region, ctx.account_id, action_id, ns,
                                                  rid, name),
                "CreationTime": old["CreationTime"] if old else ctx.now()}
        for k in ("Timezone", "StartTime", "EndTime"):
            if params.get(k) not in (None, ""):
                item[k] = params[k]
        if action:
            item["ScalableTargetAction"] = {k: int(v) for k, v in action.items()
                                            if k in ("MinCapacity", "MaxCapacity")}
        by_name[name] = item
        return {}

    def DescribeScheduledActions(self, ctx, params):
        ns = _require(params, "ServiceNamespace")
        names = as_list(params.get("ScheduledActionNames"))
        rid, dim = params.get("ResourceId"), params.get("ScalableDimension")
        limit = as_int(params.get("MaxResults", 50), "MaxResults")
        if not 1 <= limit <= 50:
            raise _validation("MaxResults must be between 1 and 50")
        rows = []
        for key, by_name in sorted(self._r(ctx)["scheduled"].items()):
            for aname, a in sorted(by_name.items()):
                if a["ServiceNamespace"] != ns or (names and aname not in names) \
                        or (rid and a["ResourceId"] != rid) \
                        or (dim and a["ScalableDimension"] != dim):
                    continue
                rows.append({k: v for k, v in a.items() if k != "id"})
        return paged(rows, params, limit, "ScheduledActions", "InvalidNextTokenException",
                     "Invalid token", token="NextToken")

    def DeleteScheduledAction(self, ctx, params):
        name = _require(params, "ScheduledActionName")
        ns, rid, dim = self._target_key(params)
        by_name = self._r(ctx)["scheduled"].get(_key(ns, rid, dim), {})
        if name not in by_name:
            raise AwsError("ObjectNotFoundException", "No scheduled action found for service "
                           "namespace: %s, resource ID: %s, scalable dimension: %s, scheduled "
                           "action name: %s" % (ns, rid, dim, name))
        del by_name[name]
        return {}

    # -- tags (on scalable target ARNs) --------------------------------------------------

    def _by_arn(self, ctx, params):
        arn = _require(params, "ResourceARN")
        for t in self._r(ctx)["targets"].values():
            if t["ScalableTargetARN"] == arn:
                return t
        raise AwsError("ResourceNotFoundException", "Scalable target with ARN %s not found"
                       % arn)

    def TagResource(self, ctx, params):
        t = self._by_arn(ctx, params)
        tags = _require(params, "Tags")
        if not isinstance(tags, dict):
            raise AwsError("TooManyTagsException", "Too many tags")
        add_tags(t["Tags"], tags, AwsError("TooManyTagsException", "Too many tags"))
        return {}

    def UntagResource(self, ctx, params):
        t = self._by_arn(ctx, params)
        remove_tags(t["Tags"], _require(params, "TagKeys"))
        return {}

    def ListTagsForResource(self, ctx, params):
        return {"Tags": dict(self._by_arn(ctx, params)["Tags"])}

    def inventory(self):
        targets, policies = [], []
        for region, r in self.store.get("regions", {}).items():
            for key, t in r["targets"].items():
                targets.append(dict(self._target_out(t), id=key, region=region,
                                    tags=dict(t["Tags"])))
            for key, by_name in r["policies"].items():
                for p in by_name.values():
                    policies.append(dict({k: v for k, v in p.items() if k != "id"},
                                         id=p["PolicyARN"], region=region))
        return {"scalable_target": targets, "scaling_policy": policies}
