-- luaform.template: the template language of templatefile(), a subset of
-- Terraform's string templates, so that a .tftpl file carries over:
--
--   ${name}  ${a.b.c}             the value of vars.name (vars.a.b.c)
--   %{ if flag }..%{ else }..%{ endif }      flag must be true or false;
--                                            `if !flag` negates it
--   %{ for x in list }..%{ endfor }          a list in order, a map by key
--   %{ for k, v in list_or_map }..%{ endfor }  k: index from 0, or the key
--   $${ and %%{                   a literal ${ and %{
--   ~ after ${ or %{ (before })   strips the whitespace and newlines before
--                                 (after) the tag
--
-- Interpolated values are strings, numbers or booleans; a table is an
-- error (json() it in vars). Errors give the template's file:line.
local M = {}

local function fail(file, line, fmt, ...)
  error(string.format("%s:%d: " .. fmt, file, line, ...), 0)
end

-- text -> tokens: { text = "..." } and { tag = "$"|"%", expr = "...", line = n }.
local function tokenize(src, file)
  local tokens, pos, strip_next = {}, 1, false
  local function add_text(t)
    if strip_next then t = t:gsub("^%s+", "") end
    strip_next = false
    tokens[#tokens + 1] = { text = t }
  end
  while true do
    local i = src:find("[$%%]{", pos)
    if not i then add_text(src:sub(pos)); break end
    local line = select(2, src:sub(1, i):gsub("\n", "")) + 1
    local c = src:sub(i, i)
    if i > pos and src:sub(i - 1, i - 1) == c then   -- $${ or %%{
      add_text(src:sub(pos, i - 1) .. "{")
      pos = i + 2
    else
      local j = src:find("}", i + 2, true)
      if not j then fail(file, line, "%s{ is not closed by }", c) end
      local expr = src:sub(i + 2, j - 1)
      add_text(src:sub(pos, i - 1))
      if expr:sub(1, 1) == "~" then
        tokens[#tokens].text = tokens[#tokens].text:gsub("%s+$", "")
        expr = expr:sub(2)
      end
      if expr:sub(-1) == "~" then strip_next, expr = true, expr:sub(1, -2) end
      tokens[#tokens + 1] = { tag = c, expr = expr:match("^%s*(.-)%s*$"), line = line }
      pos = j + 1
    end
  end
  return tokens
end

local function lookup(scope, expr, file, line)
  if not expr:match("^[%a_][%w_]*$") and not expr:match("^[%a_][%w_]*[%.%w_]*[%w_]$") then
    fail(file, line, "unsupported expression %q: a template refers to vars by name (name or a.b)", expr)
  end
  local v = scope
  for name in expr:gmatch("[^.]+") do
    if type(v) ~= "table" or v[name] == nil then fail(file, line, "vars has no key %q", expr) end
    v = v[name]
  end
  return v
end

-- Renders tokens[i..] until a directive in `stop` (returns its index).
local function render(tokens, i, scope, file, out, stop)
  while i <= #tokens do
    local t = tokens[i]
    if t.text then
      if out then out[#out + 1] = t.text end
      i = i + 1
    elseif t.tag == "$" then
      if out then
        local v = lookup(scope, t.expr, file, t.line)
        if type(v) == "table" then fail(file, t.line, "%s is a table: a template interpolates text, numbers and booleans", t.expr) end
        out[#out + 1] = tostring(v)
      end
      i = i + 1
    else
      local word = t.expr:match("^(%a+)")
      if stop and stop[word] then return i, word end
      if word == "if" then
        local neg, name = t.expr:match("^if%s+(!?)%s*(.-)$")
        local cond = false
        if out then
          cond = lookup(scope, name, file, t.line)
          if type(cond) ~= "boolean" then fail(file, t.line, "the condition %s is not true or false", name) end
          if neg == "!" then cond = not cond end
        end
        local j, w = render(tokens, i + 1, scope, file, out and cond and out or nil, { ["else"] = true, endif = true })
        if w == "else" then j, w = render(tokens, j + 1, scope, file, out and not cond and out or nil, { endif = true }) end
        if w ~= "endif" then fail(file, t.line, "%%{ if } has no %%{ endif }") end
        i = j + 1
      elseif word == "for" then
        local k, v, name = t.expr:match("^for%s+([%a_][%w_]*)%s*,%s*([%a_][%w_]*)%s+in%s+(.-)$")
        if not k then v, name = t.expr:match("^for%s+([%a_][%w_]*)%s+in%s+(.-)$") end
        if not v then fail(file, t.line, "unsupported directive %%{ %s }: write %%{ for x in list } or %%{ for k, v in map }", t.expr) end
        local items = {}
        if out then
          local c = lookup(scope, name, file, t.line)
          if type(c) ~= "table" then fail(file, t.line, "%s is not a list or a map", name) end
          if #c > 0 or next(c) == nil then
            for n, x in ipairs(c) do items[#items + 1] = { n - 1, x } end
          else
            local keys = {}
            for key in pairs(c) do keys[#keys + 1] = tostring(key) end
            table.sort(keys)
            for _, key in ipairs(keys) do items[#items + 1] = { key, c[key] } end
          end
        end
        local j, w = render(tokens, i + 1, scope, file, nil, { endfor = true })
        if w ~= "endfor" then fail(file, t.line, "%%{ for } has no %%{ endfor }") end
        for _, item in ipairs(items) do
          local inner = setmetatable({ [v] = item[2] }, { __index = scope })
          if k then inner[k] = item[1] end
          render(tokens, i + 1, inner, file, out, { endfor = true })
        end
        i = j + 1
      else
        fail(file, t.line, "unsupported directive %%{ %s }: the directives are if, else, endif, for, endfor", t.expr)
      end
    end
  end
  return i, nil
end

-- The text of template `src` (from `file`) with `vars`.
function M.render(src, vars, file)
  local tokens = tokenize(src, file)
  local out = {}
  local i, word = render(tokens, 1, vars, file, out, { ["else"] = true, endif = true, endfor = true })
  if word then fail(file, tokens[i].line, "%%{ %s } without its opening directive", word) end
  return table.concat(out)
end

return M
