-- Retries (SDK standard mode) against the emulator's fault injection: 5xx and throttling
-- are retried up to max attempts, 4xx are not, lost responses are retried with the same
-- idempotency token so nothing is created twice. Attempts are counted from the emulator's
-- request log, not from the client.
local aws = require("luaform.aws")

local FAST = 0.005   -- backoff base (SDK: 1 s); the policy is the same, the waits shorter

local function client(service, extra)
  local o = { retry_base = FAST }
  for k, v in pairs(extra or {}) do o[k] = v end
  return aws.client(service, o)
end

test("5xx is retried up to max_attempts (3 by default), then the error surfaces", function()
  local e = emulator()
  e:use()
  local ec2 = client("ec2")
  e:faults{ error_pct = 100 }
  local ok, err = pcall(ec2.DescribeVpcs, ec2, {})
  expect(ok).to_be(false)
  expect(err.status >= 500).to_be(true)
  expect(err.attempts).to_be(3)
  expect(e:counts()["ec2:DescribeVpcs"]).to_be(3)
end)

test("throttling is retried (ec2 RequestLimitExceeded, sqs query RequestThrottled)", function()
  local e = emulator()
  e:use()
  local ec2 = client("ec2", { max_attempts = 4 })
  local sqs = client("sqs")
  e:faults{ throttle_pct = 100 }
  local ok, err = pcall(ec2.DescribeVpcs, ec2, {})
  expect(ok).to_be(false)
  expect(err.code).to_be("RequestLimitExceeded")
  expect(e:counts()["ec2:DescribeVpcs"]).to_be(4)
  ok, err = pcall(sqs.ListQueues, sqs, {})
  expect(ok).to_be(false)
  expect(sqs:info().protocol).to_be("query")   -- the committed model (botocore 1.29)
  expect(err.code).to_be("RequestThrottled")
  expect(e:counts()["sqs:ListQueues"]).to_be(3)
end)

test("AWS_MAX_ATTEMPTS sets the attempts; a per-call max_attempts = 1 sends once", function()
  local e = emulator()
  e:use()
  core.setenv("AWS_MAX_ATTEMPTS", "5")
  local ok0, ec2 = pcall(client, "ec2")
  core.setenv("AWS_MAX_ATTEMPTS", nil)
  assert(ok0, tostring(ec2))
  expect(ec2:info().max_attempts).to_be(5)
  e:faults{ error_pct = 100 }
  local ok = pcall(ec2.DescribeVpcs, ec2, {})
  expect(ok).to_be(false)
  expect(e:counts()["ec2:DescribeVpcs"]).to_be(5)
  ok = pcall(ec2.DescribeSubnets, ec2, {}, { max_attempts = 1 })
  expect(ok).to_be(false)
  expect(e:counts()["ec2:DescribeSubnets"]).to_be(1)
end)

test("a 4xx error is not retried", function()
  local e = emulator()
  e:use()
  local sqs = client("sqs")
  local ok, err = pcall(sqs.GetQueueUrl, sqs, { QueueName = "missing" })
  expect(ok).to_be(false)
  expect(err.status).to_be(400)
  expect(e:counts()["sqs:GetQueueUrl"]).to_be(1)
end)

