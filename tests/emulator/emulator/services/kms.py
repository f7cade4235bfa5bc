"""KMS (json 1.1, TrentService): customer keys, aliases, key policies, rotation, tags, and the
data-key operations (GenerateDataKey, Encrypt, Decrypt) state encryption needs.

Per region: keys by id, aliases by name. A key is named by its id, its ARN, an alias name
("alias/x") or an alias ARN, as AWS accepts. ScheduleKeyDeletion moves a key to
PendingDeletion (7-30 days, default 30); such a key and a disabled one refuse cryptographic
operations (KMSInvalidStateException / DisabledException). The emulator does no cryptography:
a ciphertext blob is an opaque handle ("lfkms1:" key id ":" random) to a plaintext kept in the
store, which is what a client can observe of KMS (only KMS can decrypt), and is refused under
any other key or context. A key policy's Deny statements are honoured for the data-key
operations (AccessDeniedException), so a missing permission can be shown; Allow is not
evaluated (every caller is the account).
"""
import base64
import fnmatch
import re
import secrets
import uuid

from ..core import AwsError, Service
from ._common import as_int, as_list, paged, region_store, require

ALIAS_NAME = re.compile(r"^alias/[a-zA-Z0-9/_-]{1,250}$")
USAGES = ("ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC")
SPECS = ("SYMMETRIC_DEFAULT", "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256",
         "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "HMAC_224", "HMAC_256",
         "HMAC_384", "HMAC_512")
DEFAULT_POLICY = ('{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM '
                  'User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},'
                  '"Action":"kms:*","Resource":"*"}]}')


def _not_found(what):
    return AwsError("NotFoundException", "%s is not found." % what)


def _require(params, name):
    return require(params, name)


def _tags_in(value):
    tags = {}
    for t in as_list(value):
        k, v = t.get("TagKey"), t.get("TagValue")
        if not isinstance(k, str) or not 1 <= len(k) <= 128 or not isinstance(v, str) \
                or len(v) > 256:
            raise AwsError("TagException", "Invalid tag: %r" % (t,))
        tags[k] = v
    if len(tags) > 50:
        raise AwsError("TagException", "Too many tags")
    return tags


