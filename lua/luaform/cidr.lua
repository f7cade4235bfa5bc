-- luaform.cidr: Terraform's cidrsubnet, cidrsubnets, cidrhost and
-- cidrnetmask, for IPv4 and IPv6, with Terraform's error texts.
--
-- libc parses and prints the addresses (core.inet_pton/inet_ntop); an
-- address is handled here as a list of bits (32 or 128), so that a subnet
-- or host number is written into its place without 128-bit integers.
-- Errors are raised as plain strings; luaform.functions adds the
-- function's name and the caller's file:line.
local core = require("luaform.core")

local M = {}

local function fail(fmt, ...) error(string.format(fmt, ...), 0) end

local function integer(v, what)
  if math.type(v) ~= "integer" and not (type(v) == "number" and v == math.floor(v)) then
    fail("%s must be a whole number, got %s", what, type(v) == "string" and string.format("%q", v) or tostring(v))
  end
  return math.tointeger(v)
end

-- "10.0.0.0/16" -> bits (host part zeroed), prefix length, address length.
local function parse(prefix)
  if type(prefix) ~= "string" then fail("invalid CIDR address: expected a string such as \"10.0.0.0/16\", got %s", type(prefix)) end
  local addr, len = prefix:match("^(.-)/(%d+)$")
  local bytes = addr and core.inet_pton(addr)
  len = tonumber(len)
  if not bytes or len > #bytes * 8 then fail("invalid CIDR address %q", prefix) end
  local bits = {}
  for i = 1, #bytes do
    local b = bytes:byte(i)
    for k = 7, 0, -1 do bits[#bits + 1] = (b >> k) & 1 end
  end
  for i = len + 1, #bits do bits[i] = 0 end
  return bits, len, #bits
end

local function text(bits)
  local bytes = {}
  for i = 1, #bits, 8 do
    local b = 0
    for k = 0, 7 do b = (b << 1) | bits[i + k] end
    bytes[#bytes + 1] = string.char(b)
  end
  return core.inet_ntop(table.concat(bytes))
end

-- Does n (>= 0) fit in `width` bits?
local function fits(n, width) return n >= 0 and (width >= 63 or n < (1 << width)) end

-- Writes n into bits[from .. from + width - 1], most significant first.
local function put(bits, from, width, n)
  for i = width - 1, 0, -1 do
    bits[from + i] = n & 1
    n = n >> 1
  end
end

local function copy(bits) return { table.unpack(bits) } end

function M.cidrsubnet(prefix, newbits, netnum)
  local bits, len, total = parse(prefix)
  newbits, netnum = integer(newbits, "newbits"), integer(netnum, "netnum")
  if newbits < 0 or len + newbits > total then fail("insufficient address space to extend prefix of %d by %d", len, newbits) end
  if not fits(netnum, newbits) then fail("prefix extension of %d does not accommodate a subnet numbered %d", newbits, netnum) end
  put(bits, len + 1, newbits, netnum)
  return text(bits) .. "/" .. (len + newbits)
end

function M.cidrhost(prefix, hostnum)
  local bits, len, total = parse(prefix)
  hostnum = integer(hostnum, "hostnum")
  local width, n = total - len, hostnum
  if n < 0 and width < 63 then n = (1 << width) + n end   -- -1: the last address
  if not fits(n, width) then fail("prefix of %d does not accommodate a host numbered %d", len, hostnum) end
  put(bits, len + 1, width, n)
  return text(bits)
end

function M.cidrnetmask(prefix)
  local bits, len, total = parse(prefix)
  if total ~= 32 then fail("IPv6 addresses cannot have a netmask: %s", prefix) end
  for i = 1, total do bits[i] = i <= len and 1 or 0 end
  return text(bits)
end

-- Consecutive subnets, each aligned to its size, as Terraform allocates them.
function M.cidrsubnets(prefix, ...)
  local base, len, total = parse(prefix)
  local out, current, curlen = {}, nil, nil
  for i = 1, select("#", ...) do
    local newbits = integer(select(i, ...), "newbits")
    local length = len + newbits
    if newbits < 1 or length > total then
      fail("would extend prefix to %d bits, which is too long for an IPv%d address", length, total == 32 and 4 or 6)
    end
    local next = copy(base)
    if current then
      -- the last address of the current subnet, taken to the new size, plus one
      for k = curlen + 1, total do next[k] = 1 end
      for k = 1, curlen do next[k] = current[k] end
      for k = length + 1, total do next[k] = 1 end
      local carry = 1
      for k = total, 1, -1 do
        local s = next[k] + carry
        next[k], carry = s & 1, s >> 1
      end
      for k = length + 1, total do next[k] = 0 end
      local inside = carry == 0
      for k = 1, len do inside = inside and next[k] == base[k] end
      if not inside then
        fail("not enough remaining address space for a subnet with a prefix of %d bits after %s", length, out[#out])
      end
    end
    current, curlen = next, length
    out[#out + 1] = text(next) .. "/" .. length
  end
  return out
end

return M
