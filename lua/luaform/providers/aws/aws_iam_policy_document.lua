-- data aws_iam_policy_document: an IAM policy document rendered from
-- statement blocks, as Terraform's data source: no AWS call, so known
-- arguments give a known document at plan time.
--
-- The rendering is canonical: keys in Terraform's order (Version, Id,
-- Statement; in a statement Sid, Effect, Action, NotAction, Resource,
-- NotResource, Principal, NotPrincipal, Condition), sets (actions,
-- resources, principal identifiers, condition values) sorted, a set of
-- one written as a string, principals of one type merged, conditions by
-- test then variable. json is indented by two spaces, minified_json has
-- no white space; id is a hash of json. source_policy_documents come
-- first; a statement of this document replaces one of theirs with the
-- same sid; override_policy_documents' statements replace this
-- document's statements with the same sid (and are added otherwise).
local core = require("luaform.core")
local json = require("luaform.providers.aws._json")
local resource = require("luaform.providers.aws._resource")

local principal = { type = "set", optional = true, block = {
  type = { type = "string", required = true },
  identifiers = { type = "set", elem = "string", required = true },
} }

local FIELDS = {
  version = { type = "string", optional = true, default = "2012-10-17",
    description = "The policy language version (2012-10-17 or 2008-10-17)." },
  policy_id = { type = "string", optional = true, description = "The document's Id." },
  source_policy_documents = { type = "list", elem = "string", optional = true,
    description = "Documents whose statements come first." },
  override_policy_documents = { type = "list", elem = "string", optional = true,
    description = "Documents whose statements replace those with the same sid." },
  statement = { type = "list", optional = true, description = "The statements.", block = {
    sid = { type = "string", optional = true },
    effect = { type = "string", optional = true, default = "Allow" },
    actions = { type = "set", elem = "string", optional = true },
    not_actions = { type = "set", elem = "string", optional = true },
    resources = { type = "set", elem = "string", optional = true },
    not_resources = { type = "set", elem = "string", optional = true },
    principals = principal,
    not_principals = principal,
    condition = { type = "set", optional = true, block = {
      test = { type = "string", required = true },
      variable = { type = "string", required = true },
      values = { type = "list", elem = "string", required = true },
    } },
  } },
  json = { type = "string", computed = true, description = "The document, indented." },
  minified_json = { type = "string", computed = true, description = "The document without white space." },
}

local STATEMENT_KEYS = { "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal",
  "NotPrincipal", "Condition" }

-- A set as IAM writes it: sorted, one element as a string.
local function set_value(list)
  if list == nil or #list == 0 then return nil end
  local out = {}
  for i, v in ipairs(list) do out[i] = v end
  table.sort(out)
  if #out == 1 then return out[1] end
  return out
end

local function principals(blocks)
  if not blocks or #blocks == 0 then return nil end
  local by_type = {}
  for _, p in ipairs(blocks) do
    by_type[p.type] = by_type[p.type] or {}
    for _, id in ipairs(p.identifiers or {}) do table.insert(by_type[p.type], id) end
  end
  if by_type["*"] then return "*" end
  local out = {}
  for t, ids in pairs(by_type) do out[t] = set_value(ids) end
  return out
end

local function conditions(blocks)
  if not blocks or #blocks == 0 then return nil end
  local out = {}
  for _, c in ipairs(blocks) do
    out[c.test] = out[c.test] or {}
    local vals = {}
    for i, v in ipairs(c.values or {}) do vals[i] = v end
    out[c.test][c.variable] = #vals == 1 and vals[1] or vals
  end
  return out
end

local function statement(s, path)
  if s.effect ~= "Allow" and s.effect ~= "Deny" then
    error(string.format('%s: effect must be "Allow" or "Deny", got "%s"', path, tostring(s.effect)), 0)
  end
  return { Sid = s.sid ~= "" and s.sid or nil, Effect = s.effect,
    Action = set_value(s.actions), NotAction = set_value(s.not_actions),
    Resource = set_value(s.resources), NotResource = set_value(s.not_resources),
    Principal = principals(s.principals), NotPrincipal = principals(s.not_principals),
    Condition = conditions(s.condition) }
end

-- The statements of another document (JSON text) as a list.
local function statements_of(text, path)
  local doc = json.decode(text)
  if type(doc) ~= "table" then error(path .. ": not a JSON policy document", 0) end
  local st = doc.Statement
  if st == nil then return {} end
  if st.Effect ~= nil then return { st } end
  return st
end

-- Statements merged by Sid: later ones replace earlier ones with the same Sid.
local function merge(list, more)
  for _, s in ipairs(more) do
    local at
    if s.Sid then
      for i, x in ipairs(list) do if x.Sid == s.Sid then at = i end end
    end
    if at then list[at] = s else list[#list + 1] = s end
  end
  return list
end

-- JSON of v with statement keys in Terraform's order (indent: "" = minified).
local function render(v, indent, depth, order)
  local nl = indent ~= "" and "\n" or ""
  local pad, inner = indent:rep(depth), indent:rep(depth + 1)
  local sep = indent ~= "" and ": " or ":"
  if type(v) ~= "table" then return core.json_encode(v) end
  if v[1] ~= nil then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = inner .. render(x, indent, depth + 1, order) end
    return "[" .. nl .. table.concat(parts, "," .. nl) .. nl .. pad .. "]"
  end
  local keys = {}
  if order then
    for _, k in ipairs(order) do if v[k] ~= nil then keys[#keys + 1] = k end end
  else
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
  end
  local parts = {}
  for i, k in ipairs(keys) do
    local sub = (k == "Statement") and STATEMENT_KEYS or nil
    local val = v[k]
    local text
    if sub and type(val) == "table" then
      local items = {}
      for j, s in ipairs(val) do items[j] = inner .. indent .. render(s, indent, depth + 2, STATEMENT_KEYS) end
      text = "[" .. nl .. table.concat(items, "," .. nl) .. nl .. inner .. "]"
    else
      text = render(val, indent, depth + 1, nil)
    end
    parts[i] = inner .. core.json_encode(k) .. sep .. text
  end
  return "{" .. nl .. table.concat(parts, "," .. nl) .. nl .. pad .. "}"
end

-- The document of the arguments (no AWS call).
local function adjust(ctx, out, _, args)
  local version = args.version or "2012-10-17"
  if version ~= "2012-10-17" and version ~= "2008-10-17" then
    error(string.format('%s: version must be "2012-10-17" or "2008-10-17", got "%s"', ctx.address, version), 0)
  end
  local list = {}
  for i, text in ipairs(args.source_policy_documents or {}) do
    merge(list, statements_of(text, string.format("%s: source_policy_documents[%d]", ctx.address, i)))
  end
  local own = {}
  for i, s in ipairs(args.statement or {}) do
    own[i] = statement(s, string.format("%s: statement[%d]", ctx.address, i))
  end
  merge(list, own)
  for i, text in ipairs(args.override_policy_documents or {}) do
    merge(list, statements_of(text, string.format("%s: override_policy_documents[%d]", ctx.address, i)))
  end
  local doc = { Version = version, Id = args.policy_id, Statement = list }
  local order = { "Version", "Id", "Statement" }
  out.version = version
  out.json = render(doc, "  ", 0, order)
  out.minified_json = render(doc, "", 0, order)
end

return resource.data{
  service = "iam", description = "An IAM policy document rendered from statement blocks (no AWS call).",
  fields = FIELDS, adjust = adjust,
  id = function(_, out) return core.sha256_hex(out.json):sub(1, 16) end,
}
