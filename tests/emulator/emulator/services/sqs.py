"""SQS: queues, attributes, tags and a minimal message store; json 1.0 and the query form.

Both wire forms reach the same methods. Inputs are normalised (JSON maps or query key/value
entries); the result is built in the JSON shape and, for a query request, re-shaped into the
query protocol's flattened elements (Attribute/Name/Value, QueueUrl, Tag/Key/Value). Errors carry
the JSON short code (rendered com.amazonaws.sqs#Code) and the legacy query code
(AWS.SimpleQueueService.NonExistentQueue, ...) used in the query form and in the
x-amzn-query-error header.

Queue URLs have the stable form https://sqs.REGION.amazonaws.com/ACCOUNT/NAME whatever endpoint
the client used (what SQS returns today); a request may name a queue by any URL whose path is
/ACCOUNT/NAME. A name cannot be reused for 60 seconds (emulator clock) after DeleteQueue.
"""
import hashlib
import re
import urllib.parse
import uuid

from ..core import AwsError, Service
from ..wire import XmlFlat
from ._common import add_tags, as_int, as_list, page, pairs_to_dict, parse_json_doc, \
    region_store, remove_tags

QUEUE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
DELETE_COOLDOWN = 60.0

# JSON short code -> legacy query code (the botocore model's error codes)
QUERY_CODES = {
    "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDeletedRecently": "AWS.SimpleQueueService.QueueDeletedRecently",
    "QueueNameExists": "QueueAlreadyExists",
    "InvalidAttributeName": "InvalidAttributeName",
    "InvalidAttributeValue": "InvalidAttributeValue",
    "InvalidAddress": "InvalidAddress",
    "MissingParameter": "MissingParameter",
    "InvalidParameterValue": "InvalidParameterValue",
    "ReceiptHandleIsInvalid": "ReceiptHandleIsInvalid",
    "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
    "InvalidMessageContents": "InvalidMessageContents",
}

# name -> (default, low, high) for the integer attributes, ranges as documented; since August
# 2025 a message may hold 1 MiB, the default of a new queue too (moto's aws_verified
# test_create_fifo_queue reads 1048576 from AWS)
INT_ATTRS = {
    "DelaySeconds": (0, 0, 900),
    "MaximumMessageSize": (1048576, 1024, 1048576),
    "MessageRetentionPeriod": (345600, 60, 1209600),
    "ReceiveMessageWaitTimeSeconds": (0, 0, 20),
    "VisibilityTimeout": (30, 0, 43200),
    "KmsDataKeyReusePeriodSeconds": (300, 60, 86400),
}
STR_ATTRS = ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId",
             "SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication",
             "DeduplicationScope", "FifoThroughputLimit")
COMPUTED = ("QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp")
FIFO_ONLY = ("ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")


def _error(code, message):
    """json __type com.amazonaws.sqs#Code; query form / x-amzn-query-error: the legacy code."""
    return AwsError("com.amazonaws.sqs#" + code, message, 400,
                    query_code=QUERY_CODES.get(code, code))


def _missing(name):
    return _error("MissingParameter", "The request must contain the parameter %s." % name)


def _require(params, name):
    value = params.get(name)
    if value in (None, "", [], {}):
        raise _missing(name)
    return value


def _invalid_value(name, reason=None):
    msg = "Invalid value for the parameter %s." % name
    if reason:
        msg += " Reason: " + reason
    return _error("InvalidAttributeValue", msg)


def _attrs_in(params):
    """The Attributes of a request: JSON map, or query Attribute.N.Name/Value entries."""
    raw = params.get("Attributes", params.get("Attribute"))
    return {k: str(v) for k, v in pairs_to_dict(raw, "Name", "Value").items()}


def _tags_in(params, *names):
    for n in names:
        if n in params:
            return {k: str(v) for k, v in pairs_to_dict(params[n], "Key", "Value").items()}
    return {}


def _names_in(params, *names):
    for n in names:
        if n in params:
            return [str(x) for x in as_list(params[n])]
    return []


