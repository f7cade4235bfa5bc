-- random_id: random bytes, as Terraform's random provider has it.
--
-- byte_length, keepers and prefix force a new value. Exports the bytes as
-- b64_url (also the id), b64_std, hex and dec (the bytes as one unsigned
-- big-endian integer in decimal).
local core = require("luaform.core")

local M = {}

M.schema = {
  byte_length = { type = "number", required = true, force_new = true },
  keepers = { type = "map", elem = "string", optional = true, force_new = true },
  prefix = { type = "string", optional = true, force_new = true },
  b64_url = { type = "string", computed = true },
  b64_std = { type = "string", computed = true },
  hex = { type = "string", computed = true },
  dec = { type = "string", computed = true },
}

-- Decimal digits of a big-endian byte string (schoolbook division by 10).
local function decimal(bytes)
  local digits = { bytes:byte(1, -1) }
  local out = {}
  while #digits > 0 do
    local rem, q = 0, {}
    for _, d in ipairs(digits) do
      local cur = rem * 256 + d
      local qd = cur // 10
      rem = cur % 10
      if #q > 0 or qd > 0 then q[#q + 1] = qd end
    end
    out[#out + 1] = tostring(rem)
    digits = q
  end
  local s = table.concat(out):reverse()
  return s == "" and "0" or s
end

local function attributes(args, bytes)
  local prefix = args.prefix or ""
  local b64url = core.base64url_encode(bytes)
  return {
    id = b64url, byte_length = args.byte_length, keepers = args.keepers, prefix = args.prefix,
    b64_url = prefix .. b64url, b64_std = prefix .. core.base64_encode(bytes),
    hex = prefix .. core.hex_encode(bytes), dec = prefix .. decimal(bytes),
  }
end

function M.create(_, args)
  if args.byte_length < 1 then error("byte_length must be at least 1", 0) end
  return attributes(args, core.random_bytes(math.tointeger(args.byte_length)))
end

function M.read(_, _, prior) return prior end

function M.delete() end

function M.import(_, id)
  local bytes = core.base64_decode((id:gsub("-", "+"):gsub("_", "/")) .. string.rep("=", (4 - #id % 4) % 4))
  return attributes({ byte_length = #bytes }, bytes)
end

M.decimal = decimal
return M
