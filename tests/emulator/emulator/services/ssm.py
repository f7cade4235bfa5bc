"""SSM Parameter Store (json 1.1, AmazonSSM): String, StringList and SecureString parameters,
versions, tags.

Per region: parameters by name (a leading "/" path form or a plain name, as AWS). Each
PutParameter with Overwrite makes a new version; without it an existing name is
ParameterAlreadyExists; Tags together with Overwrite is a ValidationException. A SecureString
read without WithDecryption returns an opaque stand-in for the ciphertext (never the value);
its KeyId defaults to alias/aws/ssm. Tags live on the parameter (ResourceType "Parameter").
"""
import base64
import hashlib
import re

from ..core import AwsError, Service
from ._common import as_bool, as_int, as_list, paged, region_store, require, tags_in, tags_out

NAME = re.compile(r"^/?[a-zA-Z0-9_.\-/]{1,2047}$")
TYPES = ("String", "StringList", "SecureString")
TIERS = ("Standard", "Advanced", "Intelligent-Tiering")


def _not_found(name):
    return AwsError("ParameterNotFound", "Parameter %s not found." % name)


class SSM(Service):
    name = "ssm"
    protocol = "json"
    json_version = "1.1"
    target_prefix = "AmazonSSM"
    throttle_code = "ThrottlingException"

    def _r(self, ctx):
        return region_store(self.store, ctx.region, "params")

    def _param(self, ctx, name):
        p = self._r(ctx)["params"].get(name)
        if p is None or not ctx.visible(p["created"]):
            raise _not_found(name)
        return p

    @staticmethod
    def _arn(ctx, name):
        return "arn:aws:ssm:%s:%s:parameter%s" % (ctx.region, ctx.account_id,
                                                   name if name.startswith("/") else "/" + name)

    @staticmethod
    def _value(p, decrypt):
        if p["Type"] != "SecureString" or decrypt:
            return p["Value"]
        digest = hashlib.sha256(("%s:%d" % (p["Name"], p["Version"])).encode()).digest()
        return base64.b64encode(b"AQICAH" + digest).decode()

    def _out(self, ctx, p, decrypt):
        return {"Name": p["Name"], "Type": p["Type"], "Value": self._value(p, decrypt),
                "Version": p["Version"], "LastModifiedDate": p["modified"],
                "ARN": self._arn(ctx, p["Name"]), "DataType": p["DataType"]}

    def PutParameter(self, ctx, params):
        name = require(params, "Name")
        value = require(params, "Value", empty=(None,))
        if not NAME.match(name) or name.lower().startswith(("aws", "ssm", "/aws", "/ssm")):
            raise AwsError("ValidationException", "Parameter name: can't be prefixed with "
                           "\"aws\" or \"ssm\" (case-insensitive).")
        if len(value) > 4096:
            raise AwsError("ValidationException", "Standard tier parameters support a maximum "
                           "parameter value of 4096 characters.")
        overwrite = as_bool(params.get("Overwrite", False), "Overwrite")
        r = self._r(ctx)
        old = r["params"].get(name)
        if old is not None and not overwrite:
            raise AwsError("ParameterAlreadyExists", "The parameter already exists. To overwrite "
                           "this request value, set the overwrite option in the request to true.")
        if params.get("Tags") and overwrite:
            raise AwsError("ValidationException", "Invalid request: tags and overwrite can't be "
                           "used together. To create a parameter with tags, please remove "
                           "overwrite flag. To update tags for an existing parameter, please use "
                           "AddTagsToResource or RemoveTagsFromResource.")
        ptype = params.get("Type") or (old and old["Type"])
        if ptype is None:
            raise AwsError("ValidationException", "A parameter type is required when you create "
                           "a parameter.")
        if ptype not in TYPES:
            raise AwsError("ValidationException", "1 validation error detected: Value '%s' at "
                           "'type' failed to satisfy constraint: Member must satisfy enum value "
                           "set: [SecureString, StringList, String]" % ptype)
        if params.get("KeyId") and ptype != "SecureString":
            raise AwsError("ValidationException", "KeyId is required for SecureString type "
                           "parameter only.")
        tier = params.get("Tier", "Standard")
        if tier not in TIERS:
            raise AwsError("ValidationException", "Invalid tier %s" % tier)
        pattern = params.get("AllowedPattern")
        if pattern and not re.fullmatch(pattern, value):
            raise AwsError("ParameterPatternMismatchException", "Parameter value, cannot be "
                           "validated against allowedPattern: %s" % pattern)
        now = ctx.now()
        p = old or {"Name": name, "created": now, "Version": 0, "Tags": tags_in(params.get("Tags"))}
        p.update(Value=value, Type=ptype, Version=p["Version"] + 1, modified=now,
                 Description=params.get("Description", p.get("Description")),
                 KeyId=(params.get("KeyId") or p.get("KeyId") or "alias/aws/ssm")
                 if ptype == "SecureString" else None,
                 AllowedPattern=pattern, Tier="Standard" if tier == "Intelligent-Tiering" else tier,
                 DataType=params.get("DataType", p.get("DataType", "text")))
        r["params"][name] = p
        return {"Version": p["Version"], "Tier": p["Tier"]}

    def GetParameter(self, ctx, params):
        name = require(params, "Name")
        p = self._param(ctx, name.split(":")[0])
        return {"Parameter": self._out(ctx, p, as_bool(params.get("WithDecryption", False),
                                                      "WithDecryption"))}

    def GetParameters(self, ctx, params):
        names = as_list(require(params, "Names"))
        if len(names) > 10:
            raise AwsError("ValidationException", "1 validation error detected: Value at 'names' "
                           "failed to satisfy constraint: Member must have length less than or "
                           "equal to 10")
        decrypt = as_bool(params.get("WithDecryption", False), "WithDecryption")
        found, invalid = [], []
        for n in names:
            p = self._r(ctx)["params"].get(n)
            if p is None or not ctx.visible(p["created"]):
                invalid.append(n)
            else:
                found.append(self._out(ctx, p, decrypt))
        return {"Parameters": found, "InvalidParameters": invalid}

    def DescribeParameters(self, ctx, params):
        limit = as_int(params.get("MaxResults", 50), "MaxResults")
        if not 1 <= limit <= 50:
            raise AwsError("ValidationException", "MaxResults must be between 1 and 50")
        items = [p for _, p in sorted(self._r(ctx)["params"].items()) if ctx.visible(p["created"])]
        for f in as_list(params.get("ParameterFilters")):
            key, option, vals = f.get("Key"), f.get("Option", "Equals"), as_list(f.get("Values"))
            if key not in ("Name", "Type", "KeyId", "Path", "Tier", "DataType"):
                raise AwsError("InvalidFilterKey", "The following filter key is not valid: %s"
                               % key)
            if option not in ("Equals", "BeginsWith", "Recursive", "OneLevel"):
                raise AwsError("InvalidFilterOption", "The filter option is not valid: %s" % option)

            def match(p, key=key, option=option, vals=vals):
                v = p["Name"] if key in ("Name", "Path") else p.get(key)
                if key == "Path":
                    return any(v.startswith(x.rstrip("/") + "/") and
                               (option == "Recursive" or "/" not in v[len(x.rstrip("/")) + 1:])
                               for x in vals)
                if option == "BeginsWith":
                    return any(str(v).startswith(x) for x in vals)
                return v in vals
            items = [p for p in items if match(p)]
        return paged(items, params, limit, "Parameters", "InvalidNextToken",
                     "The specified token is not valid.", token="NextToken", render=lambda p: {
                         k: v for k, v in (
                             ("Name", p["Name"]),
                             ("Type", p["Type"]), ("KeyId", p.get("KeyId")),
                             ("LastModifiedDate", p["modified"]),
                             ("LastModifiedUser", "arn:aws:iam::%s:root" % ctx.account_id),
                             ("Description", p.get("Description")),
                             ("AllowedPattern", p.get("AllowedPattern")),
                             ("Version", p["Version"]), ("Tier", p["Tier"]), ("Policies", []),
                             ("DataType", p["DataType"])) if v is not None})

    def DeleteParameter(self, ctx, params):
        p = self._param(ctx, require(params, "Name"))
        del self._r(ctx)["params"][p["Name"]]
        return {}

    def DeleteParameters(self, ctx, params):
        deleted, invalid = [], []
        for n in as_list(require(params, "Names")):
            (deleted if self._r(ctx)["params"].pop(n, None) else invalid).append(n)
        return {"DeletedParameters": deleted, "InvalidParameters": invalid}

    def _tagged(self, ctx, params):
        if require(params, "ResourceType") != "Parameter":
            raise AwsError("InvalidResourceType", "The resource type is not valid.")
        rid = require(params, "ResourceId")
        p = self._r(ctx)["params"].get(rid)
        if p is None:
            raise AwsError("InvalidResourceId", "The resource ID is not valid. Verify that you "
                           "entered the correct ID and try again.")
        return p

    def AddTagsToResource(self, ctx, params):
        p = self._tagged(ctx, params)
        new = tags_in(require(params, "Tags"))
        if len(dict(p["Tags"], **new)) > 50:
            raise AwsError("TooManyTagsError", "The Tags parameter contains too many tags.")
        p["Tags"].update(new)
        return {}

    def RemoveTagsFromResource(self, ctx, params):
        p = self._tagged(ctx, params)
        for k in as_list(require(params, "TagKeys")):
            p["Tags"].pop(k, None)
        return {}

    def ListTagsForResource(self, ctx, params):
        return {"TagList": tags_out(self._tagged(ctx, params)["Tags"])}

    def inventory(self):
        return {"parameter": [
            {"id": p["Name"], "region": region, "type": p["Type"], "version": p["Version"],
             "key_id": p.get("KeyId"), "description": p.get("Description"), "tags": p["Tags"],
             "value_sha256": hashlib.sha256(p["Value"].encode()).hexdigest()}
            for region, r in self.store.get("regions", {}).items()
            for p in r["params"].values()]}
