-- The credentials chain and region resolution, with temporary HOME directories and files,
-- the emulator's STS for role_arn + source_profile, and a small loopback HTTP server (below)
-- standing in for the instance metadata service (IMDSv2), the container credentials
-- endpoint and STS AssumeRoleWithWebIdentity.
local aws = require("luaform.aws")
local creds = require("luaform.aws.creds")

local VARS = { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
  "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_REGION",
  "AWS_DEFAULT_REGION", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
  "AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_STS", "AWS_MAX_ATTEMPTS", "HOME" }

-- Runs fn with a clean AWS environment (HOME = a new empty directory, IMDS off) plus vars,
-- then restores the previous environment.
local function with_env(vars, fn)
  local saved = {}
  for _, k in ipairs(VARS) do saved[k] = core.getenv(k); core.setenv(k, nil) end
  local home = tmpdir()
  core.setenv("HOME", home)
  core.setenv("AWS_EC2_METADATA_DISABLED", "true")
  for k, v in pairs(vars or {}) do core.setenv(k, v ~= false and v or nil) end
  creds.reset()
  local ok, err = pcall(fn, home)
  for _, k in ipairs(VARS) do core.setenv(k, saved[k]) end
  creds.reset()
  if not ok then error(err, 0) end
end

-- The metadata stand-in: IMDSv2 (token required), container credentials (Authorization
-- required), STS AssumeRoleWithWebIdentity (token checked, must be unsigned). Counts hits.
local SERVER = [==[
import json, sys, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
hits = {}
EXPIRES_IN = int(sys.argv[1])
def creds(prefix):
    exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + EXPIRES_IN))
    return {"Code": "Success", "AccessKeyId": prefix + "KEY", "SecretAccessKey": prefix + "-secret",
            "Token": prefix + "-token", "Expiration": exp}
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def send(self, status, body, ctype="application/json"):
        body = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def hit(self, name): hits[name] = hits.get(name, 0) + 1
    def do_PUT(self):
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            self.hit("imds-token"); return self.send(200, "imds-session-token", "text/plain")
        self.send(400, "bad token request", "text/plain")
    def do_GET(self):
        if self.path == "/hits": return self.send(200, json.dumps(hits))
        if self.path.startswith("/latest/meta-data/iam/security-credentials/"):
            if self.headers.get("X-aws-ec2-metadata-token") != "imds-session-token":
                return self.send(401, "", "text/plain")
            role = self.path.rsplit("/", 1)[1]
            if role == "": self.hit("imds-role"); return self.send(200, "instance-role\n", "text/plain")
            self.hit("imds-creds"); return self.send(200, json.dumps(creds("IMDS")))
        if self.path == "/container-creds":
            if self.headers.get("Authorization") != "container-auth-token":
                return self.send(401, "{}")
            self.hit("container"); return self.send(200, json.dumps(creds("CONTAINER")))
        self.send(404, "{}")
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        f = {k: v[0] for k, v in form.items()}
        if f.get("Action") != "AssumeRoleWithWebIdentity" or "Authorization" in self.headers:
            return self.send(400, "<ErrorResponse><Error><Code>Bad</Code><Message>unexpected</Message></Error></ErrorResponse>", "text/xml")
        if f.get("WebIdentityToken") != "oidc-jwt-token":
            return self.send(400, "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad token</Message></Error></ErrorResponse>", "text/xml")
        self.hit("web-identity")
        c = creds("WEB")
        self.send(200, """<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>
<SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/%s</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser>
</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>""" % (c["AccessKeyId"], c["SecretAccessKey"], c["Token"], c["Expiration"],
            f.get("RoleSessionName")), "text/xml")
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
print("port=%d" % s.server_address[1], flush=True)
s.serve_forever()
]==]

local function metadata_server(expires_in)
  local dir = tmpdir()
  write(dir .. "/server.py", SERVER)
  local pid, log = start_python(quote(dir .. "/server.py") .. " " .. (expires_in or 3600),
    dir .. "/log", "port=%d+\n")
  local srv = { pid = pid, url = "http://127.0.0.1:" .. log:match("port=(%d+)") }
  function srv.hits()
    local out = sh("curl -sS " .. srv.url .. "/hits")
    return core.json_decode(out)
  end
  function srv.stop() sh("kill " .. srv.pid) end
  return srv
end

