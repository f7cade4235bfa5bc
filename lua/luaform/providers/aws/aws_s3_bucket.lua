-- aws_s3_bucket: an S3 bucket alone, as Terraform's AWS provider has it
-- since 4.0 (versioning, encryption, policy, ... are types of their own:
-- aws_s3_bucket_*); declared for aws._resource (contract v2).
--
-- The id is the bucket name. CreateBucket takes no tags, so the tags (with
-- the luaform:token tag of the intent journal) are put right after it with
-- PutBucketTagging, which replaces the whole set: an update re-sends every
-- tag. force_destroy empties the bucket on delete (every object version
-- and delete marker, 1,000 per DeleteObjects call); without it a bucket
-- holding objects fails to delete with S3's BucketNotEmpty.
local resource = require("luaform.providers.aws._resource")
local common = require("luaform.providers.aws._common")

local HOSTED_ZONES = {   -- S3 website/alias hosted zone ids by region (AWS's documented table)
  ["us-east-1"] = "Z3AQBSTGFYJSTF", ["us-east-2"] = "Z2O1EMRO9K5GLX", ["us-west-1"] = "Z2F56UZL2M1ACD",
  ["us-west-2"] = "Z3BJ6K6RIION7M", ["eu-west-1"] = "Z1BKCTXD74EZPE", ["eu-central-1"] = "Z21DNDUVLTQW6Q",
  ["ap-northeast-1"] = "Z2M4EHUR26P7ZW", ["ap-northeast-2"] = "Z3W03O7B5YMIYP",
  ["ap-southeast-1"] = "Z3O0J2DXBE1FTB", ["ap-southeast-2"] = "Z1WCIGYICN2BYD",
}

local function tag_map(ctx, bucket)
  local ok, out = pcall(ctx:client("s3").GetBucketTagging, ctx:client("s3"), { Bucket = bucket })
  if not ok then
    if common.code(out) == "NoSuchTagSet" then return {} end
    error(out, 0)
  end
  return common.tag_map(out.TagSet)
end

-- PutBucketTagging with the whole set (DeleteBucketTagging when empty);
-- luaform's hidden tags (the token) are kept.
local function put_tags(ctx, c, bucket, all)
  local set = {}
  for k, v in pairs(tag_map(ctx, bucket)) do
    if k:sub(1, #common.HIDDEN_PREFIX) == common.HIDDEN_PREFIX then set[k] = v end
  end
  for k, v in pairs(all) do set[k] = v end
  if next(set) == nil then return c:DeleteBucketTagging{ Bucket = bucket } end
  c:PutBucketTagging{ Bucket = bucket, Tagging = { TagSet = common.tag_list(set) } }
end

local TAGS = {
  create = function() end,   -- CreateBucket takes none: create.after puts them
  read = function(ctx, _, id) return tag_map(ctx, id) end,
  update = function(ctx, c, id, _, _, new_tags) put_tags(ctx, c, id, common.all_tags(ctx, new_tags)) end,
}

-- The bucket as a read object, or nil (HeadBucket: 404 when it is gone).
local function read(ctx, bucket)
  local c = ctx:client("s3")
  local ok, out = pcall(c.HeadBucket, c, { Bucket = bucket })
  if not ok then
    if common.is_not_found(out) or common.code(out) == "NoSuchBucket" or (type(out) == "table" and out.status == 404) then
      return nil
    end
    error(out, 0)
  end
  return { Bucket = bucket, Region = out.BucketRegion or common.region(ctx) }
end

-- Deletes every object version and delete marker, a page at a time.
local function empty(c, bucket)
  while true do
    local page = c:ListObjectVersions{ Bucket = bucket, MaxKeys = 1000 }
    local objects = {}
    for _, list in ipairs({ page.Versions or {}, page.DeleteMarkers or {} }) do
      for _, v in ipairs(list) do objects[#objects + 1] = { Key = v.Key, VersionId = v.VersionId } end
    end
    if #objects == 0 then return end
    for _, chunk in ipairs(common.chunks(objects, 1000)) do
      local out = c:DeleteObjects{ Bucket = bucket, Delete = { Objects = chunk, Quiet = true } }
      if out.Errors and out.Errors[1] then
        error(string.format("emptying bucket %s: %s: %s", bucket, out.Errors[1].Key, out.Errors[1].Message), 0)
      end
    end
  end
end

return resource.define{
  service = "s3", description = "An S3 bucket (its settings are the aws_s3_bucket_* types).",
  identity = "Bucket", id = "Bucket",
  fields = {
    bucket = { type = "string", required = true, force_new = true, wire = "Bucket",
      description = "The bucket's name (also its id): globally unique, 3-63 characters." },
    force_destroy = { type = "bool", optional = true, default = false, keep = true,
      description = "On destroy, delete every object (all versions) first." },
    arn = { type = "string", computed = true, from_wire = function(_, o) return "arn:aws:s3:::" .. o.Bucket end },
    region = { type = "string", computed = true, wire = "Region" },
    bucket_domain_name = { type = "string", computed = true,
      from_wire = function(_, o) return o.Bucket .. ".s3.amazonaws.com" end },
    bucket_regional_domain_name = { type = "string", computed = true,
      from_wire = function(_, o) return string.format("%s.s3.%s.amazonaws.com", o.Bucket, o.Region) end },
    hosted_zone_id = { type = "string", computed = true, from_wire = function(_, o) return HOSTED_ZONES[o.Region] end },
  },
  create = { op = "CreateBucket", exists = { "BucketAlreadyOwnedByYou" },
    result = function(_, args) return { Bucket = args.bucket } end,
    params = function(ctx, _, params)
      local region = common.region(ctx)
      if region ~= "us-east-1" then params.CreateBucketConfiguration = { LocationConstraint = region } end
    end,
    after = function(ctx, c, id, args) put_tags(ctx, c, id, common.create_tags(ctx, args.tags)) end },
  read = read,
  find = function(ctx, args) return read(ctx, args.bucket) end,
  not_found = { "NoSuchBucket", "NotFound" },
  not_visible = { "NoSuchBucket" },
  delete = { op = "DeleteBucket",
    before = function(_, c, id, attrs) if attrs.force_destroy then empty(c, id) end end },
  tags = TAGS,
}