class KMS(Service):
    name = "kms"
    protocol = "json"
    json_version = "1.1"
    target_prefix = "TrentService"
    throttle_code = "ThrottlingException"
    mutating_prefixes = Service.mutating_prefixes + ("Schedule", "Cancel", "Enable", "Disable",
                                                     "Generate", "Encrypt", "Decrypt")

    def _r(self, ctx):
        return region_store(self.store, ctx.region, "keys", "aliases", "blobs")

    def _key(self, ctx, ident):
        """The key named by id, key ARN, alias name or alias ARN."""
        r = self._r(ctx)
        if not isinstance(ident, str) or not ident:
            raise AwsError("ValidationException", "KeyId must not be empty")
        name = ident
        if ident.startswith("arn:aws:kms:"):
            name = ident.split(":", 5)[5]
            if name.startswith("key/"):
                name = name[4:]
        if name.startswith("alias/"):
            alias = r["aliases"].get(name)
            if alias is None:
                raise _not_found("Alias %s" % ident)
            name = alias["TargetKeyId"]
        key = r["keys"].get(name)
        if key is None or not ctx.visible(key["created"]):
            raise _not_found("Key '%s'" % ident)
        return key

    def _meta(self, key):
        out = {k: key[k] for k in ("AWSAccountId", "KeyId", "Arn", "Enabled", "Description",
                                   "KeyUsage", "KeyState", "Origin", "KeyManager", "KeySpec",
                                   "MultiRegion")}
        out["CreationDate"] = key["created"]
        out["CustomerMasterKeySpec"] = key["KeySpec"]
        if key["KeySpec"] == "SYMMETRIC_DEFAULT":
            out["EncryptionAlgorithms"] = ["SYMMETRIC_DEFAULT"]
        if key.get("DeletionDate"):
            out["DeletionDate"] = key["DeletionDate"]
            out["PendingDeletionWindowInDays"] = key["PendingWindow"]
        return out

    def _denied(self, ctx, key, action):
        """Raises AccessDeniedException when a Deny statement of key's policy covers action
        for every principal ("*") or the account."""
        from ._common import parse_json_doc
        doc = parse_json_doc(key["Policy"]) or {}
        statements = doc.get("Statement") or []
        for st in statements if isinstance(statements, list) else [statements]:
            if not isinstance(st, dict) or st.get("Effect") != "Deny":
                continue
            principal = st.get("Principal")
            who = principal.get("AWS") if isinstance(principal, dict) else principal
            who = who if isinstance(who, list) else [who]
            if not any(w in ("*", ctx.account_id, "arn:aws:iam::%s:root" % ctx.account_id)
                       for w in who):
                continue
            actions = st.get("Action")
            actions = actions if isinstance(actions, list) else [actions]
            if any(isinstance(a, str) and fnmatch.fnmatchcase("kms:" + action.lower(), a.lower())
                   for a in actions):
                raise AwsError("AccessDeniedException", "User: %s is not authorized to perform: "
                               "kms:%s on resource: %s with an explicit deny in a resource-based "
                               "policy" % (ctx.principal.get("arn", "arn:aws:iam::%s:root"
                                                              % ctx.account_id), action,
                                           key["Arn"]), 400)

    def _usable(self, key):
        if key["KeyState"] == "PendingDeletion":
            raise AwsError("KMSInvalidStateException", "%s is pending deletion." % key["Arn"])
        if not key["Enabled"]:
            raise AwsError("DisabledException", "%s is disabled." % key["Arn"])

    # -- keys ----------------------------------------------------------------------------

    def CreateKey(self, ctx, params):
        usage = params.get("KeyUsage", "ENCRYPT_DECRYPT")
        if usage not in USAGES:
            raise AwsError("ValidationException", "Invalid KeyUsage %s" % usage)
        spec = params.get("KeySpec") or params.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
        if spec not in SPECS:
            raise AwsError("ValidationException", "Invalid KeySpec %s" % spec)
        description = params.get("Description", "")
        if len(description) > 8192:
            raise AwsError("ValidationException", "Description is too long")
        policy = params.get("Policy") or DEFAULT_POLICY % ctx.account_id
        tags = _tags_in(params.get("Tags"))
        kid = str(uuid.uuid4())
        key = {"KeyId": kid, "Arn": "arn:aws:kms:%s:%s:key/%s" % (ctx.region, ctx.account_id, kid),
               "AWSAccountId": ctx.account_id, "created": ctx.now(), "Enabled": True,
               "Description": description, "KeyUsage": usage, "KeyState": "Enabled",
               "Origin": "AWS_KMS", "KeyManager": "CUSTOMER", "KeySpec": spec,
               "MultiRegion": bool(params.get("MultiRegion", False)), "Policy": policy,
               "Rotation": False, "RotationPeriod": 365, "Tags": tags}
        self._r(ctx)["keys"][kid] = key
        return {"KeyMetadata": self._meta(key)}

    def DescribeKey(self, ctx, params):
        return {"KeyMetadata": self._meta(self._key(ctx, _require(params, "KeyId")))}

    def ListKeys(self, ctx, params):
        keys = sorted(self._r(ctx)["keys"].values(), key=lambda k: k["created"])
        limit = as_int(params.get("Limit", 1000), "Limit")
        out = paged(keys, params, limit, "Keys", "InvalidMarkerException", "Invalid marker",
                    token="Marker", render=lambda k: {"KeyId": k["KeyId"], "KeyArn": k["Arn"]})
        out["Truncated"] = "Marker" in out
        if out["Truncated"]:
            out["NextMarker"] = out.pop("Marker")
        return out

    def UpdateKeyDescription(self, ctx, params):
        self._key(ctx, _require(params, "KeyId"))["Description"] = params.get("Description", "")
        return {}

    def EnableKey(self, ctx, params):
        key = self._key(ctx, _require(params, "KeyId"))
        if key["KeyState"] == "PendingDeletion":
            raise AwsError("KMSInvalidStateException", "%s is pending deletion." % key["Arn"])
        key["Enabled"], key["KeyState"] = True, "Enabled"
        return {}

    def DisableKey(self, ctx, params):
        key = self._key(ctx, _require(params, "KeyId"))
        if key["KeyState"] == "PendingDeletion":
            raise AwsError("KMSInvalidStateException", "%s is pending deletion." % key["Arn"])
        key["Enabled"], key["KeyState"] = False, "Disabled"
        return {}

    def ScheduleKeyDeletion(self, ctx, params):
        key = self._key(ctx, _require(params, "KeyId"))
        days = as_int(params.get("PendingWindowInDays", 30), "PendingWindowInDays")
        if not 7 <= days <= 30:
            raise AwsError("ValidationException", "PendingWindowInDays must be between 7 and 30")
        if key["KeyState"] == "PendingDeletion":
            raise AwsError("KMSInvalidStateException", "%s is pending deletion." % key["Arn"])
        key["Enabled"], key["KeyState"] = False, "PendingDeletion"
        key["DeletionDate"], key["PendingWindow"] = ctx.now() + days * 86400, days
        return {"KeyId": key["Arn"], "DeletionDate": key["DeletionDate"],
                "KeyState": "PendingDeletion", "PendingWindowInDays": days}

    def CancelKeyDeletion(self, ctx, params):
        key = self._key(ctx, _require(params, "KeyId"))
        if key["KeyState"] != "PendingDeletion":
            raise AwsError("KMSInvalidStateException", "%s is not pending deletion." % key["Arn"])
        key["KeyState"], key["DeletionDate"] = "Disabled", None
        return {"KeyId": key["Arn"]}

    def GetKeyPolicy(self, ctx, params):
        key = self._key(ctx, _require(params, "KeyId"))
        if params.get("PolicyName", "default") != "default":
            raise _not_found("Policy %s" % params["PolicyName"])
        return {"Policy": key["Policy"], "PolicyName": "default"}

    def PutKeyPolicy(self, ctx, params):
        key = self._key(ctx, _require(params, "KeyId"))
        policy = _require(params, "Policy")
        if params.get("PolicyName", "default") != "default":
            raise AwsError("ValidationException", "PolicyName must be default")
        from ._common import parse_json_doc
        if parse_json_doc(policy) is None:
            raise AwsError("MalformedPolicyDocumentException", "The new key policy will not "
                           "allow you to update the key policy in the future.")
        key["Policy"] = policy
        return {}

    def EnableKeyRotation(self, ctx, params):
        key = self._key(ctx, _require(params, "KeyId"))
        if key["KeySpec"] != "SYMMETRIC_DEFAULT":
            raise AwsError("UnsupportedOperationException", "Rotation needs a symmetric key")
        key["Rotation"] = True
        if "RotationPeriodInDays" in params:
            key["RotationPeriod"] = as_int(params["RotationPeriodInDays"], "RotationPeriodInDays",
                                           90, 2560)
        return {}

    def DisableKeyRotation(self, ctx, params):
        self._key(ctx, _require(params, "KeyId"))["Rotation"] = False
        return {}

    def GetKeyRotationStatus(self, ctx, params):
        key = self._key(ctx, _require(params, "KeyId"))
        return {"KeyRotationEnabled": key["Rotation"]}

    # -- aliases -------------------------------------------------------------------------

    def _alias_name(self, params):
        name = _require(params, "AliasName")
        if not ALIAS_NAME.match(name):
            raise AwsError("ValidationException", "Alias must start with the prefix \"alias/\"")
        if name.startswith("alias/aws/"):
            raise AwsError("NotAuthorizedException", "Alias names that begin with alias/aws/ "
                           "are reserved.")
        return name

    def CreateAlias(self, ctx, params):
        name = self._alias_name(params)
        key = self._key(ctx, _require(params, "TargetKeyId"))
        r = self._r(ctx)
        if name in r["aliases"]:
            raise AwsError("AlreadyExistsException", "An alias with the name arn:aws:kms:%s:%s:%s "
                           "already exists" % (ctx.region, ctx.account_id, name))
        r["aliases"][name] = {"AliasName": name, "TargetKeyId": key["KeyId"], "created": ctx.now(),
                              "AliasArn": "arn:aws:kms:%s:%s:%s" % (ctx.region, ctx.account_id,
                                                                   name)}
        return {}

    def UpdateAlias(self, ctx, params):
        name = self._alias_name(params)
        alias = self._r(ctx)["aliases"].get(name)
        if alias is None:
            raise _not_found("Alias %s" % name)
        alias["TargetKeyId"] = self._key(ctx, _require(params, "TargetKeyId"))["KeyId"]
        return {}

    def DeleteAlias(self, ctx, params):
        name = _require(params, "AliasName")
        if self._r(ctx)["aliases"].pop(name, None) is None:
            raise _not_found("Alias %s" % name)
        return {}

    def ListAliases(self, ctx, params):
        target = None
        if params.get("KeyId"):
            target = self._key(ctx, params["KeyId"])["KeyId"]
        aliases = [a for _, a in sorted(self._r(ctx)["aliases"].items())
                   if target is None or a["TargetKeyId"] == target]
        limit = as_int(params.get("Limit", 100), "Limit")
        out = paged(aliases, params, limit, "Aliases", "InvalidMarkerException", "Invalid marker",
                    token="Marker", render=lambda a: {
                        "AliasName": a["AliasName"], "AliasArn": a["AliasArn"],
                        "TargetKeyId": a["TargetKeyId"], "CreationDate": a["created"],
                        "LastUpdatedDate": a["created"]})
        out["Truncated"] = "Marker" in out
        if out["Truncated"]:
            out["NextMarker"] = out.pop("Marker")
        return out

    # -- tags ----------------------------------------------------------------------------

    def TagResource(self, ctx, params):
        key = self._key(ctx, _require(params, "KeyId"))
        new = _tags_in(_require(params, "Tags"))
        if len(dict(key["Tags"], **new)) > 50:
            raise AwsError("TagException", "Too many tags")
        key["Tags"].update(new)
        return {}

    def UntagResource(self, ctx, params):
        key = self._key(ctx, _require(params, "KeyId"))
        for k in as_list(_require(params, "TagKeys")):
            key["Tags"].pop(k, None)
        return {}

    def ListResourceTags(self, ctx, params):
        key = self._key(ctx, _require(params, "KeyId"))
        return {"Tags": [{"TagKey": k, "TagValue": v} for k, v in sorted(key["Tags"].items())],
                "Truncated": False}

    # -- data keys -----------------------------------------------------------------------

    def _seal(self, ctx, key, plaintext, context):
        handle = secrets.token_hex(16)
        self._r(ctx)["blobs"][handle] = {"key": key["KeyId"], "context": context or {},
                                         "plaintext": base64.b64encode(plaintext).decode()}
        return base64.b64encode(("lfkms1:%s:%s" % (key["KeyId"], handle)).encode()).decode()

    def GenerateDataKey(self, ctx, params):
        key = self._key(ctx, _require(params, "KeyId"))
        self._denied(ctx, key, "GenerateDataKey")
        self._usable(key)
        spec, size = params.get("KeySpec"), params.get("NumberOfBytes")
        if (spec is None) == (size is None):
            raise AwsError("ValidationException", "Please specify either number of bytes or "
                           "key spec.")
        n = {"AES_256": 32, "AES_128": 16}.get(spec) if spec else as_int(size, "NumberOfBytes",
                                                                         1, 1024)
        if n is None:
            raise AwsError("ValidationException", "Invalid KeySpec %s" % spec)
        plaintext = secrets.token_bytes(n)
        return {"CiphertextBlob": self._seal(ctx, key, plaintext, params.get("EncryptionContext")),
                "Plaintext": base64.b64encode(plaintext).decode(), "KeyId": key["Arn"]}

    def Encrypt(self, ctx, params):
        key = self._key(ctx, _require(params, "KeyId"))
        self._denied(ctx, key, "Encrypt")
        self._usable(key)
        plaintext = base64.b64decode(_require(params, "Plaintext"))
        if len(plaintext) > 4096:
            raise AwsError("ValidationException", "Plaintext must be at most 4096 bytes")
        return {"CiphertextBlob": self._seal(ctx, key, plaintext, params.get("EncryptionContext")),
                "KeyId": key["Arn"], "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}

    def Decrypt(self, ctx, params):
        try:
            tag, kid, handle = base64.b64decode(_require(params, "CiphertextBlob")).decode() \
                .split(":")
        except Exception:
            tag = kid = handle = None
        blob = self._r(ctx)["blobs"].get(handle or "")
        if tag != "lfkms1" or blob is None or blob["key"] != kid:
            raise AwsError("InvalidCiphertextException", "")
        key = self._key(ctx, kid)
        if params.get("KeyId") and self._key(ctx, params["KeyId"])["KeyId"] != kid:
            raise AwsError("IncorrectKeyException", "The key ID in the request does not identify "
                           "a CMK that can perform this operation.")
        self._denied(ctx, key, "Decrypt")
        self._usable(key)
        if (params.get("EncryptionContext") or {}) != blob["context"]:
            raise AwsError("InvalidCiphertextException", "")
        return {"Plaintext": blob["plaintext"], "KeyId": key["Arn"],
                "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}

    def inventory(self):
        keys, aliases = [], []
        for region, r in self.store.get("regions", {}).items():
            for k in r["keys"].values():
                keys.append({"id": k["KeyId"], "arn": k["Arn"], "region": region,
                             "description": k["Description"], "state": k["KeyState"],
                             "enabled": k["Enabled"], "rotation": k["Rotation"],
                             "policy": k["Policy"], "tags": dict(k["Tags"])})
            for a in r["aliases"].values():
                aliases.append({"id": a["AliasName"], "arn": a["AliasArn"], "region": region,
                                "target_key_id": a["TargetKeyId"]})
        return {"key": keys, "alias": aliases}
