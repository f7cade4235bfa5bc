-- The S3 bucket types (aws_s3_bucket and its Terraform 4+ setting types:
-- versioning, default encryption, public access block, policy, lifecycle,
-- ownership controls) against the emulator: create (checked with direct
-- S3 calls), a clean second plan, in-place updates of every updatable
-- argument, replacement of the bucket on a new name, drift detected and
-- repaired, import of each type by the bucket name, and destroy (a bucket
-- holding object versions only with force_destroy).
local aws = require("luaform.aws")

local function stack(o)
  o = o or {}
  return string.format([[
local b = resource("aws_s3_bucket", "data", { bucket = %q, force_destroy = %s, tags = { Team = %q } })
resource("aws_s3_bucket_versioning", "data", { bucket = b.id,
  versioning_configuration = { { status = %q } } })
resource("aws_s3_bucket_server_side_encryption_configuration", "data", { bucket = b.id,
  rule = { { apply_server_side_encryption_by_default = { { sse_algorithm = %q, kms_master_key_id = %s } },
             bucket_key_enabled = %s } } })
resource("aws_s3_bucket_public_access_block", "data", { bucket = b.id, block_public_acls = true,
  block_public_policy = true, ignore_public_acls = true, restrict_public_buckets = %s })
resource("aws_s3_bucket_policy", "data", { bucket = b.id, policy = {
  Version = "2012-10-17", Statement = { { Sid = "tls", Effect = "Deny", Principal = "*", Action = "s3:*",
    Resource = { "arn:aws:s3:::%s", "arn:aws:s3:::%s/*" }, Condition = { Bool = { ["aws:SecureTransport"] = %q } } } } } })
resource("aws_s3_bucket_lifecycle_configuration", "data", { bucket = b.id, rule = {
  { id = "logs", status = "Enabled", filter = { { prefix = "logs/" } }, expiration = { { days = %d } },
    noncurrent_version_expiration = { { noncurrent_days = 7 } } },
  { id = "uploads", status = "Enabled", filter = { { prefix = "uploads/" } },
    transition = { { days = 30, storage_class = "STANDARD_IA" } },
    abort_incomplete_multipart_upload = { { days_after_initiation = 3 } } } } })
resource("aws_s3_bucket_ownership_controls", "data", { bucket = b.id,
  rule = { { object_ownership = %q } } })
]], o.bucket or "k-data", tostring(o.force_destroy ~= false), o.team or "data", o.versioning or "Enabled",
    o.sse or "aws:kms", o.sse == "AES256" and "nil" or '"alias/data"', tostring(o.bucket_key ~= false),
    tostring(o.restrict ~= false), o.bucket or "k-data", o.bucket or "k-data", o.secure or "false", o.days or 30, o.ownership or "BucketOwnerEnforced")
end

local function s3(e)
  e:use()
  return aws.client("s3", { region = e.region })
end

