-- The AWS client end to end over HTTP on loopback, against the local emulator (which
-- checks SigV4): several wire protocols, errors as tables, unknown operations and bad
-- parameters rejected before anything is sent.
local aws = require("luaform.aws")

local function policy()
  return core.json_encode({ Version = "2012-10-17", Statement = { {
    Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" } } })
end

test("ec2 protocol: CreateVpc then DescribeVpcs with a filter", function()
  local e = emulator()
  e:use()
  local ec2 = aws.client("ec2")
  local a = ec2:CreateVpc{ CidrBlock = "10.0.0.0/16" }
  local b = ec2:CreateVpc{ CidrBlock = "10.1.0.0/16",
    TagSpecifications = { { ResourceType = "vpc", Tags = { { Key = "Name", Value = "two" } } } } }
  expect(a.Vpc.VpcId).to_match("^vpc%-")
  expect(a.Vpc.CidrBlock).to_be("10.0.0.0/16")
  local d = ec2:DescribeVpcs{ Filters = { { Name = "tag:Name", Values = { "two" } } } }
  expect(#d.Vpcs).to_be(1)                 -- a list even with one element
  expect(d.Vpcs[1].VpcId).to_be(b.Vpc.VpcId)
  expect(d.Vpcs[1].Tags[1].Value).to_be("two")
  local all = ec2:DescribeVpcs{ VpcIds = { a.Vpc.VpcId, b.Vpc.VpcId } }
  expect(#all.Vpcs).to_be(2)
end)

test("query protocol (iam on its global endpoint, sqs), json 1.0 (dynamodb), json 1.1 (ecs)", function()
  local e = emulator()
  e:use()
  local iam = aws.client("iam")
  local r = iam:CreateRole{ RoleName = "app-exec", AssumeRolePolicyDocument = policy() }
  expect(r.Role.Arn).to_match(":role/app%-exec$")
  expect(iam:GetRole{ RoleName = "app-exec" }.Role.RoleName).to_be("app-exec")

  local sqs = aws.client("sqs")
  local q = sqs:CreateQueue{ QueueName = "jobs", Attributes = { VisibilityTimeout = "45" } }
  local attrs = sqs:GetQueueAttributes{ QueueUrl = q.QueueUrl, AttributeNames = { "All" } }
  expect(attrs.Attributes.VisibilityTimeout).to_be("45")
  expect(attrs.Attributes.QueueArn).to_match(":jobs$")

  local ddb = aws.client("dynamodb")
  ddb:CreateTable{ TableName = "locks", BillingMode = "PAY_PER_REQUEST",
    AttributeDefinitions = { { AttributeName = "LockID", AttributeType = "S" } },
    KeySchema = { { AttributeName = "LockID", KeyType = "HASH" } } }
  ddb:PutItem{ TableName = "locks", Item = { LockID = { S = "stack/a" }, Holder = { S = "me" } } }
  local item = ddb:GetItem{ TableName = "locks", Key = { LockID = { S = "stack/a" } } }
  expect(item.Item.Holder.S).to_be("me")
  expect(ddb:DescribeTable{ TableName = "locks" }.Table.KeySchema[1].AttributeName).to_be("LockID")

  local ecs = aws.client("ecs")
  local c = ecs:CreateCluster{ clusterName = "main" }
  expect(c.cluster.clusterArn).to_match("cluster/main$")
  local d = ecs:DescribeClusters{ clusters = { "main" } }
  expect(d.clusters[1].status).to_be("ACTIVE")
  expect(math.type(d.clusters[1].activeServicesCount)).to_be("integer")
end)

test("rest-xml (s3): bucket and object round trip, path style on an overridden endpoint", function()
  local e = emulator()
  e:use()
  local s3 = aws.client("s3")
  expect(s3:info().s3_path_style).to_be(true)
  s3:CreateBucket{ Bucket = "luaform-test-bucket" }
  s3:PutObject{ Bucket = "luaform-test-bucket", Key = "dir/a.txt", Body = "hello" }
  local got = s3:GetObject{ Bucket = "luaform-test-bucket", Key = "dir/a.txt" }
  expect(got.Body).to_be("hello")
  local list = s3:ListObjectsV2{ Bucket = "luaform-test-bucket" }
  expect(list.Contents[1].Key).to_be("dir/a.txt")
  local names = {}
  for _, b in ipairs(s3:ListBuckets{}.Buckets) do names[#names + 1] = b.Name end
  expect(names).to_contain("luaform-test-bucket")
end)

test("an AWS error is a table with code, status, request id, service, operation", function()
  local e = emulator()
  e:use()
  local ec2 = aws.client("ec2")
  local ok, err = pcall(ec2.DeleteVpc, ec2, { VpcId = "vpc-0000000000000404a" })
  expect(ok).to_be(false)
  expect(type(err)).to_be("table")
  expect(err.code).to_be("InvalidVpcID.NotFound")
  expect(err.status).to_be(400)
  expect(err.service).to_be("ec2")
  expect(err.operation).to_be("DeleteVpc")
  expect(err.request_id).to_match("%x+%-")
  local line = tostring(err)
  expect(line).to_match("^ec2 DeleteVpc: InvalidVpcID%.NotFound: ")
  expect(line).to_contain("(status 400, request id " .. err.request_id)
  -- 4xx errors are not retried
  expect(e:counts()["ec2:DeleteVpc"]).to_be(1)
end)

test("unknown operation: did you mean, nothing sent", function()
  local e = emulator()
  e:use()
  local ec2 = aws.client("ec2")
  local ok, err = pcall(function() return ec2:CreateVcp{ CidrBlock = "10.0.0.0/16" } end)
  expect(ok).to_be(false)
  expect(err.code).to_be("UnknownOperation")
  expect(tostring(err)).to_contain("did you mean CreateVpc?")
  expect(#e:requests().requests).to_be(0)
end)

test("prepare of an unknown operation: the same did-you-mean error", function()
  local e = emulator()
  e:use()
  local ec2 = aws.client("ec2")
  local ok, err = pcall(ec2.prepare, ec2, "CreateVcp", {})
  expect(ok).to_be(false)
  expect(err.code).to_be("UnknownOperation")
  expect(tostring(err)).to_contain("did you mean CreateVpc?")
end)

test("bad parameters fail before sending, naming the path", function()
  local e = emulator()
  e:use()
  local ec2 = aws.client("ec2")
  local ok, err = pcall(ec2.CreateVpc, ec2, { CidrBlock = "10.0.0.0/16",
    TagSpecifications = { { ResourceType = "vpc", Tags = { { Key = 5, Value = "x" } } } } })
  expect(ok).to_be(false)
  expect(err.code).to_be("ParamValidation")
  expect(tostring(err)).to_contain("TagSpecifications[1].Tags[1].Key")
  ok, err = pcall(ec2.CreateVpc, ec2, { CidrBlok = "10.0.0.0/16" })
  expect(ok).to_be(false)
  expect(tostring(err)).to_contain("CidrBlok")
  expect(#e:requests().requests).to_be(0)
end)

test("a wrong secret key is rejected by the server's signature check", function()
  local e = emulator()
  e:use()
  local ec2 = aws.client("ec2", { credentials = { access_key = e.access_key, secret_key = "not-the-secret" } })
  local ok, err = pcall(ec2.DescribeVpcs, ec2, {})
  expect(ok).to_be(false)
  expect(err.code).to_be("SignatureDoesNotMatch")
  expect(err.status).to_be(403)
  expect(tostring(err)).not_to_contain("not-the-secret")
  local sqs = aws.client("sqs", { credentials = { access_key = "AKIAUNKNOWN000000000", secret_key = e.secret_key } })
  ok, err = pcall(sqs.ListQueues, sqs, {})
  expect(ok).to_be(false)
  -- json error, with the query-compatible code SQS sends in x-amzn-query-error
  expect(err.code).to_be("InvalidClientTokenId")
  expect(err.status).to_be(403)
  expect(tostring(err)).not_to_contain(e.secret_key)
end)

test("no response at all: NetworkError with no status", function()
  local ec2 = aws.client("ec2", { endpoints = { ec2 = "http://127.0.0.1:9" }, region = "us-east-1",
    credentials = { access_key = "AKIDEXAMPLE", secret_key = "secret" }, max_attempts = 2, retry_base = 0.01 })
  local ok, err = pcall(ec2.DescribeVpcs, ec2, {})
  expect(ok).to_be(false)
  expect(err.code).to_be("NetworkError")
  expect(err.status).to_be_nil()
  expect(err.attempts).to_be(2)
end)
