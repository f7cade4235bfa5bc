-- luaform.aws: the Lua surface of the AWS transport.
--
--   local ec2 = aws.client("ec2", { region=, profile=, endpoints={ec2="http://..."},
--                                   insecure=, max_attempts=, credentials=, retry_base= })
--   ec2:CreateVpc{ CidrBlock = "10.0.0.0/16" }          any operation of the model
--   ec2:CreateVpc(params, { max_attempts = 1, token = t })   per-call options (token: for
--                                                       idempotency tokens params leave out)
--   ec2:DescribeSecurityGroups(p, { retry_codes = { "InvalidGroup.NotFound" } })
--                                                       codes retried like transient errors
--                                                       for this call (same max_attempts)
--   logs:CreateLogGroup(p, { throttles_only = true })   re-send only throttled answers
--                                                       (a create with no idempotency token)
--   for page in ec2:paginate("DescribeSubnets", params) do ... end
--   ec2:wait("VpcAvailable", { VpcIds = { id } }, { timeout = 300 })
--   ec2:prepare(op, params)                             the signed request, not sent
--   aws.cli(args)                                       `luaform aws SERVICE OPERATION ...`
--
-- A client is a table over a C handle (core.aws_client: model + endpoint); an operation
-- method is made on first access and kept in the client. Each call takes credentials from
-- the client's provider (luaform.aws.creds, resolved on first call) and runs
-- core.aws_call, which yields the calling coroutine until the response (with retries) is
-- in. Errors are tables {code, message, status, request_id, service, operation} printing
-- as one line; unknown operations fail with a did-you-mean before anything is sent.
-- Paginators and waiters come from the model; their JMESPath expressions are evaluated
-- by luaform.aws.jmespath (the subset the models use).
local core = require("luaform.core")
local creds = require("luaform.aws.creds")
local jmespath = require("luaform.aws.jmespath")

local M = {}
local Client = {}

local ERR_MT = core.aws_error_mt

local function raise(t) error(setmetatable(t, ERR_MT), 0) end

-- Names under which a provider's endpoints table may name a service (Terraform's too).
local ENDPOINT_ALIASES = {
  ["application-autoscaling"] = { "applicationautoscaling", "appautoscaling" },
  elbv2 = { "elasticloadbalancingv2", "lb" },
  logs = { "cloudwatchlogs" },
}

local function endpoint_for(service, endpoints)
  if type(endpoints) ~= "table" then return nil end
  if endpoints[service] then return endpoints[service] end
  for _, alias in ipairs(ENDPOINT_ALIASES[service] or {}) do
    if endpoints[alias] then return endpoints[alias] end
  end
end

-- ---- did you mean ----

local function distance(a, b)
  a, b = a:lower(), b:lower()
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = { [0] = i }
    for j = 1, #b do
      local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end

