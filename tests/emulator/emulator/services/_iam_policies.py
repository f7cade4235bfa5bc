"""IAM customer-managed policies and inline role policies, mixed into the IAM service.

Managed policies live in store["policies"] keyed by ARN, each with its versions (v1, v2, ...;
at most 5; the default one cannot be deleted) and tags. A policy still attached to a role, or
with versions besides the default, is DeleteConflict, as IAM has it. Inline role policies
live on the role (role["Inline"], name -> document). Documents are kept verbatim and
returned URL-encoded, as IAM returns them.
"""
import re
import urllib.parse
import uuid

from ..core import AwsError
from ._common import add_tags, as_bool, as_int, constraint_message, iso8601, paged, \
    remove_tags, require, tags_in, tags_out

POLICY_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")
MAX_VERSIONS = 5


def _require(params, name):
    return require(params, name, "ValidationError", empty=(None, ""))


def _name(params, member):
    name = _require(params, member)
    if not POLICY_NAME.match(name):
        raise AwsError("ValidationError", constraint_message(
            member[:1].lower() + member[1:], "satisfy regular expression pattern: [\\w+=,.@-]+",
            name))
    return name


class PolicyOps:
    """The operations; the host class provides _role, _check_permission_policy via
    self.check_policy, and self.store["policies"]."""

    # -- helpers -------------------------------------------------------------------------

    def _policy(self, ctx, params):
        arn = _require(params, "PolicyArn")
        pol = self.store["policies"].get(arn)
        if pol is None or not ctx.visible(pol["created"]):
            raise AwsError("NoSuchEntity", "Policy %s does not exist or is not attachable." % arn,
                           404)
        return pol

    def _count_attachment(self, arn, delta):
        pol = self.store["policies"].get(arn)
        if pol is not None:
            pol["AttachmentCount"] += delta

    @staticmethod
    def _policy_out(pol, with_tags=True):
        out = {k: pol[k] for k in ("PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId",
                                   "AttachmentCount")}
        out["PermissionsBoundaryUsageCount"] = 0
        out["IsAttachable"] = True
        if pol.get("Description") is not None:
            out["Description"] = pol["Description"]
        out["CreateDate"] = iso8601(pol["created"])
        out["UpdateDate"] = iso8601(pol["updated"])
        if with_tags and pol["Tags"]:
            out["Tags"] = tags_out(pol["Tags"])
        return out

    @staticmethod
    def _version_out(pol, vid, with_doc=True):
        v = pol["Versions"][vid]
        out = {"VersionId": vid, "IsDefaultVersion": vid == pol["DefaultVersionId"],
               "CreateDate": iso8601(v["created"])}
        if with_doc:
            out["Document"] = urllib.parse.quote(v["Document"], safe="")
        return out

    # -- managed policies ----------------------------------------------------------------

    def CreatePolicy(self, ctx, params):
        name = _name(params, "PolicyName")
        doc = _require(params, "PolicyDocument")
        path = params.get("Path", "/")
        if not (path.startswith("/") and path.endswith("/")) or len(path) > 512:
            raise AwsError("ValidationError", "The specified value for path is invalid.")
        description = params.get("Description")
        if description is not None and len(description) > 1000:
            raise AwsError("ValidationError", "Description must be at most 1000 characters")
        self.check_policy(doc)
        tags = tags_in(params.get("Tags"), code="ValidationError")
        arn = "arn:aws:iam::%s:policy%s%s" % (ctx.account_id, path, name)
        if any(p["PolicyName"].lower() == name.lower() and p["Path"] == path
               for p in self.store["policies"].values()):
            raise AwsError("EntityAlreadyExists", "A policy called %s already exists. Duplicate "
                           "names are not allowed." % name, 409)
        now = ctx.now()
        pol = {"PolicyName": name, "Path": path, "Arn": arn, "created": now, "updated": now,
               "PolicyId": "ANPA" + uuid.uuid4().hex[:17].upper(), "DefaultVersionId": "v1",
               "AttachmentCount": 0, "Description": description, "Tags": tags, "next": 2,
               "Versions": {"v1": {"Document": doc, "created": now}}}
        self.store["policies"][arn] = pol
        return {"Policy": self._policy_out(pol)}

    def GetPolicy(self, ctx, params):
        return {"Policy": self._policy_out(self._policy(ctx, params))}

    def ListPolicies(self, ctx, params):
        scope = params.get("Scope", "All")
        if scope not in ("All", "AWS", "Local"):
            raise AwsError("ValidationError", constraint_message(
                "scope", "satisfy enum value set: [All, AWS, Local]", scope))
        prefix = params.get("PathPrefix", "/")
        attached = as_bool(params.get("OnlyAttached", False), "OnlyAttached", "ValidationError")
        pols = [] if scope == "AWS" else [
            p for _, p in sorted(self.store["policies"].items())
            if p["Path"].startswith(prefix) and (not attached or p["AttachmentCount"])]
        limit = as_int(params.get("MaxItems", 100), "MaxItems", "ValidationError")
        return paged(pols, params, limit, "Policies", "ValidationError", "Invalid Marker",
                     token="Marker", render=lambda p: self._policy_out(p, with_tags=False),
                     is_truncated=True)

    def DeletePolicy(self, ctx, params):
        pol = self._policy(ctx, params)
        if pol["AttachmentCount"]:
            raise AwsError("DeleteConflict", "Cannot delete a policy attached to entities.", 409)
        if len(pol["Versions"]) > 1:
            raise AwsError("DeleteConflict", "This policy has more than one version. Before you "
                           "delete a policy, you must delete the policy's versions. The default "
                           "version is deleted with the policy.", 409)
        del self.store["policies"][pol["Arn"]]
        return None

    def CreatePolicyVersion(self, ctx, params):
        pol = self._policy(ctx, params)
        doc = _require(params, "PolicyDocument")
        self.check_policy(doc)
        if len(pol["Versions"]) >= MAX_VERSIONS:
            raise AwsError("LimitExceeded", "A managed policy can have up to %d versions. Before "
                           "you create a new version, you must delete an existing version."
                           % MAX_VERSIONS, 409)
        vid = "v%d" % pol["next"]
        pol["next"] += 1
        pol["Versions"][vid] = {"Document": doc, "created": ctx.now()}
        if as_bool(params.get("SetAsDefault", False), "SetAsDefault", "ValidationError"):
            pol["DefaultVersionId"] = vid
            pol["updated"] = ctx.now()
        return {"PolicyVersion": self._version_out(pol, vid, with_doc=False)}

    def _version_id(self, pol, params):
        vid = _require(params, "VersionId")
        if vid not in pol["Versions"]:
            raise AwsError("NoSuchEntity", "Policy %s version %s does not exist or is not "
                           "attachable." % (pol["Arn"], vid), 404)
        return vid

    def GetPolicyVersion(self, ctx, params):
        pol = self._policy(ctx, params)
        return {"PolicyVersion": self._version_out(pol, self._version_id(pol, params))}

    def ListPolicyVersions(self, ctx, params):
        pol = self._policy(ctx, params)
        vids = sorted(pol["Versions"], key=lambda v: -int(v[1:]))
        limit = as_int(params.get("MaxItems", 100), "MaxItems", "ValidationError")
        return paged(vids, params, limit, "Versions", "ValidationError", "Invalid Marker",
                     token="Marker", is_truncated=True,
                     render=lambda v: self._version_out(pol, v, with_doc=False))

    def DeletePolicyVersion(self, ctx, params):
        pol = self._policy(ctx, params)
        vid = self._version_id(pol, params)
        if vid == pol["DefaultVersionId"]:
            raise AwsError("DeleteConflict", "Cannot delete the default version of a policy.", 409)
        del pol["Versions"][vid]
        return None

    def SetDefaultPolicyVersion(self, ctx, params):
        pol = self._policy(ctx, params)
        pol["DefaultVersionId"] = self._version_id(pol, params)
        pol["updated"] = ctx.now()
        return None

    def TagPolicy(self, ctx, params):
        pol = self._policy(ctx, params)
        add_tags(pol["Tags"], tags_in(_require(params, "Tags"), code="ValidationError"),
                 AwsError("LimitExceeded", "Cannot exceed quota for TagsPerPolicy: 50", 409))
        return None

    def UntagPolicy(self, ctx, params):
        remove_tags(self._policy(ctx, params)["Tags"], _require(params, "TagKeys"))
        return None

    def ListPolicyTags(self, ctx, params):
        pol = self._policy(ctx, params)
        limit = as_int(params.get("MaxItems", 100), "MaxItems", "ValidationError")
        return paged(tags_out(pol["Tags"]), params, limit, "Tags", "ValidationError",
                     "Invalid Marker", token="Marker", is_truncated=True)

    # -- inline role policies ------------------------------------------------------------

    def PutRolePolicy(self, ctx, params):
        role = self._role(ctx, params)
        name = _name(params, "PolicyName")
        doc = _require(params, "PolicyDocument")
        self.check_policy(doc, limit=10240)
        role.setdefault("Inline", {})[name] = doc
        return None

    def _inline(self, ctx, params):
        role = self._role(ctx, params)
        name = _require(params, "PolicyName")
        if name not in role.get("Inline", {}):
            raise AwsError("NoSuchEntity", "The role policy with name %s cannot be found." % name,
                           404)
        return role, name

    def GetRolePolicy(self, ctx, params):
        role, name = self._inline(ctx, params)
        return {"RoleName": role["RoleName"], "PolicyName": name,
                "PolicyDocument": urllib.parse.quote(role["Inline"][name], safe="")}

    def DeleteRolePolicy(self, ctx, params):
        role, name = self._inline(ctx, params)
        del role["Inline"][name]
        return None

    def ListRolePolicies(self, ctx, params):
        role = self._role(ctx, params)
        limit = as_int(params.get("MaxItems", 100), "MaxItems", "ValidationError")
        return paged(sorted(role.get("Inline", {})), params, limit, "PolicyNames",
                     "ValidationError", "Invalid Marker", token="Marker", is_truncated=True)

    def policy_inventory(self):
        return {
            "policy": [{"id": p["Arn"], "arn": p["Arn"], "name": p["PolicyName"],
                        "path": p["Path"], "description": p.get("Description"),
                        "default_version": p["DefaultVersionId"],
                        "policy": p["Versions"][p["DefaultVersionId"]]["Document"],
                        "versions": sorted(p["Versions"]), "tags": p["Tags"]}
                       for p in self.store["policies"].values()],
            "role_policy": [{"id": "%s:%s" % (r["RoleName"], n), "role": r["RoleName"],
                             "name": n, "policy": d}
                            for r in self.store["roles"].values()
                            for n, d in r.get("Inline", {}).items()],
        }
