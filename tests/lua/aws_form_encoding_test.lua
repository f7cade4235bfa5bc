-- The query and ec2 protocols' form bodies are byte for byte the ones botocore writes
-- (Debian's python3-botocore, through fixtures/botocore_form.py): spaces as '+', the
-- same characters left bare, the same parameter names and order. Servers that check the
-- signature over the form as they re-encode it (moto) refuse any other spelling.
-- The inputs: awkward values on the real models, and every query/ec2 input case of the
-- protocol conformance vectors.
local aws = require("luaform.aws")

local PY = core.stat("/usr/bin/python3") and "/usr/bin/python3" or "python3"
local HELPER = core.exe_dir .. "/tests/lua/fixtures/botocore_form.py"
local VECTORS = (os.getenv("LUAFORM_CONFORMANCE_DIR") or (core.exe_dir .. "/../shared/aws-conformance"))
  .. "/protocols/input/"

local AWKWARD = "Load balancer + app: a/b ~ *x* 100% & q=1 é 日本"
local POLICY = core.json_encode({ Version = "2012-10-17", Statement = { {
  Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" },
  Action = "sts:AssumeRole", Resource = "arn:aws:iam::*:role/a b" } } })

local CASES = {
  { "ec2", "CreateSecurityGroup", { GroupName = "web sg", Description = AWKWARD, VpcId = "vpc-1" } },
  { "ec2", "AuthorizeSecurityGroupIngress", { GroupId = "sg-1", IpPermissions = {
    { IpProtocol = "tcp", FromPort = 80, ToPort = 80,
      IpRanges = { { CidrIp = "0.0.0.0/0", Description = "from anywhere, port 80" } },
      UserIdGroupPairs = { { GroupId = "sg-2", Description = "" } } },
    { IpProtocol = "-1", Ipv6Ranges = { { CidrIpv6 = "::/0" } } } } } },
  { "ec2", "DescribeVpcs", { Filters = { { Name = "tag:Name", Values = { "a b", "", "x+y", "~*" } } } } },
  { "ec2", "DescribeVpcs", { VpcIds = setmetatable({}, core.json_array_mt) } },
  { "ec2", "CreateTags", { Resources = { "vpc-1" }, Tags = { { Key = "Name", Value = "" },
    { Key = "aws lab:team/x", Value = "a+b=c; d" } } } },
  { "ec2", "ModifyVpcAttribute", { VpcId = "vpc-1", EnableDnsHostnames = { Value = true } } },
  { "ec2", "DescribeSpotPriceHistory", { StartTime = 1422172800, MaxResults = 5 } },
  { "iam", "CreateRole", { RoleName = "app-exec", Path = "/a b/", AssumeRolePolicyDocument = POLICY,
    Description = AWKWARD, Tags = { { Key = "k k", Value = "v:v/v" } } } },
  { "sns", "CreateTopic", { Name = "events", Attributes = { DisplayName = "My topic", Policy = POLICY },
    Tags = { { Key = "team", Value = "" } } } },
  { "elbv2", "CreateLoadBalancer", { Name = "web", Subnets = { "subnet-1", "subnet-2" },
    SecurityGroups = setmetatable({}, core.json_array_mt), Tags = { { Key = "Name", Value = "web lb" } } } },
  { "elbv2", "ModifyTargetGroup", { TargetGroupArn = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1",
    HealthCheckPath = "/health check?x=1", HealthCheckIntervalSeconds = 30, Matcher = { HttpCode = "200-299" } } },
  { "sts", "AssumeRole", { RoleArn = "arn:aws:iam::123456789012:role/r", RoleSessionName = "s@1",
    Policy = POLICY, PolicyArns = { { arn = "arn:aws:iam::aws:policy/ReadOnlyAccess" } } } },
}

-- botocore's bodies (and the conformance cases, with their models written under dir).
local function reference(dir)
  local req = { cases = {}, conformance = { VECTORS .. "query.json", VECTORS .. "ec2.json" },
    workdir = dir }
  for i, c in ipairs(CASES) do
    req.cases[i] = { service = c[1], operation = c[2], params_text = core.json_encode(c[3]) }
  end
  write(dir .. "/request.json", core.json_encode(req))
  -- botocore's complaints (cases it cannot serialize are left out) go to a file, not the JSON
  local out, code = sh("(" .. PY .. " " .. quote(HELPER) .. " < " .. quote(dir .. "/request.json")
    .. " 2> " .. quote(dir .. "/botocore.err") .. ")")
  expect(code).to_be(0)
  return core.json_decode(out)
end

local function body_of(c)
  local client = aws.client(c.service, { region = "us-east-1", credentials = false,
    endpoints = { [c.service] = "https://example.com" } })
  return client:prepare(c.operation, c.params_text).body
end

test("query and ec2 bodies equal botocore's, byte for byte", function()
  local dir = tmpdir()
  local cases = reference(dir)
  local real, conf = 0, 0
  with_env({ LUAFORM_MODELS_PATH = dir }, function()
    for _, c in ipairs(cases) do
      local got = body_of(c)
      if got ~= c.body then
        error(c.name .. " " .. c.params_text .. "\n  botocore: " .. c.body .. "\n  luaform:  " .. got, 0)
      end
      if c.models_path then conf = conf + 1 else real = real + 1 end
    end
  end)
  expect(real).to_be(#CASES)
  expect(conf > 40).to_be(true)   -- the query/ec2 input vectors, less the ignored few
  -- what the cases are about: a space is '+', a '+' is %2B
  expect(cases[1].body).to_contain("GroupName=web+sg")
  expect(cases[1].body).to_contain("Load+balancer+%2B+app%3A+a%2Fb+~+%2Ax%2A")
end)
