"""ECR (json 1.1, AmazonEC2ContainerRegistry_V20150921): repositories, their settings and tags.

Per region: repositories by name, each with its image manifests (PutImage stores a manifest
under its sha256 digest and tag, enough for DeleteRepository's not-empty rule and `force`).
repositoryUri is ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME as AWS returns it.
A repository may hold a lifecycle policy (validated: rules with a unique rulePriority, a
selection with tagStatus and countType/countNumber, action "expire") and a repository policy
(a JSON object with Statement); each has its own NotFound error when absent.
"""
import json
import hashlib
import re

from ..core import AwsError, Service
from ._common import add_tags, as_int, as_list, paged, region_store, remove_tags, \
    require, tags_out

REPO_NAME = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")
MUTABILITY = ("MUTABLE", "IMMUTABLE")


def _invalid(msg):
    return AwsError("InvalidParameterException", msg)


def _require(params, name):
    return require(params, name, "InvalidParameterException", empty=(None, "", []))


def _check_lifecycle(text):
    """InvalidParameterException unless text is a lifecycle policy ECR accepts."""
    def bad(why):
        return _invalid("Invalid parameter at 'LifecyclePolicyText' failed to satisfy "
                        "constraint: 'Lifecycle policy validation failure: %s'" % why)
    try:
        doc = json.loads(text)
    except ValueError:
        raise bad("not valid JSON")
    rules = doc.get("rules") if isinstance(doc, dict) else None
    if not isinstance(rules, list) or not rules:
        raise bad("object has missing required properties ([\"rules\"])")
    priorities = set()
    for rule in rules:
        sel = rule.get("selection") if isinstance(rule, dict) else None
        prio = rule.get("rulePriority") if isinstance(rule, dict) else None
        if not isinstance(prio, int) or prio < 1 or prio in priorities:
            raise bad("rulePriority must be a unique positive integer")
        priorities.add(prio)
        if not isinstance(sel, dict) or sel.get("tagStatus") not in ("tagged", "untagged",
                                                                      "any"):
            raise bad("selection.tagStatus must be tagged, untagged or any")
        if sel.get("countType") not in ("imageCountMoreThan", "sinceImagePushed"):
            raise bad("selection.countType must be imageCountMoreThan or sinceImagePushed")
        if not isinstance(sel.get("countNumber"), int) or sel["countNumber"] < 1:
            raise bad("selection.countNumber must be a positive integer")
        if sel["countType"] == "sinceImagePushed" and sel.get("countUnit") != "days":
            raise bad("selection.countUnit must be days with sinceImagePushed")
        if sel["tagStatus"] == "tagged" and not (sel.get("tagPrefixList") or
                                                 sel.get("tagPatternList")):
            raise bad("tagPrefixList or tagPatternList is required when tagStatus is tagged")
        if (rule.get("action") or {}).get("type") != "expire":
            raise bad("action.type must be expire")


def _tags_in(value):
    tags = {}
    for t in as_list(value):
        if not isinstance(t, dict) or not t.get("Key") or "Value" not in t:
            raise AwsError("InvalidTagParameterException", "Tag key and value must be set.")
        tags[t["Key"]] = t["Value"]
    if len(tags) > 50:
        raise AwsError("TooManyTagsException", "The maximum number of tags is 50.")
    return tags


