-- luaform.aws.jmespath: the subset of JMESPath that AWS paginators and waiters use.
--
-- Supported: identifiers ("quoted" too), a.b, a[0], a[-1], a[] (flatten: ends the current
-- projection and flattens its result), a[*] and a[?cond] (projections), @, literals
-- `json` and 'raw', ||, &&, !, ==, !=, <, <=, >, >=, parentheses, and the functions
-- length, contains, starts_with. That covers every path in the waiters-2.json and
-- paginators-1.json of models/; anything else is an error naming the expression.
-- Evaluation follows the spec's truthiness (false, null, "", [] and {} are false) and
-- drops nulls from projections. Compiled expressions are cached by text.
local core = require("luaform.core")

local M = {}

local function is_null(v) return v == nil or v == core.null end

local function truthy(v)
  if is_null(v) or v == false or v == "" then return false end
  if type(v) == "table" then return next(v) ~= nil end
  return true
end

-- ---- lexer ----

local function lex(s)
  local toks, i = {}, 1
  local function push(t, v) toks[#toks + 1] = { t = t, v = v } end
  while i <= #s do
    local c = s:sub(i, i)
    if c:match("%s") then i = i + 1
    elseif c:match("[%a_]") then
      local id = s:match("^[%w_]+", i); push("id", id); i = i + #id
    elseif c:match("[%d%-]") then
      local n = s:match("^%-?%d+", i)
      if not n then error("bad number at " .. i) end
      push("num", tonumber(n)); i = i + #n
    elseif c == '"' then
      local j = s:find('"', i + 1, true)
      if not j then error("unterminated quoted identifier") end
      push("id", s:sub(i + 1, j - 1)); i = j + 1
    elseif c == "`" then
      local j = s:find("`", i + 1, true)
      if not j then error("unterminated literal") end
      local txt = s:sub(i + 1, j - 1)
      local ok, v = pcall(core.json_decode, txt)
      if not ok then v = txt end
      push("lit", v); i = j + 1
    elseif c == "'" then
      local j = s:find("'", i + 1, true)
      if not j then error("unterminated raw string") end
      push("lit", s:sub(i + 1, j - 1)); i = j + 1
    else
      local two = s:sub(i, i + 1)
      if two == "||" or two == "&&" or two == "==" or two == "!=" or two == "<=" or two == ">="
        or two == "[?" or two == "[]" then
        push(two); i = i + 2
      elseif ("[].()!<>@*,"):find(c, 1, true) then
        push(c); i = i + 1
      else
        error("unexpected '" .. c .. "'")
      end
    end
  end
  push("eof")
  return toks
end

-- ---- parser: AST nodes are tables {k = kind, ...} ----

local P = {}
P.__index = P

function P:peek() return self.toks[self.i].t end
function P:next() local t = self.toks[self.i]; self.i = self.i + 1; return t end
function P:expect(t)
  local tok = self:next()
  if tok.t ~= t then error("expected '" .. t .. "', got '" .. tok.t .. "'") end
  return tok
end

function P:expr() return self:or_() end

function P:or_()
  local l = self:and_()
  while self:peek() == "||" do self:next(); l = { k = "or", l, self:and_() } end
  return l
end

function P:and_()
  local l = self:cmp()
  while self:peek() == "&&" do self:next(); l = { k = "and", l, self:cmp() } end
  return l
end

local CMP = { ["=="] = true, ["!="] = true, ["<"] = true, ["<="] = true, [">"] = true, [">="] = true }

function P:cmp()
  local l = self:unary()
  if CMP[self:peek()] then
    local op = self:next().t
    return { k = "cmp", op = op, l, self:unary() }
  end
  return l
end

function P:unary()
  if self:peek() == "!" then self:next(); return { k = "not", self:unary() } end
  return self:path()
end

-- A path: a primary then steps; steps are {k="field"|"index"|"flatten"|"filter"|"star"}.
function P:path()
  local steps = {}
  local t = self:peek()
  local head
  if t == "id" then
    local name = self:next().v
    if self:peek() == "(" then
      self:next()
      local args = {}
      if self:peek() ~= ")" then
        args[#args + 1] = self:expr()
        while self:peek() == "," do self:next(); args[#args + 1] = self:expr() end
      end
      self:expect(")")
      head = { k = "call", name = name, args = args }
    else
      steps[#steps + 1] = { k = "field", name = name }
    end
  elseif t == "lit" then head = { k = "lit", v = self:next().v }
  elseif t == "@" then self:next()
  elseif t == "(" then self:next(); head = self:expr(); self:expect(")")
  elseif t ~= "[]" and t ~= "[" and t ~= "[?" then   -- (a bracket step on @ has no head)
    error("unexpected '" .. t .. "'")
  end
  while true do
    t = self:peek()
    if t == "." then
      self:next()
      steps[#steps + 1] = { k = "field", name = self:expect("id").v }
    elseif t == "[]" then self:next(); steps[#steps + 1] = { k = "flatten" }
    elseif t == "[?" then
      self:next()
      local cond = self:expr()
      self:expect("]")
      steps[#steps + 1] = { k = "filter", cond = cond }
    elseif t == "[" then
      self:next()
      if self:peek() == "*" then self:next(); self:expect("]"); steps[#steps + 1] = { k = "star" }
      else
        local n = self:expect("num").v
        self:expect("]")
        steps[#steps + 1] = { k = "index", n = n }
      end
    else break end
  end
  return { k = "path", head = head, steps = steps }
end

-- ---- evaluation ----

local eval

local function step(v, s)
  if s.k == "field" then
    if type(v) ~= "table" or v == core.null then return nil end
    return v[s.name]
  elseif s.k == "index" then
    if type(v) ~= "table" then return nil end
    local n = s.n < 0 and (#v + s.n + 1) or (s.n + 1)
    return v[n]
  end
end

-- Steps i..j (no flatten inside) applied to v; star/filter project the rest.
local function eval_seg(v, steps, i, j)
  for s = i, j do
    local st = steps[s]
    if st.k == "star" or st.k == "filter" then
      if type(v) ~= "table" then return nil end
      local out = {}
      for _, e in ipairs(v) do
        if st.k == "star" or truthy(eval(st.cond, e)) then
          local r = eval_seg(e, steps, s + 1, j)
          if not is_null(r) then out[#out + 1] = r end
        end
      end
      return out
    end
    v = step(v, st)
    if is_null(v) then return nil end
  end
  return v
end

local function eval_path(node, cur)
  local v = cur
  if node.head then v = eval(node.head, cur) end
  local steps = node.steps
  -- Split at flatten steps: seg0 [] seg1 [] seg2 ...
  local start = 1
  local first = true
  for s = 1, #steps + 1 do
    if s > #steps or steps[s].k == "flatten" then
      if first then
        v = eval_seg(v, steps, start, s - 1)
        first = false
      else
        if type(v) ~= "table" then return nil end
        local out = {}
        for _, e in ipairs(v) do
          local r = eval_seg(e, steps, start, s - 1)
          if not is_null(r) then out[#out + 1] = r end
        end
        v = out
      end
      if s <= #steps then   -- flatten v one level
        if type(v) ~= "table" then return nil end
        local flat = {}
        for _, e in ipairs(v) do
          if type(e) == "table" and e ~= core.null and (#e > 0 or next(e) == nil) then
            for _, x in ipairs(e) do flat[#flat + 1] = x end
          elseif not is_null(e) then flat[#flat + 1] = e end
        end
        v = flat
      end
      start = s + 1
    end
  end
  return v
end

local function equal(a, b)
  if is_null(a) and is_null(b) then return true end
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then return a == b end
  for k, x in pairs(a) do if not equal(x, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

local FUNCS = {
  length = function(v)
    if type(v) == "string" then return #v end
    if type(v) == "table" then local n = 0; for _ in pairs(v) do n = n + 1 end; return n end
    return nil
  end,
  contains = function(h, n)
    if type(h) == "string" then return type(n) == "string" and h:find(n, 1, true) ~= nil end
    if type(h) == "table" then for _, x in ipairs(h) do if equal(x, n) then return true end end end
    return false
  end,
  starts_with = function(s, p) return type(s) == "string" and type(p) == "string" and s:sub(1, #p) == p end,
}

eval = function(node, cur)
  local k = node.k
  if k == "path" then return eval_path(node, cur)
  elseif k == "lit" then return node.v
  elseif k == "or" then
    local l = eval(node[1], cur)
    if truthy(l) then return l end
    return eval(node[2], cur)
  elseif k == "and" then
    local l = eval(node[1], cur)
    if not truthy(l) then return l end
    return eval(node[2], cur)
  elseif k == "not" then return not truthy(eval(node[1], cur))
  elseif k == "cmp" then
    local a, b = eval(node[1], cur), eval(node[2], cur)
    local op = node.op
    if op == "==" then return equal(a, b) end
    if op == "!=" then return not equal(a, b) end
    if type(a) ~= "number" or type(b) ~= "number" then return nil end
    if op == "<" then return a < b elseif op == "<=" then return a <= b
    elseif op == ">" then return a > b else return a >= b end
  elseif k == "call" then
    local f = FUNCS[node.name]
    if not f then error("unknown function " .. node.name .. "()") end
    local args = {}
    for i, a in ipairs(node.args) do args[i] = eval(a, cur) end
    return f(table.unpack(args, 1, #node.args))
  end
end

local cache = {}

function M.compile(expr)
  local c = cache[expr]
  if c then return c end
  local ok, res = pcall(function()
    local p = setmetatable({ toks = lex(expr), i = 1 }, P)
    local ast = p:expr()
    p:expect("eof")
    return ast
  end)
  if not ok then error("JMESPath '" .. expr .. "': " .. tostring(res), 2) end
  cache[expr] = res
  return res
end

-- The value of expr on data (nil for null).
function M.search(expr, data)
  local v = eval(M.compile(expr), data)
  if v == core.null then return nil end
  return v
end

M.equal = equal
M.truthy = truthy
return M
