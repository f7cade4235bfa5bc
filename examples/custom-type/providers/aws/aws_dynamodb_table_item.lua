-- aws_dynamodb_table_item: one item of a DynamoDB table, as a type this
-- stack carries itself (see aws_dynamodb_table.lua beside it).
--
-- item is the item as JSON in DynamoDB's attribute-value form
-- ({"id": {"S": "a"}, "n": {"N": "1"}}); it compares as data, so key
-- order and spacing are no change. A new item is written in place with
-- PutItem (the update); an item whose key values changed replaces the old
-- one, which is then deleted. The id is table|hash value[|range value].
-- PutItem is idempotent, and recover() adopts the item it finds under the
-- pending create's key when it is the item asked for.
local core = require("luaform.core")
local values = require("luaform.values")

local M = {}

local function decode(doc)
  if type(doc) == "table" then return doc end
  return core.json_decode(doc or "null")
end

local function same_item(a, b)
  if a == nil or b == nil then return a == b end
  return values.deep_equal(decode(a), decode(b))
end

M.schema = {
  table_name = { type = "string", required = true, force_new = true,
    description = "The table the item is in." },
  hash_key = { type = "string", required = true, force_new = true,
    description = "The table's partition key attribute (the item must have it)." },
  range_key = { type = "string", optional = true, force_new = true,
    description = "The table's sort key attribute, if it has one." },
  item = { type = "json", required = true, equal = same_item,
    description = "The item: JSON in DynamoDB's attribute-value form." },
}

-- The item's key (a GetItem/DeleteItem Key) and the id naming it.
local function key_of(args)
  local item = decode(args.item)
  local key = { [args.hash_key] = item[args.hash_key] }
  local id = { args.table_name }
  for _, k in ipairs({ args.hash_key, args.range_key }) do
    local v = item[k]
    if v == nil then error(string.format('item has no key attribute "%s"', k), 0) end
    key[k] = v
    local _, scalar = next(v)
    id[#id + 1] = tostring(scalar)
  end
  return key, table.concat(id, "|")
end

local function attributes(args, found)
  local _, id = key_of(args)
  return { id = id, table_name = args.table_name, hash_key = args.hash_key, range_key = args.range_key,
    item = core.json_encode(found) }
end

-- The stored item at args' key, or nil.
local function get(ctx, args)
  local db = ctx:client("dynamodb")
  local key = key_of(args)
  local ok, res = pcall(db.GetItem, db, { TableName = args.table_name, Key = key, ConsistentRead = true })
  if not ok then
    if type(res) == "table" and res.code == "ResourceNotFoundException" then return nil end
    error(res, 0)
  end
  return res.Item
end

function M.read(ctx, _, prior)
  local found = get(ctx, prior)
  return found and attributes(prior, found) or nil
end

function M.create(ctx, args)
  ctx:client("dynamodb"):PutItem{ TableName = args.table_name, Item = decode(args.item) }
  return attributes(args, decode(args.item))
end

function M.update(ctx, _, old, new)
  local attrs = M.create(ctx, new)
  if attrs.id ~= old.id then M.delete(ctx, old.id, old) end
  return attrs
end

function M.delete(ctx, _, attrs)
  local db = ctx:client("dynamodb")
  local ok, res = pcall(db.DeleteItem, db, { TableName = attrs.table_name, Key = key_of(attrs) })
  if not ok and not (type(res) == "table" and res.code == "ResourceNotFoundException") then error(res, 0) end
end

function M.recover(ctx, pending)
  local args = pending.args
  local found = args and get(ctx, args)
  if found and same_item(found, args.item) then return attributes(args, found) end
  return nil
end

return M
