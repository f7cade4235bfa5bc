-- aws_s3_object against the emulator: an object from content and one
-- from a source file; created with their etags, a clean second plan, new
-- content and content type written in place, a changed source file and an
-- object overwritten outside luaform plan an update, a new key replaces,
-- import by BUCKET/KEY, destroy.
local aws = require("luaform.aws")

local function stack(o)
  o = o or {}
  return string.format([[
local b = resource("aws_s3_bucket", "site", { bucket = "k-site", force_destroy = true })
resource("aws_s3_object", "index", { bucket = b.id, key = %q, content = %q, content_type = %q })
resource("aws_s3_object", "logo", { bucket = b.id, key = "logo.txt", source = "logo.txt" })
]], o.key or "index.html", o.content or "<h1>hi</h1>", o.type or "text/html")
end

local function get(e, key)
  e:use()
  local c = aws.client("s3", { region = e.region })
  local ok, out = pcall(c.GetObject, c, { Bucket = "k-site", Key = key })
  return ok and out or nil
end

test("objects from content and from a file: create, update, drift, replace, import, destroy", function()
  local e = emulator()
  local dir = e:applied({ ["main.lua"] = stack(), ["logo.txt"] = "logo v1" })
  local index = get(e, "index.html")
  expect(index.Body).to_be("<h1>hi</h1>")
  expect(index.ContentType).to_be("text/html")
  local st = state_of(dir)
  expect(st.resources["aws_s3_object.index"].attributes.etag).to_be(core.md5_hex("<h1>hi</h1>"))
  expect(st.resources["aws_s3_object.logo"].attributes.id).to_be("k-site/logo.txt")
  expect(get(e, "logo.txt").Body).to_be("logo v1")
  e:no_changes(dir)
  write(dir .. "/main.lua", stack{ content = "<h1>hello</h1>", type = "text/plain" })
  write(dir .. "/logo.txt", "logo v2")
  local out = e:changes(dir)
  expect(out).to_contain("Plan: 0 to add, 2 to change, 0 to destroy.")
  e:apply(dir)
  expect(get(e, "index.html").Body).to_be("<h1>hello</h1>")
  expect(get(e, "index.html").ContentType).to_be("text/plain")
  expect(get(e, "logo.txt").Body).to_be("logo v2")
  e:no_changes(dir)
  aws.client("s3", { region = e.region }):PutObject{ Bucket = "k-site", Key = "logo.txt", Body = "defaced" }
  out = e:changes(dir)
  expect(out).to_contain("# aws_s3_object.logo will be updated in-place")
  e:apply(dir)
  expect(get(e, "logo.txt").Body).to_be("logo v2")
  out = e:plan(e:imported({ ["main.lua"] = stack{ content = "<h1>hello</h1>", type = "text/plain" },
    ["logo.txt"] = "logo v2" }, resource_ids(dir)))
  -- content and force_destroy are not read from AWS: the import takes them from the configuration
  expect(out).not_to_contain("must be replaced")
  write(dir .. "/main.lua", stack{ key = "home.html" })
  expect((e:plan(dir))).to_contain("# aws_s3_object.index must be replaced")
  e:apply(dir)
  expect(get(e, "index.html")).to_be_nil()
  expect(get(e, "home.html").Body).to_be("<h1>hi</h1>")
  e:destroy(dir)
  expect(#e:inventory().s3.object).to_be(0)
end)
