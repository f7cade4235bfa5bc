-- aws_ecr_repository: an ECR repository, as Terraform's AWS provider has it.
--
-- The id is the repository name. A refresh describes every repository of
-- the state in one DescribeRepositories (one by one only when some are
-- gone, since a missing name fails the whole call). CreateRepository has
-- no idempotency token: it is sent once with the token tag and a lost
-- response (or RepositoryAlreadyExists met by our own earlier attempt) is
-- settled by the tag. Tags are read only when the state has some.
-- force_delete deletes a repository that still holds images.
local ecs = require("luaform.providers.aws._ecs")

local M = {}

M.schema = {
  name = { type = "string", required = true, force_new = true },
  image_tag_mutability = { type = "string", optional = true, default = "MUTABLE" },
  image_scanning_configuration = { type = "list", max_items = 1, optional = true, computed = true,
    block = { scan_on_push = { type = "bool", required = true } } },
  encryption_configuration = { type = "list", max_items = 1, optional = true, computed = true, force_new = true,
    block = { encryption_type = { type = "string", optional = true, default = "AES256" },
              kms_key = { type = "string", optional = true, computed = true } } },
  force_delete = { type = "bool", optional = true, default = false },
  tags = { type = "map", elem = "string", optional = true },
  tags_all = { type = "map", elem = "string", computed = true },
  arn = { type = "string", computed = true },
  registry_id = { type = "string", computed = true },
  repository_url = { type = "string", computed = true },
}

local function client(ctx) return ecs.client(ctx, "ecr") end

local function not_found(e) return ecs.is(e, "RepositoryNotFoundException") end

local function read_tags(ctx, arn)
  return ecs.from_list(client(ctx):ListTagsForResource{ resourceArn = arn }.tags)
end

local function attributes(ctx, r, tags, prior)
  prior = prior or {}
  local own, all = ecs.split_tags(ctx, tags)
  local enc = r.encryptionConfiguration or {}
  return {
    id = r.repositoryName, name = r.repositoryName, arn = r.repositoryArn, registry_id = r.registryId,
    repository_url = r.repositoryUri, image_tag_mutability = r.imageTagMutability,
    image_scanning_configuration = { { scan_on_push = (r.imageScanningConfiguration or {}).scanOnPush == true } },
    encryption_configuration = { { encryption_type = enc.encryptionType or "AES256", kms_key = enc.kmsKey } },
    force_delete = prior.force_delete or false,
    tags = own, tags_all = all,
  }
end

local function describe(ctx, names)
  local c = client(ctx)
  local ok, out = ecs.try(c.DescribeRepositories, c, { repositoryNames = names })
  if ok then return out.repositories or {} end
  if not not_found(out) then error(out, 0) end
  if #names == 1 then return {} end
  local list = {}
  for _, n in ipairs(names) do
    for _, r in ipairs(describe(ctx, { n })) do list[#list + 1] = r end
  end
  return list
end

local function complete(ctx, r, prior)
  local tags = {}
  if not prior or next(prior.tags_all or {}) then tags = read_tags(ctx, r.repositoryArn) end
  return attributes(ctx, r, tags, prior)
end

function M.read_batch(ctx, ids, entries)
  local priors = {}
  for i, id in ipairs(ids) do priors[id] = entries[i].entry.attributes end
  local found = {}
  for i = 1, #ids, 100 do
    local chunk = { table.unpack(ids, i, math.min(i + 99, #ids)) }
    for _, r in ipairs(describe(ctx, chunk)) do
      found[r.repositoryName] = complete(ctx, r, priors[r.repositoryName])
    end
  end
  return found
end

function M.read(ctx, id, prior)
  local r = describe(ctx, { id })[1]
  if not r then return nil end
  return complete(ctx, r, prior)
end

function M.create(ctx, args)
  local c = client(ctx)
  local scan = args.image_scanning_configuration and args.image_scanning_configuration[1]
  local enc = args.encryption_configuration and args.encryption_configuration[1]
  local params = {
    repositoryName = args.name, imageTagMutability = args.image_tag_mutability,
    imageScanningConfiguration = scan and { scanOnPush = scan.scan_on_push } or nil,
    encryptionConfiguration = enc and { encryptionType = enc.encryption_type, kmsKey = enc.kms_key } or nil,
    tags = ecs.to_list(ecs.create_tags(ctx, args.tags)),
  }
  local function mine()
    local r = describe(ctx, { args.name })[1]
    if r and read_tags(ctx, r.repositoryArn)[ecs.TOKEN_TAG] == ctx.token then return r end
    return nil
  end
  local r = ecs.create(ctx, function(opts) return c:CreateRepository(params, opts).repository end, mine,
    function(e) return ecs.is(e, "RepositoryAlreadyExistsException") end)
  return attributes(ctx, r, ecs.create_tags(ctx, args.tags), args)
end

function M.update(ctx, id, old, new)
  local c = client(ctx)
  if old.image_tag_mutability ~= new.image_tag_mutability then
    c:PutImageTagMutability{ repositoryName = id, imageTagMutability = new.image_tag_mutability }
  end
  local os_ = old.image_scanning_configuration and old.image_scanning_configuration[1] or {}
  local ns = new.image_scanning_configuration and new.image_scanning_configuration[1] or {}
  if (os_.scan_on_push or false) ~= (ns.scan_on_push or false) then
    c:PutImageScanningConfiguration{ repositoryName = id, imageScanningConfiguration = { scanOnPush = ns.scan_on_push or false } }
  end
  local set, remove = ecs.tag_changes(old.tags_all, ecs.tags_all(ctx, new.tags))
  if next(set) then c:TagResource{ resourceArn = old.arn, tags = ecs.to_list(set) } end
  if #remove > 0 then c:UntagResource{ resourceArn = old.arn, tagKeys = remove } end
  local attrs = M.read(ctx, id, new)
  attrs.force_delete = new.force_delete
  return attrs
end

function M.delete(ctx, id, attrs)
  local c = client(ctx)
  local ok, err = ecs.try(c.DeleteRepository, c, { repositoryName = id, force = attrs and attrs.force_delete or nil })
  if not ok and not not_found(err) then error(err, 0) end
end

function M.recover(ctx, pending)
  local name = pending.args and pending.args.name
  if not name then return nil end
  local r = describe(ctx, { name })[1]
  if not r then return nil end
  local tags = read_tags(ctx, r.repositoryArn)
  if tags[ecs.TOKEN_TAG] ~= pending.token then return nil end
  return attributes(ctx, r, tags, pending.args)
end

return M
