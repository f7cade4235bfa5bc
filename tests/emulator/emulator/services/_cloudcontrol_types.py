"""The resource types Cloud Control reaches in the emulator, over the services it models.

Each type translates its CloudFormation model (property names as in the type's
CloudFormation schema) to the owning service's own operations, called in-process on the
same account and region, so an object made through Cloud Control is the same object the
native API lists (and the inventory shows). A type has:

  name, primary (the property that is the primary identifier), create_only, read_only,
  write_only (schema facts; the front end refuses patches to create-only and read-only
  properties), create(ctx, model) -> identifier, read(ctx, identifier) -> model (raises
  the native not-found error), update(ctx, identifier, old, new), delete(ctx, identifier),
  list(ctx) -> identifiers.

Native errors are AwsError; the front end turns them into handler error codes.
"""
import json

from ..core import Context
from .sqs import INT_ATTRS


def native(ctx, service, action, params):
    """Runs one operation of another emulated service for this request's account and region."""
    svc = ctx.emulator.services[service]
    sub = Context(ctx.emulator, ctx.region, ctx.account_id, access_key=ctx.access_key,
                  service=service, action=action, principal=ctx.principal)
    sub.protocol = "json"
    return svc.operation(action)(sub, params)


def tags_of(model):
    return {t["Key"]: str(t.get("Value", "")) for t in model.get("Tags") or []}


def tag_list(tags):
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def changed(old, new, key):
    return old.get(key) != new.get(key)


class LogGroup:
    name = "AWS::Logs::LogGroup"
    primary = "LogGroupName"
    create_only = ("LogGroupName", "LogGroupClass")
    read_only = ("Arn",)
    write_only = ()

    def create(self, ctx, m):
        params = {"logGroupName": m.get("LogGroupName"), "tags": tags_of(m)}
        for k, w in (("KmsKeyId", "kmsKeyId"), ("LogGroupClass", "logGroupClass")):
            if m.get(k) is not None:
                params[w] = m[k]
        native(ctx, "logs", "CreateLogGroup", params)
        if m.get("RetentionInDays") is not None:
            native(ctx, "logs", "PutRetentionPolicy",
                   {"logGroupName": m["LogGroupName"], "retentionInDays": m["RetentionInDays"]})
        return m["LogGroupName"]

    def read(self, ctx, ident):
        g = ctx.emulator.services["logs"]._group(ctx, ident)
        out = {"LogGroupName": g["logGroupName"], "Arn": g["arn"],
               "LogGroupClass": g["logGroupClass"]}
        if g.get("retentionInDays"):
            out["RetentionInDays"] = g["retentionInDays"]
        if g.get("kmsKeyId"):
            out["KmsKeyId"] = g["kmsKeyId"]
        if g["tags"]:
            out["Tags"] = tag_list(g["tags"])
        return out

    def update(self, ctx, ident, old, new):
        if changed(old, new, "RetentionInDays"):
            if new.get("RetentionInDays") is None:
                native(ctx, "logs", "DeleteRetentionPolicy", {"logGroupName": ident})
            else:
                native(ctx, "logs", "PutRetentionPolicy",
                       {"logGroupName": ident, "retentionInDays": new["RetentionInDays"]})
        if changed(old, new, "KmsKeyId"):
            if new.get("KmsKeyId") is None:
                native(ctx, "logs", "DisassociateKmsKey", {"logGroupName": ident})
            else:
                native(ctx, "logs", "AssociateKmsKey",
                       {"logGroupName": ident, "kmsKeyId": new["KmsKeyId"]})
        if changed(old, new, "Tags"):
            gone = [k for k in tags_of(old) if k not in tags_of(new)]
            if gone:
                native(ctx, "logs", "UntagLogGroup", {"logGroupName": ident, "tags": gone})
            if tags_of(new):
                native(ctx, "logs", "TagLogGroup", {"logGroupName": ident, "tags": tags_of(new)})

    def delete(self, ctx, ident):
        native(ctx, "logs", "DeleteLogGroup", {"logGroupName": ident})

    def list(self, ctx):
        return sorted(ctx.emulator.services["logs"]._r(ctx)["groups"])


