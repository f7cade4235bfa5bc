-- luaform.diffview: one attribute's change as reviewable lines.
--
-- What Terraform shows under an attribute of a plan: a JSON document
-- (schema type "json", also inside a block) decoded inside
-- `jsonencode(...)`, objects, maps
-- and lists of blocks opened up, and of each only what changed with its
-- context: members of an object by key (map keys quoted), unchanged ones
-- counted in "# (N unchanged attributes hidden)" (elements for maps and
-- lists); list elements matched one to one, by identity where they
-- have one (IDENTITIES: a container definition by name, a policy
-- statement by Sid, a security group rule by ports and protocol, a
-- listener action by type, a service's load balancer block by target
-- group, container and port), otherwise in order, a removed and an added
-- element at one place shown as one changed element; a multi-line string
-- line by line between <<-EOT and EOT. A created or destroyed value is
-- shown whole, every line + or -. Values are printed by luaform.render's
-- value().
--
-- attribute() returns lines {indent, sign, text}: sign is "+", "-", "~"
-- or " "; a printer writes indent spaces, the sign, a space, the text.
local core = require("luaform.core")
local deferred = require("luaform.deferred")
local values = require("luaform.values")

local M = {}
local UNKNOWN = deferred.UNKNOWN

-- Keys that name a list element, tried in order: the first set that
-- every element on both sides has, and that no two elements share.
local IDENTITIES = {
  { "name" }, { "Sid" }, { "from_port", "to_port", "protocol" }, { "type", "order" }, { "type" },
  { "target_group_arn", "container_name", "container_port" }, { "target_group_arn" }, { "arn" },
}

local function is_table(v) return type(v) == "table" and v ~= UNKNOWN end

local function is_array(v, spec)
  if not is_table(v) then return false end
  if spec and (spec.type == "list" or spec.type == "set") then return true end
  if spec and (spec.type == "map" or spec.type == "block") then return false end
  if getmetatable(v) == core.json_array_mt then return true end
  if getmetatable(v) == core.json_object_mt then return false end
  return next(v) ~= nil and #v > 0
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

local function key_text(k, quoted)
  k = tostring(k)
  if not quoted and k:match("^[%a_][%w_%-]*$") then return k end
  return core.json_encode(k)
end

local function child_spec(spec, k, array)
  if not spec then return nil end
  if spec.block then return array and { type = "block", block = spec.block } or spec.block[k] end
  if spec.elem then return type(spec.elem) == "table" and spec.elem or { type = spec.elem } end
  return nil
end

local function count_line(n, what)
  return string.format("# (%d unchanged %s%s hidden)", n, what, n == 1 and "" or "s")
end

local function decoded(v)
  if type(v) ~= "string" then return v end
  local ok, d = pcall(core.json_decode, v)
  if ok and type(d) == "table" then return d end
  return v
end

