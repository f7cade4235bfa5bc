-- luaform.aws.creds: shared config files, region, and the credentials chain.
--
-- The chain, in botocore's order (the first source that has credentials wins):
--   1. environment      AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
--                       (skipped when the profile was named explicitly, as botocore does)
--   2. assume role      profile role_arn + source_profile | credential_source (STS AssumeRole
--                       through luaform.aws, signed with the source's credentials)
--   3. web identity     AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, or the profile's
--                       web_identity_token_file + role_arn (AssumeRoleWithWebIdentity, unsigned)
--   4. credentials file aws_access_key_id / aws_secret_access_key (/ aws_session_token) of
--                       [name] in the shared credentials file
--   5. process          the profile's credential_process (JSON on stdout)
--   6. config file      the same keys in [profile name] of the config file
--   7. container        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (169.254.170.2) or _FULL_URI,
--                       with AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)
--   8. IMDSv2           PUT /latest/api/token, then GET the role's credentials; 1 s timeouts;
--                       off with AWS_EC2_METADATA_DISABLED=true;
--                       AWS_EC2_METADATA_SERVICE_ENDPOINT moves it.
-- A source_profile is resolved as botocore does: its own static keys win over its role_arn
-- (role chaining only for a source profile without keys).
-- Profiles: the explicit name, else AWS_PROFILE, else "default". Files: AWS_CONFIG_FILE
-- (~/.aws/config) and AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials), parsed by
-- core.aws_ini_parse. Region: explicit, AWS_REGION, AWS_DEFAULT_REGION, profile region;
-- STS calls of the chain use the client's region, else that same order (the profile named
-- for the client, not a source profile).
--
-- A provider is { get = fn() -> {access_key, secret_key, session_token, expires} }.
-- Temporary credentials are cached in the provider and refreshed 5 minutes before they
-- expire; concurrent callers during a refresh wait for the one refresh. Providers are
-- shared per (profile, environment), so all clients of a run assume a role once.
-- Secrets never appear in messages: errors name sources and files only.
local core = require("luaform.core")

local M = {}

local REFRESH_MARGIN = 300

local function env(k)
  local v = core.getenv(k)
  if v and v ~= "" then return v end
end

local function home() return env("HOME") or "." end

local function cerr(msg, ...)
  error(setmetatable({ code = "CredentialsError", message = string.format(msg, ...) },
    core.aws_error_mt), 0)
end

-- ---- files and profiles ----

local function load_ini(path)
  local text = path and core.read_file(path)
  return text and core.aws_ini_parse(text) or {}
end

function M.files()
  local cfg = env("AWS_CONFIG_FILE") or (home() .. "/.aws/config")
  local cred = env("AWS_SHARED_CREDENTIALS_FILE") or (home() .. "/.aws/credentials")
  return { config = load_ini(cfg), credentials = load_ini(cred), config_path = cfg, credentials_path = cred }
end

function M.profile_name(explicit)
  return explicit or env("AWS_PROFILE") or env("AWS_DEFAULT_PROFILE") or "default"
end

-- The config file's section of profile name, or nil.
local function config_section(files, name)
  local c = files.config[name == "default" and "default" or ("profile " .. name)]
  if not c and name == "default" then c = files.config["profile default"] end
  return c
end

-- The merged settings of a profile (credentials file wins over config file), or nil.
function M.profile(files, name)
  local c = config_section(files, name)
  local k = files.credentials[name]
  if not c and not k then return nil end
  local out = {}
  for key, v in pairs(c or {}) do out[key] = v end
  for key, v in pairs(k or {}) do out[key] = v end
  return out
end

-- Region: explicit, AWS_REGION, AWS_DEFAULT_REGION, the profile's region.
function M.region(explicit, profile_name)
  if explicit and explicit ~= "" then return explicit end
  local r = env("AWS_REGION") or env("AWS_DEFAULT_REGION")
  if r then return r end
  local p = M.profile(M.files(), M.profile_name(profile_name))
  return p and p.region
