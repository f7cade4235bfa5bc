"""Secrets Manager (json 1.1, secretsmanager): secrets, their versions and staging labels,
scheduled deletion and restore, tags, resource policies.

Per region: secrets by name; the ARN ends in "-" and 6 random characters, as AWS's. A secret is
named by name or ARN. Each value written (CreateSecret with a value, PutSecretValue,
UpdateSecret with a value) is a version keyed by ClientRequestToken: it takes AWSCURRENT and
the previous current version becomes AWSPREVIOUS; a version without labels is dropped, as AWS
does. Re-sending a token with the same value is a no-op; with another value it is
ResourceExistsException. DeleteSecret schedules deletion (7-30 days, default 30) or, with
ForceDeleteWithoutRecovery, removes at once; a secret scheduled for deletion refuses reads of
its value and the reuse of its name (InvalidRequestException).
"""
import hashlib
import re
import secrets
import string
import uuid

from ..core import AwsError, Service
from ._common import as_bool, as_int, as_list, paged, parse_json_doc, region_store, require, \
    tags_in, tags_out

NAME = re.compile(r"^[a-zA-Z0-9/_+=.@-]{1,512}$")
TOKEN = re.compile(r"^[a-zA-Z0-9-]{32,64}$")


def _not_found():
    return AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified "
                    "secret.")


def _invalid(msg):
    return AwsError("InvalidRequestException", msg)