class SQS(Service):
    name = "sqs"
    protocol = "json"
    json_version = "1.0"
    target_prefix = "AmazonSQS"
    api_version = "2012-11-05"
    xmlns = "http://queue.amazonaws.com/doc/2012-11-05/"
    throttle_code = "RequestThrottled"

    def _r(self, ctx):
        return region_store(self.store, ctx.region, "queues", "deleted")

    @staticmethod
    def _url(ctx, name):
        return "https://sqs.%s.amazonaws.com/%s/%s" % (ctx.region, ctx.account_id, name)

    def _queue(self, ctx, params):
        url = _require(params, "QueueUrl")
        parts = [p for p in urllib.parse.urlparse(url).path.split("/") if p]
        if len(parts) != 2 or not parts[0].isdigit():
            raise _error("InvalidAddress", "The address %s is not valid for this endpoint." % url)
        queue = self._r(ctx)["queues"].get(parts[1])
        if parts[0] != ctx.account_id or queue is None or not ctx.visible(queue["created"]):
            raise _error("QueueDoesNotExist", "The specified queue does not exist.")
        return queue

    def _validate(self, ctx, attrs, fifo, creating):
        """Checks each attribute against AWS's documented names and ranges."""
        out = {}
        for name, value in attrs.items():
            if name in INT_ATTRS:
                _, low, high = INT_ATTRS[name]
                try:
                    n = int(value)
                except ValueError:
                    raise _invalid_value(name)
                if not low <= n <= high:
                    raise _invalid_value(name)
                out[name] = str(n)
            elif name in STR_ATTRS:
                out[name] = value
            else:
                raise _error("InvalidAttributeName", "Unknown Attribute %s." % name)
        if "FifoQueue" in out:
            if out["FifoQueue"] not in ("true", "false"):
                raise _invalid_value("FifoQueue")
            if not creating:
                raise _invalid_value("FifoQueue", "Modifying queue type is not supported.")
            if out["FifoQueue"] == "false":
                if fifo:
                    raise _invalid_value("FifoQueue")
                del out["FifoQueue"]
        for name in FIFO_ONLY:
            if name in out and not fifo:
                raise _error("InvalidAttributeName", "Unknown Attribute %s." % name)
        if out.get("ContentBasedDeduplication", "true") not in ("true", "false"):
            raise _invalid_value("ContentBasedDeduplication")
        if out.get("DeduplicationScope", "queue") not in ("queue", "messageGroup"):
            raise _invalid_value("DeduplicationScope")
        if out.get("FifoThroughputLimit", "perQueue") not in ("perQueue", "perMessageGroupId"):
            raise _invalid_value("FifoThroughputLimit")
        if out.get("SqsManagedSseEnabled", "true") not in ("true", "false"):
            raise _invalid_value("SqsManagedSseEnabled")
        if out.get("Policy"):
            doc = parse_json_doc(out["Policy"])
            if doc is None or "Statement" not in doc:
                raise _invalid_value("Policy", "failed to parse the policy as JSON.")
        if out.get("RedrivePolicy"):
            self._check_redrive(ctx, out["RedrivePolicy"], fifo)
        if out.get("RedriveAllowPolicy"):
            doc = parse_json_doc(out["RedriveAllowPolicy"])
            if doc is None or doc.get("redrivePermission") not in ("allowAll", "denyAll", "byQueue"):
                raise _invalid_value("RedriveAllowPolicy")
        return out

    def _check_redrive(self, ctx, text, fifo):
        doc = parse_json_doc(text)
        if doc is None or "deadLetterTargetArn" not in doc or "maxReceiveCount" not in doc:
            raise _invalid_value("RedrivePolicy", "Redrive policy is not a valid JSON map "
                                 "with deadLetterTargetArn and maxReceiveCount.")
        try:
            count = int(doc["maxReceiveCount"])
        except (TypeError, ValueError):
            count = 0
        if not 1 <= count <= 1000:
            raise _invalid_value("RedrivePolicy", "Invalid value for maxReceiveCount: %s, valid "
                                 "values are from 1 to 1000 both inclusive."
                                 % doc["maxReceiveCount"])
        parts = str(doc["deadLetterTargetArn"]).split(":")
        dlq = self._r(ctx)["queues"].get(parts[-1]) if len(parts) == 6 else None
        if dlq is None or parts[3] != ctx.region or parts[4] != ctx.account_id:
            raise _invalid_value("RedrivePolicy", "Dead letter target does not exist.")
        if dlq["fifo"] != fifo:
            raise _invalid_value("RedrivePolicy", "Dead-letter queue must be same type of queue "
                                 "as the source.")

    def _effective(self, queue):
        """Every stored attribute with the defaults filled in (what GetQueueAttributes All says)."""
        out = {name: str(d) for name, (d, _, _) in INT_ATTRS.items()
               if name != "KmsDataKeyReusePeriodSeconds"}
        out["SqsManagedSseEnabled"] = "true"
        if queue["fifo"]:
            out.update(FifoQueue="true", ContentBasedDeduplication="false",
                       DeduplicationScope="queue", FifoThroughputLimit="perQueue")
        out.update(queue["attrs"])
        if "KmsMasterKeyId" in queue["attrs"]:
            out["SqsManagedSseEnabled"] = "false"
            out.setdefault("KmsDataKeyReusePeriodSeconds", "300")
        return out

    # -- queues --------------------------------------------------------------------------

    def CreateQueue(self, ctx, params):
        name = _require(params, "QueueName")
        attrs = _attrs_in(params)
        tags = _tags_in(params, "tags", "Tag", "Tags")
        fifo = name.endswith(".fifo")
        if not QUEUE_NAME.match(name[:-5] if fifo else name) or len(name) > 80:
            raise _error("InvalidParameterValue", "Can only include alphanumeric characters, "
                         "hyphens, or underscores. 1 to 80 in length")
        if attrs.get("FifoQueue") == "true" and not fifo:
            raise _invalid_value("QueueName", "The name of a FIFO queue can only include "
                                 "alphanumeric characters, hyphens, or underscores, must end "
                                 "with .fifo suffix and be 1 to 80 in length.")
        if fifo and attrs.get("FifoQueue") != "true":
            raise _invalid_value("QueueName", "The name of a standard queue can only include "
                                 "alphanumeric characters, hyphens, or underscores.")
        attrs = self._validate(ctx, attrs, fifo, creating=True)
        attrs.pop("FifoQueue", None)
        r = self._r(ctx)
        existing = r["queues"].get(name)
        if existing is not None:
            current = self._effective(existing)
            for k, v in attrs.items():
                if current.get(k) != v:
                    raise _error("QueueNameExists", "A queue already exists with the same name "
                                 "and a different value for attribute %s" % k)
            return {"QueueUrl": existing["url"]}
        deleted = r["deleted"].get(name)
        if deleted is not None and ctx.now() - deleted < DELETE_COOLDOWN:
            raise _error("QueueDeletedRecently", "You must wait 60 seconds after deleting a "
                         "queue before you can create another with the same name.")
        now = ctx.now()
        r["queues"][name] = {
            "name": name, "url": self._url(ctx, name), "fifo": fifo, "attrs": attrs,
            "tags": tags, "created": now, "modified": now, "messages": [],
            "arn": "arn:aws:sqs:%s:%s:%s" % (ctx.region, ctx.account_id, name),
        }
        r["deleted"].pop(name, None)
        return {"QueueUrl": r["queues"][name]["url"]}

    def GetQueueUrl(self, ctx, params):
        name = _require(params, "QueueName")
        owner = params.get("QueueOwnerAWSAccountId", ctx.account_id)
        queue = self._r(ctx)["queues"].get(name)
        if owner != ctx.account_id or queue is None or not ctx.visible(queue["created"]):
            raise _error("QueueDoesNotExist", "The specified queue does not exist.")
        return {"QueueUrl": queue["url"]}

    def GetQueueAttributes(self, ctx, params):
        queue = self._queue(ctx, params)
        names = _names_in(params, "AttributeNames", "AttributeName")
        known = set(INT_ATTRS) | set(STR_ATTRS) | set(COMPUTED)
        for n in names:
            if n != "All" and n not in known:
                raise _error("InvalidAttributeName", "Unknown Attribute %s." % n)
        values = self._effective(queue)
        now = ctx.now()
        visible = [m for m in queue["messages"] if m["visible_at"] <= now]
        delayed = [m for m in queue["messages"] if m["receives"] == 0 and m["visible_at"] > now]
        values.update({
            "QueueArn": queue["arn"],
            "ApproximateNumberOfMessages": str(len(visible)),
            "ApproximateNumberOfMessagesNotVisible":
                str(len(queue["messages"]) - len(visible) - len(delayed)),
            "ApproximateNumberOfMessagesDelayed": str(len(delayed)),
            "CreatedTimestamp": str(int(queue["created"])),
            "LastModifiedTimestamp": str(int(queue["modified"])),
        })
        if "All" in names:
            chosen = values
        else:
            chosen = {n: values[n] for n in names if n in values}
        return self._out(ctx, {"Attributes": chosen} if chosen else {})

    def SetQueueAttributes(self, ctx, params):
        queue = self._queue(ctx, params)
        attrs = _attrs_in(params)
        if not attrs:
            raise _missing("Attribute.Name")
        attrs = self._validate(ctx, attrs, queue["fifo"], creating=False)
        for k, v in attrs.items():
            if v == "" and k in ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId"):
                queue["attrs"].pop(k, None)
            else:
                queue["attrs"][k] = v
        queue["modified"] = ctx.now()
        return self._out(ctx, {})

    def DeleteQueue(self, ctx, params):
        queue = self._queue(ctx, params)
        r = self._r(ctx)
        del r["queues"][queue["name"]]
        r["deleted"][queue["name"]] = ctx.now()
        return self._out(ctx, {})

    def ListQueues(self, ctx, params):
        prefix = params.get("QueueNamePrefix", "")
        limit = params.get("MaxResults")
        urls = [q["url"] for n, q in sorted(self._r(ctx)["queues"].items())
                if n.startswith(prefix) and ctx.visible(q["created"])]
        out = {}
        if limit is None:
            if params.get("NextToken"):
                raise _error("InvalidParameterValue", "MaxResults is a mandatory parameter "
                             "when you provide a value for NextToken.")
            urls = urls[:1000]
            nxt = None
        else:
            limit = as_int(limit, "MaxResults", "InvalidParameterValue")
            if not 1 <= limit <= 1000:
                raise _error("InvalidParameterValue", "Value %d for parameter MaxResults is "
                             "invalid. Reason: Must be between 1 and 1000, if provided." % limit)
            urls, nxt = page(urls, params.get("NextToken"), limit, "InvalidParameterValue",
                             "Invalid NextToken value.")
        if urls:
            out["QueueUrls"] = urls
        if nxt:
            out["NextToken"] = nxt
        return self._out(ctx, out)

    # -- tags ----------------------------------------------------------------------------

    def TagQueue(self, ctx, params):
        queue = self._queue(ctx, params)
        tags = _tags_in(params, "Tags", "Tag")
        if not tags:
            raise _missing("Tags")
        add_tags(queue["tags"], tags, _error("InvalidParameterValue", "Too many tags added for "
                                             "queue %s." % queue["name"]))
        return self._out(ctx, {})

    def UntagQueue(self, ctx, params):
        queue = self._queue(ctx, params)
        keys = _names_in(params, "TagKeys", "TagKey")
        if not keys:
            raise _missing("TagKeys")
        remove_tags(queue["tags"], keys)
        return self._out(ctx, {})

    def ListQueueTags(self, ctx, params):
        queue = self._queue(ctx, params)
        return self._out(ctx, {"Tags": dict(queue["tags"])} if queue["tags"] else {})

    # -- messages (enough to make the Approximate* counters real) -------------------------

    def SendMessage(self, ctx, params):
        queue = self._queue(ctx, params)
        body = _require(params, "MessageBody")
        limit = int(self._effective(queue)["MaximumMessageSize"])
        if len(body.encode()) > limit:
            raise _error("InvalidParameterValue", "One or more parameters are invalid. Reason: "
                         "Message must be shorter than %d bytes." % limit)
        if queue["fifo"] and not params.get("MessageGroupId"):
            raise _missing("MessageGroupId")
        default_delay = int(self._effective(queue)["DelaySeconds"])
        delay = as_int(params.get("DelaySeconds", default_delay), "DelaySeconds",
                       "InvalidParameterValue")
        if not 0 <= delay <= 900:
            raise _error("InvalidParameterValue", "Value %d for parameter DelaySeconds is "
                         "invalid. Reason: must be between 0 and 900." % delay)
        md5 = hashlib.md5(body.encode()).hexdigest()
        msg = {"id": str(uuid.uuid4()), "body": body, "md5": md5, "receives": 0,
               "visible_at": ctx.now() + delay, "handle": None, "sent": ctx.now()}
        queue["messages"].append(msg)
        return self._out(ctx, {"MessageId": msg["id"], "MD5OfMessageBody": md5})

    def ReceiveMessage(self, ctx, params):
        queue = self._queue(ctx, params)
        count = as_int(params.get("MaxNumberOfMessages", 1), "MaxNumberOfMessages",
                       "InvalidParameterValue")
        if not 1 <= count <= 10:
            raise _error("InvalidParameterValue", "Value %d for parameter MaxNumberOfMessages "
                         "is invalid. Reason: Must be between 1 and 10, if provided." % count)
        timeout = as_int(params.get("VisibilityTimeout",
                                    self._effective(queue)["VisibilityTimeout"]),
                         "VisibilityTimeout", "InvalidParameterValue")
        now, out = ctx.now(), []
        for msg in queue["messages"]:
            if len(out) == count:
                break
            if msg["visible_at"] <= now:
                msg["receives"] += 1
                msg["visible_at"] = now + timeout
                msg["handle"] = uuid.uuid4().hex
                out.append({"MessageId": msg["id"], "ReceiptHandle": msg["handle"],
                            "MD5OfBody": msg["md5"], "Body": msg["body"]})
        return self._out(ctx, {"Messages": out} if out else {})

    def DeleteMessage(self, ctx, params):
        queue = self._queue(ctx, params)
        handle = _require(params, "ReceiptHandle")
        for msg in queue["messages"]:
            if msg["handle"] == handle:
                queue["messages"].remove(msg)
                return self._out(ctx, {})
        raise _error("ReceiptHandleIsInvalid", "The input receipt handle \"%s\" is not a valid "
                     "receipt handle." % handle)

    def PurgeQueue(self, ctx, params):
        queue = self._queue(ctx, params)
        queue["messages"] = []
        return self._out(ctx, {})

    # -- wire shape ----------------------------------------------------------------------

    def _out(self, ctx, result):
        """The JSON-shaped result, re-shaped for a query-form request: an
        operation with an output has its <ActionResult> element, also empty
        (botocore needs it: ListQueues with no queues); one without has none."""
        if getattr(ctx, "protocol", "json") != "query":
            return result
        return query_shape(result) or (None if ctx.action in NO_OUTPUT else {})

    def inventory(self):
        queues = []
        for region, r in self.store.get("regions", {}).items():
            for q in r["queues"].values():
                queues.append({"id": q["url"], "region": region, "name": q["name"],
                               "arn": q["arn"], "fifo": q["fifo"],
                               "attributes": self._effective(q), "tags": dict(q["tags"]),
                               "messages": len(q["messages"])})
        return {"queue": queues}


# Operations whose model has no output shape (no <ActionResult> in the query form).
NO_OUTPUT = {"SetQueueAttributes", "DeleteQueue", "TagQueue", "UntagQueue", "DeleteMessage",
             "PurgeQueue"}


def query_shape(result):
    """JSON-shaped SQS result -> the query protocol's flattened members (see module doc)."""
    out = {}
    for key, value in result.items():
        if key == "Attributes":
            out["Attribute"] = XmlFlat([{"Name": k, "Value": v} for k, v in value.items()])
        elif key == "Tags":
            out["Tag"] = XmlFlat([{"Key": k, "Value": v} for k, v in value.items()])
        elif key == "QueueUrls":
            out["QueueUrl"] = XmlFlat(value)
        elif key == "Messages":
            out["Message"] = XmlFlat(value)
        else:
            out[key] = value
    return out or None