end

-- ---- providers ----

-- A provider around fetch() -> creds (with .expires or nil = never).
local function refreshing(name, fetch)
  local p = { source = name }
  local cached, busy
  function p.get()
    while busy do core.sleep(0.01) end
    if cached and (not cached.expires or cached.expires - os.time() > REFRESH_MARGIN) then
      return cached
    end
    busy = true
    local ok, res = pcall(fetch)
    busy = false
    if not ok then
      -- An unexpired cached value is still usable when the refresh fails.
      if cached and cached.expires and cached.expires > os.time() then return cached end
      error(res, 0)
    end
    cached = res
    return res
  end
  function p.invalidate() cached = nil end
  return p
end

local function static(name, ak, sk, token)
  local c = { access_key = ak, secret_key = sk, session_token = token }
  return { source = name, get = function() return c end, invalidate = function() end }
end

local function from_json_creds(t, what)
  local ak = t.AccessKeyId
  local sk = t.SecretAccessKey
  if type(ak) ~= "string" or type(sk) ~= "string" then cerr("%s: response has no credentials", what) end
  local exp = t.Expiration
  if type(exp) == "string" then exp = core.aws_parse_time(exp) end
  return { access_key = ak, secret_key = sk, session_token = t.Token or t.SessionToken, expires = exp }
end

local function sts_creds(out, what)
  local c = out and out.Credentials
  if not c then cerr("%s: no Credentials in the STS response", what) end
  local exp = c.Expiration
  if type(exp) == "string" then exp = core.aws_parse_time(exp) end
  return { access_key = c.AccessKeyId, secret_key = c.SecretAccessKey,
           session_token = c.SessionToken, expires = exp }
end

local function sts_client(region, endpoints, credentials)
  return require("luaform.aws").client("sts", {
    region = region or "us-east-1", endpoints = endpoints, credentials = credentials,
  })
end

local function session_name(p)
  return p and p.role_session_name or ("luaform-" .. os.time())
end

local function assume_role(profile, role_arn, source, region, endpoints)
  return refreshing("assume-role", function()
    local sts = sts_client(region, endpoints, source)
    local out = sts:AssumeRole{
      RoleArn = role_arn, RoleSessionName = session_name(profile),
      ExternalId = profile.external_id,
      DurationSeconds = tonumber(profile.duration_seconds),
    }
    return sts_creds(out, "AssumeRole " .. role_arn)
  end)
end

local function web_identity(token_file, role_arn, sess, region, endpoints)
  return refreshing("web-identity", function()
    local token = core.read_file(token_file)
    if not token then cerr("web identity token file %s cannot be read", token_file) end
    local sts = sts_client(region, endpoints, false)
    local out = sts:AssumeRoleWithWebIdentity{
      RoleArn = role_arn, RoleSessionName = sess or ("luaform-" .. os.time()),
      WebIdentityToken = (token:gsub("%s+$", "")),
    }
    return sts_creds(out, "AssumeRoleWithWebIdentity " .. role_arn)
  end)
end

local function credential_process(cmd)
  return refreshing("credential_process", function()
    local p = io.popen(cmd, "r")
    if not p then cerr("credential_process could not be started") end
    local out = p:read("a")
    local ok, _, code = p:close()
    if not ok then cerr("credential_process exited with status %s", tostring(code)) end
    local okj, t = pcall(core.json_decode, out)
    if not okj or type(t) ~= "table" then cerr("credential_process printed no JSON object") end
    if t.Version ~= 1 then cerr("credential_process: unsupported Version (expected 1)") end
    return from_json_creds(t, "credential_process")
  end)
end

local function http_json(req, what)
  local res, err = core.aws_http(req)
  if not res then cerr("%s: %s", what, err) end
  if res.status ~= 200 then cerr("%s: HTTP status %d", what, res.status) end
  local ok, t = pcall(core.json_decode, res.body)
  if not ok or type(t) ~= "table" then cerr("%s: response is not a JSON object", what) end
  return t
end

