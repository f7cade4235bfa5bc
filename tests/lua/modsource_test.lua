-- Module sources: local paths and git repositories pinned in luaform.lock.json.
local function git(dir, args)
  local out, code = sh("cd " .. quote(dir) .. " && git -c user.name=t -c user.email=t@t " .. args)
  assert(code == 0, out)
  return out
end

-- Commits everything in repo's work tree and tags the commit `tag`.
local function release(repo, tag)
  git(repo, "add -A && git -c user.name=t -c user.email=t@t commit -q -m " .. tag .. " && git tag " .. tag)
end

-- A main.lua calling the net module of repo at ref with the Lua table text args.
local function net_main(repo, ref, args)
  return string.format('module("net", use("git+file://%s//net", { ref = "%s" }), %s)\n', repo, ref, args)
end

-- A repository with a files module at tag v1.0.0 (content "one").
local function module_repo()
  local repo = tmpdir()
  git(repo, "init -q -b main")
  local function version(text, tag)
    write(repo .. "/files/init.lua", string.format([[
return function(args)
  local f = resource("local_file", "f", { filename = args.name, content = %q })
  return { filename = f.filename }
end
]], text))
    release(repo, tag)
  end
  version("one", "v1.0.0")
  return repo, version
end

test("a git source is locked by init, used offline afterwards, and moved by init -upgrade", function()
  local repo, version = module_repo()
  local dir = tmpdir()
  write(dir .. "/main.lua", string.format([[
local m = module("files", use("git+file://%s//files", { ref = "v1.*" }), { name = "out.txt" })
output("filename", m.filename)
]], repo))
  local out, code = luaform(dir, "plan")
  expect(code).to_be(1)
  expect(out).to_match('^Error: .*main%.lua:1: .*not installed; run "luaform init"')
  out, code = luaform(dir, "init")
  expect(code).to_be(0)
  expect(out).to_contain("v1.0.0")
  local lock = core.json_decode(read(dir .. "/luaform.lock.json"))
  local _, entry = next(lock.modules)
  expect(entry.resolved).to_be("v1.0.0")
  expect(entry.commit).to_be((git(repo, "rev-parse v1.0.0^{commit}"):gsub("%s+", "")))
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  expect(read(dir .. "/out.txt")).to_be("one")

  -- A newer tag appears; without -upgrade nothing moves, even offline.
  version("two", "v1.1.0")
  sh("mv " .. quote(repo) .. " " .. quote(repo .. ".away"))
  out, code = luaform(dir, "plan", "-detailed-exitcode")
  expect(out).to_contain("No changes.")
  expect(code).to_be(0)
  sh("mv " .. quote(repo .. ".away") .. " " .. quote(repo))
  out, code = luaform(dir, "init", "-upgrade")
  expect(code).to_be(0)
  expect(out).to_contain("v1.1.0")
  out = luaform(dir, "plan")
  expect(out).to_contain('"one" -> "two"')
end)

test("a local path source needs no init; a bad source names file:line", function()
  local dir = tmpdir()
  write(dir .. "/modules/files.lua", [[
return function(args)
  resource("local_file", "f", { filename = args.name, content = "local" })
  return {}
end
]])
  write(dir .. "/main.lua", 'module("files", use("./modules/files"), { name = "x.txt" })\n')
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  expect(read(dir .. "/x.txt")).to_be("local")
  write(dir .. "/main.lua", '\nmodule("files", use("./modules/nope"), { name = "x.txt" })\n')
  local out, code = luaform(dir, "plan")
  expect(code).to_be(1)
  expect(out).to_match("^Error: .*main%.lua:2: .*modules/nope")
  write(dir .. "/main.lua", string.format('use("git+file://%s//x", { ref = "v9" })\n', dir))
  out, code = luaform(dir, "init")
  expect(code).to_be(1)
  expect(out).to_match("^Error: .*main%.lua:1: ")
end)

