-- Endpoint resolution (no network: the client's resolved endpoint is inspected) and the
-- `luaform aws` command line against the emulator, including the debug log's redaction.
local aws = require("luaform.aws")
local creds = require("luaform.aws.creds")

local VARS = { "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING",
  "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2", "AWS_ENDPOINT_URL_STS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
  "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_STS_REGIONAL_ENDPOINTS", "LUAFORM_MODELS_PATH", "HOME" }

local function with_env(vars, fn)
  local saved = {}
  for _, k in ipairs(VARS) do saved[k] = core.getenv(k); core.setenv(k, nil) end
  core.setenv("HOME", tmpdir())
  for k, v in pairs(vars) do core.setenv(k, v) end
  creds.reset()
  local ok, err = pcall(fn)
  for _, k in ipairs(VARS) do core.setenv(k, saved[k]) end
  if not ok then error(err, 0) end
end

test("default endpoints: regional, IAM global, partitions", function()
  with_env({}, function()
    local ec2 = aws.client("ec2", { region = "ap-northeast-2" }):info()
    expect(ec2.url).to_be("https://ec2.ap-northeast-2.amazonaws.com")
    expect(ec2.signing_region).to_be("ap-northeast-2")
    expect(ec2.overridden).to_be(false)
    local iam = aws.client("iam", { region = "eu-west-1" }):info()
    expect(iam.url).to_be("https://iam.amazonaws.com")
    expect(iam.signing_region).to_be("us-east-1")
    expect(aws.client("iam", { region = "cn-north-1" }):info().url).to_be("https://iam.cn-north-1.amazonaws.com.cn")
    expect(aws.client("ec2", { region = "cn-northwest-1" }):info().url).to_be("https://ec2.cn-northwest-1.amazonaws.com.cn")
    expect(aws.client("elbv2", { region = "us-west-2" }):info().url).to_be("https://elasticloadbalancing.us-west-2.amazonaws.com")
    expect(aws.client("logs", { region = "us-west-2" }):info().url).to_be("https://logs.us-west-2.amazonaws.com")
    expect(aws.client("cloudwatchlogs", { region = "us-west-2" }).service).to_be("logs")   -- aliases
    expect(aws.client("elasticloadbalancingv2", { region = "us-west-2" }).service).to_be("elbv2")
    expect(aws.client("sts", { region = "eu-west-1" }):info().url).to_be("https://sts.eu-west-1.amazonaws.com")
    local s3 = aws.client("s3", { region = "eu-west-1" }):info()
    expect(s3.url).to_be("https://s3.eu-west-1.amazonaws.com")
    expect(s3.s3_path_style).to_be(false)
  end)
end)

-- botocore's data directory (Debian's python3-botocore), or nil.
local function botocore_data()
  local out, code = sh("/usr/bin/python3 -c 'import botocore,os;print(os.path.dirname(botocore.__file__))'")
  local dir = code == 0 and (out:gsub("%s+$", "")) .. "/data"
  if dir and core.stat(dir .. "/endpoints.json") then return dir end
end

