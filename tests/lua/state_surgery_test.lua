-- State surgery (state mv/rm/pull/push) and workspaces on a local stack.
local TWO = [[
local id = resource("random_id", "a", { byte_length = 4 })
resource("local_file", "f", { filename = "f.txt", content = id.hex })
]]

local function run(dir, ...)
  local out, code = luaform(dir, ...)
  return out, code
end

test("state mv renames a resource; the renamed stack plans no changes", function()
  local dir = new_stack(TWO)
  expect(select(2, run(dir, "apply", "-auto-approve"))).to_be(0)
  local out, code = run(dir, "state", "mv", "random_id.a", "random_id.b")
  expect(code).to_be(0)
  expect(out).to_contain("Moved random_id.a to random_id.b")
  write(dir .. "/main.lua", (TWO:gsub('"a"', '"b"')))
  out, code = run(dir, "plan", "-detailed-exitcode")
  expect(out).to_contain("No changes.")
  expect(code).to_be(0)
  -- The file's dependency followed the rename.
  local st = core.json_decode(read(dir .. "/luaform.state.json"))
  expect(st.resources["local_file.f"].dependencies).to_equal({ "random_id.b" })
end)

test("state mv moves resources into a module, with -dry-run changing nothing", function()
  local dir = new_stack(TWO)
  write(dir .. "/files.lua", [[
return function(args)
  local id = resource("random_id", "a", { byte_length = 4 })
  resource("local_file", "f", { filename = "f.txt", content = id.hex })
  return {}
end
]])
  expect(select(2, run(dir, "apply", "-auto-approve"))).to_be(0)
  local before = read(dir .. "/luaform.state.json")
  local out, code = run(dir, "state", "mv", "-dry-run", "random_id.a", "module.files.random_id.a")
  expect(code).to_be(0)
  expect(out).to_contain("Would move random_id.a to module.files.random_id.a")
  expect(read(dir .. "/luaform.state.json")).to_be(before)
  expect(select(2, run(dir, "state", "mv", "random_id.a", "module.files.random_id.a"))).to_be(0)
  expect(select(2, run(dir, "state", "mv", "local_file.f", "module.files.local_file.f"))).to_be(0)
  write(dir .. "/main.lua", 'module("files", require("files"), {})\n')
  out, code = run(dir, "plan", "-detailed-exitcode")
  expect(out).to_contain("No changes.")
  expect(code).to_be(0)
  -- A whole module moves too, and can go to another state file.
  code = select(2, run(dir, "state", "mv", "-state-out=other.json", "module.files", "module.kept"))
  expect(code).to_be(0)
  expect(run(dir, "state", "list")).to_be("")
  expect(run(dir, "state", "list", "-state=other.json")).to_be(
    "module.kept.local_file.f\nmodule.kept.random_id.a\n")
end)

test("state mv refuses an existing destination and an unknown source, changing nothing", function()
  local dir = new_stack(TWO)
  expect(select(2, run(dir, "apply", "-auto-approve"))).to_be(0)
  local before = read(dir .. "/luaform.state.json")
  local out, code = run(dir, "state", "mv", "random_id.a", "local_file.f")
  expect(code).to_be(1)
  expect(out).to_match("^Error: .*already exists")
  out, code = run(dir, "state", "mv", "random_id.zz", "random_id.b")
  expect(code).to_be(1)
  expect(out).to_contain('no resource "random_id.zz"')
  expect(read(dir .. "/luaform.state.json")).to_be(before)
end)

test("state rm forgets a resource; the next plan creates it again and the file stays", function()
  local dir = new_stack(TWO)
  expect(select(2, run(dir, "apply", "-auto-approve"))).to_be(0)
  local out, code = run(dir, "state", "rm", "local_file.f")
  expect(code).to_be(0)
  expect(out).to_contain("Removed local_file.f")
  expect(core.stat(dir .. "/f.txt")).to_be_truthy()
  expect(run(dir, "state", "list")).to_be("random_id.a\n")
  out = run(dir, "plan")
  expect(out).to_contain("Plan: 1 to add, 0 to change, 0 to destroy.")
end)

test("state pull prints the state; push refuses another lineage or an older serial unless -force", function()
  local dir = new_stack(TWO)
  expect(select(2, run(dir, "apply", "-auto-approve"))).to_be(0)
  local pulled, code = run(dir, "state", "pull")
  expect(code).to_be(0)
  local doc = core.json_decode(pulled)
  expect(doc.resources["random_id.a"].type).to_be("random_id")
  -- An older copy: refused.
  local old = core.json_decode(pulled)
  old.serial = old.serial - 1
  write(dir .. "/old.json", core.json_encode(old))
  local out
  out, code = run(dir, "state", "push", "old.json")
  expect(code).to_be(1)
  expect(out).to_match("^Error: .*serial")
  -- Another lineage: refused, then forced.
  local other = core.json_decode(pulled)
  other.lineage = core.uuid()
  other.resources["random_id.a"] = nil
  write(dir .. "/other.json", core.json_encode(other))
  out, code = run(dir, "state", "push", "other.json")
  expect(code).to_be(1)
  expect(out).to_contain("lineage")
  expect(run(dir, "state", "list")).to_be("local_file.f\nrandom_id.a\n")
  expect(select(2, run(dir, "state", "push", "-force", "other.json"))).to_be(0)
  expect(run(dir, "state", "list")).to_be("local_file.f\n")
end)

