-- luaform.docs: the argument and attribute reference of resource types,
-- from their schema (`luaform docs TYPE`, `luaform docs -markdown`).
--
-- Arguments are the attributes a user may set (required or optional);
-- the attribute reference lists what the type exports (id and every
-- attribute, computed ones included). Each entry says its type, whether it
-- is required, its default, whether a change forces replacement (always,
-- or for some changes when force_new is a function), whether the provider
-- computes it when unset, whether it is sensitive, and the schema's
-- description when there is one. Nested blocks list their own arguments.
-- text() is for the terminal; markdown() is one page per type, and
-- write_markdown() writes every page plus an index (README.md) into a
-- directory, the reference committed under docs/reference/.
-- module_text() is a module's interface ({ inputs, outputs, body }, see
-- luaform.interface) as terraform-docs shows a Terraform module's.
local core = require("luaform.core")
local schema = require("luaform.schema")

local M = {}

-- The markdown reference's directory in the repository.
M.DIR = "docs/reference"

local function type_text(spec)
  local t = spec.type or "any"
  if t == "json" then return "JSON document (string or table)" end
  if t == "block" then return "block" end
  if t == "list" or t == "set" or t == "map" then
    return string.format("%s of %s", t, spec.block and "blocks" or (spec.elem or "any"))
  end
  return t
end

local function shown(v)
  if type(v) == "function" then return "(computed from the other arguments)" end
  return core.json_encode(v)
end

