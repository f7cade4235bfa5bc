"""SNS (query protocol, 2010-03-31): topics, subscriptions, topic and subscription attributes, tags.

Per region: topics by ARN, subscriptions by ARN. CreateTopic is idempotent by name when the
attributes and tags agree. sqs/lambda/application/firehose subscriptions are confirmed at once;
http/https/email/sms ones stay "pending confirmation" (never confirmed here). Subscribe with the
same protocol and endpoint returns the existing subscription. Attribute maps are returned as
XmlMap (<entry><key/><value/></entry>).
"""
import json
import re
import uuid

from ..core import AwsError, Service
from ..wire import XmlMap
from ._common import add_tags, as_bool, paged, pairs_to_dict, parse_json_doc, \
    region_store, remove_tags, tags_in, tags_out

TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
AUTO_CONFIRMED = ("sqs", "lambda", "application", "firehose")
PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda",
             "firehose")
TOPIC_SETTABLE = ("DeliveryPolicy", "DisplayName", "Policy", "TracingConfig", "KmsMasterKeyId",
                  "SignatureVersion", "ContentBasedDeduplication", "ArchivePolicy",
                  "DataProtectionPolicy", "FifoThroughputScope",
                  "HTTPSuccessFeedbackRoleArn", "HTTPFailureFeedbackRoleArn",
                  "HTTPSuccessFeedbackSampleRate", "SQSSuccessFeedbackRoleArn",
                  "SQSFailureFeedbackRoleArn", "SQSSuccessFeedbackSampleRate",
                  "LambdaSuccessFeedbackRoleArn", "LambdaFailureFeedbackRoleArn",
                  "LambdaSuccessFeedbackSampleRate", "FirehoseSuccessFeedbackRoleArn",
                  "FirehoseFailureFeedbackRoleArn", "FirehoseSuccessFeedbackSampleRate",
                  "ApplicationSuccessFeedbackRoleArn", "ApplicationFailureFeedbackRoleArn",
                  "ApplicationSuccessFeedbackSampleRate")
SUB_SETTABLE = ("DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery",
                "RedrivePolicy", "SubscriptionRoleArn", "ReplayPolicy")
PAGE = 100
DEFAULT_DELIVERY = {"http": {"defaultHealthyRetryPolicy": {
    "minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3, "numMaxDelayRetries": 0,
    "numNoDelayRetries": 0, "numMinDelayRetries": 0, "backoffFunction": "linear"},
    "disableSubscriptionOverrides": False, "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"}}}


def _invalid(msg):
    return AwsError("InvalidParameter", "Invalid parameter: " + msg)


def _require(params, name):
    value = params.get(name)
    if value in (None, ""):
        raise _invalid("%s" % name)
    return value