test("under 40% throttling and errors every call still succeeds", function()
  local e = emulator({ seed = 11 })
  e:use()
  local sqs = client("sqs", { max_attempts = 10 })
  e:faults{ throttle_pct = 20, error_pct = 20, seed = 11 }
  for i = 1, 15 do sqs:CreateQueue{ QueueName = "q" .. i } end
  e:faults{ throttle_pct = 0, error_pct = 0 }
  local urls = sqs:ListQueues{}.QueueUrls
  expect(#urls).to_be(15)
  expect(e:counts()["sqs:CreateQueue"] > 15).to_be(true)   -- some attempts failed and were retried
end)

test("lost responses: retries reuse the ClientToken, so no NAT gateway is created twice", function()
  local e = emulator({ seed = 3 })
  e:use()
  local ec2 = client("ec2", { max_attempts = 10 })
  local vpc = ec2:CreateVpc{ CidrBlock = "10.0.0.0/16" }.Vpc.VpcId
  local subnet = ec2:CreateSubnet{ VpcId = vpc, CidrBlock = "10.0.1.0/24" }.Subnet.SubnetId
  local igw = ec2:CreateInternetGateway{}.InternetGateway.InternetGatewayId
  ec2:AttachInternetGateway{ VpcId = vpc, InternetGatewayId = igw }
  local allocs = {}
  for i = 1, 8 do allocs[i] = ec2:AllocateAddress{ Domain = "vpc" }.AllocationId end
  e:faults{ lose_pct = 50, seed = 3 }
  local ids, tokens = {}, {}
  for i = 1, 8 do
    local params = { SubnetId = subnet, AllocationId = allocs[i] }
    local out = ec2:CreateNatGateway(params)
    expect(params.ClientToken).to_be(nil)                        -- the caller's table is left alone
    expect(out.ClientToken).to_match("^%x+%-%x+%-4%x+%-")        -- made once for the call
    expect(tokens[out.ClientToken]).to_be(nil)
    tokens[out.ClientToken] = true
    ids[#ids + 1] = out.NatGateway.NatGatewayId
  end
  e:faults{ lose_pct = 0 }
  local nats = e:inventory().ec2.nat_gateway
  expect(#nats).to_be(8)                                       -- one per logical call
  expect(e:counts()["ec2:CreateNatGateway"] > 8).to_be(true)   -- responses were lost and retried
end)

test("one params table sent twice is two logical calls: two NAT gateways, two tokens", function()
  local e = emulator()
  e:use()
  local ec2 = client("ec2")
  local vpc = ec2:CreateVpc{ CidrBlock = "10.0.0.0/16" }.Vpc.VpcId
  local subnet = ec2:CreateSubnet{ VpcId = vpc, CidrBlock = "10.0.1.0/24" }.Subnet.SubnetId
  local params = { SubnetId = subnet, ConnectivityType = "private" }
  local a = ec2:CreateNatGateway(params)
  local b = ec2:CreateNatGateway(params)
  expect(params.ClientToken).to_be(nil)
  expect(a.ClientToken ~= b.ClientToken).to_be(true)
  expect(a.NatGateway.NatGatewayId ~= b.NatGateway.NatGatewayId).to_be(true)
  expect(#e:inventory().ec2.nat_gateway).to_be(2)
  -- a token given for the call is used, and one given twice is one gateway
  local c = ec2:CreateNatGateway(params, { token = "call-token-1" })
  local d = ec2:CreateNatGateway(params, { token = "call-token-1" })
  expect(c.ClientToken).to_be("call-token-1")
  expect(d.NatGateway.NatGatewayId).to_be(c.NatGateway.NatGatewayId)
  expect(#e:inventory().ec2.nat_gateway).to_be(3)
end)

test("a call's retry_codes ('not visible yet') are retried within the same max_attempts", function()
  local e = emulator()
  e:use()
  local ec2 = client("ec2")
  e:faults{ consistency_ms = 600000 }   -- a new VPC stays invisible for the whole test
  local vpc = ec2:CreateVpc{ CidrBlock = "10.0.0.0/16" }.Vpc.VpcId
  local ok, err = pcall(ec2.DescribeVpcs, ec2, { VpcIds = { vpc } })
  expect(ok).to_be(false)
  expect(err.code).to_be("InvalidVpcID.NotFound")
  expect(e:counts()["ec2:DescribeVpcs"]).to_be(1)                -- not a retry code by default
  ok, err = pcall(ec2.DescribeVpcs, ec2, { VpcIds = { vpc } }, { retry_codes = { "InvalidVpcID.NotFound" } })
  expect(ok).to_be(false)
  expect(err.code).to_be("InvalidVpcID.NotFound")
  expect(e:counts()["ec2:DescribeVpcs"]).to_be(1 + 3)            -- 3 = max_attempts, in total
  e:advance(601)
  local out = ec2:DescribeVpcs({ VpcIds = { vpc } }, { retry_codes = { "InvalidVpcID.NotFound" } })
  expect(out.Vpcs[1].VpcId).to_be(vpc)
end)

test("throttling plus retry_codes still sends at most max_attempts times", function()
  local e = emulator()
  e:use()
  local ec2 = client("ec2", { max_attempts = 4 })
  e:faults{ throttle_pct = 100 }
  local ok, err = pcall(ec2.DescribeSubnets, ec2, {}, { retry_codes = { "InvalidSubnetID.NotFound" } })
  expect(ok).to_be(false)
  expect(err.code).to_be("RequestLimitExceeded")
  expect(e:counts()["ec2:DescribeSubnets"]).to_be(4)
end)

test("throttles_only: a create without a token re-sends a throttled answer, never a 5xx", function()
  local e = emulator()
  e:use()
  local logs = client("logs")
  e:faults{ throttle_pct = 100 }
  local ok, err = pcall(logs.CreateLogGroup, logs, { logGroupName = "a" }, { throttles_only = true })
  expect(ok).to_be(false)
  expect(err.code).to_be("ThrottlingException")
  expect(e:counts()["logs:CreateLogGroup"]).to_be(3)
  e:faults{ throttle_pct = 0, error_pct = 100 }
  ok, err = pcall(logs.CreateLogGroup, logs, { logGroupName = "b" }, { throttles_only = true })
  expect(ok).to_be(false)
  expect(err.status >= 500).to_be(true)
  expect(e:counts()["logs:CreateLogGroup"]).to_be(3 + 1)
end)