class ECR(Service):
    name = "ecr"
    protocol = "json"
    json_version = "1.1"
    target_prefix = "AmazonEC2ContainerRegistry_V20150921"
    throttle_code = "ThrottlingException"

    def _r(self, ctx):
        return region_store(self.store, ctx.region, "repositories")

    def _repo(self, ctx, params):
        name = _require(params, "repositoryName")
        registry = params.get("registryId", ctx.account_id)
        repo = self._r(ctx)["repositories"].get(name)
        if registry != ctx.account_id or repo is None or not ctx.visible(repo["createdAt"]):
            raise AwsError("RepositoryNotFoundException", "The repository with name '%s' does "
                           "not exist in the registry with id '%s'" % (name, registry))
        return repo

    @staticmethod
    def _out(repo):
        return {k: repo[k] for k in ("repositoryArn", "registryId", "repositoryName",
                                      "repositoryUri", "createdAt", "imageTagMutability",
                                      "imageScanningConfiguration", "encryptionConfiguration")}

    def CreateRepository(self, ctx, params):
        name = _require(params, "repositoryName")
        if not 2 <= len(name) <= 256 or not REPO_NAME.match(name):
            raise _invalid("Invalid parameter at 'repositoryName' failed to satisfy constraint: "
                           "'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*"
                           "[a-z0-9]+(?:[._-][a-z0-9]+)*''")
        mutability = params.get("imageTagMutability", "MUTABLE")
        if mutability not in MUTABILITY:
            raise _invalid("Invalid parameter at 'imageTagMutability' failed to satisfy "
                           "constraint: 'Member must satisfy enum value set: [MUTABLE, IMMUTABLE]'")
        scanning = params.get("imageScanningConfiguration") or {}
        encryption = params.get("encryptionConfiguration") or {"encryptionType": "AES256"}
        if encryption.get("encryptionType") not in ("AES256", "KMS", "KMS_DSSE"):
            raise _invalid("Invalid encryptionType.")
        if encryption["encryptionType"] == "AES256" and encryption.get("kmsKey"):
            raise _invalid("kmsKey can only be set with encryptionType KMS.")
        tags = _tags_in(params.get("tags"))
        r = self._r(ctx)
        if name in r["repositories"]:
            raise AwsError("RepositoryAlreadyExistsException", "The repository with name '%s' "
                           "already exists in the registry with id '%s'" % (name, ctx.account_id))
        repo = {
            "repositoryArn": "arn:aws:ecr:%s:%s:repository/%s" % (ctx.region, ctx.account_id,
                                                                   name),
            "registryId": ctx.account_id, "repositoryName": name,
            "repositoryUri": "%s.dkr.ecr.%s.amazonaws.com/%s" % (ctx.account_id, ctx.region, name),
            "createdAt": ctx.now(), "imageTagMutability": mutability,
            "imageScanningConfiguration": {"scanOnPush": bool(scanning.get("scanOnPush", False))},
            "encryptionConfiguration": encryption, "tags": tags, "images": {},
        }
        r["repositories"][name] = repo
        return {"repository": self._out(repo)}

    def DescribeRepositories(self, ctx, params):
        registry = params.get("registryId", ctx.account_id)
        names = as_list(params.get("repositoryNames"))
        if names and ("nextToken" in params or "maxResults" in params):
            raise _invalid("Cannot specify nextToken or maxResults when repositoryNames is set.")
        if names:
            repos = [self._repo(ctx, {"repositoryName": n, "registryId": registry})
                     for n in names]
            return {"repositories": [self._out(r) for r in repos]}
        repos = [] if registry != ctx.account_id else [
            r for _, r in sorted(self._r(ctx)["repositories"].items())
            if ctx.visible(r["createdAt"])]
        limit = as_int(params.get("maxResults", 100), "maxResults", "InvalidParameterException")
        if not 1 <= limit <= 1000:
            raise _invalid("maxResults must be between 1 and 1000.")
        return paged(repos, params, limit, "repositories", "InvalidParameterException",
                     "Invalid nextToken", render=self._out)

    def DeleteRepository(self, ctx, params):
        repo = self._repo(ctx, params)
        if repo["images"] and not params.get("force"):
            raise AwsError("RepositoryNotEmptyException", "The repository with name '%s' in "
                           "registry with id '%s' cannot be deleted because it still contains "
                           "images" % (repo["repositoryName"], ctx.account_id))
        del self._r(ctx)["repositories"][repo["repositoryName"]]
        return {"repository": self._out(repo)}

    def PutImageTagMutability(self, ctx, params):
        repo = self._repo(ctx, params)
        mutability = _require(params, "imageTagMutability")
        if mutability not in MUTABILITY:
            raise _invalid("Invalid parameter at 'imageTagMutability'")
        repo["imageTagMutability"] = mutability
        return {"registryId": ctx.account_id, "repositoryName": repo["repositoryName"],
                "imageTagMutability": mutability}

    def PutImageScanningConfiguration(self, ctx, params):
        repo = self._repo(ctx, params)
        cfg = _require(params, "imageScanningConfiguration")
        repo["imageScanningConfiguration"] = {"scanOnPush": bool(cfg.get("scanOnPush", False))}
        return {"registryId": ctx.account_id, "repositoryName": repo["repositoryName"],
                "imageScanningConfiguration": repo["imageScanningConfiguration"]}

    # -- policies ------------------------------------------------------------------------

    def PutLifecyclePolicy(self, ctx, params):
        repo = self._repo(ctx, params)
        text = _require(params, "lifecyclePolicyText")
        _check_lifecycle(text)
        repo["lifecyclePolicy"] = text
        return {"registryId": ctx.account_id, "repositoryName": repo["repositoryName"],
                "lifecyclePolicyText": text}

    def GetLifecyclePolicy(self, ctx, params):
        repo = self._repo(ctx, params)
        if not repo.get("lifecyclePolicy"):
            raise AwsError("LifecyclePolicyNotFoundException", "Lifecycle policy does not "
                           "exist for the repository with name '%s' in the registry with id "
                           "'%s'" % (repo["repositoryName"], ctx.account_id))
        return {"registryId": ctx.account_id, "repositoryName": repo["repositoryName"],
                "lifecyclePolicyText": repo["lifecyclePolicy"], "lastEvaluatedAt": 0}

    def DeleteLifecyclePolicy(self, ctx, params):
        out = self.GetLifecyclePolicy(ctx, params)
        self._repo(ctx, params).pop("lifecyclePolicy")
        return out

    def SetRepositoryPolicy(self, ctx, params):
        repo = self._repo(ctx, params)
        text = _require(params, "policyText")
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        if not isinstance(doc, dict) or not doc.get("Statement"):
            raise _invalid("Invalid parameter at 'PolicyText' failed to satisfy constraint: "
                           "'Invalid repository policy provided'")
        repo["repositoryPolicy"] = text
        return {"registryId": ctx.account_id, "repositoryName": repo["repositoryName"],
                "policyText": text}

    def GetRepositoryPolicy(self, ctx, params):
        repo = self._repo(ctx, params)
        if not repo.get("repositoryPolicy"):
            raise AwsError("RepositoryPolicyNotFoundException", "Repository policy does not "
                           "exist for the repository with name '%s' in the registry with id "
                           "'%s'" % (repo["repositoryName"], ctx.account_id))
        return {"registryId": ctx.account_id, "repositoryName": repo["repositoryName"],
                "policyText": repo["repositoryPolicy"]}

    def DeleteRepositoryPolicy(self, ctx, params):
        out = self.GetRepositoryPolicy(ctx, params)
        self._repo(ctx, params).pop("repositoryPolicy")
        return out

    # -- images (minimal) ----------------------------------------------------------------

    def PutImage(self, ctx, params):
        repo = self._repo(ctx, params)
        manifest = _require(params, "imageManifest")
        digest = "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
        if params.get("imageDigest") not in (None, digest):
            raise AwsError("ImageDigestDoesNotMatchException", "The image digest does not match.")
        tag = params.get("imageTag")
        if tag:
            for d, img in repo["images"].items():
                if tag in img["tags"] and d != digest:
                    if repo["imageTagMutability"] == "IMMUTABLE":
                        raise AwsError("ImageTagAlreadyExistsException", "The image tag '%s' "
                                       "already exists in the '%s' repository and cannot be "
                                       "overwritten because the repository is immutable."
                                       % (tag, repo["repositoryName"]))
                    img["tags"].remove(tag)
        img = repo["images"].setdefault(digest, {"manifest": manifest, "tags": [],
                                                 "pushedAt": ctx.now()})
        if tag and tag not in img["tags"]:
            img["tags"].append(tag)
        image_id = {"imageDigest": digest}
        if tag:
            image_id["imageTag"] = tag
        return {"image": {"registryId": ctx.account_id, "repositoryName": repo["repositoryName"],
                          "imageId": image_id, "imageManifest": manifest}}

    def ListImages(self, ctx, params):
        repo = self._repo(ctx, params)
        ids = []
        for digest, img in sorted(repo["images"].items()):
            for tag in img["tags"] or [None]:
                ids.append({"imageDigest": digest, **({"imageTag": tag} if tag else {})})
        return {"imageIds": ids}

    # -- tags ----------------------------------------------------------------------------

    def _by_arn(self, ctx, params):
        arn = _require(params, "resourceArn")
        m = re.match(r"^arn:aws:ecr:([a-z0-9-]+):(\d{12}):repository/(.+)$", arn)
        if not m:
            raise _invalid("Invalid parameter at 'resourceArn' failed to satisfy constraint: "
                           "'Invalid ARN'")
        return self._repo(ctx, {"repositoryName": m.group(3), "registryId": m.group(2)})

    def TagResource(self, ctx, params):
        repo = self._by_arn(ctx, params)
        add_tags(repo["tags"], _tags_in(_require(params, "tags")),
                 AwsError("TooManyTagsException", "The maximum number of tags is 50."))
        return {}

    def UntagResource(self, ctx, params):
        repo = self._by_arn(ctx, params)
        remove_tags(repo["tags"], _require(params, "tagKeys"))
        return {}

    def ListTagsForResource(self, ctx, params):
        repo = self._by_arn(ctx, params)
        return {"tags": tags_out(repo["tags"])}

    def inventory(self):
        repos = []
        for region, r in self.store.get("regions", {}).items():
            for repo in r["repositories"].values():
                row = self._out(repo)
                row.update(id=repo["repositoryName"], region=region, tags=dict(repo["tags"]),
                           images=len(repo["images"]))
                repos.append(row)
        return {"repository": repos}
