-- luaform.context: what a provider operation is given.
--
-- ctx.address     the resource's address
-- ctx.where       (a data source's read) the file:line of its data() call
-- ctx.token       the idempotency token of a create (also in the state's
--                 pending intent, so a lost response can be recovered)
-- ctx.config      the configuration of the provider the entry uses
--                 (luaform.provider_choice decides which: region, endpoints...)
-- ctx.provider    its id ("aws", "aws.west")
-- ctx.dir         the stack directory
-- ctx.recent      (read_batch in a refresh) the ids whose objects luaform
--                 created less than a minute ago: { [id] = true }
-- ctx:client(svc) an AWS client for the provider's region and endpoints
-- ctx:sleep(s)    waits without blocking other operations
-- ctx:log(...)    a debug line (LUAFORM_LOG=debug)
local core = require("luaform.core")

local M = {}
local Ctx = {}
Ctx.__index = Ctx

local debug_log = core.getenv("LUAFORM_LOG") == "debug"

-- provider_id: from luaform.provider_choice (of_node, of_entry...).
-- What the operations through one configuration share (run, config,
-- provider, dir) is one table per run and configuration, which each ctx
-- inherits: a refresh of 100,000 resources makes 100,000 contexts, each
-- holding only its own fields.
function M.new(run, provider_id, fields)
  local shared = run.contexts
  if not shared then shared = {}; run.contexts = shared end
  local base = shared[provider_id]
  if not base then
    local config = require("luaform.provider_choice").config(run.cfg, provider_id, fields and fields.address)
    base = setmetatable({ run = run, config = config, provider = provider_id, dir = run.dir or "." }, Ctx)
    base.__index = base
    shared[provider_id] = base
  end
  return setmetatable(fields or {}, base)
end

function Ctx:client(service)
  local cache = self.run.clients
  if not cache then cache = {}; self.run.clients = cache end
  local key = self.provider .. "/" .. service
  if not cache[key] then
    local aws = require("luaform.aws")
    local c = self.config
    cache[key] = aws.client(service, {
      region = c.region, profile = c.profile, endpoints = c.endpoints,
      insecure = c.insecure, max_attempts = c.max_attempts,
    })
  end
  return cache[key]
end

function Ctx:sleep(s) core.sleep(s) end

function Ctx:log(fmt, ...)
  if debug_log then io.stderr:write(string.format("[debug] %s: " .. fmt .. "\n", self.address or "-", ...)) end
end

return M