local function container_allowed(url)
  local scheme, host = url:match("^(%a+)://%[?([^/%]:]*)")
  if not scheme then return false end
  if scheme:lower() == "https" then return true end
  if scheme:lower() ~= "http" then return false end
  return host == "localhost" or host:match("^127%.") ~= nil or host == "::1"
    or host == "169.254.170.2" or host == "169.254.170.23" or host:lower() == "fd00:ec2::23"
end

local function container()
  local rel, full = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), env("AWS_CONTAINER_CREDENTIALS_FULL_URI")
  if not rel and not full then return nil end
  local url = rel and ("http://169.254.170.2" .. rel) or full
  if not rel and not container_allowed(full) then
    cerr("AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback/ECS/EKS address")
  end
  return refreshing("container", function()
    local headers = {}
    local tf = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    local tok = tf and core.read_file(tf) or env("AWS_CONTAINER_AUTHORIZATION_TOKEN")
    if tok then headers.Authorization = (tok:gsub("%s+$", "")) end
    local last
    for _ = 1, 3 do
      local ok, t = pcall(http_json, { url = url, headers = headers, timeout_ms = 2000,
        connect_timeout_ms = 1000 }, "container credentials")
      if ok then return from_json_creds(t, "container credentials") end
      last = t
    end
    error(last, 0)
  end)
end

local function imds()
  if (env("AWS_EC2_METADATA_DISABLED") or ""):lower() == "true" then return nil end
  local base = (env("AWS_EC2_METADATA_SERVICE_ENDPOINT") or "http://169.254.169.254"):gsub("/+$", "")
  local timeout = math.floor((tonumber(env("AWS_METADATA_SERVICE_TIMEOUT") or "") or 1) * 1000)
  return refreshing("imds", function()
    local res, err = core.aws_http{ method = "PUT", url = base .. "/latest/api/token",
      headers = { ["X-aws-ec2-metadata-token-ttl-seconds"] = "21600" },
      timeout_ms = timeout, connect_timeout_ms = timeout }
    if not res then cerr("instance metadata: %s", err) end
    if res.status ~= 200 then cerr("instance metadata: token request got HTTP status %d", res.status) end
    local h = { ["X-aws-ec2-metadata-token"] = res.body }
    local path = base .. "/latest/meta-data/iam/security-credentials/"
    local r2, err2 = core.aws_http{ url = path, headers = h, timeout_ms = timeout, connect_timeout_ms = timeout }
    if not r2 then cerr("instance metadata: %s", err2) end
    if r2.status ~= 200 then cerr("instance metadata: no instance role (HTTP status %d)", r2.status) end
    local role = r2.body:match("^%s*([^%s]+)")
    if not role then cerr("instance metadata: no instance role") end
    local t = http_json({ url = path .. role, headers = h, timeout_ms = timeout, connect_timeout_ms = timeout },
      "instance metadata")
    if t.Code and t.Code ~= "Success" then cerr("instance metadata: role credentials status %s", t.Code) end
    return from_json_creds(t, "instance metadata")
  end)
end

-- ---- the chain ----

local shared = {}   -- key -> provider