def _default_policy(topic_arn, account):
    return json.dumps({
        "Version": "2008-10-17", "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID", "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                       "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                       "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}}}]}, separators=(",", ":"))


def _check_topic_attr(name, value, fifo):
    if name not in TOPIC_SETTABLE and name != "FifoTopic":
        raise _invalid("AttributeName")
    if name in ("Policy", "DeliveryPolicy", "DataProtectionPolicy", "ArchivePolicy") and value:
        if parse_json_doc(value) is None:
            raise _invalid("%s: failed to parse JSON" % name)
    if name == "ContentBasedDeduplication":
        if not fifo:
            raise _invalid("Attributes Reason: Content-based deduplication can only be set "
                           "for FIFO topics")
        if value not in ("true", "false"):
            raise _invalid("Attributes Reason: ContentBasedDeduplication must be true or false")
    if name == "DisplayName" and len(value) > 100:
        raise _invalid("DisplayName Reason: must be at most 100 characters")
    if name == "SignatureVersion" and value not in ("1", "2"):
        raise _invalid("SignatureVersion")
    if name == "TracingConfig" and value not in ("PassThrough", "Active"):
        raise _invalid("TracingConfig")


def _check_sub_attr(name, value, protocol):
    if name not in SUB_SETTABLE:
        raise _invalid("AttributeName")
    if name == "RawMessageDelivery":
        if value not in ("true", "false"):
            raise _invalid("RawMessageDelivery: Invalid value [%s]. Must be true or false." % value)
        if protocol not in ("sqs", "http", "https", "firehose"):
            raise _invalid("Attributes Reason: Delivery protocol [%s] does not support raw "
                           "message delivery." % protocol)
    if name in ("FilterPolicy", "DeliveryPolicy", "RedrivePolicy") and value:
        if parse_json_doc(value) is None:
            raise _invalid("%s: failed to parse JSON." % name)
    if name == "FilterPolicyScope" and value not in ("MessageAttributes", "MessageBody"):
        raise _invalid("FilterPolicyScope: Invalid filter policy scope.")


class SNS(Service):
    name = "sns"
    protocol = "query"
    api_version = "2010-03-31"
    xmlns = "http://sns.amazonaws.com/doc/2010-03-31/"
    throttle_code = "Throttled"

    def _r(self, ctx):
        return region_store(self.store, ctx.region, "topics", "subscriptions")

    def _topic(self, ctx, arn, code="NotFound", msg="Topic does not exist"):
        if not isinstance(arn, str) or not arn.startswith("arn:aws:sns:"):
            raise _invalid("TopicArn")
        topic = self._r(ctx)["topics"].get(arn)
        if topic is None or not ctx.visible(topic["created"]):
            raise AwsError(code, msg, 404)
        return topic

    def _sub(self, ctx, arn):
        if not isinstance(arn, str) or arn.count(":") != 6 or not arn.startswith("arn:aws:sns:"):
            raise _invalid("SubscriptionArn")
        sub = self._r(ctx)["subscriptions"].get(arn)
        if sub is None or not ctx.visible(sub["created"]):
            raise AwsError("NotFound", "Subscription does not exist", 404)
        return sub

    # -- topics --------------------------------------------------------------------------

    def CreateTopic(self, ctx, params):
        name = _require(params, "Name")
        attrs = pairs_to_dict(params.get("Attributes"), "key", "value")
        tags = tags_in(params.get("Tags"), code="InvalidParameter")
        fifo = name.endswith(".fifo")
        base = name[:-5] if fifo else name
        if not TOPIC_NAME.match(base):
            raise _invalid("Topic Name")
        if attrs.get("FifoTopic", "false") not in ("true", "false"):
            raise _invalid("Attributes Reason: FifoTopic must be true or false")
        if (attrs.get("FifoTopic") == "true") != fifo:
            raise _invalid("Topic Name" if fifo else
                           "Attributes Reason: Fifo Topic names must end with .fifo and Standard "
                           "Topic cannot end with .fifo")
        for k, v in attrs.items():
            _check_topic_attr(k, v, fifo)
        arn = "arn:aws:sns:%s:%s:%s" % (ctx.region, ctx.account_id, name)
        topics = self._r(ctx)["topics"]
        if arn in topics:
            topic = topics[arn]
            if any(topic["attrs"].get(k) != v for k, v in attrs.items() if k != "FifoTopic"):
                raise _invalid("Attributes Reason: Topic already exists with different attributes")
            if tags and any(topic["tags"].get(k) != v for k, v in tags.items()):
                raise _invalid("Tags Reason: Topic already exists with different tags")
            return {"TopicArn": arn}
        attrs.pop("FifoTopic", None)
        topics[arn] = {"arn": arn, "name": name, "fifo": fifo, "attrs": attrs, "tags": tags,
                       "created": ctx.now()}
        return {"TopicArn": arn}

    def GetTopicAttributes(self, ctx, params):
        topic = self._topic(ctx, _require(params, "TopicArn"))
        subs = [s for s in self._r(ctx)["subscriptions"].values() if s["topic"] == topic["arn"]]
        out = {
            "TopicArn": topic["arn"],
            "Owner": ctx.account_id,
            "Policy": _default_policy(topic["arn"], ctx.account_id),
            "DisplayName": "",
            "SubscriptionsConfirmed": str(sum(1 for s in subs if not s["pending"])),
            "SubscriptionsPending": str(sum(1 for s in subs if s["pending"])),
            "SubscriptionsDeleted": "0",
            "EffectiveDeliveryPolicy": json.dumps(DEFAULT_DELIVERY, separators=(",", ":")),
        }
        if topic["fifo"]:
            out["FifoTopic"] = "true"
            out["ContentBasedDeduplication"] = "false"
        out.update(topic["attrs"])
        if "DeliveryPolicy" in topic["attrs"]:
            out["EffectiveDeliveryPolicy"] = topic["attrs"]["DeliveryPolicy"]
        return {"Attributes": XmlMap(out)}

    def SetTopicAttributes(self, ctx, params):
        topic = self._topic(ctx, _require(params, "TopicArn"))
        name = _require(params, "AttributeName")
        value = params.get("AttributeValue", "")
        if name == "FifoTopic":
            raise _invalid("AttributeName")
        _check_topic_attr(name, value, topic["fifo"])
        if value == "" and name in ("Policy", "DeliveryPolicy"):
            topic["attrs"].pop(name, None)
        else:
            topic["attrs"][name] = value
        return None

    def DeleteTopic(self, ctx, params):
        arn = _require(params, "TopicArn")
        if not arn.startswith("arn:aws:sns:"):
            raise _invalid("TopicArn")
        r = self._r(ctx)
        r["topics"].pop(arn, None)  # idempotent, as documented
        for sub_arn in [a for a, s in r["subscriptions"].items() if s["topic"] == arn]:
            del r["subscriptions"][sub_arn]
        return None

    def ListTopics(self, ctx, params):
        arns = sorted(self._r(ctx)["topics"])
        return paged(arns, params, PAGE, "Topics", "InvalidParameter",
                     "Invalid parameter: NextToken", token="NextToken",
                     render=lambda a: {"TopicArn": a})

    # -- subscriptions -------------------------------------------------------------------

    def Subscribe(self, ctx, params):
        topic = self._topic(ctx, _require(params, "TopicArn"))
        protocol = _require(params, "Protocol")
        if protocol not in PROTOCOLS:
            raise _invalid("Invalid protocol type: %s" % protocol)
        endpoint = params.get("Endpoint", "")
        if protocol == "sqs" and not re.match(r"^arn:aws:sqs:[a-z0-9-]+:\d{12}:[\w.-]+$", endpoint):
            raise _invalid("SQS endpoint ARN")
        if protocol == "lambda" and not endpoint.startswith("arn:aws:lambda:"):
            raise _invalid("Lambda endpoint ARN")
        if protocol in ("http", "https") and not endpoint.startswith(protocol + "://"):
            raise _invalid("Endpoint must match the specified protocol")
        if protocol == "sqs" and topic["fifo"] and not endpoint.endswith(".fifo"):
            raise _invalid("Endpoint Reason: FIFO SNS topics can only "
                           "deliver to FIFO SQS queues")
        attrs = pairs_to_dict(params.get("Attributes"), "key", "value")
        for k, v in attrs.items():
            _check_sub_attr(k, v, protocol)
        return_arn = as_bool(params.get("ReturnSubscriptionArn", "false"), "ReturnSubscriptionArn",
                             "InvalidParameter")
        subs = self._r(ctx)["subscriptions"]
        for sub in subs.values():
            if sub["topic"] == topic["arn"] and sub["protocol"] == protocol \
                    and sub["endpoint"] == endpoint:
                if attrs and any(sub["attrs"].get(k) != v for k, v in attrs.items()):
                    raise _invalid("Attributes Reason: Subscription already exists with "
                                   "different attributes")
                if sub["pending"] and not return_arn:
                    return {"SubscriptionArn": "pending confirmation"}
                return {"SubscriptionArn": sub["arn"]}
        arn = "%s:%s" % (topic["arn"], uuid.uuid4())
        pending = protocol not in AUTO_CONFIRMED
        subs[arn] = {"arn": arn, "topic": topic["arn"], "protocol": protocol, "endpoint": endpoint,
                     "attrs": attrs, "pending": pending, "created": ctx.now()}
        if pending and not return_arn:
            return {"SubscriptionArn": "pending confirmation"}
        return {"SubscriptionArn": arn}

    def GetSubscriptionAttributes(self, ctx, params):
        sub = self._sub(ctx, _require(params, "SubscriptionArn"))
        out = {
            "SubscriptionArn": sub["arn"], "TopicArn": sub["topic"], "Owner": ctx.account_id,
            "Protocol": sub["protocol"], "Endpoint": sub["endpoint"],
            "ConfirmationWasAuthenticated": "false" if sub["pending"] else "true",
            "PendingConfirmation": "true" if sub["pending"] else "false",
            "RawMessageDelivery": "false",
            "SubscriptionPrincipal": "arn:aws:iam::%s:root" % ctx.account_id,
        }
        out.update(sub["attrs"])
        if "FilterPolicy" in sub["attrs"]:
            out.setdefault("FilterPolicyScope", "MessageAttributes")
        if sub["protocol"] in ("http", "https"):
            out["EffectiveDeliveryPolicy"] = json.dumps(DEFAULT_DELIVERY["http"],
                                                        separators=(",", ":"))
        return {"Attributes": XmlMap(out)}

    def SetSubscriptionAttributes(self, ctx, params):
        sub = self._sub(ctx, _require(params, "SubscriptionArn"))
        name = _require(params, "AttributeName")
        value = params.get("AttributeValue", "")
        _check_sub_attr(name, value, sub["protocol"])
        if value == "" and name in ("FilterPolicy", "RedrivePolicy", "DeliveryPolicy"):
            sub["attrs"].pop(name, None)
            if name == "FilterPolicy":
                sub["attrs"].pop("FilterPolicyScope", None)
        else:
            sub["attrs"][name] = value
        return None

    def Unsubscribe(self, ctx, params):
        sub = self._sub(ctx, _require(params, "SubscriptionArn"))
        del self._r(ctx)["subscriptions"][sub["arn"]]
        return None

    def _list_subs(self, subs, params):
        rows = sorted(subs, key=lambda s: s["arn"])
        return paged(rows, params, PAGE, "Subscriptions", "InvalidParameter",
                     "Invalid parameter: NextToken", token="NextToken", render=lambda s: {
                         "SubscriptionArn": "PendingConfirmation" if s["pending"] else s["arn"],
                         "Owner": self._owner(s), "Protocol": s["protocol"],
                         "Endpoint": s["endpoint"], "TopicArn": s["topic"]})

    @staticmethod
    def _owner(sub):
        return sub["topic"].split(":")[4]

    def ListSubscriptionsByTopic(self, ctx, params):
        topic = self._topic(ctx, _require(params, "TopicArn"))
        subs = [s for s in self._r(ctx)["subscriptions"].values() if s["topic"] == topic["arn"]]
        return self._list_subs(subs, params)

    def ListSubscriptions(self, ctx, params):
        return self._list_subs(list(self._r(ctx)["subscriptions"].values()), params)

    # -- tags ----------------------------------------------------------------------------

    def _tagged(self, ctx, params):
        arn = _require(params, "ResourceArn")
        return self._topic(ctx, arn, "ResourceNotFound", "Resource does not exist")

    def TagResource(self, ctx, params):
        topic = self._tagged(ctx, params)
        add_tags(topic["tags"], tags_in(_require(params, "Tags"), code="InvalidParameter"),
                 AwsError("TagLimitExceeded", "Could not complete request: tag quota of per "
                          "resource exceeded"))
        return {}   # an empty <TagResourceResult/>, as SNS sends

    def UntagResource(self, ctx, params):
        topic = self._tagged(ctx, params)
        remove_tags(topic["tags"], _require(params, "TagKeys"))
        return {}   # an empty <UntagResourceResult/>

    def ListTagsForResource(self, ctx, params):
        topic = self._tagged(ctx, params)
        return {"Tags": tags_out(topic["tags"])}

    def inventory(self):
        topics, subs = [], []
        for region, r in self.store.get("regions", {}).items():
            for t in r["topics"].values():
                topics.append({"id": t["arn"], "region": region, "name": t["name"],
                               "fifo": t["fifo"], "attributes": dict(t["attrs"]),
                               "tags": dict(t["tags"])})
            for s in r["subscriptions"].values():
                subs.append({"id": s["arn"], "region": region, "topic_arn": s["topic"],
                             "protocol": s["protocol"], "endpoint": s["endpoint"],
                             "pending": s["pending"], "attributes": dict(s["attrs"])})
        return {"topic": topics, "subscription": subs}