-- Lines of the whole value v, every one signed `sign`; the first line
-- starts with prefix ("key = " or ""), the last ends with suffix.
local function whole(out, indent, sign, prefix, v, spec, suffix, scalar)
  if spec and spec.type == "json" and is_table(decoded(v)) then   -- a document inside a block
    out[#out + 1] = { indent, sign, prefix .. "jsonencode(" }
    whole(out, indent + 4, sign, "", decoded(v), nil, "", scalar)
    out[#out + 1] = { indent, " ", ")" .. suffix }
    return
  end
  if not is_table(v) or next(v) == nil then
    local empty = is_table(v) and (is_array(v, spec) and "[]" or "{}")
    out[#out + 1] = { indent, sign, prefix .. (empty or scalar(v, spec)) .. suffix }
    return
  end
  local array = is_array(v, spec)
  out[#out + 1] = { indent, sign, prefix .. (array and "[" or "{") }
  if array then
    for i, x in ipairs(v) do whole(out, indent + 4, sign, "", x, child_spec(spec, i, true), ",", scalar) end
  else
    local quoted = spec and spec.type == "map"
    local width = 0
    for _, k in ipairs(sorted_keys(v)) do width = math.max(width, #key_text(k, quoted)) end
    for _, k in ipairs(sorted_keys(v)) do
      local kt = key_text(k, quoted)
      whole(out, indent + 4, sign, kt .. string.rep(" ", width - #kt) .. " = ", v[k], child_spec(spec, k), "", scalar)
    end
  end
  out[#out + 1] = { indent, " ", (array and "]" or "}") .. suffix }
end

local function identity_of(a, b)
  for _, keys in ipairs(IDENTITIES) do
    local ok = true
    for _, list in ipairs({ a, b }) do
      local here = {}
      for _, x in ipairs(list) do
        if not is_table(x) then return nil end
        local parts = {}
        for _, k in ipairs(keys) do
          if x[k] == nil or is_table(x[k]) or x[k] == UNKNOWN then ok = false break end
          parts[#parts + 1] = tostring(x[k])
        end
        if not ok then break end
        local id = table.concat(parts, "\0")
        if here[id] then ok = false break end
        here[id] = true
      end
      if not ok then break end
    end
    if ok then
      return function(x)
        local parts = {}
        for _, k in ipairs(keys) do parts[#parts + 1] = tostring(x[k]) end
        return table.concat(parts, "\0")
      end, keys
    end
  end
end

-- Longest common subsequence of a and b under same(x, y): the edit
-- script as a list of {op, x, y}: "=" both, "-" only x, "+" only y; a
-- removal comes before the addition that takes its place.
local function edits(a, b, same)
  local n, m = #a, #b
  local L = {}
  for i = n + 1, 1, -1 do
    L[i] = {}
    for j = m + 1, 1, -1 do
      if i > n or j > m then L[i][j] = 0
      elseif same(a[i], b[j]) then L[i][j] = L[i + 1][j + 1] + 1
      else L[i][j] = math.max(L[i + 1][j], L[i][j + 1]) end
    end
  end
  local out, i, j = {}, 1, 1
  while i <= n or j <= m do
    if i <= n and j <= m and same(a[i], b[j]) then
      out[#out + 1] = { "=", a[i], b[j] }; i, j = i + 1, j + 1
    elseif i <= n and (j > m or L[i + 1][j] >= L[i][j + 1]) then
      out[#out + 1] = { "-", a[i], nil }; i = i + 1
    else
      out[#out + 1] = { "+", nil, b[j] }; j = j + 1
    end
  end
  return out
end

-- The edit script of elements that have an identity, whatever their
-- order: removed ones first, then b's in its order, each matched ("=")
-- with a's element of the same identity or added.
local function match_by(id, a, b)
  local in_a, in_b, out = {}, {}, {}
  for _, x in ipairs(a) do in_a[id(x)] = x end
  for _, y in ipairs(b) do in_b[id(y)] = true end
  for _, x in ipairs(a) do
    if not in_b[id(x)] then out[#out + 1] = { "-", x, nil } end
  end
  for _, y in ipairs(b) do
    local x = in_a[id(y)]
    out[#out + 1] = x and { "=", x, y } or { "+", nil, y }
  end
  return out
end

-- Pairs a run of removals with the additions right after it (same
-- count, both tables): an element changed in place.
local function pair_changes(script)
  local out, i = {}, 1
  while i <= #script do
    local j = i
    while j <= #script and script[j][1] == "-" do j = j + 1 end
    local k = j
    while k <= #script and script[k][1] == "+" do k = k + 1 end
    local removed, added = j - i, k - j
    if removed > 0 and removed == added then
      for d = 0, removed - 1 do
        local x, y = script[i + d][2], script[j + d][3]
        if is_table(x) and is_table(y) and is_array(x) == is_array(y) then
          out[#out + 1] = { "~", x, y }
        else
          out[#out + 1] = script[i + d]; out[#out + 1] = script[j + d]
        end
      end
      i = k
    else
      out[#out + 1] = script[i]; i = i + 1
    end
  end
  return out
end

local change

-- Lines of a changed object or array (both tables of the same kind).
local function nested(out, indent, prefix, a, b, spec, suffix, scalar, context)
  local array = is_array(a, spec) or is_array(b, spec)
  out[#out + 1] = { indent, "~", prefix .. (array and "[" or "{") }
  local hidden = 0
  if array then
    local id, id_keys = identity_of(a, b)
    local script = id and match_by(id, a, b) or pair_changes(edits(a, b, values.deep_equal))
    local espec = child_spec(spec, 1, true)
    for _, e in ipairs(script) do
      local op, x, y = e[1], e[2], e[3]
      if op == "=" and values.deep_equal(x, y) then hidden = hidden + 1
      elseif op == "=" or op == "~" then change(out, indent + 4, "", x, y, espec, ",", scalar, id_keys)
      elseif op == "+" then whole(out, indent + 4, "+", "", y, espec, ",", scalar)
      else whole(out, indent + 4, "-", "", x, espec, ",", scalar) end
    end
    if hidden > 0 then out[#out + 1] = { indent + 4, " ", count_line(hidden, "element") } end
  else
    local quoted = spec and spec.type == "map"
    local keys, width, shown_context = {}, 0, {}
    for _, k in ipairs(context or {}) do shown_context[k] = true end
    local all = {}
    for k in pairs(a) do all[k] = true end
    for k in pairs(b) do all[k] = true end
    for _, k in ipairs(sorted_keys(all)) do
      local cs = child_spec(spec, k)
      if not values.equal(cs, a[k], b[k]) or shown_context[k] then
        keys[#keys + 1] = k
        width = math.max(width, #key_text(k, quoted))
      else hidden = hidden + 1 end
    end
    for _, k in ipairs(keys) do
      local kt = key_text(k, quoted)
      change(out, indent + 4, kt .. string.rep(" ", width - #kt) .. " = ", a[k], b[k], child_spec(spec, k), "", scalar)
    end
    if hidden > 0 then out[#out + 1] = { indent + 4, " ", count_line(hidden, quoted and "element" or "attribute") } end
  end
  out[#out + 1] = { indent, " ", (array and "]" or "}") .. suffix }
end

-- A multi-line string, line by line.
local function text_lines(out, indent, prefix, a, b, suffix)
  local la, lb = {}, {}
  for l in (a .. "\n"):gmatch("(.-)\n") do la[#la + 1] = l end
  for l in (b .. "\n"):gmatch("(.-)\n") do lb[#lb + 1] = l end
  out[#out + 1] = { indent, "~", prefix .. "<<-EOT" }
  local hidden = 0
  for _, e in ipairs(edits(la, lb, function(x, y) return x == y end)) do
    if e[1] == "=" then hidden = hidden + 1
    else
      if hidden > 0 then out[#out + 1] = { indent + 4, " ", count_line(hidden, "line") }; hidden = 0 end
      out[#out + 1] = { indent + 4, e[1], e[1] == "+" and e[3] or e[2] }
    end
  end
  if hidden > 0 then out[#out + 1] = { indent + 4, " ", count_line(hidden, "line") } end
  out[#out + 1] = { indent, " ", "EOT" .. suffix }
end

-- Lines of a value a that becomes b (either may be nil).
function change(out, indent, prefix, a, b, spec, suffix, scalar, context)
  if a == core.null then a = nil end
  if b == core.null then b = nil end
  if values.equal(spec, a, b) then
    out[#out + 1] = { indent, " ", prefix .. scalar(a, spec) .. suffix }
  elseif a == nil then whole(out, indent, "+", prefix, b, spec, suffix, scalar)
  elseif b == nil then whole(out, indent, "-", prefix, a, spec, " -> null" .. suffix, scalar)
  elseif spec and spec.type == "json" and is_table(decoded(a)) and is_table(decoded(b)) then
    out[#out + 1] = { indent, "~", prefix .. "jsonencode(" }
    change(out, indent + 4, "", decoded(a), decoded(b), nil, "", scalar)
    out[#out + 1] = { indent, " ", ")" .. suffix }
  elseif is_table(a) and is_table(b) and is_array(a, spec) == is_array(b, spec) then
    nested(out, indent, prefix, a, b, spec, suffix, scalar, context)
  elseif type(a) == "string" and type(b) == "string" and (a:find("\n") or b:find("\n")) then
    text_lines(out, indent, prefix, a, b, suffix)
  else
    out[#out + 1] = { indent, "~", prefix .. scalar(a, spec) .. " -> " .. scalar(b, spec) .. suffix }
  end
end

-- Lines of attribute `key` from before to after (nil: absent) at indent,
-- key padded to width; scalar(v, spec) prints a single value. The first
-- line of a changed attribute ends with note (" # forces replacement").
function M.attribute(indent, key, width, spec, before, after, scalar, note)
  local out = {}
  local prefix = key .. string.rep(" ", width - #key) .. " = "
  note = note or ""
  if spec and spec.type == "json" and after == UNKNOWN and is_table(decoded(before)) then
    out[1] = { indent, "~", prefix .. "jsonencode(" }
    whole(out, indent + 4, "-", "", decoded(before), nil, "", scalar)
    out[#out + 1] = { indent, " ", ") -> (known after apply)" .. note }
    return out
  end
  if spec and spec.type == "json" and before ~= UNKNOWN and after ~= UNKNOWN then
    local a, b = decoded(before), decoded(after)
    if (a == nil or is_table(a)) and (b == nil or is_table(b)) and (a ~= nil or b ~= nil) then
      local sign = a == nil and "+" or b == nil and "-" or "~"
      out[1] = { indent, sign, prefix .. "jsonencode(" .. note }
      local inner = {}
      change(inner, indent + 4, "", a, b, nil, "", scalar)
      for _, l in ipairs(inner) do out[#out + 1] = l end
      out[#out + 1] = { indent, " ", ")" .. (b == nil and " -> null" or "") }
      return out
    end
  end
  change(out, indent, prefix, before, after, spec, "", scalar)
  if note ~= "" then out[1][3] = out[1][3] .. note end
  return out
end

return M