SQS_INTS = ("DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod",
            "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "KmsDataKeyReusePeriodSeconds")
SQS_STRINGS = ("KmsMasterKeyId", "DeduplicationScope", "FifoThroughputLimit")
SQS_BOOLS = ("ContentBasedDeduplication", "SqsManagedSseEnabled")
SQS_DOCS = ("RedrivePolicy", "RedriveAllowPolicy")


class Queue:
    name = "AWS::SQS::Queue"
    primary = "QueueUrl"
    create_only = ("QueueName", "FifoQueue")
    read_only = ("QueueUrl", "Arn")
    write_only = ()

    @staticmethod
    def _attrs(m):
        out = {}
        for k in SQS_INTS + SQS_STRINGS:
            if m.get(k) is not None:
                out[k] = str(m[k])
        for k in SQS_BOOLS + ("FifoQueue",):
            if m.get(k) is not None:
                out[k] = "true" if m[k] in (True, "true") else "false"
        for k in SQS_DOCS:
            if m.get(k) is not None:
                out[k] = m[k] if isinstance(m[k], str) else json.dumps(m[k], separators=(",", ":"))
        return out

    def create(self, ctx, m):
        name = m.get("QueueName") or ("cc-" + ctx.request_id[:8])
        return native(ctx, "sqs", "CreateQueue", {"QueueName": name, "Attributes": self._attrs(m),
                                                  "tags": tags_of(m)})["QueueUrl"]

    def read(self, ctx, ident):
        sqs = ctx.emulator.services["sqs"]
        q = sqs._queue(ctx, {"QueueUrl": ident})
        a = sqs._effective(q)
        out = {"QueueUrl": q["url"], "Arn": q["arn"], "QueueName": q["name"]}
        for k in SQS_INTS:
            if a.get(k) is not None:
                out[k] = int(a[k])
        for k in SQS_STRINGS:
            if a.get(k):
                out[k] = a[k]
        for k in SQS_BOOLS:
            if a.get(k) is not None:
                out[k] = a[k] == "true"
        for k in SQS_DOCS:
            if a.get(k):
                out[k] = json.loads(a[k])
        if q["fifo"]:
            out["FifoQueue"] = True
        if q["tags"]:
            out["Tags"] = tag_list(q["tags"])
        return out

    def update(self, ctx, ident, old, new):
        attrs = {k: v for k, v in self._attrs(new).items() if v != self._attrs(old).get(k)}
        for k in SQS_DOCS + ("KmsMasterKeyId",):
            if old.get(k) is not None and new.get(k) is None:
                attrs[k] = ""
        for k, (default, _, _) in INT_ATTRS.items():
            if old.get(k) is not None and new.get(k) is None:
                attrs[k] = str(default)
        if attrs:
            native(ctx, "sqs", "SetQueueAttributes", {"QueueUrl": ident, "Attributes": attrs})
        if changed(old, new, "Tags"):
            gone = [k for k in tags_of(old) if k not in tags_of(new)]
            if gone:
                native(ctx, "sqs", "UntagQueue", {"QueueUrl": ident, "TagKeys": gone})
            if tags_of(new):
                native(ctx, "sqs", "TagQueue", {"QueueUrl": ident, "Tags": tags_of(new)})

    def delete(self, ctx, ident):
        native(ctx, "sqs", "DeleteQueue", {"QueueUrl": ident})

    def list(self, ctx):
        return sorted(q["url"] for q in ctx.emulator.services["sqs"]._r(ctx)["queues"].values())


class Topic:
    name = "AWS::SNS::Topic"
    primary = "TopicArn"
    create_only = ("TopicName", "FifoTopic")
    read_only = ("TopicArn",)
    write_only = ()
    ATTRS = ("DisplayName", "KmsMasterKeyId")

    def create(self, ctx, m):
        attrs = {k: str(m[k]) for k in self.ATTRS if m.get(k) is not None}
        if m.get("FifoTopic") is not None:
            attrs["FifoTopic"] = "true" if m["FifoTopic"] in (True, "true") else "false"
        name = m.get("TopicName") or ("cc-" + ctx.request_id[:8])
        return native(ctx, "sns", "CreateTopic", {"Name": name, "Tags": m.get("Tags") or [],
                                                  "Attributes": attrs})["TopicArn"]

    def read(self, ctx, ident):
        sns = ctx.emulator.services["sns"]
        t = sns._topic(ctx, ident)
        out = {"TopicArn": t["arn"], "TopicName": t["name"]}
        for k in self.ATTRS:
            if t["attrs"].get(k):
                out[k] = t["attrs"][k]
        if t["fifo"]:
            out["FifoTopic"] = True
        if t["tags"]:
            out["Tags"] = tag_list(t["tags"])
        return out

    def update(self, ctx, ident, old, new):
        for k in self.ATTRS:
            if changed(old, new, k):
                native(ctx, "sns", "SetTopicAttributes", {"TopicArn": ident, "AttributeName": k,
                                                          "AttributeValue": new.get(k) or ""})
        if changed(old, new, "Tags"):
            gone = [k for k in tags_of(old) if k not in tags_of(new)]
            if gone:
                native(ctx, "sns", "UntagResource", {"ResourceArn": ident, "TagKeys": gone})
            if tags_of(new):
                native(ctx, "sns", "TagResource", {"ResourceArn": ident, "Tags": new["Tags"]})

    def delete(self, ctx, ident):
        self.read(ctx, ident)   # DeleteTopic is idempotent; Cloud Control's delete is not
        native(ctx, "sns", "DeleteTopic", {"TopicArn": ident})

    def list(self, ctx):
        return sorted(ctx.emulator.services["sns"]._r(ctx)["topics"])


class Repository:
    name = "AWS::ECR::Repository"
    primary = "RepositoryName"
    create_only = ("RepositoryName", "EncryptionConfiguration")
    read_only = ("Arn", "RepositoryUri")
    write_only = ("EmptyOnDelete",)

    def create(self, ctx, m):
        params = {"repositoryName": m.get("RepositoryName"),
                  "tags": [{"Key": k, "Value": v} for k, v in sorted(tags_of(m).items())]}
        if m.get("ImageTagMutability"):
            params["imageTagMutability"] = m["ImageTagMutability"]
        if m.get("ImageScanningConfiguration"):
            params["imageScanningConfiguration"] = {
                "scanOnPush": bool(m["ImageScanningConfiguration"].get("ScanOnPush"))}
        return native(ctx, "ecr", "CreateRepository", params)["repository"]["repositoryName"]

    def read(self, ctx, ident):
        r = ctx.emulator.services["ecr"]._repo(ctx, {"repositoryName": ident})
        out = {"RepositoryName": r["repositoryName"], "Arn": r["repositoryArn"],
               "RepositoryUri": r["repositoryUri"], "ImageTagMutability": r["imageTagMutability"],
               "ImageScanningConfiguration": {
                   "ScanOnPush": r["imageScanningConfiguration"]["scanOnPush"]},
               "EncryptionConfiguration": {
                   "EncryptionType": r["encryptionConfiguration"]["encryptionType"]}}
        if r["tags"]:
            out["Tags"] = tag_list(r["tags"])
        return out

    def update(self, ctx, ident, old, new):
        if changed(old, new, "ImageTagMutability"):
            native(ctx, "ecr", "PutImageTagMutability", {
                "repositoryName": ident, "imageTagMutability": new.get("ImageTagMutability") or "MUTABLE"})
        if changed(old, new, "ImageScanningConfiguration"):
            native(ctx, "ecr", "PutImageScanningConfiguration", {
                "repositoryName": ident, "imageScanningConfiguration": {
                    "scanOnPush": bool((new.get("ImageScanningConfiguration") or {}).get("ScanOnPush"))}})
        if changed(old, new, "Tags"):
            arn = self.read(ctx, ident)["Arn"]
            gone = [k for k in tags_of(old) if k not in tags_of(new)]
            if gone:
                native(ctx, "ecr", "UntagResource", {"resourceArn": arn, "tagKeys": gone})
            if tags_of(new):
                native(ctx, "ecr", "TagResource", {"resourceArn": arn, "tags": new["Tags"]})

    def delete(self, ctx, ident):
        native(ctx, "ecr", "DeleteRepository", {"repositoryName": ident, "force": True})

    def list(self, ctx):
        return sorted(ctx.emulator.services["ecr"]._r(ctx)["repositories"])


class Role:
    name = "AWS::IAM::Role"
    primary = "RoleName"
    create_only = ("RoleName", "Path")
    read_only = ("Arn", "RoleId")
    write_only = ()

    def create(self, ctx, m):
        doc = m.get("AssumeRolePolicyDocument")
        params = {"RoleName": m.get("RoleName") or ("cc-" + ctx.request_id[:8]),
                  "AssumeRolePolicyDocument": doc if isinstance(doc, str) or doc is None
                  else json.dumps(doc), "Tags": m.get("Tags") or []}
        for k in ("Path", "Description", "MaxSessionDuration"):
            if m.get(k) is not None:
                params[k] = m[k]
        return native(ctx, "iam", "CreateRole", params)["Role"]["RoleName"]

    def read(self, ctx, ident):
        r = ctx.emulator.services["iam"]._role(ctx, {"RoleName": ident})
        doc = r["AssumeRolePolicyDocument"]
        out = {"RoleName": r["RoleName"], "Arn": r["Arn"], "RoleId": r["RoleId"],
               "Path": r["Path"], "MaxSessionDuration": r["MaxSessionDuration"],
               "AssumeRolePolicyDocument": json.loads(doc) if isinstance(doc, str) else doc}
        if r.get("Description"):
            out["Description"] = r["Description"]
        if r["Tags"]:
            out["Tags"] = tag_list(r["Tags"])
        return out

    def update(self, ctx, ident, old, new):
        if changed(old, new, "AssumeRolePolicyDocument"):
            doc = new.get("AssumeRolePolicyDocument")
            native(ctx, "iam", "UpdateAssumeRolePolicy", {
                "RoleName": ident, "PolicyDocument": doc if isinstance(doc, str) else json.dumps(doc)})
        if changed(old, new, "Description") or changed(old, new, "MaxSessionDuration"):
            native(ctx, "iam", "UpdateRole", {"RoleName": ident, "Description": new.get("Description"),
                                              "MaxSessionDuration": new.get("MaxSessionDuration", 3600)})
        if changed(old, new, "Tags"):
            gone = [k for k in tags_of(old) if k not in tags_of(new)]
            if gone:
                native(ctx, "iam", "UntagRole", {"RoleName": ident, "TagKeys": gone})
            if tags_of(new):
                native(ctx, "iam", "TagRole", {"RoleName": ident, "Tags": new["Tags"]})

    def delete(self, ctx, ident):
        native(ctx, "iam", "DeleteRole", {"RoleName": ident})

    def list(self, ctx):
        return sorted(r["RoleName"] for r in ctx.emulator.services["iam"].store["roles"].values())


TYPES = {t.name: t for t in (LogGroup(), Queue(), Topic(), Repository(), Role())}