test("a tag pattern matches tags only, never a branch of the same shape", function()
  local repo = module_repo()
  -- A branch named like a newer version, with other content.
  git(repo, "checkout -q -b v1.9.0")
  write(repo .. "/files/init.lua", 'return function(args) resource("local_file", "f", { filename = args.name, content = "branch" }) return {} end\n')
  git(repo, "commit -q -am branch && git checkout -q main")
  local dir = tmpdir()
  write(dir .. "/main.lua", string.format('module("files", use("git+file://%s//files", { ref = "v1.*" }), { name = "out.txt" })\n', repo))
  local out, code = luaform(dir, "init")
  expect(code).to_be(0)
  expect(out).to_contain("v1.0.0")
  expect(out).not_to_contain("v1.9.0")
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  expect(read(dir .. "/out.txt")).to_be("one")
  -- The branch is still reachable by its exact name.
  write(dir .. "/main.lua", string.format('module("files", use("git+file://%s//files", { ref = "v1.9.0" }), { name = "out.txt" })\n', repo))
  expect(select(2, luaform(dir, "init"))).to_be(0)
  expect(luaform(dir, "plan")).to_contain('"one" -> "branch"')
end)

test("a git module loads its own sibling files with use(\"./...\")", function()
  local repo = tmpdir()
  git(repo, "init -q -b main")
  write(repo .. "/net/helper.lua", [[
return function(args)
  resource("local_file", "h", { filename = args.name, content = "from helper" })
  return {}
end
]])
  write(repo .. "/net/init.lua", [[
local helper = use("./helper")
return function(args)
  module("inner", helper, args)
  return {}
end
]])
  release(repo, "v1.0.0")
  local dir = tmpdir()
  write(dir .. "/main.lua", net_main(repo, "v1.0.0", '{ name = "h.txt" }'))
  local out
  local code = select(2, luaform(dir, "init"))
  expect(code).to_be(0)
  code = select(2, luaform(dir, "apply", "-auto-approve"))
  expect(code).to_be(0)
  expect(read(dir .. "/h.txt")).to_be("from helper")
  expect(luaform(dir, "state", "list")).to_be("module.net.module.inner.local_file.h\n")
  -- Also when the module file returns its sibling (a tail call).
  write(repo .. "/net/init.lua", 'return use("./helper")\n')
  release(repo, "v1.1.0")
  write(dir .. "/main.lua", net_main(repo, "v1.1.0", '{ name = "h.txt" }'))
  expect(select(2, luaform(dir, "init"))).to_be(0)
  expect(luaform(dir, "plan")).to_contain("module.net.local_file.h")
  -- A missing sibling is reported at the module file's line, resolved in its checkout.
  write(repo .. "/net/init.lua", '\nlocal helper = use("./nope")\nreturn function() return {} end\n')
  release(repo, "v1.2.0")
  write(dir .. "/main.lua", net_main(repo, "v1.2.0", '{ name = "h.txt" }'))
  out, code = luaform(dir, "init")
  expect(code).to_be(1)
  expect(out).to_match('^Error: [^\n]*/net/init%.lua:2: module source "%./nope": no [^\n]*/net/nope%.lua')
end)

test("require in a git module finds the module's own files first, wherever it is checked out", function()
  local repo = tmpdir()
  git(repo, "init -q -b main")
  write(repo .. "/net/naming.lua", 'local fmt = require("lib.fmt")\nreturn { name = function(s) return fmt.prefix .. s end }\n')
  write(repo .. "/net/lib/fmt.lua", 'return { prefix = "net-" }\n')
  write(repo .. "/net/init.lua", [[
local naming = require("naming")
return function(args)
  resource("local_file", "f", { filename = args.name, content = naming.name("module") })
  return {}
end
]])
  release(repo, "v1.0.0")
  -- the stack has a naming.lua of its own: the module must not get it
  local dir = new_stack({
    ["main.lua"] = net_main(repo, "v1.0.0", '{ name = "n.txt" }')
      .. 'resource("local_file", "g", { filename = "g.txt", content = require("naming").name })\n',
    ["naming.lua"] = 'return { name = "stack" }\n',
  })
  expect(select(2, luaform(dir, "init"))).to_be(0)
  local out, code = luaform(dir, "apply", "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  expect(read(dir .. "/n.txt")).to_be("net-module")
  expect(read(dir .. "/g.txt")).to_be("stack")

  -- a name found nowhere: the module file's line, and where it was looked for
  write(repo .. "/net/init.lua", '\nlocal x = require("nope")\nreturn function() return {} end\n')
  release(repo, "v1.1.0")
  write(dir .. "/main.lua", net_main(repo, "v1.1.0", "{}"))
  out, code = luaform(dir, "init")
  expect(code).to_be(1)
  expect(out).to_match("^Error: [^\n]*/net/init%.lua:2: module 'nope' not found")
  expect(out).to_match("no file '[^\n]*/net/nope%.lua'")
end)
