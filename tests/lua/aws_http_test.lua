-- The HTTP layer under the client: TLS verification on unless `insecure`, request timeouts
-- (retried, then RequestTimeout with no status), clock-skew correction, proxies from the
-- environment, responses nested too deeply, against small loopback servers.
local aws = require("luaform.aws")

-- A self-signed certificate for 127.0.0.1 (test only; no CA trusts it).
local CERT = [[
-----BEGIN CERTIFICATE-----
MIIBkTCCATagAwIBAgIUGEy5hbW8xRt7X1WlApd3X+YbHecwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyNTE4MjcyMloYDzIxMjYxMTAx
MTgyNzIyWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATXvJi8p+Vaozb8/mpWRCncw1tmeUQ3DFTdYIZvkUHjd/Eb+YYHgtLz
K7cecmPKc/fbGOg7yDZu8zBAjTWbJXqko2QwYjAdBgNVHQ4EFgQUTG4FISuNXoU8
UNZEbj7kxOli3CswHwYDVR0jBBgwFoAUTG4FISuNXoU8UNZEbj7kxOli3CswDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0kAMEYC
IQDfKZoRe6bqlf5Bagdd5W8EcqUIvbFAvbAP81RsbTUxOQIhAODfPZC1mp75+5Bn
0sESvTMFgyXtDUvwTw3XprNLNoAv
-----END CERTIFICATE-----
]]
local KEY = [[
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgM8VswbtkDUK7+cNu
Q67DHBA9tO2dEIsrAFQ1yKw3a+6hRANCAATXvJi8p+Vaozb8/mpWRCncw1tmeUQ3
DFTdYIZvkUHjd/Eb+YYHgtLzK7cecmPKc/fbGOg7yDZu8zBAjTWbJXqk
-----END PRIVATE KEY-----
]]

local SERVER = [==[
import calendar, ssl, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
mode, certfile, keyfile = sys.argv[1], sys.argv[2], sys.argv[3]
BODY = (b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        b'<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/tls</Arn>'
        b'<UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult>'
        b'<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>')
SKEW = 3600   # mode "skew": this server's clock is an hour ahead
hits = []
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def date_time_string(self, timestamp=None):
        now = time.time() + (SKEW if mode == "skew" else 0)
        return super().date_time_string(now)
    def do_GET(self):
        body = ",".join(hits).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if mode.startswith("deep"):   # "deepxml:N", "deepjson:N": a valid body N levels deep
            n = int(mode.split(":")[1])
            if mode.startswith("deepxml"):   # STS GetCallerIdentity
                body = (b'<GetCallerIdentityResponse><GetCallerIdentityResult><Account>' + b'<a>' * n +
                        b'1' + b'</a>' * n + b'</Account></GetCallerIdentityResult></GetCallerIdentityResponse>')
                ctype = "text/xml"
            else:   # DynamoDB GetItem: an attribute value that is a list of lists...
                body = b'{"Item":{"k":' + b'{"L":[' * n + b'{"S":"x"}' + b']}' * n + b'}}'
                ctype = "application/x-amz-json-1.0"
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if mode == "proxy":   # requests arrive with the absolute URL of the real target
            hits.append(self.path + " " + self.headers.get("Host", ""))
        if mode == "slow":
            time.sleep(5)
        if mode == "skew":
            t = calendar.timegm(time.strptime(self.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ"))
            if abs(t - (time.time() + SKEW)) > 900:
                hits.append("skewed")
                err = (b'<ErrorResponse><Error><Type>Sender</Type><Code>RequestTimeTooSkewed</Code>'
                       b'<Message>too skewed</Message></Error><RequestId>r-0</RequestId></ErrorResponse>')
                self.send_response(403)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(err)))
                self.end_headers()
                self.wfile.write(err)
                return
            hits.append("ok")
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
s.daemon_threads = True
scheme = "http"
if mode == "tls":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certfile, keyfile)
    s.socket = ctx.wrap_socket(s.socket, server_side=True)
    scheme = "https"
print("url=%s://127.0.0.1:%d" % (scheme, s.server_address[1]), flush=True)
s.serve_forever()
]==]

local function with_server(mode, fn)
  local dir = tmpdir()
  write(dir .. "/server.py", SERVER)
  write(dir .. "/cert.pem", CERT)
  write(dir .. "/key.pem", KEY)
  local pid, log = start_python(string.format("%s %s %s %s", quote(dir .. "/server.py"), mode,
    quote(dir .. "/cert.pem"), quote(dir .. "/key.pem")), dir .. "/log", "url=%S+\n")
  local ok, err = pcall(fn, log:match("url=(%S+)"))
  sh("kill " .. pid)
  if not ok then error(err, 0) end
end

local KEYS = { access_key = "AKIDTLSTEST", secret_key = "tls-test-secret" }