local function with_server(expires_in, fn)
  local srv = metadata_server(expires_in)
  local ok, err = pcall(fn, srv)
  srv.stop()
  if not ok then error(err, 0) end
end

test("environment variables", function()
  with_env({ AWS_ACCESS_KEY_ID = "AKIDENV", AWS_SECRET_ACCESS_KEY = "env-secret", AWS_SESSION_TOKEN = "env-token" }, function()
    local p = creds.provider({})
    expect(p.source).to_be("environment")
    local c = p.get()
    expect(c.access_key).to_be("AKIDENV")
    expect(c.secret_key).to_be("env-secret")
    expect(c.session_token).to_be("env-token")
  end)
end)

test("shared files: default and named profiles, AWS_PROFILE, profile region", function()
  with_env({}, function(home)
    write(home .. "/.aws/credentials", [[
# comment
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = default-secret

[dev]
aws_access_key_id=AKIDDEV
aws_secret_access_key=dev-secret
aws_session_token = dev-token
]])
    write(home .. "/.aws/config", [[
[default]
region = us-west-2
[profile dev]
region = eu-west-1
s3 =
  addressing_style = path
]])
    expect(creds.provider({}).get().access_key).to_be("AKIDDEFAULT")
    expect(creds.region(nil, nil)).to_be("us-west-2")
    core.setenv("AWS_PROFILE", "dev")
    creds.reset()
    local c = creds.provider({}).get()
    expect(c.access_key).to_be("AKIDDEV")
    expect(c.session_token).to_be("dev-token")
    expect(creds.region(nil, nil)).to_be("eu-west-1")
    expect(creds.profile(creds.files(), "dev")["s3.addressing_style"]).to_be("path")
    expect(creds.provider({ profile = "default" }).get().access_key).to_be("AKIDDEFAULT")
  end)
end)

test("AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE move the files; credentials file wins", function()
  with_env({}, function(home)
    write(home .. "/c.ini", "[ci]\naws_access_key_id = AKIDCREDFILE\naws_secret_access_key = s1\n")
    write(home .. "/k.ini", "[profile ci]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = s2\nregion = ap-northeast-2\n")
    core.setenv("AWS_SHARED_CREDENTIALS_FILE", home .. "/c.ini")
    core.setenv("AWS_CONFIG_FILE", home .. "/k.ini")
    expect(creds.provider({ profile = "ci" }).get().access_key).to_be("AKIDCREDFILE")
    expect(creds.region(nil, "ci")).to_be("ap-northeast-2")
    core.setenv("AWS_SHARED_CREDENTIALS_FILE", home .. "/none.ini")
    creds.reset()
    expect(creds.provider({ profile = "ci" }).get().access_key).to_be("AKIDCONFIG")
  end)
end)

test("precedence: env over files, an explicit profile over env, explicit region over env over profile", function()
  with_env({ AWS_ACCESS_KEY_ID = "AKIDENV", AWS_SECRET_ACCESS_KEY = "env-secret" }, function(home)
    write(home .. "/.aws/credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = f\n"
      .. "[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = o\n")
    write(home .. "/.aws/config", "[profile ops]\nregion = eu-central-1\n")
    expect(creds.provider({}).get().access_key).to_be("AKIDENV")
    expect(creds.provider({ profile = "ops" }).get().access_key).to_be("AKIDOPS")
    expect(creds.region(nil, "ops")).to_be("eu-central-1")
    core.setenv("AWS_DEFAULT_REGION", "sa-east-1")
    expect(creds.region(nil, "ops")).to_be("sa-east-1")
    core.setenv("AWS_REGION", "ca-central-1")
    expect(creds.region(nil, "ops")).to_be("ca-central-1")
    expect(creds.region("ap-south-1", "ops")).to_be("ap-south-1")
  end)
end)

test("a named profile that does not exist is an error naming it; no credentials at all too", function()
  with_env({}, function()
    local ok, err = pcall(creds.provider, { profile = "nope" })
    expect(ok).to_be(false)
    expect(tostring(err)).to_contain("profile 'nope' not found")
    ok, err = pcall(creds.provider, {})
    expect(ok).to_be(false)
    expect(err.code).to_be("CredentialsError")
    expect(tostring(err)).to_contain("no AWS credentials found")
  end)
end)