class SecretsManager(Service):
    name = "secretsmanager"
    protocol = "json"
    json_version = "1.1"
    target_prefix = "secretsmanager"
    throttle_code = "ThrottlingException"
    mutating_prefixes = Service.mutating_prefixes + ("Restore", "Rotate", "Cancel")

    def _r(self, ctx):
        return region_store(self.store, ctx.region, "secrets")

    def _secret(self, ctx, ident, deleted_ok=True):
        ident = require({"SecretId": ident}, "SecretId")
        r = self._r(ctx)["secrets"]
        s = r.get(ident) or next((x for x in r.values() if x["ARN"] == ident), None)
        if s is None or not ctx.visible(s["created"]):
            raise _not_found()
        if not deleted_ok and s.get("DeletedDate"):
            raise _invalid("You can't perform this operation on the secret because it was marked "
                           "for deletion.")
        return s

    def _put_version(self, ctx, s, token, string_value, binary_value, stages=None):
        if string_value is None and binary_value is None:
            raise _invalid("You must provide either SecretString or SecretBinary.")
        if string_value is not None and binary_value is not None:
            raise _invalid("You can't specify both a binary secret value and a string secret "
                           "value in the same secret.")
        value = string_value if string_value is not None else binary_value
        if len(value) > 65536:
            raise _invalid("The secret value is too large.")
        token = token or str(uuid.uuid4())
        if not TOKEN.match(token):
            raise AwsError("ValidationException", "ClientRequestToken must be 32-64 characters")
        old = s["Versions"].get(token)
        if old is not None:
            if (old.get("SecretString"), old.get("SecretBinary")) != (string_value, binary_value):
                raise AwsError("ResourceExistsException", "You can't modify an existing version, "
                               "you can only create a new version.")
            return token
        stages = as_list(stages) or ["AWSCURRENT"]
        for vid, v in list(s["Versions"].items()):
            if "AWSCURRENT" in stages and "AWSCURRENT" in v["Stages"]:
                v["Stages"].remove("AWSCURRENT")
                for other in s["Versions"].values():
                    if "AWSPREVIOUS" in other["Stages"]:
                        other["Stages"].remove("AWSPREVIOUS")
                v["Stages"].append("AWSPREVIOUS")
            v["Stages"] = [x for x in v["Stages"] if x == "AWSPREVIOUS" or x not in stages]
        s["Versions"] = {vid: v for vid, v in s["Versions"].items() if v["Stages"]}
        s["Versions"][token] = {"SecretString": string_value, "SecretBinary": binary_value,
                                "Stages": list(stages), "created": ctx.now()}
        s["changed"] = ctx.now()
        return token

    def _stages(self, s):
        return {vid: list(v["Stages"]) for vid, v in s["Versions"].items()}

    def CreateSecret(self, ctx, params):
        name = require(params, "Name")
        if not NAME.match(name):
            raise AwsError("ValidationException", "Invalid name. Must be a valid name containing "
                           "alphanumeric characters, or any of the following: -/_+=.@!")
        r = self._r(ctx)["secrets"]
        if name in r:
            if r[name].get("DeletedDate"):
                raise _invalid("You can't create this secret because a secret with this name is "
                               "already scheduled for deletion.")
            raise AwsError("ResourceExistsException", "The operation failed because the secret "
                           "%s already exists." % name)
        suffix = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(6))
        now = ctx.now()
        s = {"Name": name, "ARN": "arn:aws:secretsmanager:%s:%s:secret:%s-%s" % (
                ctx.region, ctx.account_id, name, suffix),
             "Description": params.get("Description"), "KmsKeyId": params.get("KmsKeyId"),
             "Tags": tags_in(params.get("Tags")), "Versions": {}, "created": now, "changed": now,
             "Policy": None}
        out = {"ARN": s["ARN"], "Name": name}
        if params.get("SecretString") is not None or params.get("SecretBinary") is not None:
            out["VersionId"] = self._put_version(ctx, s, params.get("ClientRequestToken"),
                                                 params.get("SecretString"),
                                                 params.get("SecretBinary"))
        r[name] = s
        return out

    def DescribeSecret(self, ctx, params):
        s = self._secret(ctx, params.get("SecretId"))
        out = {"ARN": s["ARN"], "Name": s["Name"], "CreatedDate": s["created"],
               "LastChangedDate": s["changed"], "VersionIdsToStages": self._stages(s)}
        for k in ("Description", "KmsKeyId", "DeletedDate"):
            if s.get(k) is not None:
                out[k] = s[k]
        if s["Tags"]:
            out["Tags"] = tags_out(s["Tags"])
        return out

    def ListSecrets(self, ctx, params):
        limit = as_int(params.get("MaxResults", 100), "MaxResults")
        include_deleted = as_bool(params.get("IncludePlannedDeletion", False),
                                  "IncludePlannedDeletion")
        items = [s for _, s in sorted(self._r(ctx)["secrets"].items())
                 if ctx.visible(s["created"]) and (include_deleted or not s.get("DeletedDate"))]
        for f in as_list(params.get("Filters")):
            if f.get("Key") == "name":
                items = [s for s in items if any(s["Name"].startswith(v)
                                                 for v in as_list(f.get("Values")))]
        return paged(items, params, limit, "SecretList", "InvalidNextTokenException",
                     "The NextToken value is invalid.", token="NextToken",
                     render=lambda s: self.DescribeSecret(ctx, {"SecretId": s["ARN"]}))

    def GetSecretValue(self, ctx, params):
        s = self._secret(ctx, params.get("SecretId"), deleted_ok=False)
        vid, stage = params.get("VersionId"), params.get("VersionStage")
        if vid is None:
            stage = stage or "AWSCURRENT"
            vid = next((k for k, v in s["Versions"].items() if stage in v["Stages"]), None)
        v = s["Versions"].get(vid)
        if v is None or (stage and stage not in v["Stages"]):
            raise AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified "
                           "secret value for %s: %s" % ("VersionId" if params.get("VersionId")
                                                        else "staging label", vid or stage))
        out = {"ARN": s["ARN"], "Name": s["Name"], "VersionId": vid,
               "VersionStages": list(v["Stages"]), "CreatedDate": v["created"]}
        if v["SecretString"] is not None:
            out["SecretString"] = v["SecretString"]
        else:
            out["SecretBinary"] = v["SecretBinary"]
        return out

    def PutSecretValue(self, ctx, params):
        s = self._secret(ctx, params.get("SecretId"), deleted_ok=False)
        vid = self._put_version(ctx, s, params.get("ClientRequestToken"),
                                params.get("SecretString"), params.get("SecretBinary"),
                                params.get("VersionStages"))
        return {"ARN": s["ARN"], "Name": s["Name"], "VersionId": vid,
                "VersionStages": list(s["Versions"][vid]["Stages"])}

    def UpdateSecret(self, ctx, params):
        s = self._secret(ctx, params.get("SecretId"), deleted_ok=False)
        if "Description" in params:
            s["Description"] = params["Description"]
        if "KmsKeyId" in params:
            s["KmsKeyId"] = params["KmsKeyId"] or None
        out = {"ARN": s["ARN"], "Name": s["Name"]}
        if params.get("SecretString") is not None or params.get("SecretBinary") is not None:
            out["VersionId"] = self._put_version(ctx, s, params.get("ClientRequestToken"),
                                                 params.get("SecretString"),
                                                 params.get("SecretBinary"))
        s["changed"] = ctx.now()
        return out

    def UpdateSecretVersionStage(self, ctx, params):
        s = self._secret(ctx, params.get("SecretId"), deleted_ok=False)
        stage = require(params, "VersionStage")
        remove, move = params.get("RemoveFromVersionId"), params.get("MoveToVersionId")
        holder = next((k for k, v in s["Versions"].items() if stage in v["Stages"]), None)
        if remove and remove != holder:
            raise _invalid("The staging label %s is not attached to version %s." % (stage, remove))
        if holder and holder != move and not remove:
            raise _invalid("The staging label %s is attached to version %s; name it in "
                           "RemoveFromVersionId." % (stage, holder))
        if stage == "AWSCURRENT" and not move:
            raise _invalid("You can only move staging label AWSCURRENT to a different secret "
                           "version. It can't be completely removed.")
        if move and move not in s["Versions"]:
            raise AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified "
                           "secret version.")
        if holder:
            s["Versions"][holder]["Stages"].remove(stage)
        if move:
            s["Versions"][move]["Stages"].append(stage)
        s["Versions"] = {k: v for k, v in s["Versions"].items() if v["Stages"] or k == move}
        return {"ARN": s["ARN"], "Name": s["Name"]}

    def ListSecretVersionIds(self, ctx, params):
        s = self._secret(ctx, params.get("SecretId"))
        return {"ARN": s["ARN"], "Name": s["Name"], "Versions": [
            {"VersionId": k, "VersionStages": list(v["Stages"]), "CreatedDate": v["created"]}
            for k, v in sorted(s["Versions"].items(), key=lambda kv: kv[1]["created"])]}

    def DeleteSecret(self, ctx, params):
        s = self._secret(ctx, params.get("SecretId"))
        force = as_bool(params.get("ForceDeleteWithoutRecovery", False),
                        "ForceDeleteWithoutRecovery")
        if force and params.get("RecoveryWindowInDays") is not None:
            raise _invalid("You can't use ForceDeleteWithoutRecovery in conjunction with "
                           "RecoveryWindowInDays.")
        if force:
            del self._r(ctx)["secrets"][s["Name"]]
            return {"ARN": s["ARN"], "Name": s["Name"], "DeletionDate": ctx.now()}
        days = as_int(params.get("RecoveryWindowInDays", 30), "RecoveryWindowInDays")
        if not 7 <= days <= 30:
            raise _invalid("The RecoveryWindowInDays value must be between 7 and 30 days "
                           "(inclusive).")
        if s.get("DeletedDate") is None:
            s["DeletedDate"] = ctx.now()
            s["purge"] = ctx.now() + days * 86400
        return {"ARN": s["ARN"], "Name": s["Name"], "DeletionDate": s["purge"]}

    def RestoreSecret(self, ctx, params):
        s = self._secret(ctx, params.get("SecretId"))
        s.pop("DeletedDate", None)
        s.pop("purge", None)
        return {"ARN": s["ARN"], "Name": s["Name"]}

    def TagResource(self, ctx, params):
        s = self._secret(ctx, params.get("SecretId"))
        new = tags_in(require(params, "Tags"))
        if len(dict(s["Tags"], **new)) > 50:
            raise AwsError("ValidationException", "Too many tags")
        s["Tags"].update(new)
        return {}

    def UntagResource(self, ctx, params):
        s = self._secret(ctx, params.get("SecretId"))
        for k in as_list(require(params, "TagKeys")):
            s["Tags"].pop(k, None)
        return {}

    def PutResourcePolicy(self, ctx, params):
        s = self._secret(ctx, params.get("SecretId"), deleted_ok=False)
        policy = require(params, "ResourcePolicy")
        if parse_json_doc(policy) is None:
            raise AwsError("MalformedPolicyDocumentException", "This resource policy contains "
                           "a syntax error.")
        s["Policy"] = policy
        return {"ARN": s["ARN"], "Name": s["Name"]}

    def GetResourcePolicy(self, ctx, params):
        s = self._secret(ctx, params.get("SecretId"))
        out = {"ARN": s["ARN"], "Name": s["Name"]}
        if s.get("Policy"):
            out["ResourcePolicy"] = s["Policy"]
        return out

    def DeleteResourcePolicy(self, ctx, params):
        s = self._secret(ctx, params.get("SecretId"))
        s["Policy"] = None
        return {"ARN": s["ARN"], "Name": s["Name"]}

    def inventory(self):
        return {"secret": [
            {"id": s["ARN"], "name": s["Name"], "region": region,
             "description": s.get("Description"), "kms_key_id": s.get("KmsKeyId"),
             "tags": s["Tags"], "scheduled_for_deletion": bool(s.get("DeletedDate")),
             "versions": {k: {"stages": v["Stages"], "value_sha256": hashlib.sha256(
                 (v["SecretString"] or v["SecretBinary"] or "").encode()).hexdigest()}
                 for k, v in s["Versions"].items()}}
            for region, r in self.store.get("regions", {}).items()
            for s in r["secrets"].values()]}
