-- aws_ecr_repository: an ECR repository, as Terraform's AWS provider has
-- it; declared for aws._resource (contract v2).
--
-- The id is the repository name. A refresh describes every repository of
-- the state in one DescribeRepositories (one by one only when some are
-- gone, as a missing name fails the whole call). force_delete deletes a
-- repository that still holds images.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")

return resource.define{
  service = "ecr", description = "An ECR container image repository.",
  identity = "repositoryName", id = "repositoryName",
  fields = {
    name = { type = "string", required = true, force_new = true, wire = "repositoryName",
      description = "The repository's name (also its id)." },
    image_tag_mutability = { type = "string", optional = true, default = "MUTABLE", wire = "imageTagMutability",
      set = "PutImageTagMutability", description = "MUTABLE or IMMUTABLE." },
    image_scanning_configuration = { type = "list", max_items = 1, optional = true, computed = true,
      wire = "imageScanningConfiguration", set = "PutImageScanningConfiguration",
      block = { scan_on_push = { type = "bool", required = true, wire = "scanOnPush",
        description = "Scan each image when it is pushed." } } },
    encryption_configuration = { type = "list", max_items = 1, optional = true, computed = true, force_new = true,
      wire = "encryptionConfiguration",
      block = { encryption_type = { type = "string", optional = true, default = "AES256", wire = "encryptionType" },
                kms_key = { type = "string", optional = true, computed = true, wire = "kmsKey" } } },
    force_delete = { type = "bool", optional = true, default = false, keep = true,
      description = "Delete the repository even if it holds images." },
    arn = { type = "string", computed = true, wire = "repositoryArn" },
    registry_id = { type = "string", computed = true, wire = "registryId" },
    repository_url = { type = "string", computed = true, wire = "repositoryUri" },
  },
  create = { op = "CreateRepository", result = "repository", exists = { "RepositoryAlreadyExistsException" } },
  read_many = { op = "DescribeRepositories", ids = "repositoryNames", chunk = 100 },
  not_found = { "RepositoryNotFoundException" },
  delete = { op = "DeleteRepository",
    params = function(id, attrs) return { repositoryName = id, force = attrs.force_delete or nil } end },
  tags = tags.api{ create = "tags", form = "list", by = "arn", param = "resourceArn",
    read = { op = "ListTagsForResource", result = "tags" },
    tag = { op = "TagResource", member = "tags" }, untag = { op = "UntagResource", member = "tagKeys" } },
}