test("the bucket and its settings are created as declared and a second plan has no changes", function()
  local e = emulator()
  local dir = e:applied(stack())
  local c = s3(e)
  expect(c:GetBucketVersioning{ Bucket = "k-data" }.Status).to_be("Enabled")
  local rule = c:GetBucketEncryption{ Bucket = "k-data" }.ServerSideEncryptionConfiguration.Rules[1]
  expect(rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm).to_be("aws:kms")
  expect(rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID).to_be("alias/data")
  expect(rule.BucketKeyEnabled).to_be(true)
  local pab = c:GetPublicAccessBlock{ Bucket = "k-data" }.PublicAccessBlockConfiguration
  expect(pab.BlockPublicPolicy).to_be(true)
  expect(pab.RestrictPublicBuckets).to_be(true)
  local policy = core.json_decode(c:GetBucketPolicy{ Bucket = "k-data" }.Policy)
  expect(policy.Statement[1].Resource[1]).to_be("arn:aws:s3:::k-data")
  local rules = c:GetBucketLifecycleConfiguration{ Bucket = "k-data" }.Rules
  expect(#rules).to_be(2)
  expect(rules[1].Expiration.Days).to_be(30)
  expect(rules[2].Transitions[1].StorageClass).to_be("STANDARD_IA")
  expect(c:GetBucketOwnershipControls{ Bucket = "k-data" }.OwnershipControls.Rules[1].ObjectOwnership)
    .to_be("BucketOwnerEnforced")
  local tags = {}
  for _, t in ipairs(c:GetBucketTagging{ Bucket = "k-data" }.TagSet) do tags[t.Key] = t.Value end
  expect(tags.Team).to_be("data")
  local st = state_of(dir)
  local b = st.resources["aws_s3_bucket.data"].attributes
  expect(b.arn).to_be("arn:aws:s3:::k-data")
  expect(b.bucket_regional_domain_name).to_be("k-data.s3." .. e.region .. ".amazonaws.com")
  e:no_changes(dir)
end)

test("every updatable argument changes in place; a new bucket name replaces the bucket", function()
  local e = emulator()
  local dir = e:applied(stack())
  write(dir .. "/main.lua", stack{ team = "platform", versioning = "Suspended", sse = "AES256",
    bucket_key = false, restrict = false, secure = "true", days = 90, ownership = "BucketOwnerPreferred" })
  local out = e:changes(dir)
  expect(out).to_contain("Plan: 0 to add, 7 to change, 0 to destroy.")
  e:apply(dir)
  local c = s3(e)
  expect(c:GetBucketVersioning{ Bucket = "k-data" }.Status).to_be("Suspended")
  local rule = c:GetBucketEncryption{ Bucket = "k-data" }.ServerSideEncryptionConfiguration.Rules[1]
  expect(rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm).to_be("AES256")
  expect(c:GetPublicAccessBlock{ Bucket = "k-data" }.PublicAccessBlockConfiguration.RestrictPublicBuckets)
    .to_be(false)
  local policy = core.json_decode(c:GetBucketPolicy{ Bucket = "k-data" }.Policy)
  expect(policy.Statement[1].Condition.Bool["aws:SecureTransport"]).to_be("true")
  expect(c:GetBucketLifecycleConfiguration{ Bucket = "k-data" }.Rules[1].Expiration.Days).to_be(90)
  expect(c:GetBucketOwnershipControls{ Bucket = "k-data" }.OwnershipControls.Rules[1].ObjectOwnership)
    .to_be("BucketOwnerPreferred")
  e:no_changes(dir)
  write(dir .. "/main.lua", stack{ bucket = "k-data-2" })
  out = e:changes(dir)
  expect(out).to_contain("# aws_s3_bucket.data must be replaced")
  e:apply(dir)
  expect(c:GetBucketVersioning{ Bucket = "k-data-2" }.Status).to_be("Enabled")
  local ok = pcall(c.HeadBucket, c, { Bucket = "k-data" })
  expect(ok).to_be(false)
end)

test("settings changed outside luaform are drift that the next apply repairs", function()
  local e = emulator()
  local dir = e:applied(stack())
  local c = s3(e)
  c:DeleteBucketPolicy{ Bucket = "k-data" }
  c:PutBucketVersioning{ Bucket = "k-data", VersioningConfiguration = { Status = "Suspended" } }
  c:DeleteBucketLifecycle{ Bucket = "k-data" }
  c:PutPublicAccessBlock{ Bucket = "k-data", PublicAccessBlockConfiguration = { BlockPublicAcls = false,
    BlockPublicPolicy = true, IgnorePublicAcls = true, RestrictPublicBuckets = true } }
  c:PutBucketTagging{ Bucket = "k-data", Tagging = { TagSet = { { Key = "Team", Value = "someone" } } } }
  local out = e:changes(dir)
  expect(out).to_contain("# aws_s3_bucket_policy.data will be created")
  expect(out).to_contain("# aws_s3_bucket_lifecycle_configuration.data will be created")
  expect(out).to_contain("# aws_s3_bucket_versioning.data will be updated in-place")
  expect(out).to_contain("# aws_s3_bucket_public_access_block.data will be updated in-place")
  expect(out).to_contain("# aws_s3_bucket.data will be updated in-place")
  e:apply(dir)
  expect(c:GetBucketVersioning{ Bucket = "k-data" }.Status).to_be("Enabled")
  expect(c:GetPublicAccessBlock{ Bucket = "k-data" }.PublicAccessBlockConfiguration.BlockPublicAcls).to_be(true)
  expect(#c:GetBucketLifecycleConfiguration{ Bucket = "k-data" }.Rules).to_be(2)
  e:no_changes(dir)
end)

test("each type imports by the bucket name; the plan after the imports has no changes", function()
  local e = emulator()
  -- force_destroy is luaform's own setting: an import reads it as its default (false)
  local dir = e:applied(stack{ force_destroy = false })
  local ids = {}
  for addr in pairs(resource_ids(dir)) do ids[addr] = "k-data" end
  e:no_changes(e:imported(stack{ force_destroy = false }, ids))
end)

test("destroy empties a versioned bucket only with force_destroy", function()
  local e = emulator()
  local dir = e:applied(stack{ force_destroy = false })
  local c = s3(e)
  c:PutObject{ Bucket = "k-data", Key = "a.txt", Body = "one" }
  c:PutObject{ Bucket = "k-data", Key = "a.txt", Body = "two" }
  c:DeleteObject{ Bucket = "k-data", Key = "a.txt" }
  local out, code = e:luaform(dir, "destroy", "-auto-approve")
  expect(code ~= 0).to_be(true)
  expect(out).to_contain("BucketNotEmpty")
  write(dir .. "/main.lua", stack())
  e:apply(dir)
  e:destroy(dir)
  expect(#e:inventory().s3.bucket).to_be(0)
end)
