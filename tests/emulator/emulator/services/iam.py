"""IAM (query protocol, 2010-05-08): roles, managed policies (customer ones with versions),
managed-policy attachments, inline role policies and role/policy tags.

IAM is global: one set of roles per account whatever the signing region. Roles are keyed by
name (case-insensitive uniqueness, as AWS). Trust policies are kept verbatim and returned
URL-encoded, as IAM does, except that IAM stores an account ID given as an AWS principal as
that account's root ARN ("123456789012" -> "arn:aws:iam::123456789012:root"); a document with
such a principal is stored re-serialized with the rewrite. Policy ARNs: AWS-managed ones
(arn:aws:iam::aws:policy/...) are accepted as existing; customer-managed ones exist once made
by CreatePolicy (keyed by ARN, at most 5 versions, the default one not deletable, a policy
still attached or with other versions not deletable). Permission documents (managed and inline)
are checked like trust documents but need Resource and refuse Principal; they are kept
verbatim and returned URL-encoded.
"""
import json
import re
import urllib.parse
import uuid

from ..core import AwsError, Service
from ._iam_policies import PolicyOps
from ._common import add_tags, as_int, constraint_message, iso8601, paged, parse_json_doc, \
    remove_tags, require, tags_in, tags_out

ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
POLICY_ARN = re.compile(r"^arn:aws:iam::(aws|\d{12}):policy(/[\x21-\x7e]*)?/[\w+=,.@-]{1,128}$")
MAX_ATTACHED = 10


def _validation(msg):
    return AwsError("ValidationError", msg)


def _require(params, name):
    return require(params, name, "ValidationError", empty=(None, ""))


def _statements(text, quota, limit, empty_ok):
    """The statements of policy text (a list), checked as both kinds of IAM policy are: at most
    limit characters (LimitExceeded names quota), JSON, a known Version, a Statement (an empty
    one too when empty_ok), each a dict with Effect Allow or Deny."""
    if len(text) > limit:
        raise AwsError("LimitExceeded", "Cannot exceed quota for %s: %d" % (quota, limit), 409)
    doc = parse_json_doc(text)
    if doc is None:
        raise AwsError("MalformedPolicyDocument", "This policy contains invalid Json")
    if doc.get("Version", "2012-10-17") not in ("2012-10-17", "2008-10-17"):
        raise AwsError("MalformedPolicyDocument", "The policy must contain a valid version string")
    statements = doc.get("Statement")
    if statements is None or (not statements and not empty_ok):
        raise AwsError("MalformedPolicyDocument", "Syntax errors in policy.")
    statements = statements if isinstance(statements, list) else [statements]
    for st in statements:
        if not isinstance(st, dict) or st.get("Effect") not in ("Allow", "Deny"):
            raise AwsError("MalformedPolicyDocument", "Syntax errors in policy.")
    return statements


def _check_trust_policy(text):
    """MalformedPolicyDocument unless text is a JSON trust policy IAM would accept."""
    for st in _statements(text, "ACLSizePerRole", 2048, empty_ok=True):
        if "Resource" in st or "NotResource" in st:
            raise AwsError("MalformedPolicyDocument", "Has prohibited field Resource")
        if "Principal" not in st and "NotPrincipal" not in st:
            raise AwsError("MalformedPolicyDocument", "Missing required field Principal")
        if "Action" not in st and "NotAction" not in st:
            raise AwsError("MalformedPolicyDocument", "Missing required field Action")


def _check_permission_policy(text, limit=6144):
    """MalformedPolicyDocument unless text is an identity (permission) policy IAM would accept."""
    for st in _statements(text, "PolicySize", limit, empty_ok=False):
        if "Principal" in st or "NotPrincipal" in st:
            raise AwsError("MalformedPolicyDocument", "Policy document should not specify a "
                           "principal.")
        if "Action" not in st and "NotAction" not in st:
            raise AwsError("MalformedPolicyDocument", "Policy statement must contain actions.")
        if "Resource" not in st and "NotResource" not in st:
            raise AwsError("MalformedPolicyDocument", "Policy statement must contain resources.")


ACCOUNT_ID = re.compile(r"^\d{12}$")


def _root_arns(text):
    """text with account-ID AWS principals rewritten to root ARNs (text itself when none)."""
    doc = json.loads(text)
    statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    changed = False
    for st in statements:
        for key in ("Principal", "NotPrincipal"):
            p = st.get(key)
            if not isinstance(p, dict) or "AWS" not in p:
                continue
            ids = p["AWS"] if isinstance(p["AWS"], list) else [p["AWS"]]
            arns = ["arn:aws:iam::%s:root" % x if isinstance(x, str) and ACCOUNT_ID.match(x) else x
                    for x in ids]
            if arns != ids:
                p["AWS"] = arns if isinstance(p["AWS"], list) else arns[0]
                changed = True
    return json.dumps(doc, separators=(",", ":")) if changed else text


