-- What the type schemas yield, end to end through the CLI: `providers
-- schema -json` in the shape of Terraform's `providers schema -json`
-- (format_version, provider_schemas -> resource_schemas /
-- data_source_schemas -> {version, block = {attributes, block_types}},
-- attribute types as Terraform's type expressions, nested blocks with
-- nesting_mode, false flags left out), `docs TYPE`, `docs -markdown` and
-- the committed docs/reference (stale docs fail here), and `types DIR`
-- (valid Lua, the fields of one type, .luarc.json). Run in
-- examples/custom-type, each includes that stack's own types.
local EXAMPLE = core.exe_dir .. "/examples/custom-type"
local AWS = "luaform.local/providers/aws"

local function run(dir, ...)
  local out, code = luaform(dir, ...)
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  return out
end

local function schema_doc(dir)
  return core.json_decode(run(dir, "providers", "schema", "-json"))
end

test("providers schema -json has every type in Terraform's format", function()
  local doc = schema_doc(tmpdir())
  expect(doc.format_version).to_be("1.0")
  local aws = doc.provider_schemas[AWS]
  expect(aws.provider).to_equal({ version = 0, block = { attributes = {} } })
  local queue = aws.resource_schemas.aws_sqs_queue
  expect(queue.version).to_be(0)
  local attrs = queue.block.attributes
  expect(attrs.name).to_equal({ type = "string", required = true, description = "The queue's name." })
  expect(attrs.visibility_timeout_seconds).to_equal({ type = "number", optional = true })
  expect(attrs.fifo_queue).to_equal({ type = "bool", optional = true })
  expect(attrs.tags).to_equal({ type = { "map", "string" }, optional = true,
    description = "Tags of the object (the provider's default_tags are added under them)." })
  expect(attrs.arn).to_equal({ type = "string", computed = true })
  expect(attrs.id).to_equal({ type = "string", computed = true })
  expect(attrs.sqs_managed_sse_enabled).to_equal({ type = "bool", optional = true, computed = true })
  -- a settable set of blocks is a block type; its fields are its block's attributes
  local ingress = aws.resource_schemas.aws_security_group.block.block_types.ingress
  expect(ingress.nesting_mode).to_be("set")
  expect(ingress.block.attributes.from_port).to_equal({ type = "number", required = true })
  expect(ingress.block.attributes.cidr_blocks).to_equal({ type = { "set", "string" }, optional = true })
  expect(aws.resource_schemas.aws_security_group.block.attributes.ingress).to_be_nil()
  -- data sources apart from resources
  expect(aws.data_source_schemas.aws_region.block.attributes.name)
    .to_equal({ type = "string", optional = true, computed = true })
  expect(aws.resource_schemas.aws_region).to_be_nil()
  expect(doc.provider_schemas["luaform.local/providers/local"].resource_schemas.local_file.block.attributes
    .sensitive_content).to_equal({ type = "string", optional = true, sensitive = true })
  -- every type the engine knows is there, once
  local n = 0
  for _, p in pairs(doc.provider_schemas) do
    for _ in pairs(p.resource_schemas) do n = n + 1 end
    for _ in pairs(p.data_source_schemas) do n = n + 1 end
  end
  expect(n).to_be(#require("luaform.schema").type_names())
end)

test("providers schema -json includes a stack's own types, with descriptions and nested blocks", function()
  local doc = schema_doc(copy_stack(EXAMPLE))
  local tables = doc.provider_schemas[AWS].resource_schemas
  local t = tables.aws_dynamodb_table.block
  expect(t.attributes.name).to_equal({ type = "string", required = true,
    description = "The table's name, unique in the region; also the id." })
  expect(t.block_types.attribute).to_equal({ nesting_mode = "set", min_items = 1, block = { attributes = {
    name = { type = "string", required = true, description = "The attribute's name." },
    type = { type = "string", required = true, description = "S (string), N (number) or B (binary)." },
  } } })
  expect(tables.aws_dynamodb_table_item.block.attributes.item.type).to_be("string")
  expect(tables.aws_sqs_queue).to_be_truthy()
  local out, code = luaform(tmpdir(), "providers", "schema")
  expect(code).to_be(1)
  expect(out).to_contain("providers schema needs -json")
end)

test("docs TYPE prints the argument and attribute reference", function()
  local out = run(tmpdir(), "docs", "aws_sqs_queue")
  expect(out).to_match("\n  name +string, required, forces replacement\n")
  expect(out).to_match("\n  visibility_timeout_seconds +number, optional, default 30\n")
  expect(out).to_match("\n  sqs_managed_sse_enabled +bool, optional, computed when unset\n")
  expect(out).to_match("Attributes %(exported%):\n  arn +string, computed\n")
  expect(out).to_match("\n  url +string, computed\n")
  out = run(tmpdir(), "docs", "local_file")
  expect(out).to_match("\n  sensitive_content +string, optional, sensitive\n")
  local code
  out, code = luaform(tmpdir(), "docs", "aws_sqs_queu")
  expect(code).to_be(1)
  expect(out).to_contain('unknown resource type "aws_sqs_queu" (did you mean "aws_sqs_queue"?)')
  out = run(copy_stack(EXAMPLE), "docs")
  expect(out).to_match("\naws_dynamodb_table +resource\n")
  expect(out).to_match("\naws_region +data source\n")
  out = run(copy_stack(EXAMPLE), "docs", "aws_dynamodb_table")
  expect(out).to_contain("providers/aws/aws_dynamodb_table.lua")
  expect(out).to_match("\n  attribute +set of blocks, required, forces replacement\n"
    .. "      The key attributes' names and types.\n")
  expect(out).to_match("\n      name +string, required\n          The attribute's name.\n")
end)

test("the committed docs/reference is what docs -markdown writes now", function()
  local dir = tmpdir()
  run(dir, "docs", "-markdown", "-out", dir .. "/ref")
  local diff, code = sh("diff -r " .. quote(core.exe_dir .. "/docs/reference") .. " " .. quote(dir .. "/ref"))
  if code ~= 0 then print(diff) end
  expect(code).to_be(0)
  expect(read(dir .. "/ref/aws_vpc.md")).to_contain("- `cidr_block` - (string, required, forces replacement)")
  expect(read(dir .. "/ref/README.md")).to_contain("- [aws_vpc](aws_vpc.md) (resource)")
  -- in a stack, its own types get pages too
  local stack = copy_stack(EXAMPLE)
  run(stack, "docs", "-markdown")
  expect(read(stack .. "/docs/reference/aws_dynamodb_table_item.md"))
    .to_contain("- `item` - (JSON document (string or table), required)"
      .. " The item: JSON in DynamoDB's attribute-value form.")
end)

-- The ---@field lines of class name in annotations text: { field = "type" }.
local function class_fields(text, name)
  local body = text:match("\n%-%-%-@class %(exact%) " .. name:gsub("%.", "%%.") .. "\n(.-)\n\n")
  expect(body).to_be_truthy()
  local fields = {}
  for field, t in body:gmatch("%-%-%-@field (%S+) (%S+)") do fields[field] = t end
  return fields
end

test("types DIR writes valid Lua annotations with each type's arguments, and .luarc.json", function()
  local dir = copy_stack(EXAMPLE)
  write(dir .. "/.luarc.json", '{ "diagnostics.disable": ["lowercase-global"] }\n')
  run(dir, "types", "editor")
  local text = read(dir .. "/editor/luaform.lua")
  local chunk, err = load(text, "=luaform.lua", "t", {})
  expect(err).to_be_nil()
  chunk()   -- defines the globals' stubs only
  expect(text).to_match("^%-%-%-@meta")
  local q = class_fields(text, "luaform.args.aws_sqs_queue")
  expect(q.name).to_be("string|luaform.ref")
  expect(q["visibility_timeout_seconds?"]).to_be("number|luaform.ref")
  expect(q["tags?"]).to_be("table<string,")
  expect(q.arn).to_be_nil()           -- computed: not an argument
  expect(q["arn?"]).to_be_nil()
  local a = class_fields(text, "luaform.attrs.aws_sqs_queue")
  expect(a.arn).to_be("luaform.ref")
  expect(a.url).to_be("luaform.ref")
  expect(a.id).to_be("luaform.ref")
  expect(text).to_contain('---@overload fun(type: "aws_sqs_queue", name: string, args: luaform.args.aws_sqs_queue,'
    .. ' lifecycle?: luaform.lifecycle): luaform.attrs.aws_sqs_queue\n')
  -- args may be left out when the type requires none
  expect(text).to_contain('---@overload fun(type: "aws_region", name: string, args?: luaform.args.aws_region,')
  -- the stack's own type, with its nested block's class
  local t = class_fields(text, "luaform.args.aws_dynamodb_table")
  expect(t.attribute).to_be("luaform.args.aws_dynamodb_table.attribute|luaform.args.aws_dynamodb_table.attribute[]"
    .. "|luaform.ref")
  expect(class_fields(text, "luaform.args.aws_dynamodb_table.attribute").type).to_be("string|luaform.ref")
  -- the stdlib modules' interfaces: inputs, outputs, require() and module() typed
  local vi = class_fields(text, "luaform.inputs.stdlib.vpc")
  expect(vi.vpc_cidr_block).to_be("string|luaform.ref")
  expect(vi.azs).to_be("any[]|luaform.ref")
  expect(vi["single_nat_gateway?"]).to_be("boolean|luaform.ref")
  expect(class_fields(text, "luaform.outputs.stdlib.vpc").vpc_id).to_be("luaform.ref")
  expect(text).to_contain('---@overload fun(modname: "stdlib.vpc"): luaform.module.stdlib.vpc\n')
  expect(text).to_contain("---@overload fun(name: string, m: luaform.module.stdlib.vpc, args: luaform.inputs.stdlib.vpc,")
  local luarc = core.json_decode(read(dir .. "/.luarc.json"))
  expect(luarc["workspace.library"]).to_equal({ "editor" })
  expect(luarc["diagnostics.globals"]).to_contain("resource")
  expect(luarc["diagnostics.disable"]).to_equal({ "lowercase-global" })   -- the user's settings stay
end)