-- `luaform aws SVC OP --dry-run` in a clean environment plus vars: the request, decoded.
local function dry_run(vars, svc, op)
  local env = { "env -i PATH=" .. quote(core.getenv("PATH") or "/usr/bin:/bin"), "HOME=" .. quote(tmpdir()),
    "AWS_ACCESS_KEY_ID=AKIDDRYRUN", "AWS_SECRET_ACCESS_KEY=dry-run-secret" }
  for k, v in pairs(vars) do env[#env + 1] = k .. "=" .. quote(v) end
  local out, code = sh(table.concat(env, " ") .. " " .. quote(core.exe_dir .. "/luaform")
    .. " aws " .. svc .. " " .. op .. " --dry-run")
  assert(code == 0, out)
  return core.json_decode(out)
end

test("global services of botocore's endpoints.json: one host, signed for its scope (dry run)", function()
  local data = botocore_data()
  assert(data, "no botocore data (/usr/bin/python3 -c 'import botocore'; scripts/deps.sh installs python3-botocore)")
  with_env({ LUAFORM_MODELS_PATH = data, AWS_REGION = "eu-west-1" }, function()
    local cf = aws.client("cloudfront", { credentials = { access_key = "A", secret_key = "B" } })
    expect(cf:info().url).to_be("https://cloudfront.amazonaws.com")
    expect(cf:info().signing_region).to_be("us-east-1")
    local r = cf:prepare("ListDistributions", {})
    expect(r.url).to_match("^https://cloudfront%.amazonaws%.com/%d+%-%d+%-%d+/distribution$")
    expect(r.headers.Authorization).to_match("/%d+/us%-east%-1/cloudfront/aws4_request, ")
  end)
  local r53 = dry_run({ LUAFORM_MODELS_PATH = data, AWS_REGION = "eu-west-1" }, "route53", "ListHostedZones")
  expect(r53.host).to_be("route53.amazonaws.com")
  expect(r53.headers.Authorization).to_match("/%d+/us%-east%-1/route53/aws4_request, ")
  local cn = dry_run({ LUAFORM_MODELS_PATH = data, AWS_REGION = "cn-north-1" }, "route53", "ListHostedZones")
  expect(cn.host).to_be("route53.amazonaws.com.cn")                -- the region's partition
  expect(cn.headers.Authorization).to_match("/%d+/cn%-northwest%-1/route53/aws4_request, ")
  local org = dry_run({ LUAFORM_MODELS_PATH = data }, "organizations", "ListRoots")   -- no region needed
  expect(org.host).to_be("organizations.us-east-1.amazonaws.com")
  local ec2 = dry_run({ LUAFORM_MODELS_PATH = data, AWS_REGION = "eu-west-1" }, "ec2", "DescribeVpcs")
  expect(ec2.host).to_be("ec2.eu-west-1.amazonaws.com")             -- regional services stay regional
end)

test("the partitions file beside the models wins; without one the built-in trimmed copy is used", function()
  local model = core.json_encode({ version = "2.0", metadata = { apiVersion = "2016-11-28",
    endpointPrefix = "organizations", jsonVersion = "1.1", protocol = "json", serviceId = "Organizations",
    signatureVersion = "v4", targetPrefix = "AWSOrganizationsV20161128" },
    operations = { ListRoots = { name = "ListRoots", http = { method = "POST", requestUri = "/" } } },
    shapes = {} })
  local bare, own = tmpdir(), tmpdir()
  write(bare .. "/organizations/2016-11-28/service-2.json", model)
  write(own .. "/organizations/2016-11-28/service-2.json", model)
  write(own .. "/endpoints.json", core.json_encode({ partitions = { { partition = "aws",
    dnsSuffix = "amazonaws.com", regionRegex = "^(us|eu)\\-\\w+\\-\\d+$", regions = {},
    services = { organizations = { isRegionalized = false, partitionEndpoint = "aws-global",
      endpoints = { ["aws-global"] = { hostname = "organizations.example.test",
        credentialScope = { region = "us-west-2" } } } } } } } }))
  local r = dry_run({ LUAFORM_MODELS_PATH = bare, AWS_REGION = "eu-west-1" }, "organizations", "ListRoots")
  expect(r.host).to_be("organizations.us-east-1.amazonaws.com")    -- models/endpoints.json
  expect(r.headers.Authorization).to_match("/%d+/us%-east%-1/organizations/aws4_request, ")
  r = dry_run({ LUAFORM_MODELS_PATH = own, AWS_REGION = "eu-west-1" }, "organizations", "ListRoots")
  expect(r.host).to_be("organizations.example.test")               -- matched by regionRegex
  expect(r.headers.Authorization).to_match("/%d+/us%-west%-2/organizations/aws4_request, ")
  r = dry_run({ LUAFORM_MODELS_PATH = own, AWS_REGION = "ap-south-1" }, "organizations", "ListRoots")
  expect(r.host).to_be("organizations.ap-south-1.amazonaws.com")   -- no partition: the default
end)

test("no region is an error that says where to set one", function()
  with_env({}, function()
    expect(function() aws.client("ec2") end).to_fail("no region")
    expect(function() aws.client("ec2", { region = "../evil" }) end).to_fail("invalid region")
  end)
end)

test("overrides: provider endpoints > AWS_ENDPOINT_URL_<SERVICE_ID> > AWS_ENDPOINT_URL > profile", function()
  with_env({ AWS_REGION = "us-east-1", AWS_ENDPOINT_URL = "http://127.0.0.1:4000",
             AWS_ENDPOINT_URL_EC2 = "http://127.0.0.1:4001/",
             AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING = "http://127.0.0.1:4002",
             AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 = "http://localhost:4003" }, function()
    local ec2 = aws.client("ec2"):info()
    expect(ec2.url).to_be("http://127.0.0.1:4001")
    expect(ec2.host).to_be("127.0.0.1:4001")
    expect(ec2.overridden).to_be(true)
    expect(aws.client("application-autoscaling"):info().url).to_be("http://127.0.0.1:4002")
    expect(aws.client("elbv2"):info().url).to_be("http://localhost:4003")
    expect(aws.client("sqs"):info().url).to_be("http://127.0.0.1:4000")
    expect(aws.client("ec2", { endpoints = { ec2 = "http://127.0.0.1:5000" } }):info().url).to_be("http://127.0.0.1:5000")
    expect(aws.client("application-autoscaling", { endpoints = { applicationautoscaling = "http://127.0.0.1:5001" } }):info().url)
      .to_be("http://127.0.0.1:5001")
    local s3 = aws.client("s3"):info()
    expect(s3.url).to_be("http://127.0.0.1:4000")
    expect(s3.s3_path_style).to_be(true)           -- buckets go in the path on overridden endpoints
    local iam = aws.client("iam"):info()
    expect(iam.url).to_be("http://127.0.0.1:4000")
    expect(iam.signing_region).to_be("us-east-1")
    local based = aws.client("sqs", { endpoints = { sqs = "http://127.0.0.1:4566/gateway/aws/" },
      credentials = { access_key = "A", secret_key = "B" } })
    expect(based:prepare("ListQueues", {}).url).to_be("http://127.0.0.1:4566/gateway/aws/")
    core.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    expect(aws.client("ec2"):info().url).to_be("https://ec2.us-east-1.amazonaws.com")
  end)
end)

test("the profile's endpoint_url, region and max_attempts", function()
  with_env({}, function()
    local dir = tmpdir()
    write(dir .. "/config", "[profile local]\nregion = eu-north-1\nendpoint_url = http://127.0.0.1:4566\nmax_attempts = 7\n")
    core.setenv("AWS_CONFIG_FILE", dir .. "/config")
    local info = aws.client("ec2", { profile = "local" }):info()
    expect(info.url).to_be("http://127.0.0.1:4566")
    expect(info.region).to_be("eu-north-1")
    expect(info.max_attempts).to_be(7)
    expect(aws.client("ec2", { profile = "local", max_attempts = 2 }):info().max_attempts).to_be(2)
  end)
end)

test("luaform aws SERVICE OPERATION prints JSON; errors are one line with exit code 1", function()
  local e = emulator()
  local exe = quote(core.exe_dir .. "/luaform")
  local out, code = sh(e:env() .. " " .. exe .. " aws ec2 CreateVpc '{\"CidrBlock\": \"10.4.0.0/16\"}'")
  expect(code).to_be(0)
  local vpc = core.json_decode(out).Vpc
  expect(vpc.CidrBlock).to_be("10.4.0.0/16")
  out, code = sh(e:env() .. " " .. exe .. " aws ec2 DescribeVpcs --param Filters.1.Name=vpc-id --param Filters.1.Values.1=" .. vpc.VpcId)
  expect(code).to_be(0)
  expect(core.json_decode(out).Vpcs[1].VpcId).to_be(vpc.VpcId)
  out, code = sh(e:env() .. " " .. exe .. " aws sqs ListQueues --paginate")
  expect(code).to_be(0)
  expect(type(core.json_decode(out))).to_be("table")
  out, code = sh(e:env() .. " " .. exe .. " aws ec2 DeleteVpc --param VpcId=vpc-0000000000000404a")
  expect(code).to_be(1)
  expect(out).to_match("^Error: ec2 DeleteVpc: InvalidVpcID%.NotFound: .*%(status 400, request id ")
  out, code = sh(e:env() .. " " .. exe .. " aws ec2 DescribeVpc")
  expect(code).to_be(1)
  expect(out).to_contain("did you mean DescribeVpcs?")
  out, code = sh(exe .. " aws sqs")    -- the operations of the model, no call
  expect(code).to_be(0)
  expect(out).to_contain("\nGetQueueAttributes\n")
  out, code = sh("env -u AWS_REGION -u AWS_DEFAULT_REGION -u AWS_PROFILE HOME=/nonexistent " .. exe .. " aws ec2 DescribeVpcs")
  expect(code).to_be(1)
  expect(out).to_be("Error: aws: ec2: no region (set AWS_REGION, a profile region, or the provider's region)\n")
end)

test("LUAFORM_LOG=debug logs each request and response without secrets or signatures", function()
  local e = emulator()
  local exe = quote(core.exe_dir .. "/luaform")
  local dir = tmpdir()
  local function run(args)   -- stdout (the result) and stderr (the log) apart
    local _, code = sh("(" .. e:env() .. " AWS_SESSION_TOKEN=session-token-value LUAFORM_LOG=debug " .. exe
      .. " aws " .. args .. " >" .. quote(dir .. "/out") .. " 2>" .. quote(dir .. "/log") .. ")")
    return read(dir .. "/out"), read(dir .. "/log"), code
  end
  local out, log, code = run("ec2 CreateVpc '{\"CidrBlock\": \"10.7.0.0/16\"}'")
  expect(code).to_be(0)
  expect(log).to_contain("[debug] aws ec2 CreateVpc attempt 1 request: POST " .. e.url .. "/\n")
  expect(log).to_match("%[debug%]   Authorization: AWS4%-HMAC%-SHA256 Credential=<redacted>/%d+/us%-east%-1/ec2/"
    .. "aws4_request, SignedHeaders=[%w;-]+, Signature=<redacted>\n")
  expect(log).to_contain("[debug]   X-Amz-Security-Token: <redacted>\n")
  expect(log).to_contain("[debug]   body (59 bytes): Action=CreateVpc&Version=2016-11-15&CidrBlock=10.7.0.0%2F16\n")
  expect(log).to_contain("[debug] aws ec2 CreateVpc POST " .. e.url .. "/ attempt 1: status 200")
  expect(log).to_contain(core.json_decode(out).Vpc.VpcId)        -- the response body
  expect(log).to_match("%[debug%]   content%-type: text/xml")       -- and its headers
  -- a body over 2 kB is cut
  for i = 1, 12 do
    sh(e:env() .. " " .. exe .. " aws ec2 CreateVpc '{\"CidrBlock\": \"10." .. (20 + i) .. ".0.0/16\"}'")
  end
  log = select(2, run("ec2 DescribeVpcs"))
  expect(log).to_match("%.%.%. %(%d+ more bytes%)\n")
  -- STS credentials in a response are withheld from the log (the caller still gets them)
  sh(e:env() .. " " .. exe .. " aws iam CreateRole " .. quote(core.json_encode({ RoleName = "dbg",
    AssumeRolePolicyDocument = core.json_encode({ Version = "2012-10-17", Statement = { { Effect = "Allow",
      Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" } } }) })))
  out, log, code = run("sts AssumeRole '{\"RoleArn\": \"arn:aws:iam::123456789012:role/dbg\", \"RoleSessionName\": \"dbg\"}'")
  expect(code).to_be(0)
  local issued = core.json_decode(out).Credentials
  expect(log).to_contain("[debug]   body (")                      -- the request body is shown
  expect(log).to_match("body: %d+ bytes, not shown %(the operation carries secrets%)")
  expect(log).not_to_contain(issued.SecretAccessKey)
  expect(log).not_to_contain(issued.SessionToken)
  for _, text in ipairs({ log, (select(2, run("ec2 DescribeVpcs"))) }) do
    expect(text).not_to_contain(e.secret_key)
    expect(text).not_to_contain(e.access_key)
    expect(text).not_to_contain("session-token-value")
    expect(text:find("Signature=%x")).to_be(nil)
  end
end)

test("S3 addressing on AWS endpoints: virtual host for DNS-safe buckets, else path (dry run)", function()
  with_env({}, function()
    local s3 = aws.client("s3", { region = "eu-west-1",
      credentials = { access_key = "AKIDDRYRUN", secret_key = "dry-run-secret", session_token = "dry-token" } })
    local r = s3:prepare("PutObject", { Bucket = "my-bucket", Key = "a/b c.txt", Body = "hi" })
    expect(r.method).to_be("PUT")
    expect(r.url).to_be("https://my-bucket.s3.eu-west-1.amazonaws.com/a/b%20c.txt")
    expect(r.host).to_be("my-bucket.s3.eu-west-1.amazonaws.com")
    expect(r.headers.Authorization).to_match("^AWS4%-HMAC%-SHA256 Credential=<redacted>/%d+/eu%-west%-1/s3/aws4_request, ")
    expect(r.headers.Authorization).to_match("Signature=<redacted>$")
    expect(r.headers["X-Amz-Security-Token"]).to_be("<redacted>")
    expect(core.json_encode(r)).not_to_contain("dry-run-secret")
    expect(core.json_encode(r)).not_to_contain("dry-token")
    expect(core.json_encode(r)).not_to_contain("AKIDDRYRUN")
    local list = s3:prepare("ListObjectsV2", { Bucket = "my-bucket" })
    expect(list.url).to_be("https://my-bucket.s3.eu-west-1.amazonaws.com/?list-type=2")
    local dotted = s3:prepare("ListObjectsV2", { Bucket = "my.dotted.bucket" })
    expect(dotted.url).to_be("https://s3.eu-west-1.amazonaws.com/my.dotted.bucket?list-type=2")
    local east = aws.client("s3", { region = "us-east-1", credentials = { access_key = "A", secret_key = "B" } })
    expect(east:prepare("HeadBucket", { Bucket = "logs-bucket" }).url).to_be("https://logs-bucket.s3.amazonaws.com/")
  end)
end)