test("TLS: an untrusted certificate is refused (not retried); AWS_CA_BUNDLE or insecure = true accept it", function()
  with_server("tls", function(url)
    local sts = aws.client("sts", { region = "us-east-1", endpoints = { sts = url }, credentials = KEYS })
    local ok, err = pcall(sts.GetCallerIdentity, sts, {})
    expect(ok).to_be(false)
    expect(err.code).to_be("NetworkError")
    expect(err.message).to_match("[Cc]ertificate")
    expect(err.status).to_be_nil()
    expect(err.attempts).to_be(1)
    -- trusted through AWS_CA_BUNDLE (the SDKs' variable): verified, and accepted
    local dir = tmpdir()
    write(dir .. "/ca.pem", CERT)
    core.setenv("AWS_CA_BUNDLE", dir .. "/ca.pem")
    local ok2, res = pcall(sts.GetCallerIdentity, sts, {})
    core.setenv("AWS_CA_BUNDLE", nil)
    expect(ok2).to_be(true)
    expect(res.Account).to_be("123456789012")
    local loose = aws.client("sts", { region = "us-east-1", endpoints = { sts = url }, credentials = KEYS, insecure = true })
    expect(loose:info().insecure).to_be(true)
    expect(loose:GetCallerIdentity{}.Arn).to_be("arn:aws:iam::123456789012:user/tls")
  end)
end)

test("a server that does not answer in time: RequestTimeout after each attempt", function()
  with_server("slow", function(url)
    local sts = aws.client("sts", { region = "us-east-1", endpoints = { sts = url }, credentials = KEYS,
      timeout_ms = 300, max_attempts = 2, retry_base = 0.01 })
    local ok, err = pcall(sts.GetCallerIdentity, sts, {})
    expect(ok).to_be(false)
    expect(err.code).to_be("RequestTimeout")
    expect(err.status).to_be_nil()
    expect(err.attempts).to_be(2)
  end)
end)

test("clock skew: the server's Date corrects our signing time, once, then for every call", function()
  with_server("skew", function(url)
    local sts = aws.client("sts", { region = "us-east-1", endpoints = { sts = url }, credentials = KEYS })
    expect(sts:GetCallerIdentity{}.Account).to_be("123456789012")
    expect(sts:GetCallerIdentity{}.Account).to_be("123456789012")
    expect((sh("curl -sS " .. url))).to_be("skewed,ok,ok")
  end)
end)

test("proxies come from curl's standard environment (http_proxy)", function()
  with_server("proxy", function(url)
    local saved = { core.getenv("http_proxy"), core.getenv("no_proxy"), core.getenv("NO_PROXY") }
    core.setenv("http_proxy", url)
    core.setenv("no_proxy", nil)
    core.setenv("NO_PROXY", nil)
    local ok, res = pcall(function()
      local sts = aws.client("sts", { region = "us-east-1", endpoints = { sts = "http://sts.luaform.invalid" },
        credentials = KEYS })
      return sts:GetCallerIdentity{}
    end)
    core.setenv("http_proxy", saved[1])
    core.setenv("no_proxy", saved[2])
    core.setenv("NO_PROXY", saved[3])
    if not ok then error(res, 0) end
    expect(res.Account).to_be("123456789012")
    expect((sh("curl -sS --noproxy '*' " .. url))).to_be("http://sts.luaform.invalid/ sts.luaform.invalid")
  end)
end)

-- LF_MAX_NESTING (include/luaform/luaform.h): a response nested deeper is
-- refused with one clear error, by the XML and the JSON parsers alike, for
-- a depth jansson accepts (1,000) and one it does not (100,000).
test("a response nested 1,000 or 100,000 levels deep is an InvalidResponse, not a crash", function()
  for _, proto in ipairs({ "json", "xml" }) do
    for _, depth in ipairs({ 1000, 100000 }) do
      with_server("deep" .. proto .. ":" .. depth, function(url)
        local name = proto == "xml" and "sts" or "dynamodb"
        local c = aws.client(name, { region = "us-east-1", endpoints = { [name] = url }, credentials = KEYS })
        local ok, err
        if proto == "xml" then ok, err = pcall(c.GetCallerIdentity, c, {})
        else ok, err = pcall(c.GetItem, c, { TableName = "t", Key = { k = { S = "k" } } }) end
        expect(ok).to_be(false)
        expect(err.code).to_be("InvalidResponse")
        expect(err.message).to_match("^nested deeper than %d+$")
        expect(tostring(err)).to_contain("InvalidResponse: nested deeper than ")
      end)
    end
  end
end)

test("a response as deep as the limit allows is parsed", function()
  -- 100 lists in one another: 200 JSON levels (an object and an array each)
  with_server("deepjson:100", function(url)
    local ddb = aws.client("dynamodb", { region = "us-east-1", endpoints = { dynamodb = url }, credentials = KEYS })
    local v = ddb:GetItem{ TableName = "t", Key = { k = { S = "k" } } }.Item.k
    local levels = 0
    while v.L do v, levels = v.L[1], levels + 1 end
    expect(levels).to_be(100)
    expect(v.S).to_be("x")
  end)
end)