-- The facts of one argument or attribute, in reading order.
local function facts(spec, as_argument)
  local out = { type_text(spec) }
  if as_argument then
    out[#out + 1] = spec.required and "required" or "optional"
    if spec.default ~= nil then out[#out + 1] = "default " .. shown(spec.default) end
    if spec.force_new == true then out[#out + 1] = "forces replacement"
    elseif spec.force_new then out[#out + 1] = "some changes force replacement" end
    if spec.computed then out[#out + 1] = "computed when unset" end
    if spec.conflicts_with then out[#out + 1] = "conflicts with " .. table.concat(spec.conflicts_with, ", ") end
  elseif spec.computed and not (spec.required or spec.optional) then
    out[#out + 1] = "computed"
  end
  if spec.sensitive then out[#out + 1] = "sensitive" end
  if spec.max_items then out[#out + 1] = "at most " .. spec.max_items end
  return out
end

local function settable(spec) return spec.required or spec.optional end

local function kind(mod) return mod.data_source and "data source" or "resource" end

-- The names of sch's arguments (as_argument) or of every attribute.
local function names(sch, as_argument)
  local out = {}
  for _, name in ipairs(schema.sorted_keys(sch)) do
    if not as_argument or settable(sch[name]) then out[#out + 1] = name end
  end
  return out
end

-- The exported attributes: id first, then every other one.
local function exported(mod)
  local sch = mod.schema
  if not sch.id then
    sch = setmetatable({ id = { type = "string", computed = true } },
      { __index = mod.schema })
  end
  return sch, schema.export_names(mod)
end

-- Terminal reference of a loaded type.
function M.text(mod)
  local lines = { string.format("%s (%s of provider %s, %s)", mod.type, kind(mod), mod.provider, mod.file) }
  local function entries(sch, list, as_argument, indent)
    local width = 0
    for _, n in ipairs(list) do width = math.max(width, #n) end
    for _, n in ipairs(list) do
      local spec = sch[n]
      lines[#lines + 1] = string.format("%s%-" .. width .. "s  %s", indent, n,
        table.concat(facts(spec, as_argument), ", "))
      if spec.description then lines[#lines + 1] = indent .. "    " .. spec.description end
      if as_argument and spec.block then
        entries(spec.block, names(spec.block, true), true, indent .. "    ")
      end
    end
  end
  lines[#lines + 1] = ""
  lines[#lines + 1] = "Arguments:"
  entries(mod.schema, names(mod.schema, true), true, "  ")
  lines[#lines + 1] = ""
  lines[#lines + 1] = "Attributes (exported):"
  local sch, list = exported(mod)
  entries(sch, list, false, "  ")
  return table.concat(lines, "\n") .. "\n"
end

-- The interface of module m (a { inputs, outputs, body } table) named
-- name: each input with its type, required or its default, sensitive,
-- whether it must be known when the stack is evaluated, its description;
-- each output with its description.
function M.module_text(name, m)
  local lines = { "module " .. name .. (m.description and (": " .. m.description) or ""), "", "Inputs:" }
  local inputs = schema.sorted_keys(m.inputs or {})
  local width = 0
  for _, n in ipairs(inputs) do width = math.max(width, #n) end
  for _, n in ipairs(inputs) do
    local spec = m.inputs[n]
    local f = { spec.type or "any", spec.required and "required" or "optional" }
    if spec.default ~= nil then f[#f + 1] = "default " .. shown(spec.default) end
    if spec.known then f[#f + 1] = "known when the stack is evaluated" end
    if spec.sensitive then f[#f + 1] = "sensitive" end
    if spec.validation then f[#f + 1] = "validated" end
    lines[#lines + 1] = string.format("  %-" .. width .. "s  %s", n, table.concat(f, ", "))
    if spec.description then lines[#lines + 1] = "      " .. spec.description end
  end
  lines[#lines + 1] = ""
  lines[#lines + 1] = "Outputs:"
  for _, n in ipairs(schema.sorted_keys(m.outputs or {})) do
    local spec = m.outputs[n]
    lines[#lines + 1] = "  " .. n .. (spec.sensitive and "  (sensitive)" or "")
    if spec.description then lines[#lines + 1] = "      " .. spec.description end
  end
  return table.concat(lines, "\n") .. "\n"
end

-- One markdown page of a loaded type.
function M.markdown(mod)
  local lines = {
    "# " .. mod.type, "",
    string.format("A %s of provider `%s`, defined in `%s`.", kind(mod), mod.provider, mod.file), "",
    "Generated by `luaform docs -markdown` from the type's schema; do not edit.", "",
    "## Argument reference", "",
  }
  local function entries(sch, list, as_argument, indent)
    for _, n in ipairs(list) do
      local spec = sch[n]
      local line = string.format("%s- `%s` - (%s)", indent, n, table.concat(facts(spec, as_argument), ", "))
      if spec.description then line = line .. " " .. spec.description end
      lines[#lines + 1] = line
      if as_argument and spec.block then
        entries(spec.block, names(spec.block, true), true, indent .. "  ")
      end
    end
  end
  local args = names(mod.schema, true)
  if #args == 0 then lines[#lines + 1] = "This type takes no arguments." end
  entries(mod.schema, args, true, "")
  lines[#lines + 1] = ""
  lines[#lines + 1] = "## Attribute reference"
  lines[#lines + 1] = ""
  local sch, list = exported(mod)
  entries(sch, list, false, "")
  return table.concat(lines, "\n") .. "\n"
end

-- Writes every type's page (dir/<name>.md, name as schema.type_names()
-- lists it) and the index (dir/README.md).
function M.write_markdown(dir, type_names)
  core.mkdir_p(dir)
  local index = { "# Resource type reference", "",
    "Generated by `luaform docs -markdown`; a test fails when it is stale." }
  local mods = {}
  for i, name in ipairs(type_names) do mods[i] = assert(schema.load(name)) end
  table.sort(mods, function(a, b)
    if a.provider ~= b.provider then return a.provider < b.provider end
    if a.type ~= b.type then return a.type < b.type end
    return b.data_source and not a.data_source   -- the resource, then its data source
  end)
  local section
  for _, mod in ipairs(mods) do
    local name = mod.name   -- "data.<type>": a data source named like a resource type
    if mod.provider ~= section then
      section = mod.provider
      index[#index + 1] = ""
      index[#index + 1] = "## Provider " .. section
      index[#index + 1] = ""
    end
    index[#index + 1] = string.format("- [%s](%s.md) (%s)", mod.type, name, kind(mod))
    assert(core.write_file(dir .. "/" .. name .. ".md", M.markdown(mod), "0644"))
  end
  assert(core.write_file(dir .. "/README.md", table.concat(index, "\n") .. "\n", "0644"))
end

return M
