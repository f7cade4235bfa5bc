-- Paginators and waiters from the models (paginators-1.json, waiters-2.json), against the
-- emulator; the JMESPath subset they use, on plain tables.
local aws = require("luaform.aws")
local jp = require("luaform.aws.jmespath")

test("paginate: sqs ListQueues pages with NextToken until the end", function()
  local e = emulator()
  e:use()
  local sqs = aws.client("sqs")
  for i = 1, 5 do sqs:CreateQueue{ QueueName = "page-" .. i } end
  local pages, urls = 0, {}
  for page in sqs:paginate("ListQueues", { MaxResults = 2 }) do
    pages = pages + 1
    for _, u in ipairs(page.QueueUrls or {}) do urls[#urls + 1] = u end
  end
  expect(pages).to_be(3)
  expect(#urls).to_be(5)
  expect(e:counts()["sqs:ListQueues"]).to_be(3)
  expect(#sqs:collect("ListQueues", { MaxResults = 2 })).to_be(5)
end)

test("paginate: iam ListRoles with Marker and IsTruncated; ec2 DescribeSubnets", function()
  local e = emulator()
  e:use()
  local iam = aws.client("iam")
  local doc = core.json_encode({ Version = "2012-10-17", Statement = { { Effect = "Allow",
    Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" } } })
  for i = 1, 7 do iam:CreateRole{ RoleName = "role-" .. i, AssumeRolePolicyDocument = doc } end
  local roles = iam:collect("ListRoles", { MaxItems = 3 })
  expect(#roles).to_be(7)
  expect(e:counts()["iam:ListRoles"]).to_be(3)

  local ec2 = aws.client("ec2")
  local vpc = ec2:CreateVpc{ CidrBlock = "10.0.0.0/16" }.Vpc.VpcId
  for i = 1, 12 do ec2:CreateSubnet{ VpcId = vpc, CidrBlock = "10.0." .. i .. ".0/24" } end
  local n, pages = 0, 0
  for page in ec2:paginate("DescribeSubnets", { Filters = { { Name = "vpc-id", Values = { vpc } } }, MaxResults = 5 }) do
    pages = pages + 1
    n = n + #page.Subnets
  end
  expect(n).to_be(12)
  expect(pages).to_be(3)
end)

test("paginate of an operation without a paginator is an error", function()
  local e = emulator()
  e:use()
  local ec2 = aws.client("ec2")
  local ok, err = pcall(function() for _ in ec2:paginate("CreateVpc", {}) do end end)
  expect(ok).to_be(false)
  expect(err.code).to_be("NotPaginated")
end)

local function nat_setup(ec2, attach)
  local vpc = ec2:CreateVpc{ CidrBlock = "10.0.0.0/16" }.Vpc.VpcId
  local subnet = ec2:CreateSubnet{ VpcId = vpc, CidrBlock = "10.0.1.0/24" }.Subnet.SubnetId
  if attach then
    local igw = ec2:CreateInternetGateway{}.InternetGateway.InternetGatewayId
    ec2:AttachInternetGateway{ VpcId = vpc, InternetGatewayId = igw }
  end
  local alloc = ec2:AllocateAddress{ Domain = "vpc" }.AllocationId
  return ec2:CreateNatGateway{ SubnetId = subnet, AllocationId = alloc }.NatGateway.NatGatewayId
end

test("wait: NatGatewayAvailable polls until the state is available", function()
  local e = emulator({ ["nat-delay-ms"] = 400 })
  e:use()
  local ec2 = aws.client("ec2")
  local id = nat_setup(ec2, true)
  local out = ec2:wait("NatGatewayAvailable", { NatGatewayIds = { id } }, { delay = 0.1 })
  expect(out.NatGateways[1].State).to_be("available")
  expect(e:counts()["ec2:DescribeNatGateways"] > 1).to_be(true)
end)

test("wait: a failure acceptor stops the waiter with WaiterFailure", function()
  local e = emulator({ ["nat-delay-ms"] = 100 })
  e:use()
  local ec2 = aws.client("ec2")
  local id = nat_setup(ec2, false)   -- no internet gateway: the NAT gateway fails
  local ok, err = pcall(ec2.wait, ec2, "NatGatewayAvailable", { NatGatewayIds = { id } }, { delay = 0.05 })
  expect(ok).to_be(false)
  expect(err.code).to_be("WaiterFailure")
  expect(tostring(err)).to_contain("NatGatewayAvailable")
end)

test("wait: gives up after max attempts; unknown waiter names suggest one", function()
  local e = emulator({ ["nat-delay-ms"] = 60000 })
  e:use()
  local ec2 = aws.client("ec2")
  local id = nat_setup(ec2, true)
  local ok, err = pcall(ec2.wait, ec2, "NatGatewayAvailable", { NatGatewayIds = { id } },
    { delay = 0.01, max_attempts = 3 })
  expect(ok).to_be(false)
  expect(err.code).to_be("WaiterTimeout")
  expect(e:counts()["ec2:DescribeNatGateways"]).to_be(3)
  ok, err = pcall(ec2.wait, ec2, "NatGatewayAvailible", {})
  expect(ok).to_be(false)
  expect(tostring(err)).to_contain("did you mean NatGatewayAvailable?")
end)

test("jmespath subset: the expressions the models use", function()
  local data = {
    Reservations = { { Instances = { { State = { Name = "running" } }, { State = { Name = "pending" } } } },
                     { Instances = { { State = { Name = "running" } } } } },
    Contents = { { Key = "a" }, { Key = "z" } },
    services = {
      { deployments = { {} }, runningCount = 2, desiredCount = 2, status = "ACTIVE" },
      { deployments = { {}, {} }, runningCount = 1, desiredCount = 2, status = "ACTIVE" },
    },
    Table = { TableStatus = "ACTIVE" },
  }
  expect(jp.search("Reservations[].Instances[].State.Name", data)).to_equal({ "running", "pending", "running" })
  expect(jp.search("NextMarker || Contents[-1].Key", data)).to_be("z")
  expect(jp.search("Table.TableStatus", data)).to_be("ACTIVE")
  expect(jp.search("length(Reservations[]) > `0`", data)).to_be(true)
  local stable = "length(services[?!(length(deployments) == `1` && runningCount == desiredCount)]) == `0`"
  expect(jp.search(stable, data)).to_be(false)
  data.services[2] = { deployments = { {} }, runningCount = 2, desiredCount = 2 }
  expect(jp.search(stable, data)).to_be(true)
  expect(jp.search("Missing[].State", data)).to_be_nil()
  expect(function() jp.search("a[?", data) end).to_fail("JMESPath")
end)

test("wait: status acceptors (s3 BucketExists / BucketNotExists via HeadBucket)", function()
  local e = emulator()
  e:use()
  local s3 = aws.client("s3")
  local ok, err = pcall(s3.wait, s3, "BucketExists", { Bucket = "not-yet-there" }, { delay = 0.01, max_attempts = 2 })
  expect(ok).to_be(false)
  expect(err.code).to_be("WaiterTimeout")    -- 404 is a retry for BucketExists
  expect(s3:wait("BucketNotExists", { Bucket = "not-yet-there" }, { delay = 0.01 })).to_be_nil()
  s3:CreateBucket{ Bucket = "now-it-is-there" }
  local out = s3:wait("BucketExists", { Bucket = "now-it-is-there" }, { delay = 0.01 })
  expect(type(out)).to_be("table")
end)
