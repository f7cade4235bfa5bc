-- luaform.provider_schema: `luaform providers schema -json`, the schemas of
-- every resource type and data source in the shape of Terraform's
-- `terraform providers schema -json` (format_version "1.0"), so tools that
-- read Terraform's schema read luaform's.
--
-- Each provider is keyed by the source address "luaform.local/providers/
-- <provider>" (Terraform's "registry.terraform.io/hashicorp/aws" form; the
-- host says these are not registry providers); a stack's own types join
-- the provider they are filed under (providers/aws/ -> aws). A type's schema is
-- { version = schema_version or 0, block = { attributes, block_types } }.
-- An attribute carries its type as Terraform's type expression ("string",
-- "number", "bool", "dynamic", ["list", T], ["set", T], ["map", T],
-- ["object", { name = T }]) and, as Terraform's JSON omits false values,
-- required / optional / computed / sensitive only when true, and
-- description only when the type gives one. A settable list, set or
-- single nested block is a block_types entry with nesting_mode "list",
-- "set" or "single" (min_items 1 when required, max_items when limited);
-- a computed-only one is an attribute of object type, as Terraform has
-- it. A "json" document is a string (AWS policies are JSON strings).
-- The provider block's own configuration is not declared by schema yet,
-- so each `provider` is an empty block.
local core = require("luaform.core")
local schema = require("luaform.schema")

local M = {}

M.FORMAT_VERSION = "1.0"

-- The source address that keys a provider's schemas.
function M.address(provider) return "luaform.local/providers/" .. provider end

local object_mt = core.json_object_mt

local function object(t) return setmetatable(t, object_mt) end

local SCALAR = { string = "string", number = "number", bool = "bool", json = "string", any = "dynamic" }

local type_of

-- ["object", { name = T }] of a nested schema.
local function object_type(block)
  local fields = {}
  for name, spec in pairs(block) do fields[name] = type_of(spec) end
  return { "object", object(fields) }
end

-- The Terraform type expression of an attribute spec.
function type_of(spec)
  local t = spec.type or "any"
  if SCALAR[t] then return SCALAR[t] end
  if t == "block" then return object_type(spec.block) end
  local elem = spec.block and object_type(spec.block) or SCALAR[spec.elem or "any"] or "dynamic"
  return { t, elem }
end

local function settable(spec) return spec.required or spec.optional end

local block_of

-- A block_types entry for a settable nested block.
local function block_type(spec)
  local mode = spec.type == "block" and "single" or spec.type
  return {
    nesting_mode = mode, block = block_of(spec.block),
    min_items = mode ~= "single" and spec.required and 1 or nil,
    max_items = mode ~= "single" and spec.max_items or nil,
  }
end

-- The block representation of a schema table.
function block_of(sch)
  local attributes, block_types = {}, {}
  for _, name in ipairs(schema.sorted_keys(sch)) do
    local spec = sch[name]
    if spec.block and settable(spec) then
      block_types[name] = block_type(spec)
    else
      attributes[name] = {
        type = type_of(spec), description = spec.description,
        required = spec.required or nil, optional = (spec.optional and not spec.required) or nil,
        computed = spec.computed or nil, sensitive = spec.sensitive or nil,
      }
    end
  end
  local out = { attributes = object(attributes) }
  if next(block_types) then out.block_types = block_types end
  return out
end

-- The schema representation of a loaded type.
function M.type_schema(mod)
  local sch = mod.schema
  if not sch.id then   -- every type exports id (schema.exports)
    local with_id = { id = { type = "string", computed = true } }
    for k, v in pairs(sch) do with_id[k] = v end
    sch = with_id
  end
  return { version = mod.schema_version or 0, block = block_of(sch) }
end

-- The whole document for the given types (names, loaded with schema.load).
function M.document(type_names)
  local providers = {}
  for _, name in ipairs(type_names) do
    local mod = assert(schema.load(name))
    local key = M.address(mod.provider)
    local p = providers[key]
    if not p then
      p = { provider = { version = 0, block = { attributes = object({}) } },
        resource_schemas = object({}), data_source_schemas = object({}) }
      providers[key] = p
    end
    local list = mod.data_source and p.data_source_schemas or p.resource_schemas
    list[mod.type] = M.type_schema(mod)
  end
  return { format_version = M.FORMAT_VERSION, provider_schemas = object(providers) }
end

return M