test("workspaces keep separate states; workspace() sizes the stack", function()
  local dir = new_stack([[
local n = workspace() == "prod" and 3 or 1
for i = 1, n do
  resource("local_file", "f" .. i, { filename = workspace() .. "-" .. i .. ".txt", content = "x" })
end
]])
  expect(run(dir, "workspace", "show")).to_be("default\n")
  expect(select(2, run(dir, "apply", "-auto-approve"))).to_be(0)
  local out
  local code = select(2, run(dir, "workspace", "new", "prod"))
  expect(code).to_be(0)
  expect(run(dir, "workspace", "show")).to_be("prod\n")
  out = run(dir, "apply", "-auto-approve")
  expect(out).to_contain("3 added")
  expect(core.stat(dir .. "/luaform.state.d/prod/luaform.state.json")).to_be_truthy()
  expect(run(dir, "workspace", "list")).to_be("  default\n* prod\n")
  expect(run(dir, "state", "list")).to_be("local_file.f1\nlocal_file.f2\nlocal_file.f3\n")
  expect(select(2, run(dir, "workspace", "select", "default"))).to_be(0)
  expect(run(dir, "state", "list")).to_be("local_file.f1\n")
  -- A workspace with resources is not deleted without -force; the current one never.
  out, code = run(dir, "workspace", "delete", "prod")
  expect(code).to_be(1)
  expect(out).to_contain("still manages 3 resource")
  out, code = run(dir, "workspace", "select", "nope")
  expect(code).to_be(1)
  expect(out).to_contain('workspace "nope" does not exist')
  expect(select(2, run(dir, "destroy", "-auto-approve"))).to_be(0)
  expect(select(2, run(dir, "workspace", "select", "prod"))).to_be(0)
  expect(select(2, run(dir, "destroy", "-auto-approve"))).to_be(0)
  expect(select(2, run(dir, "workspace", "select", "default"))).to_be(0)
  expect(select(2, run(dir, "workspace", "delete", "prod"))).to_be(0)
  expect(run(dir, "workspace", "list")).to_be("* default\n")
end)

test("import ADDR ID adopts an existing object; the next plan shows only real differences", function()
  local dir = new_stack('resource("local_file", "f", { filename = "f.txt", content = "hello" })\n')
  write(dir .. "/f.txt", "hello")
  local out, code = run(dir, "import", "local_file.g", "f.txt")
  expect(code).to_be(1)
  expect(out).to_contain('declares no resource "local_file.g"')
  out, code = run(dir, "import", "local_file.f", "f.txt")
  expect(code).to_be(0)
  expect(out).to_contain("Import successful!")
  out, code = run(dir, "plan", "-detailed-exitcode")
  expect(out).to_contain("No changes.")
  expect(code).to_be(0)
  out, code = run(dir, "import", "local_file.f", "f.txt")
  expect(code).to_be(1)
  expect(out).to_contain("already managed")
end)

test("import{} in the stack is planned, then applied; a missing object is an error with file:line", function()
  local dir = new_stack([[
resource("local_file", "f", { filename = "f.txt", content = "hello!" })
import{ to = "local_file.f", id = "f.txt" }
]])
  write(dir .. "/f.txt", "hello")
  local out, code = run(dir, "plan")
  expect(code).to_be(0)
  expect(out).to_contain('# local_file.f will be imported from "f.txt"')
  expect(out).to_contain("Plan: 1 to import, 0 to add, 1 to change, 0 to destroy.")
  expect(run(dir, "state", "list")).to_be("")
  code = select(2, run(dir, "apply", "-auto-approve"))
  expect(code).to_be(0)
  expect(read(dir .. "/f.txt")).to_be("hello!")
  out, code = run(dir, "plan", "-detailed-exitcode")
  expect(out).to_contain("No changes.")
  expect(code).to_be(0)

  -- The error is at the import block (line 2), not at the resource (line 1).
  local bad = new_stack('resource("local_file", "f", { filename = "f.txt", content = "x" })\n'
    .. 'import{ to = "local_file.f", id = "missing.txt" }\n')
  out, code = run(bad, "plan")
  expect(code).to_be(1)
  expect(out).to_match("^Error: main%.lua:2: import local_file%.f: .*missing%.txt")
end)

