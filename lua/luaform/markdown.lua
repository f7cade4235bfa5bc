-- luaform.markdown: a plan as a pull request comment.
--
-- `plan -markdown` and `show -markdown PLANFILE` print a compact summary
-- a PR bot can post: a heading with Terraform's "Plan: N to add, ..."
-- line, a table of counts per action, then per resource a collapsible
-- <details> section with its human diff (luaform.render's block, secrets
-- hidden as there), replacements and deletions first as those are what a
-- reviewer must not miss, then updates, creates, reads and imports; the
-- drift and the output changes last, collapsed too.
local render = require("luaform.render")

local M = {}

-- Actions in the order a reviewer reads them, with their symbols.
local ORDER = {
  { action = "replace", label = "replace", sign = "-/+" },
  { action = "delete", label = "destroy", sign = "-" },
  { action = "update", label = "update in-place", sign = "~" },
  { action = "create", label = "create", sign = "+" },
  { action = "read", label = "read", sign = "<=" },
}

local function fenced(text)
  -- a fence longer than any run of backticks in the text
  local longest = 2
  for run in text:gmatch("`+") do longest = math.max(longest, #run) end
  local fence = string.rep("`", longest + 1)
  return fence .. "hcl\n" .. text:gsub("\n+$", "") .. "\n" .. fence .. "\n"
end

local function html(s)
  return (tostring(s):gsub("[<>&]", { ["<"] = "&lt;", [">"] = "&gt;", ["&"] = "&amp;" }))
end

local function details(summary, body)
  return "<details><summary>" .. summary .. "</summary>\n\n" .. fenced(body) .. "\n</details>\n"
end

function M.plan(plan)
  local out = {}
  local function add(s) out[#out + 1] = s end
  local imports = (plan.import or 0) > 0 and string.format("%d to import, ", plan.import) or ""
  if not plan.has_changes and not plan.outputs_changed then
    add("### luaform plan: no changes\n\nYour infrastructure matches the configuration.\n")
  else
    add(string.format("### luaform plan: %s%d to add, %d to change, %d to destroy\n\n", imports,
      plan.add, plan.change, plan.destroy))
  end
  local groups = {}
  for _, ch in ipairs(plan.changes) do
    local text = render.change_text(ch)
    if text then
      local key = ch.action == "replace" and "replace" or ch.action
      groups[key] = groups[key] or {}
      table.insert(groups[key], { ch = ch, text = text })
    end
  end
  local import_addrs = {}
  for addr, id in pairs(plan.imports or {}) do import_addrs[#import_addrs + 1] = { addr = addr, id = id } end
  table.sort(import_addrs, function(a, b) return a.addr < b.addr end)
  local rows = {}
  for _, o in ipairs(ORDER) do
    if groups[o.action] then rows[#rows + 1] = string.format("| `%s` %s | %d |", o.sign, o.label, #groups[o.action]) end
  end
  if #import_addrs > 0 then rows[#rows + 1] = string.format("| import | %d |", #import_addrs) end
  if #rows > 0 then
    add("| Action | Resources |\n|---|---|\n" .. table.concat(rows, "\n") .. "\n\n")
  end
  for _, o in ipairs(ORDER) do
    for _, item in ipairs(groups[o.action] or {}) do
      local sign = item.ch.create_before_destroy and o.action == "replace" and "+/-" or o.sign
      local summary = string.format("<code>%s</code> <b>%s</b> %s", sign, html(item.ch.addr),
        item.ch.action == "replace" and "must be replaced" or o.label)
      add(details(summary, item.text))
    end
  end
  for _, im in ipairs(import_addrs) do
    add(string.format("- <b>%s</b> will be imported from <code>%s</code>\n", html(im.addr), html(im.id)))
  end
  local drift = render.drift_text(plan)
  if drift ~= "" then
    add(details(string.format("%d object%s changed outside luaform", #plan.drift, #plan.drift == 1 and "" or "s"),
      drift))
  end
  local outputs = render.output_changes_text(plan)
  if outputs ~= "" then add(details("Changes to outputs", outputs)) end
  return table.concat(out)
end

return M
