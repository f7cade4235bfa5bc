-- Evaluation walks each resource's arguments once for its dependencies
-- and its secrets: a secret or a reference deep in a table (nested, shared
-- by two places, inside json()) counts wherever it is, and only the
-- arguments that hold one are hidden and depended on. A bad argument
-- table is an error at the resource's line.
local SECRET = "s3cret-value"

-- The plan's block for one resource.
local function block(out, addr)
  local text = out:match("# " .. addr:gsub("%.", "%%.") .. " will be created\n.-\n    }\n")
  expect(text).to_be_truthy()
  return text
end

test("secrets and references deep in arguments mark exactly the arguments that hold them", function()
  local dir = new_stack([[
local pw = var("pw", { sensitive = true, default = "s3cret-value" })
local deep = { level = { list = { "x", pw } } }
local k = resource("random_id", "k", { byte_length = 4, keepers = { group = pw } })
resource("local_file", "a", { filename = "out/a.txt", content = json({ one = deep, two = deep }) })
resource("local_file", "b", { filename = "out/b.txt", content = fmt("%s", k.hex) })
resource("local_file", "c", { filename = "out/c.txt", content = json({ x = { y = { k.keepers.group } } }) })
resource("local_file", "d", { filename = "out/d.txt", content = "plain" })
]])
  local out, code = luaform(dir, "plan", "-no-color")
  expect(code).to_be(0)
  expect(out).not_to_contain(SECRET)
  expect(block(out, "random_id.k")).to_contain("keepers     = (sensitive value)")
  expect(block(out, "random_id.k")).to_contain("byte_length = 4")
  expect(block(out, "local_file.a")).to_contain("content              = (sensitive value)")
  expect(block(out, "local_file.a")).to_contain('filename             = "out/a.txt"')
  -- hex is not secret, the keepers it was made with are
  expect(block(out, "local_file.b")).to_contain("content              = (known after apply)")
  expect(block(out, "local_file.c")).to_contain("content              = (sensitive value)")
  expect(block(out, "local_file.d")).to_contain('content              = "plain"')

  out = luaform(dir, "graph")
  expect(out).to_contain('"local_file.b" -> "random_id.k"')
  expect(out).to_contain('"local_file.c" -> "random_id.k"')
  expect(out).not_to_contain('"local_file.a" ->')
  expect(out).not_to_contain('"local_file.d" ->')
end)

test("a positional value among named arguments is an error at its line, whatever the table order", function()
  local dir = new_stack([[
resource("random_id", "k", { byte_length = 4, prefix = "p", "stray" })
]])
  local out, code = luaform(dir, "validate")
  expect(code).to_be(1)
  expect(out).to_contain("main.lua:1: resource random_id.k: arguments must be named, got key 1")
end)