test("plan -out then apply FILE performs the stack's import{} blocks", function()
  local dir = new_stack([[
resource("local_file", "f", { filename = "f.txt", content = "hello!" })
import{ to = "local_file.f", id = "f.txt" }
]])
  write(dir .. "/f.txt", "hello")
  local out, code = run(dir, "plan", "-out=tf.plan")
  expect(code).to_be(0)
  expect(out).to_contain("Plan: 1 to import, 0 to add, 1 to change, 0 to destroy.")
  out, code = run(dir, "apply", "tf.plan")
  expect(code).to_be(0)
  expect(out).to_contain("Apply complete!")
  expect(read(dir .. "/f.txt")).to_be("hello!")
  expect(run(dir, "state", "list")).to_be("local_file.f\n")
  out, code = run(dir, "plan", "-detailed-exitcode")
  expect(out).to_contain("No changes.")
  expect(code).to_be(0)
end)

test("a Terraform v4 state converts to the same addresses; the translated stack plans no changes", function()
  local dir = tmpdir()
  write(dir .. "/main.lua", [[
local id = resource("random_id", "suffix", { byte_length = 4 })
module("files", function(args)
  resource("local_file", 'f["a"]', { filename = "a.txt", content = args.text })
  return {}
end, { text = "hello" })
]])
  write(dir .. "/a.txt", "hello")
  write(dir .. "/terraform.tfstate", core.json_encode({
    version = 4, terraform_version = "1.6.6", serial = 7, lineage = "3f1e6c52-1b7a-4d47-9a0b-1c1f5f2e9d10",
    outputs = {},
    resources = {
      { mode = "managed", type = "random_id", name = "suffix",
        provider = 'provider["registry.terraform.io/hashicorp/random"]',
        instances = { { schema_version = 0, attributes = {
          b64_std = "3q2+7w==", b64_url = "3q2-7w", byte_length = 4, dec = "3735928559",
          hex = "deadbeef", id = "3q2-7w", keepers = core.null, prefix = core.null } },
        -- the old object of an unfinished create_before_destroy replacement
        { schema_version = 0, deposed = "0a1b2c3d", attributes = {
          b64_std = "AAAAAA==", b64_url = "AAAAAA", byte_length = 4, dec = "0",
          hex = "00000000", id = "AAAAAA" } } } },
      { module = "module.files", mode = "managed", type = "local_file", name = "f",
        provider = 'provider["registry.terraform.io/hashicorp/local"]',
        instances = { { index_key = "a", schema_version = 0, attributes = {
          content = "hello", filename = "a.txt", file_permission = "0777", directory_permission = "0777",
          id = core.sha1_hex("hello") }, dependencies = { "random_id.suffix" } } } },
      { mode = "managed", type = "null_resource", name = "legacy",
        provider = 'provider["registry.terraform.io/hashicorp/null"]',
        instances = { { schema_version = 0, attributes = { id = "123" } } } },
      { mode = "data", type = "aws_region", name = "current",
        provider = 'provider["registry.terraform.io/hashicorp/aws"]',
        instances = { { schema_version = 0, attributes = { id = "us-east-1", name = "us-east-1" } } } },
      { module = "module.files", mode = "data", type = "aws_region", name = "here",
        provider = 'provider["registry.terraform.io/hashicorp/aws"]',
        instances = { { schema_version = 0, attributes = { id = "us-east-1", name = "us-east-1" } } } },
    },
  }))
  local out, code = luaform(dir, "state", "import-terraform", "terraform.tfstate")
  expect(code).to_be(0)
  expect(out).to_contain('Imported module.files.local_file.f["a"]')
  expect(out).to_contain("Imported random_id.suffix")
  expect(out).to_contain("Skipped null_resource.legacy: type null_resource is not supported")
  expect(out).to_contain("Skipped data.aws_region.current")
  expect(out).to_contain("Skipped module.files.data.aws_region.here: data sources")
  expect(out).to_contain("Skipped random_id.suffix: deposed object 0a1b2c3d")
  expect(core.json_decode(read(dir .. "/luaform.state.json")).resources["random_id.suffix"].attributes.hex)
    .to_be("deadbeef")   -- the current object, not the deposed one listed after it
  expect(luaform(dir, "state", "list")).to_be('module.files.local_file.f["a"]\nrandom_id.suffix\n')
  out, code = luaform(dir, "plan", "-detailed-exitcode")
  expect(out).to_contain("No changes.")
  expect(code).to_be(0)
  -- A second import does not overwrite without -force.
  out, code = luaform(dir, "state", "import-terraform", "terraform.tfstate")
  expect(code).to_be(1)
  expect(out).to_contain("-force")
end)

test("state list gives the addresses in byte order (capitals first, [10] before [9], a before a_1 before ab)", function()
  local dir = new_stack([[
for _, name in ipairs({ "ab", "B", "a_1", "a", "Z9" }) do resource("random_id", name, { byte_length = 2 }) end
for i = 8, 11 do resource("random_id", "n[" .. i .. "]", { byte_length = 2 }) end
]])
  expect(select(2, run(dir, "apply", "-auto-approve"))).to_be(0)
  expect(run(dir, "state", "list")).to_be(table.concat({
    "random_id.B", "random_id.Z9", "random_id.a", "random_id.a_1", "random_id.ab",
    "random_id.n[10]", "random_id.n[11]", "random_id.n[8]", "random_id.n[9]", "" }, "\n"))
end)
