-- Types a user writes (examples/custom-type: aws_dynamodb_table and
-- aws_dynamodb_table_item in the stack's providers/aws/) end to end
-- against the emulator: create, a no-change plan, an in-place update,
-- drift, destroy, what DynamoDB holds read with direct API calls; a type
-- carried by a module loaded with use(); the errors for a name that
-- collides with a built-in type or with another stack file.
local EXAMPLE = core.exe_dir .. "/examples/custom-type"

local function apply(e, dir, ...)
  local out, code = e:luaform(dir, "apply", "-auto-approve", ...)
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  return out
end

-- The item stored under key "greeting" of the table, read from the emulator.
local function stored(e, table_name)
  e:use()
  local db = require("luaform.aws").client("dynamodb", { region = e.region })
  local ok, res = pcall(db.GetItem, db, { TableName = table_name, Key = { key = { S = "greeting" } } })
  if not ok then return nil, res end
  return res.Item
end

test("a stack's own types: create, no-change plan, update in place, drift, destroy", function()
  local e = emulator()
  local dir = copy_stack(EXAMPLE)
  local out = apply(e, dir)
  expect(out).to_contain("aws_dynamodb_table.settings: Creation complete")
  expect(out).to_contain("Apply complete! Resources: 3 added, 0 changed, 0 destroyed.")
  expect(stored(e, "settings-default")).to_equal({ key = { S = "greeting" }, value = { S = "hello" } })
  local st = state_of(dir)
  expect(st.resources["aws_dynamodb_table.settings"].attributes.arn).to_match(":table/settings%-default$")
  expect(st.resources["aws_dynamodb_table_item.greeting"].attributes.id).to_be("settings-default|greeting")

  local code
  out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(0)
  expect(out).to_contain("No changes.")

  out, code = e:luaform(dir, "plan", "-detailed-exitcode", "-var", "greeting=bonjour")
  expect(code).to_be(2)
  expect(out).to_contain("# aws_dynamodb_table_item.greeting will be updated in-place")
  expect(out).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  apply(e, dir, "-var", "greeting=bonjour")
  expect(stored(e, "settings-default").value).to_equal({ S = "bonjour" })

  -- an item edited outside luaform is drift that apply repairs
  e:use()
  local db = require("luaform.aws").client("dynamodb", { region = e.region })
  db:PutItem{ TableName = "settings-default", Item = { key = { S = "greeting" }, value = { S = "edited" } } }
  out, code = e:luaform(dir, "plan", "-detailed-exitcode", "-var", "greeting=bonjour")
  expect(code).to_be(2)
  expect(out).to_contain("edited")
  apply(e, dir, "-var", "greeting=bonjour")
  expect(stored(e, "settings-default").value).to_equal({ S = "bonjour" })

  out, code = e:luaform(dir, "destroy", "-auto-approve", "-var", "greeting=bonjour")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  expect(out).to_contain("Destroy complete! Resources: 3 destroyed.")
  local _, err = stored(e, "settings-default")
  expect(err.code).to_be("ResourceNotFoundException")
  expect(e:inventory().dynamodb).to_equal({ table = {}, item = {} })
end)

test("a module loaded with use() carries its own types", function()
  local e = emulator()
  local dir = tmpdir()
  sh("mkdir -p " .. quote(dir .. "/modules") .. " && cp -r " .. quote(EXAMPLE) .. " "
    .. quote(dir .. "/modules/settings"))
  write(dir .. "/modules/settings/init.lua", [[
return function(args)
  local t = resource("aws_dynamodb_table", "t", { name = args.name, hash_key = "key",
    attribute = { { name = "key", type = "S" } } })
  return { arn = t.arn }
end
]])
  write(dir .. "/main.lua", [[
provider("aws", {})
local m = module("settings", use("./modules/settings"), { name = "from-module" })
output("arn", m.arn)
]])
  apply(e, dir)
  expect(state_of(dir).resources["module.settings.aws_dynamodb_table.t"].attributes.name).to_be("from-module")
  local out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(0)
  expect(out).to_contain("No changes.")
  out, code = e:luaform(dir, "destroy", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("1 destroyed")
end)

test("a type named like a built-in one is an error naming both files", function()
  local dir = new_stack({
    ["main.lua"] = 'resource("aws_vpc", "v", { cidr_block = "10.0.0.0/16" })\n',
    ["providers/aws/aws_vpc.lua"] = "return { schema = {} }\n",
  })
  local out, code = luaform(dir, "validate")
  expect(code).to_be(1)
  expect(out).to_contain('resource type "aws_vpc" in providers/aws/aws_vpc.lua collides with the built-in type'
    .. ' in lua/luaform/providers/aws/aws_vpc.lua')
end)

test("a type that a stack and its module both define is an error naming both files", function()
  local dir = new_stack({
    ["main.lua"] = 'module("m", use("./m"))\n',
    ["providers/acme/acme_widget.lua"] = "return { schema = {} }\n",
    ["m/init.lua"] = "return function() end\n",
    ["m/providers/acme/acme_widget.lua"] = "return { schema = {} }\n",
  })
  local out, code = luaform(dir, "validate")
  expect(code).to_be(1)
  expect(out).to_contain('main.lua:1: resource type "acme_widget" is defined twice:'
    .. ' in providers/acme/acme_widget.lua and in ./m/providers/acme/acme_widget.lua')
end)

test("a create whose response was lost is recovered from the journal, not made twice", function()
  local e = emulator()
  local dir = copy_stack(EXAMPLE)
  write(dir .. "/main.lua", [[
provider("aws", { max_attempts = 1 })
resource("aws_dynamodb_table", "t", { name = "journal", hash_key = "key",
  attribute = { { name = "key", type = "S" } } })
]])
  e:faults{ lose_pct = 100 }
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_contain("aws_dynamodb_table.t")
  e:faults{ lose_pct = 0 }
  expect(e:counts()["dynamodb:CreateTable"]).to_be(1)
  expect(state_of(dir).resources["aws_dynamodb_table.t"].pending.args.name).to_be("journal")
  out = apply(e, dir)
  expect(out).to_contain("No changes.")
  expect(e:counts()["dynamodb:CreateTable"]).to_be(1)
  local entry = state_of(dir).resources["aws_dynamodb_table.t"]
  expect(entry.pending).to_be_nil()
  expect(entry.attributes.arn).to_match(":table/journal$")
  -- commands that do not run main.lua know the stack's types too
  out, code = e:luaform(dir, "state", "show", "aws_dynamodb_table.t")
  expect(code).to_be(0)
  expect(out).to_contain('hash_key')
end)

local function git(dir, args)
  local out, code = sh("cd " .. quote(dir) .. " && git -c user.name=t -c user.email=t@t " .. args)
  assert(code == 0, out)
  return out
end

test("a git module carries its own types; docs and providers schema of the stack include them", function()
  local repo = tmpdir()
  git(repo, "init -q -b main")
  write(repo .. "/notes/init.lua", [[
return function(args)
  local n = resource("acme_note", "n", { path = args.path, text = args.text })
  return { digest = n.digest }
end
]])
  write(repo .. "/notes/providers/acme/acme_note.lua", [[
-- acme_note: a text file (a type a git module carries).
local core = require("luaform.core")
local M = {}
M.schema = {
  path = { type = "string", required = true, force_new = true, description = "Where the note is written." },
  text = { type = "string", required = true },
  digest = { type = "string", computed = true },
}
local function attrs(args)
  return { id = args.path, path = args.path, text = args.text, digest = core.sha1_hex(args.text) }
end
function M.create(_, args) assert(core.write_file(args.path, args.text, "0644")); return attrs(args) end
function M.update(ctx, _, _, new) return M.create(ctx, new) end
function M.read(_, id)
  local text = core.read_file(id)
  return text and attrs({ path = id, text = text }) or nil
end
function M.delete(_, id) core.remove(id) end
return M
]])
  git(repo, "add -A && git -c user.name=t -c user.email=t@t commit -q -m v1 && git tag v1")
  local dir = tmpdir()
  write(dir .. "/main.lua", string.format([[
local m = module("notes", use("git+file://%s//notes", { ref = "v1" }), { path = "note.txt", text = "hi" })
output("digest", m.digest)
]], repo))
  local out, code = luaform(dir, "init")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  out, code = luaform(dir, "apply", "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  expect(read(dir .. "/note.txt")).to_be("hi")
  expect(state_of(dir).resources["module.notes.acme_note.n"].attributes.digest).to_be(core.sha1_hex("hi"))
  out, code = luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(0)
  expect(out).to_contain("No changes.")
  out = luaform(dir, "docs", "acme_note")
  expect(out).to_match("\n  path +string, required, forces replacement\n      Where the note is written.\n")
  local doc = core.json_decode((luaform(dir, "providers", "schema", "-json")))
  expect(doc.provider_schemas["luaform.local/providers/acme"].resource_schemas.acme_note.block.attributes.digest)
    .to_equal({ type = "string", computed = true })
  out, code = luaform(dir, "destroy", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("1 destroyed")
  expect(core.stat(dir .. "/note.txt")).to_be_nil()
end)
