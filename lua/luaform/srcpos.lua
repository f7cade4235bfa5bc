-- luaform.srcpos: the line of an argument inside a resource()/data() call.
--
-- Lua records one line per call, not per key of a table constructor, so
-- an error about an argument would point at the `resource(` line. When
-- the arguments are written as a table constructor right in the call,
-- this module finds the key's own line by reading the call from the
-- source file: it tokenizes the file (comments, short and long strings
-- skipped, lines counted), finds the only `resource(` (or `data(`) call
-- that starts on the call's line, and looks for `key =` or `["key"] =`
-- among the fields of its third argument (not in nested tables). In any
-- other case - the arguments built elsewhere, two such calls on the
-- line, a source file it cannot read - it answers nil and the caller
-- keeps the call's line.
local core = require("luaform.core")

local M = {}

-- Skips a long bracket ([[...]], [==[...]==]) starting at i; returns the
-- position after it and the number of newlines inside, or nil.
local function long_bracket(src, i)
  local eqs = src:match("^%[(=*)%[", i)
  if not eqs then return nil end
  local close = "]" .. eqs .. "]"
  local _, stop = src:find(close, i + #eqs + 2, true)
  stop = stop or #src
  local _, newlines = src:sub(i, stop):gsub("\n", "")
  return stop + 1, newlines
end

-- Skips a quoted string starting at i (its quote); returns the position
-- after it, its text (escapes left as written) and its newlines.
local function quoted(src, i)
  local q = src:sub(i, i)
  local j, newlines = i + 1, 0
  while j <= #src do
    local c = src:sub(j, j)
    if c == "\\" then
      if src:sub(j + 1, j + 1) == "\n" then newlines = newlines + 1 end
      j = j + 2
    elseif c == q or c == "\n" then
      break
    else
      j = j + 1
    end
  end
  return j + 1, src:sub(i + 1, j - 1), newlines
end

-- The tokens of a Lua source: { kind = "name"|"string"|"op", text, line }.
local function tokenize(src)
  local tokens, i, line = {}, 1, 1
  local function add(kind, text) tokens[#tokens + 1] = { kind = kind, text = text, line = line } end
  while i <= #src do
    local c = src:sub(i, i)
    if c == "\n" then
      line, i = line + 1, i + 1
    elseif c:match("%s") then
      i = i + 1
    elseif src:sub(i, i + 1) == "--" then
      local after, newlines = long_bracket(src, i + 2)
      if after then
        i, line = after, line + newlines
      else
        i = (src:find("\n", i, true) or #src + 1)
      end
    elseif c == '"' or c == "'" then
      local after, text, newlines = quoted(src, i)
      add("string", text)
      i, line = after, line + newlines
    elseif c == "[" and src:match("^%[=*%[", i) then
      local after, newlines = long_bracket(src, i)
      add("string", nil)
      i, line = after, line + newlines
    elseif c:match("[%a_]") then
      local name = src:match("^[%w_]+", i)
      add("name", name)
      i = i + #name
    elseif c:match("%d") then
      i = i + #src:match("^[%w%.]+", i)
    else
      local op = src:match("^[=~<>]=", i) or src:match("^%.%.%.?", i) or src:match("^::", i) or c
      add("op", op)
      i = i + #op
    end
  end
  return tokens
end

local OPEN = { ["("] = true, ["{"] = true, ["["] = true }
local CLOSE = { [")"] = true, ["}"] = true, ["]"] = true }

-- Index of the token that starts the third argument of the call whose
-- "(" is at index open, or nil.
local function third_argument(tokens, open)
  local depth, commas = 0, 0
  for i = open + 1, #tokens do
    local t = tokens[i]
    if t.kind == "op" and OPEN[t.text] then depth = depth + 1
    elseif t.kind == "op" and CLOSE[t.text] then
      if depth == 0 then return nil end
      depth = depth - 1
    elseif depth == 0 and t.kind == "op" and t.text == "," then
      commas = commas + 1
      if commas == 2 then return i + 1 end
    end
  end
  return nil
end

-- Line of the field `key` among the fields of the constructor whose "{"
-- is at index open, or nil.
local function field_line(tokens, open, key)
  local depth = 0
  for i = open + 1, #tokens do
    local t = tokens[i]
    if t.kind == "op" and OPEN[t.text] then depth = depth + 1
    elseif t.kind == "op" and CLOSE[t.text] then
      if depth == 0 then return nil end
      depth = depth - 1
    end
    local prev = tokens[i - 1]
    local starts_field = depth == 0 and prev.kind == "op"
      and (prev.text == "{" or prev.text == "," or prev.text == ";")
    if starts_field then
      local eq = tokens[i + 1]
      if t.kind == "name" and t.text == key and eq and eq.text == "=" then return t.line end
    end
    -- ["key"] = ...: the "[" opens depth 1 at the field's start
    if depth == 1 and t.kind == "string" and t.text == key and prev.text == "["
      and tokens[i + 1] and tokens[i + 1].text == "]" and tokens[i + 2] and tokens[i + 2].text == "="
      and tokens[i - 2] and (tokens[i - 2].text == "{" or tokens[i - 2].text == "," or tokens[i - 2].text == ";") then
      return t.line
    end
  end
  return nil
end

-- "file:line" of argument `key` of the call to function `fn_name` at
-- `where` ("file:line" of the call), or nil when it cannot be told.
function M.argument(where, fn_name, key)
  local file, line = tostring(where):match("^(.*):(%d+)$")
  if not file then return nil end
  local src = core.read_file(file)
  if not src then return nil end
  local tokens = tokenize(src)
  local call
  for i = 1, #tokens - 1 do
    local t = tokens[i]
    if t.line == tonumber(line) and t.kind == "name" and t.text == fn_name and tokens[i + 1].text == "("
      and not (tokens[i - 1] and (tokens[i - 1].text == "." or tokens[i - 1].text == ":")) then
      if call then return nil end   -- two calls on the line: which one?
      call = i + 1
    end
  end
  if not call then return nil end
  local arg = third_argument(tokens, call)
  if not arg or tokens[arg].text ~= "{" then return nil end
  local at = field_line(tokens, arg, key)
  return at and (file .. ":" .. at) or nil
end

return M
