-- luaform.surgery: changes to a state document by address, for
-- `luaform state mv|rm`, `import` and migration scripts.
--
-- An address pattern is an exact resource address (aws_vpc.main,
-- module.net.aws_subnet.public["a"]), a resource without its key
-- (aws_subnet.public: every instance), or a module (module.net: every
-- resource inside, nested modules included). mv renames the matched
-- addresses by replacing the pattern's prefix, fixes the `module` field
-- and every dependency that pointed at a moved address. Functions work on
-- the document only; saving is the caller's.
local errors = require("luaform.errors")

local M = {}

-- Does addr fall under pattern?
function M.matches(pattern, addr)
  if addr == pattern then return true end
  local next_char = addr:sub(#pattern + 1, #pattern + 1)
  return addr:sub(1, #pattern) == pattern and (next_char == "." or next_char == "[")
end

-- Sorted addresses of st under pattern (all when pattern is nil).
function M.select(st, pattern)
  local out = {}
  for addr in pairs(st.resources) do
    if not pattern or M.matches(pattern, addr) then out[#out + 1] = addr end
  end
  table.sort(out)
  return out
end

-- Splits an address into its module path ("module.a.module.b" or nil)
-- and the resource part (aws_vpc.main["k"]).
local function split(addr)
  local mods, rest = {}, addr
  while true do
    local name, tail = rest:match('^module%.([%w_%-]+)%.(.+)$')
    if not name then break end
    mods[#mods + 1] = "module." .. name
    rest = tail
  end
  return #mods > 0 and table.concat(mods, ".") or nil, rest
end

function M.module_of(addr) return (split(addr)) end

local function check_address(addr, what)
  if type(addr) ~= "string" or not (addr:match("^[%a_][%w_]*%.[%w_%-]+") or addr:match("^module%.[%w_%-]+")) then
    errors.raise(nil, '%s "%s" is not a resource or module address', what, tostring(addr))
  end
end

-- Moves src (a pattern) to dst in st; with `into`, the entries go to the
-- document `into` instead (-state-out). Returns the list of {from, to}.
function M.mv(st, src, dst, into)
  check_address(src, "source")
  check_address(dst, "destination")
  into = into or st
  local moves = {}
  for _, addr in ipairs(M.select(st, src)) do
    moves[#moves + 1] = { from = addr, to = dst .. addr:sub(#src + 1) }
  end
  if #moves == 0 then errors.raise(nil, 'no resource "%s" in the state', src) end
  for _, m in ipairs(moves) do
    local taken = into.resources[m.to]
    if taken and not (into == st and M.matches(src, m.to)) then
      errors.raise(nil, 'cannot move %s to %s: the destination already exists', m.from, m.to)
    end
  end
  local entries = {}
  for _, m in ipairs(moves) do entries[m.to] = st.resources[m.from]; st.resources[m.from] = nil end
  local renamed = {}
  for _, m in ipairs(moves) do renamed[m.from] = m.to end
  for addr, e in pairs(entries) do
    e.module = M.module_of(addr)
    into.resources[addr] = e
  end
  -- Dependencies in both documents follow the rename.
  for _, doc in ipairs(into == st and { st } or { st, into }) do
    for _, e in pairs(doc.resources) do
      for i, d in ipairs(e.dependencies or {}) do e.dependencies[i] = renamed[d] or d end
    end
  end
  return moves
end

-- Removes every address under pattern; returns them. The objects stay
-- where they are: only luaform forgets them.
function M.rm(st, pattern)
  check_address(pattern, "address")
  local gone = M.select(st, pattern)
  if #gone == 0 then errors.raise(nil, 'no resource "%s" in the state', pattern) end
  for _, addr in ipairs(gone) do st.resources[addr] = nil end
  return gone
end

-- The type of a resource address: module.x.aws_vpc.main["k"] -> aws_vpc.
function M.type_of(addr)
  local _, rest = split(addr)
  return rest:match("^([%a_][%w_]*)%.")
end

return M