class IAM(PolicyOps, Service):
    name = "iam"
    protocol = "query"
    api_version = "2010-05-08"
    xmlns = "https://iam.amazonaws.com/doc/2010-05-08/"
    throttle_code = "Throttling"

    def __init__(self, store):
        super().__init__(store)
        self.store.setdefault("roles", {})
        self.store.setdefault("policies", {})

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def check_policy(text, limit=6144):
        _check_permission_policy(text, limit)

    def _role(self, ctx, params):
        name = _require(params, "RoleName")
        role = self.store["roles"].get(name.lower())
        if role is None or not ctx.visible(role["created"]):
            raise AwsError("NoSuchEntity", "The role with name %s cannot be found." % name, 404)
        return role

    def _role_out(self, role, with_tags=True):
        out = {
            "Path": role["Path"],
            "RoleName": role["RoleName"],
            "RoleId": role["RoleId"],
            "Arn": role["Arn"],
            "CreateDate": iso8601(role["created"]),
            "AssumeRolePolicyDocument": urllib.parse.quote(role["AssumeRolePolicyDocument"], safe=""),
            "MaxSessionDuration": role["MaxSessionDuration"],
        }
        if role.get("Description") is not None:
            out["Description"] = role["Description"]
        if role.get("PermissionsBoundary"):
            out["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                          "PermissionsBoundaryArn": role["PermissionsBoundary"]}
        if with_tags and role["Tags"]:
            out["Tags"] = tags_out(role["Tags"])
        return out

    # -- roles ---------------------------------------------------------------------------

    def CreateRole(self, ctx, params):
        name = _require(params, "RoleName")
        doc = _require(params, "AssumeRolePolicyDocument")
        if not ROLE_NAME.match(name):
            raise _validation(constraint_message(
                "roleName", "satisfy regular expression pattern: [\\w+=,.@-]+", name))
        path = params.get("Path", "/")
        if not (path.startswith("/") and path.endswith("/")) or len(path) > 512:
            raise _validation("The specified value for path is invalid. It must begin and end "
                              "with / and contain only alphanumeric characters and/or / characters.")
        duration = as_int(params.get("MaxSessionDuration", 3600), "MaxSessionDuration",
                          "ValidationError")
        if not 3600 <= duration <= 43200:
            raise _validation(constraint_message(
                "maxSessionDuration", "have value less than or equal to 43200", duration))
        description = params.get("Description")
        if description is not None and len(description) > 1000:
            raise _validation("Description must be at most 1000 characters")
        _check_trust_policy(doc)
        tags = tags_in(params.get("Tags"), code="ValidationError")
        if name.lower() in self.store["roles"]:
            raise AwsError("EntityAlreadyExists", "Role with name %s already exists." % name, 409)
        role = {
            "RoleName": name, "Path": path, "created": ctx.now(),
            "RoleId": "AROA" + uuid.uuid4().hex[:17].upper(),
            "Arn": "arn:aws:iam::%s:role%s%s" % (ctx.account_id, path, name),
            "AssumeRolePolicyDocument": _root_arns(doc), "MaxSessionDuration": duration,
            "Description": description, "Tags": tags, "Attached": [],
            "PermissionsBoundary": params.get("PermissionsBoundary"), "Inline": {},
        }
        self.store["roles"][name.lower()] = role
        return {"Role": self._role_out(role)}

    def GetRole(self, ctx, params):
        role = self._role(ctx, params)
        out = self._role_out(role)
        out["RoleLastUsed"] = {}
        return {"Role": out}

    def ListRoles(self, ctx, params):
        prefix = params.get("PathPrefix", "/")
        roles = [r for _, r in sorted(self.store["roles"].items()) if r["Path"].startswith(prefix)]
        limit = as_int(params.get("MaxItems", 100), "MaxItems", "ValidationError")
        return paged(roles, params, limit, "Roles", "ValidationError", "Invalid Marker",
                     token="Marker", render=lambda r: self._role_out(r, with_tags=False),
                     is_truncated=True)

    def DeleteRole(self, ctx, params):
        role = self._role(ctx, params)
        if role["Attached"]:
            raise AwsError("DeleteConflict",
                           "Cannot delete entity, must detach all policies first.", 409)
        if role.get("Inline"):
            raise AwsError("DeleteConflict",
                           "Cannot delete entity, must delete policies first.", 409)
        del self.store["roles"][role["RoleName"].lower()]
        return None

    def UpdateAssumeRolePolicy(self, ctx, params):
        role = self._role(ctx, params)
        doc = _require(params, "PolicyDocument")
        _check_trust_policy(doc)
        role["AssumeRolePolicyDocument"] = _root_arns(doc)
        return None

    def UpdateRole(self, ctx, params):
        role = self._role(ctx, params)
        if "MaxSessionDuration" in params:
            duration = as_int(params["MaxSessionDuration"], "MaxSessionDuration", "ValidationError")
            if not 3600 <= duration <= 43200:
                raise _validation("MaxSessionDuration must be between 3600 and 43200")
            role["MaxSessionDuration"] = duration
        if "Description" in params:
            role["Description"] = params["Description"]
        return {}   # an empty <UpdateRoleResult/>

    # -- managed policy attachments ------------------------------------------------------

    def _policy_arn(self, ctx, params):
        policy_arn = _require(params, "PolicyArn")
        if not POLICY_ARN.match(policy_arn):
            raise AwsError("InvalidInput", "ARN %s is not valid." % policy_arn)
        account = policy_arn.split(":")[4]
        if account != "aws" and policy_arn not in self.store["policies"]:
            raise AwsError("NoSuchEntity",
                           "Policy %s does not exist or is not attachable." % policy_arn, 404)
        return policy_arn

    def AttachRolePolicy(self, ctx, params):
        role = self._role(ctx, params)
        policy_arn = self._policy_arn(ctx, params)
        if policy_arn not in role["Attached"]:
            if len(role["Attached"]) >= MAX_ATTACHED:
                raise AwsError("LimitExceeded", "Cannot exceed quota for PoliciesPerRole: %d"
                               % MAX_ATTACHED, 409)
            role["Attached"].append(policy_arn)
            self._count_attachment(policy_arn, 1)
        return None

    def DetachRolePolicy(self, ctx, params):
        role = self._role(ctx, params)
        policy_arn = self._policy_arn(ctx, params)
        if policy_arn not in role["Attached"]:
            raise AwsError("NoSuchEntity", "Policy %s was not found." % policy_arn, 404)
        role["Attached"].remove(policy_arn)
        self._count_attachment(policy_arn, -1)
        return None

    def ListAttachedRolePolicies(self, ctx, params):
        role = self._role(ctx, params)
        prefix = params.get("PathPrefix", "/")
        attached = [a for a in role["Attached"] if a.split(":policy", 1)[1].startswith(prefix)]
        limit = as_int(params.get("MaxItems", 100), "MaxItems", "ValidationError")
        return paged(attached, params, limit, "AttachedPolicies", "ValidationError",
                     "Invalid Marker", token="Marker", is_truncated=True,
                     render=lambda a: {"PolicyName": a.rsplit("/", 1)[1], "PolicyArn": a})

    # -- tags ----------------------------------------------------------------------------

    def TagRole(self, ctx, params):
        role = self._role(ctx, params)
        add_tags(role["Tags"], tags_in(_require(params, "Tags"), code="ValidationError"),
                 AwsError("LimitExceeded", "Cannot exceed quota for TagsPerRole: 50", 409))
        return None

    def UntagRole(self, ctx, params):
        role = self._role(ctx, params)
        remove_tags(role["Tags"], _require(params, "TagKeys"))
        return None

    def ListRoleTags(self, ctx, params):
        role = self._role(ctx, params)
        limit = as_int(params.get("MaxItems", 100), "MaxItems", "ValidationError")
        return paged(tags_out(role["Tags"]), params, limit, "Tags", "ValidationError",
                     "Invalid Marker", token="Marker", is_truncated=True)

    def inventory(self):
        return dict(self.policy_inventory(), **{
            "role": [{"id": r["RoleName"], "arn": r["Arn"], "role_id": r["RoleId"],
                      "path": r["Path"], "assume_role_policy": r["AssumeRolePolicyDocument"],
                      "max_session_duration": r["MaxSessionDuration"],
                      "description": r.get("Description"), "tags": r["Tags"]}
                     for r in self.store["roles"].values()],
            "role_policy_attachment": [{"id": "%s/%s" % (r["RoleName"], a), "role": r["RoleName"],
                                        "policy_arn": a}
                                       for r in self.store["roles"].values() for a in r["Attached"]],
        })
