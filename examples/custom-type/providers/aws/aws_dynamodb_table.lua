-- aws_dynamodb_table: a DynamoDB table, as a type this stack carries
-- itself (luaform has no built-in DynamoDB types yet). It is written to
-- the same contract as the built-in types (README "Types a user
-- writes"): a schema, and create / read / delete / recover called by the
-- engine with the same plan, journal and state.
--
-- Every argument forces a new table (this example does not call
-- UpdateTable). The name is the id. recover() adopts a table of the
-- pending create's name: CreateTable refuses an existing name, so a table
-- found after a lost response is the one that create made.
local M = {}

M.schema = {
  name = { type = "string", required = true, force_new = true,
    description = "The table's name, unique in the region; also the id." },
  hash_key = { type = "string", required = true, force_new = true,
    description = "The attribute that is the partition key." },
  range_key = { type = "string", optional = true, force_new = true,
    description = "The attribute that is the sort key." },
  billing_mode = { type = "string", optional = true, default = "PAY_PER_REQUEST", force_new = true,
    description = "PAY_PER_REQUEST (on demand) or PROVISIONED." },
  read_capacity = { type = "number", optional = true, force_new = true,
    description = "Read capacity units (PROVISIONED only)." },
  write_capacity = { type = "number", optional = true, force_new = true,
    description = "Write capacity units (PROVISIONED only)." },
  attribute = { type = "set", required = true, force_new = true,
    description = "The key attributes' names and types.",
    block = {
      name = { type = "string", required = true, description = "The attribute's name." },
      type = { type = "string", required = true, description = "S (string), N (number) or B (binary)." },
    } },
  arn = { type = "string", computed = true, description = "The table's ARN." },
}

local function gone(e) return type(e) == "table" and e.code == "ResourceNotFoundException" end

-- The state's attributes of a DescribeTable answer.
local function attributes(t)
  local out = { id = t.TableName, name = t.TableName, arn = t.TableArn, attribute = {},
    billing_mode = t.BillingModeSummary and t.BillingModeSummary.BillingMode or "PROVISIONED" }
  for _, k in ipairs(t.KeySchema) do
    if k.KeyType == "HASH" then out.hash_key = k.AttributeName else out.range_key = k.AttributeName end
  end
  for _, d in ipairs(t.AttributeDefinitions) do
    out.attribute[#out.attribute + 1] = { name = d.AttributeName, type = d.AttributeType }
  end
  if out.billing_mode == "PROVISIONED" then
    out.read_capacity = t.ProvisionedThroughput.ReadCapacityUnits
    out.write_capacity = t.ProvisionedThroughput.WriteCapacityUnits
  end
  return out
end

function M.read(ctx, id)
  local ok, res = pcall(ctx:client("dynamodb").DescribeTable, ctx:client("dynamodb"), { TableName = id })
  if not ok then
    if gone(res) then return nil end
    error(res, 0)
  end
  return attributes(res.Table)
end

function M.create(ctx, args)
  local db = ctx:client("dynamodb")
  local keys = { { AttributeName = args.hash_key, KeyType = "HASH" } }
  if args.range_key then keys[2] = { AttributeName = args.range_key, KeyType = "RANGE" } end
  local defs = {}
  for i, a in ipairs(args.attribute) do defs[i] = { AttributeName = a.name, AttributeType = a.type } end
  local throughput
  if args.billing_mode == "PROVISIONED" then
    throughput = { ReadCapacityUnits = args.read_capacity, WriteCapacityUnits = args.write_capacity }
  end
  db:CreateTable{ TableName = args.name, KeySchema = keys, AttributeDefinitions = defs,
    BillingMode = args.billing_mode, ProvisionedThroughput = throughput }
  db:wait("TableExists", { TableName = args.name })
  return M.read(ctx, args.name)
end

function M.delete(ctx, id)
  local db = ctx:client("dynamodb")
  local ok, res = pcall(db.DeleteTable, db, { TableName = id })
  if not ok and not gone(res) then error(res, 0) end
  db:wait("TableNotExists", { TableName = id })
end

function M.recover(ctx, pending)
  return pending.args and pending.args.name and M.read(ctx, pending.args.name) or nil
end

function M.import(ctx, id)
  return M.read(ctx, id) or error(string.format('no DynamoDB table "%s"', id), 0)
end

return M