local function suggest(name, candidates)
  local best, bd
  for _, c in ipairs(candidates) do
    local d = distance(name, c)
    if not bd or d < bd then best, bd = c, d end
  end
  if best and bd <= math.max(2, #name // 3) then return best end
end

-- ---- clients ----

-- Other names users type for the model directories.
local SERVICE_ALIASES = {
  elasticloadbalancingv2 = "elbv2", applicationautoscaling = "application-autoscaling",
  ["application-auto-scaling"] = "application-autoscaling", cloudwatchlogs = "logs",
}

function M.client(service, opts)
  opts = opts or {}
  service = SERVICE_ALIASES[service] or service
  local pname = creds.profile_name(opts.profile)
  local prof = creds.profile(creds.files(), pname) or {}
  local region = creds.region(opts.region, opts.profile)
  if service == "iam" and not region then region = "us-east-1" end
  local h = core.aws_client(service, {
    region = region,
    endpoint = endpoint_for(service, opts.endpoints),
    profile_endpoint = prof.endpoint_url,
    profile_max_attempts = prof.max_attempts,
    max_attempts = opts.max_attempts,
    insecure = opts.insecure,
    retry_base = opts.retry_base,
    connect_timeout_ms = opts.connect_timeout_ms,
    timeout_ms = opts.timeout_ms,
  })
  local info = core.aws_info(h)
  local self = setmetatable({
    _h = h, _opts = opts, service = service, region = info.region, endpoint = info.url,
  }, Client)
  return self
end

function Client:_credentials()
  local p = self._provider
  if not p then
    p = creds.provider({ profile = self._opts.profile, region = self.region,
      endpoints = self._opts.endpoints, credentials = self._opts.credentials })
    self._provider = p
  end
  local c = p.get()
  if c.access_key == nil then return nil end
  return c
end

-- Codes meaning "these temporary credentials expired" (the service's clock decides).
local EXPIRED = { ExpiredToken = true, ExpiredTokenException = true, RequestExpiredToken = true }

-- Calls op with params (a table, may be nil) and per-call opts {max_attempts=, token=,
-- retry_codes=, throttles_only=}: the transport's standard mode is the only retry loop.
-- Idempotency tokens params leave out get opts.token, else one made for this call; params
-- is never written to, so the same table sent twice is two calls. When temporary
-- credentials were refused as expired, they are fetched again once and the call repeated
-- with the same token (it is the same logical call).
function Client:call(op, params, opts)
  local creds_now = self:_credentials()
  if not (creds_now and creds_now.expires) then
    return core.aws_call(self._h, op, params, creds_now, opts)
  end
  if not (opts and opts.token) then
    local o = { token = core.uuid() }
    for k, v in pairs(opts or {}) do o[k] = v end
    opts = o
  end
  local ok, res = pcall(core.aws_call, self._h, op, params, creds_now, opts)
  if ok then return res end
  if type(res) == "table" and EXPIRED[res.code] and self._provider.invalidate then
    self._provider.invalidate()
    return core.aws_call(self._h, op, params, self:_credentials(), opts)
  end
  error(res, 0)
end

-- The signed request op would send ({method, url, host, headers, body}), not sent; the
-- key id, signature and session token are redacted (as in the LUAFORM_LOG=debug log).
-- For debugging and `luaform aws --dry-run`.
function Client:prepare(op, params)
  if not core.aws_has_operation(self._h, op) then unknown_operation(self, op) end
  return core.aws_call(self._h, op, params, self:_credentials(), { dry_run = true })
end

function Client:info() return core.aws_info(self._h) end

function Client:operations()
  local ops = core.aws_operations(self._h)
  table.sort(ops)
  return ops
end

local function unknown_operation(self, name)
  local hint = suggest(name, core.aws_operations(self._h))
  raise({ code = "UnknownOperation", service = self.service, operation = name,
    message = "the " .. self.service .. " model has no operation " .. name
      .. (hint and (" (did you mean " .. hint .. "?)") or "") })
end

Client.__index = function(self, k)
  local m = Client[k]
  if m ~= nil then return m end
  if type(k) ~= "string" or not k:match("^%u") then return nil end
  if not core.aws_has_operation(self._h, k) then unknown_operation(self, k) end
  local f = function(c, params, opts)
    if getmetatable(c) ~= Client then
      error("call " .. k .. " as a method: client:" .. k .. "{...}", 2)
    end
    return c:call(k, params, opts)
  end
  rawset(self, k, f)
  return f
end

Client.__tostring = function(self) return "aws client " .. self.service .. " (" .. tostring(self.region) .. ")" end

-- ---- paginators ----

local function as_list(v)
  if v == nil then return {} end
  if type(v) == "table" then return v end
  return { v }
end

local function copy(t)
  local out = {}
  for k, v in pairs(t or {}) do out[k] = v end
  return out
end

-- Iterator over the pages of op. opts: { max_pages = n }.
function Client:paginate(op, params, opts)
  local pg = core.aws_paginator(self._h, op)
  if not pg then
    if not core.aws_has_operation(self._h, op) then unknown_operation(self, op) end
    raise({ code = "NotPaginated", service = self.service, operation = op,
      message = op .. " has no paginator in the model" })
  end
  local inputs, outputs = as_list(pg.input_token), as_list(pg.output_token)
  local p = copy(params)
  local done, pages, seen = false, 0, {}
  local max_pages = opts and opts.max_pages
  return function()
    if done then return nil end
    local page = self:call(op, p)
    pages = pages + 1
    local any, key = false, {}
    for i, expr in ipairs(outputs) do
      local tok = jmespath.search(expr, page)
      if tok == core.null then tok = nil end
      if tok ~= nil and tok ~= "" then any = true end
      p[inputs[i]] = tok
      key[#key + 1] = tostring(tok)
    end
    if pg.more_results and not jmespath.search(pg.more_results, page) then any = false end
    local k = table.concat(key, "\0")
    if not any or seen[k] or (max_pages and pages >= max_pages) then done = true end
    seen[k] = true
    return page
  end
end

-- All items of the paginator's (first) result key, across pages.
function Client:collect(op, params)
  local pg = core.aws_paginator(self._h, op)
  local rk = pg and as_list(pg.result_key)[1]
  if not rk then
    raise({ code = "NotPaginated", service = self.service, operation = op,
      message = op .. " has no paginator result key in the model" })
  end
  local items = {}
  for page in self:paginate(op, params) do
    local v = jmespath.search(rk, page)
    if type(v) == "table" then for _, x in ipairs(v) do items[#items + 1] = x end end
  end
  return items
end

-- ---- waiters ----

local function matches(acc, result, err)
  local m = acc.matcher
  if m == "error" then
    if err == nil then return acc.expected == false end
    if acc.expected == true then return true end
    return err.code == acc.expected
  end
  if m == "status" then return (err and err.status or 200) == acc.expected end
  if err ~= nil then return false end
  local v = jmespath.search(acc.argument, result)
  if m == "path" then return jmespath.equal(v, acc.expected) end
  if type(v) ~= "table" or #v == 0 then return false end
  if m == "pathAll" then
    for _, x in ipairs(v) do if not jmespath.equal(x, acc.expected) then return false end end
    return true
  elseif m == "pathAny" then
    for _, x in ipairs(v) do if jmespath.equal(x, acc.expected) then return true end end
    return false
  end
  return false
end

-- Polls the waiter's operation until an acceptor says success (returns the last output)
-- or failure (raises WaiterFailure); opts: { delay=, max_attempts=, timeout= (seconds) }.
function Client:wait(name, params, opts)
  opts = opts or {}
  local w = core.aws_waiter(self._h, name)
  if not w then
    local hint = suggest(name, core.aws_waiter_names(self._h))
    raise({ code = "UnknownWaiter", service = self.service, operation = name,
      message = "the " .. self.service .. " model has no waiter " .. name
        .. (hint and (" (did you mean " .. hint .. "?)") or "") })
  end
  local delay = opts.delay or w.delay or 15
  local max = opts.max_attempts or w.maxAttempts or 40
  local deadline = opts.timeout and (core.now() + opts.timeout)
  local attempt = 0
  while true do
    attempt = attempt + 1
    local ok, res = pcall(self.call, self, w.operation, params)
    local result, err = nil, nil
    if ok then result = res
    elseif type(res) == "table" and res.code then err = res
    else error(res, 0) end
    local state
    for _, acc in ipairs(w.acceptors or {}) do
      if matches(acc, result, err) then state = acc.state; break end
    end
    if state == "success" then return result end
    if state == "failure" then
      raise({ code = "WaiterFailure", service = self.service, operation = w.operation,
        message = "waiter " .. name .. " reached a failure state" ..
          (err and (" (" .. tostring(err.code) .. ")") or "") })
    end
    if state == nil and err then error(err, 0) end
    if attempt >= max or (deadline and core.now() + delay > deadline) then
      raise({ code = "WaiterTimeout", service = self.service, operation = w.operation,
        message = string.format("waiter %s gave up after %d attempts", name, attempt) })
    end
    core.sleep(delay)
  end
end

-- ---- luaform aws SERVICE OPERATION [--region R] [--profile P] ['{json}'] [--param k=v] ----

local CLI_HELP = [[
Usage: luaform aws SERVICE OPERATION [--region R] [--profile P] [--endpoint URL]
                   ['{"Json": "params"}'] [--param Key=value ...] [--paginate] [--dry-run]

  Calls any operation of an AWS service model and prints the result as JSON;
  `luaform aws SERVICE` lists the operations of the service's model.
  --param values are JSON when they parse as JSON, else strings; Key may be
  a dotted path (Filters.1.Name=vpc-id). --paginate prints every page.
  --dry-run prints the signed request (key id, signature and token redacted)
  instead. LUAFORM_LOG=debug logs each request and response (secrets redacted).]]

local function set_path(t, path, v)
  local parts = {}
  for seg in path:gmatch("[^.]+") do parts[#parts + 1] = tonumber(seg) or seg end
  for i = 1, #parts - 1 do
    local k = parts[i]
    if type(t[k]) ~= "table" then t[k] = {} end
    t = t[k]
  end
  t[parts[#parts]] = v
end

function M.cli(args)
  local service, op, params, flags = nil, nil, {}, {}
  local json_text   -- the JSON argument, when it alone gives the parameters
  local i = 1
  while i <= #args do
    local a = args[i]
    local name, val = a:match("^%-%-?([%w_-]+)=(.*)$")
    if not name then name = a:match("^%-%-?([%w_-]+)$") end
    if a == "-h" or a == "--help" or a == "help" then print(CLI_HELP); return 0
    elseif name == "paginate" then flags.paginate = true
    elseif name == "dry-run" then flags.dry_run = true
    elseif name then
      if not val then i = i + 1; val = args[i] end
      if val == nil then io.stderr:write("Error: --" .. name .. " needs a value\n"); return 1 end
      if name == "param" then
        json_text = false
        local k, v = val:match("^([^=]+)=(.*)$")
        if not k then io.stderr:write("Error: --param expects Key=value\n"); return 1 end
        local ok, j = pcall(core.json_decode, v)
        set_path(params, k, ok and j or v)
      else
        flags[name:gsub("-", "_")] = val
      end
    elseif a:match("^%s*{") then
      local ok, j = pcall(core.json_decode, a)
      if not ok or type(j) ~= "table" then io.stderr:write("Error: parameters are not a JSON object\n"); return 1 end
      for k, v in pairs(j) do params[k] = v end
      json_text = json_text == nil and a or false   -- one JSON object: sent as written
    elseif not service then service = a
    elseif not op then op = a
    else io.stderr:write("Error: unexpected argument " .. a .. "\n"); return 1 end
    i = i + 1
  end
  if not service then io.stderr:write(CLI_HELP .. "\n"); return 1 end
  if not op then   -- `luaform aws SERVICE`: the operations of its model
    local ok, c = pcall(M.client, service, { region = flags.region or "us-east-1", credentials = false })
    if not ok then io.stderr:write("Error: " .. tostring(c) .. "\n"); return 1 end
    for _, name in ipairs(c:operations()) do print(name) end
    return 0
  end
  local ok, err = pcall(function()
    local c = M.client(service, { region = flags.region, profile = flags.profile,
      endpoints = flags.endpoint and { [service] = flags.endpoint } or nil })
    if flags.dry_run then
      print(core.json_encode(c:prepare(op, json_text or params), { pretty = true }))
    elseif flags.paginate then
      local pages = setmetatable({}, core.json_array_mt)
      for page in c:paginate(op, params) do pages[#pages + 1] = page end
      print(core.json_encode(pages, { pretty = true }))
    else
      print(core.json_encode(c[op](c, json_text or params), { pretty = true }))
    end
  end)
  if not ok then
    io.stderr:write("Error: " .. tostring(err) .. "\n")
    return 1
  end
  return 0
end

M.creds = creds
M.jmespath = jmespath
return M