-- An emulator with the role "deployer" that the emulator's own key may assume.
local function role_emulator()
  local e = emulator()
  e:use()
  aws.client("iam"):CreateRole{ RoleName = "deployer", AssumeRolePolicyDocument = core.json_encode({
    Version = "2012-10-17", Statement = { { Effect = "Allow",
      Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" } } }) }
  return e
end

-- Runs fn with the profile "app" assuming "deployer" for 900 s sessions from the base
-- profile's keys (the emulator's own).
local function with_expiring_role(e, fn)
  with_env({ AWS_ENDPOINT_URL = e.url, AWS_REGION = "us-east-1" }, function(home)
    write(home .. "/.aws/credentials", "[base]\naws_access_key_id = " .. e.access_key
      .. "\naws_secret_access_key = " .. e.secret_key .. "\n")
    write(home .. "/.aws/config", "[profile app]\nrole_arn = arn:aws:iam::123456789012:role/deployer\n"
      .. "source_profile = base\nduration_seconds = 900\n")
    fn()
  end)
end

test("role_arn + source_profile: AssumeRole through the emulator's STS, once for many clients", function()
  local e = role_emulator()
  with_env({ AWS_ENDPOINT_URL = e.url, AWS_REGION = "us-east-1" }, function(home)
    write(home .. "/.aws/credentials", "[base]\naws_access_key_id = " .. e.access_key
      .. "\naws_secret_access_key = " .. e.secret_key .. "\n")
    write(home .. "/.aws/config", "[profile app]\nrole_arn = arn:aws:iam::123456789012:role/deployer\n"
      .. "source_profile = base\nrole_session_name = luaform-test\n")
    local p = creds.provider({ profile = "app" })
    expect(p.source).to_be("assume-role")
    local c = p.get()
    expect(c.access_key).to_match("^ASIA")
    expect(c.session_token ~= nil).to_be(true)
    expect(c.expires > os.time()).to_be(true)
    local who = aws.client("sts", { profile = "app" }):GetCallerIdentity{}
    expect(who.Arn).to_be("arn:aws:sts::123456789012:assumed-role/deployer/luaform-test")
    aws.client("sqs", { profile = "app" }):ListQueues{}
    expect(e:counts()["sts:AssumeRole"]).to_be(1)   -- cached and shared by the clients
  end)
end)

test("web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, unsigned AssumeRoleWithWebIdentity", function()
  with_server(3600, function(srv)
    with_env({ AWS_ROLE_ARN = "arn:aws:iam::123456789012:role/ci", AWS_ROLE_SESSION_NAME = "gh",
               AWS_ENDPOINT_URL_STS = srv.url, AWS_REGION = "us-east-1" }, function(home)
      write(home .. "/token", "oidc-jwt-token\n")
      core.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", home .. "/token")
      local p = creds.provider({})
      expect(p.source).to_be("web-identity")
      local c = p.get()
      expect(c.access_key).to_be("WEBKEY")
      expect(c.session_token).to_be("WEB-token")
      p.get()
      expect(srv.hits()["web-identity"]).to_be(1)
      -- the same from a profile's web_identity_token_file + role_arn
      core.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", nil)
      write(home .. "/.aws/config", "[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/ci\n"
        .. "web_identity_token_file = " .. home .. "/token\n")
      creds.reset()
      local pp = creds.provider({ profile = "ci" })
      expect(pp.source).to_be("web-identity")
      expect(pp.get().access_key).to_be("WEBKEY")
      expect(srv.hits()["web-identity"]).to_be(2)
      core.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", home .. "/token")
      write(home .. "/token", "wrong")
      creds.reset()
      local ok, err = pcall(creds.provider({}).get)
      expect(ok).to_be(false)
      expect(err.code).to_be("InvalidIdentityToken")
    end)
  end)
end)

test("container credentials (FULL_URI with an authorization token), cached until near expiry", function()
  with_server(3600, function(srv)
    with_env({ AWS_CONTAINER_CREDENTIALS_FULL_URI = srv.url .. "/container-creds",
               AWS_CONTAINER_AUTHORIZATION_TOKEN = "container-auth-token" }, function()
      local p = creds.provider({})
      expect(p.source).to_be("container")
      local c = p.get()
      expect(c.access_key).to_be("CONTAINERKEY")
      expect(c.session_token).to_be("CONTAINER-token")
      p.get(); p.get()
      expect(srv.hits().container).to_be(1)
    end)
  end)
  with_server(60, function(srv)   -- expires within the 5 minute margin: every get refreshes
    with_env({ AWS_CONTAINER_CREDENTIALS_FULL_URI = srv.url .. "/container-creds",
               AWS_CONTAINER_AUTHORIZATION_TOKEN = "container-auth-token" }, function()
      local p = creds.provider({})
      p.get(); p.get()
      expect(srv.hits().container).to_be(2)
    end)
  end)
end)

test("a container FULL_URI that is neither https nor loopback is refused", function()
  with_env({ AWS_CONTAINER_CREDENTIALS_FULL_URI = "http://198.51.100.7/creds" }, function()
    local ok, err = pcall(creds.provider, {})
    expect(ok).to_be(false)
    expect(tostring(err)).to_contain("FULL_URI")
  end)
end)

test("IMDSv2: token PUT then role and credentials GETs; AWS_EC2_METADATA_DISABLED turns it off", function()
  with_server(3600, function(srv)
    with_env({ AWS_EC2_METADATA_DISABLED = false, AWS_EC2_METADATA_SERVICE_ENDPOINT = srv.url }, function()
      local p = creds.provider({})
      expect(p.source).to_be("imds")
      local c = p.get()
      expect(c.access_key).to_be("IMDSKEY")
      expect(c.secret_key).to_be("IMDS-secret")
      local h = srv.hits()
      expect(h["imds-token"]).to_be(1)
      expect(h["imds-creds"]).to_be(1)
      core.setenv("AWS_EC2_METADATA_DISABLED", "true")
      creds.reset()
      local ok = pcall(creds.provider, {})
      expect(ok).to_be(false)
      expect(srv.hits()["imds-token"]).to_be(1)
    end)
  end)
end)

test("credential_process prints the credentials as JSON", function()
  with_env({}, function(home)
    write(home .. "/proc.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"proc-secret\"}'\n")
    write(home .. "/.aws/config", "[default]\ncredential_process = sh " .. home .. "/proc.sh\n")
    local p = creds.provider({})
    expect(p.source).to_be("credential_process")
    expect(p.get().access_key).to_be("AKIDPROC")
  end)
end)

test("credentials from the chain sign real calls: container credentials against the emulator", function()
  local e = emulator()
  local dir = tmpdir()
  -- a container endpoint that hands out the emulator's own key
  write(dir .. "/creds.json", core.json_encode({ AccessKeyId = e.access_key, SecretAccessKey = e.secret_key,
    Expiration = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + 3600) }))
  local pid = sh(string.format("(cd %s && python3 -u -m http.server 0 --bind 127.0.0.1 > log 2>&1 </dev/null & echo $!)", quote(dir)))
  pid = pid:gsub("%s+$", "")
  local port
  for _ = 1, 100 do
    port = (read(dir .. "/log") or ""):match("port (%d+)")
    if port then break end
    core.sleep(0.05)
  end
  local ok, err = pcall(with_env, { AWS_ENDPOINT_URL = e.url, AWS_REGION = "us-east-1",
      AWS_CONTAINER_CREDENTIALS_FULL_URI = "http://127.0.0.1:" .. tostring(port) .. "/creds.json" }, function()
    local ec2 = aws.client("ec2")
    local vpc = ec2:CreateVpc{ CidrBlock = "10.9.0.0/16" }
    expect(vpc.Vpc.VpcId).to_match("^vpc%-")
  end)
  sh("kill " .. pid)
  if not ok then error(err, 0) end
end)

test("assumed-role credentials refused as expired are fetched again and the call repeated", function()
  local e = role_emulator()
  with_expiring_role(e, function()
    local sqs = aws.client("sqs", { profile = "app" })
    sqs:CreateQueue{ QueueName = "before" }
    e:advance(1000)    -- the emulator's clock passes the 900 s session; ours does not
    local q = sqs:CreateQueue{ QueueName = "after" }   -- refused as expired, then repeated
    expect(q.QueueUrl).to_match("/after$")
    expect(e:counts()["sts:AssumeRole"]).to_be(2)
  end)
end)

test("the re-call after expired credentials is the same logical call: the same token is sent", function()
  local e = role_emulator()
  with_expiring_role(e, function()
    local ec2 = aws.client("ec2", { profile = "app" })
    local vpc = ec2:CreateVpc{ CidrBlock = "10.0.0.0/16" }.Vpc.VpcId
    local subnet = ec2:CreateSubnet{ VpcId = vpc, CidrBlock = "10.0.1.0/24" }.Subnet.SubnetId
    e:advance(1000)
    local lcore, sent = require("luaform.core"), {}
    local real = lcore.aws_call
    lcore.aws_call = function(h, op, params, c, opts)
      if op == "CreateNatGateway" then sent[#sent + 1] = opts and opts.token or false end
      return real(h, op, params, c, opts)
    end
    local params = { SubnetId = subnet, ConnectivityType = "private" }
    local ok, out = pcall(ec2.CreateNatGateway, ec2, params)
    lcore.aws_call = real
    assert(ok, tostring(out))
    expect(#sent).to_be(2)                               -- refused as expired, then repeated
    expect(sent[1]).to_match("^%x+%-%x+%-4%x+%-")
    expect(sent[2]).to_be(sent[1])
    expect(out.ClientToken).to_be(sent[1])
    expect(params.ClientToken).to_be(nil)
    expect(e:counts()["sts:AssumeRole"]).to_be(2)
  end)
end)

test("within a profile: credentials file keys, then credential_process, then config file keys", function()
  with_env({}, function(home)
    write(home .. "/proc.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"proc-secret\"}'\n")
    write(home .. "/.aws/config", "[profile both]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = c\n"
      .. "credential_process = sh " .. home .. "/proc.sh\n")
    local p = creds.provider({ profile = "both" })
    expect(p.source).to_be("credential_process")       -- over the config file's keys
    expect(p.get().access_key).to_be("AKIDPROC")
    write(home .. "/.aws/credentials", "[both]\naws_access_key_id = AKIDCREDFILE\naws_secret_access_key = f\n")
    creds.reset()
    expect(creds.provider({ profile = "both" }).get().access_key).to_be("AKIDCREDFILE")   -- over the process
    write(home .. "/.aws/config", "[profile both]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = c\n")
    write(home .. "/.aws/credentials", "")
    creds.reset()
    expect(creds.provider({ profile = "both" }).get().access_key).to_be("AKIDCONFIG")     -- last of the three
  end)
end)

test("a source_profile's own keys win over its role_arn (no role chaining), as in botocore", function()
  local e = role_emulator()
  with_env({ AWS_ENDPOINT_URL = e.url, AWS_REGION = "us-east-1" }, function(home)
    write(home .. "/.aws/credentials", "[base]\naws_access_key_id = " .. e.access_key
      .. "\naws_secret_access_key = " .. e.secret_key .. "\n")
    write(home .. "/.aws/config", "[profile base]\nrole_arn = arn:aws:iam::123456789012:role/other\n"
      .. "source_profile = nowhere\n[profile app]\nrole_arn = arn:aws:iam::123456789012:role/deployer\n"
      .. "source_profile = base\nrole_session_name = chain\n")
    local c = creds.provider({ profile = "app" }).get()
    expect(c.access_key).to_match("^ASIA")
    expect(e:counts()["sts:AssumeRole"]).to_be(1)        -- deployer only, with base's keys
  end)
end)

test("the chain's STS region: the client's, else AWS_REGION, AWS_DEFAULT_REGION, then the profile's", function()
  local e = role_emulator()
  with_env({ AWS_ENDPOINT_URL = e.url }, function(home)
    write(home .. "/.aws/credentials", "[base]\naws_access_key_id = " .. e.access_key
      .. "\naws_secret_access_key = " .. e.secret_key .. "\n")
    write(home .. "/.aws/config", "[profile app]\nrole_arn = arn:aws:iam::123456789012:role/deployer\n"
      .. "source_profile = base\nregion = eu-west-1\n[profile base]\nregion = us-west-2\n")
    local real, seen = aws.client, nil
    aws.client = function(service, o)
      if service == "sts" then seen = o and o.region end
      return real(service, o)
    end
    local function sts_region(opts)
      creds.reset()
      seen = nil
      creds.provider(opts).get()
      return seen
    end
    local ok, err = pcall(function()
      expect(sts_region({ profile = "app" })).to_be("eu-west-1")      -- the named profile's, not base's
      core.setenv("AWS_DEFAULT_REGION", "sa-east-1")
      expect(sts_region({ profile = "app" })).to_be("sa-east-1")
      core.setenv("AWS_REGION", "ap-south-1")
      expect(sts_region({ profile = "app" })).to_be("ap-south-1")     -- env over the profile
      expect(sts_region({ profile = "app", region = "ca-central-1" })).to_be("ca-central-1")
    end)
    aws.client = real
    if not ok then error(err, 0) end
  end)
end)