local function fingerprint(opts)
  local keys = { "AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS", "AWS_REGION", "AWS_DEFAULT_REGION", "HOME" }
  local parts = { tostring(opts.profile) }
  for _, k in ipairs(keys) do parts[#parts + 1] = env(k) or "" end
  if type(opts.endpoints) == "table" then parts[#parts + 1] = tostring(opts.endpoints.sts) end
  return table.concat(parts, "\0")
end

-- Static keys of a profile section, or nil.
local function keys_in(section)
  if section and section.aws_access_key_id and section.aws_secret_access_key then
    return static("shared-files", section.aws_access_key_id, section.aws_secret_access_key,
      section.aws_session_token)
  end
end

-- region: for the chain's STS calls (M.provider decides it once).
local function source_of(files, name, opts, depth, explicit, region)
  if depth > 5 then cerr("profile %s: source_profile chain is too long (a cycle?)", name) end
  local prof = M.profile(files, name)
  if not prof and explicit then
    cerr("profile '%s' not found in %s or %s", name, files.config_path, files.credentials_path)
  end
  local has_keys = prof and prof.aws_access_key_id and prof.aws_secret_access_key
  if prof and prof.role_arn and (prof.source_profile or prof.credential_source)
      and not (depth > 0 and has_keys) then
    local src
    if prof.source_profile then
      local sp = M.profile(files, prof.source_profile)
      if not sp then cerr("profile %s: source_profile '%s' not found", name, prof.source_profile) end
      if prof.source_profile == name then   -- keys of the same profile
        if not sp.aws_access_key_id then cerr("profile %s: no keys for source_profile", name) end
        src = static("shared-files", sp.aws_access_key_id, sp.aws_secret_access_key, sp.aws_session_token)
      else
        src = source_of(files, prof.source_profile, opts, depth + 1, true, region)
      end
    else
      local cs = prof.credential_source
      if cs == "Environment" then
        local ak, sk = env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")
        if not ak or not sk then cerr("profile %s: credential_source Environment, but no keys in it", name) end
        src = static("environment", ak, sk, env("AWS_SESSION_TOKEN"))
      elseif cs == "EcsContainer" then src = container()
      elseif cs == "Ec2InstanceMetadata" then src = imds()
      else cerr("profile %s: unknown credential_source '%s'", name, tostring(cs)) end
      if not src then cerr("profile %s: credential_source %s is not available", name, cs) end
    end
    return assume_role(prof, prof.role_arn, src, region, opts.endpoints)
  end
  local wif, role = env("AWS_WEB_IDENTITY_TOKEN_FILE"), env("AWS_ROLE_ARN")
  if depth == 0 and wif and role then
    return web_identity(wif, role, env("AWS_ROLE_SESSION_NAME"), region, opts.endpoints)
  end
  if prof and prof.web_identity_token_file and prof.role_arn then
    return web_identity(prof.web_identity_token_file, prof.role_arn, prof.role_session_name, region, opts.endpoints)
  end
  local from_file = keys_in(files.credentials[name])
  if from_file then return from_file end
  if prof and prof.credential_process then return credential_process(prof.credential_process) end
  local from_config = keys_in(config_section(files, name))
  if from_config then return from_config end
  if depth > 0 then cerr("profile %s has no credentials", name) end
  return nil
end

-- The provider for a client's options {profile=, region=, endpoints=, credentials=}.
function M.provider(opts)
  opts = opts or {}
  local c = opts.credentials
  if c == false then return static("anonymous", nil, nil, nil) end
  if type(c) == "table" then
    if type(c.get) == "function" then return c end
    local ak = c.access_key or c.AccessKeyId
    local sk = c.secret_key or c.SecretAccessKey
    if not ak or not sk then cerr("credentials option needs access_key and secret_key") end
    return static("explicit", ak, sk, c.session_token or c.SessionToken)
  end
  if not opts.profile then
    local ak, sk = env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")
    if ak and sk then return static("environment", ak, sk, env("AWS_SESSION_TOKEN") or env("AWS_SECURITY_TOKEN")) end
  end
  local key = fingerprint(opts)
  if shared[key] then return shared[key] end
  local p
  do
    local files = M.files()
    local name = M.profile_name(opts.profile)
    local explicit = opts.profile ~= nil or env("AWS_PROFILE") ~= nil
    local region = opts.region or env("AWS_REGION") or env("AWS_DEFAULT_REGION")
      or (M.profile(files, name) or {}).region
    p = source_of(files, name, opts, 0, explicit, region) or container() or imds()
    if not p then
      cerr("no AWS credentials found (looked in the environment, profile '%s' of %s and %s, "
        .. "container credentials and instance metadata)", name, files.credentials_path, files.config_path)
    end
  end
  shared[key] = p
  return p
end

-- Forgets shared providers (tests that change files or the environment).
function M.reset() shared = {} end

return M
