-- The stack functions (luaform.functions): Terraform's results on known
-- values (the examples of Terraform's function documentation), the same
-- functions on references computed at apply, uuid()/timestamp() known
-- only at apply, and their errors at the caller's file:line.

local function fails_with(files, pattern, ...)
  local dir = new_stack(files)
  local out, code = luaform(dir, "plan", ...)
  expect(code).to_be(1)
  expect(out).to_match(pattern)
  expect(out).not_to_contain("stack traceback")
  expect(select(2, out:gsub("\n", ""))).to_be(1)
end

-- Applies a stack writing `expr` (Lua) into out.txt; returns its text.
local function written(expr, files)
  files = files or {}
  files["main.lua"] = 'resource("local_file", "f", { filename = "out.txt", content = ' .. expr .. ' })\n'
  local dir = new_stack(files)
  local out, code = luaform(dir, "apply", "-auto-approve")
  expect(out).to_contain("Apply complete!")
  expect(code).to_be(0)
  return read(dir .. "/out.txt")
end

local function joined(list_expr) return 'table.concat(' .. list_expr .. ', " ")' end

test("cidr functions give Terraform's results for IPv4 and IPv6", function()
  expect(written('cidrsubnet("10.0.0.0/16", 8, 2)')).to_be("10.0.2.0/24")
  expect(written('cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)')).to_be("fd00:fd12:3456:7800:a200::/72")
  expect(written('cidrhost("10.12.112.0/20", 16) .. " " .. cidrhost("10.12.112.0/20", -2)')).to_be("10.12.112.16 10.12.127.254")
  expect(written('cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)')).to_be("fd00:fd12:3456:7890::22")
  expect(written('cidrnetmask("172.16.0.0/12")')).to_be("255.240.0.0")
  expect(written(joined('cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)'))).to_be("10.1.0.0/20 10.1.16.0/20 10.1.32.0/24 10.1.48.0/20")
  expect(written(joined('cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16, 16, 32)')))
    .to_be("fd00:fd12:3456:7800::/72 fd00:fd12:3456:7800:100::/72 fd00:fd12:3456:7800:200::/72 fd00:fd12:3456:7800:300::/88")
end)

test("cidr errors name the function and the caller's line", function()
  fails_with('local a = 1\nlocal s = cidrsubnet("10.0.0.0/16", 8, 300)\n',
    '^Error: main%.lua:2: cidrsubnet: prefix extension of 8 does not accommodate a subnet numbered 300\n$')
  fails_with('local s = cidrsubnet("10.0.0.0/30", 8, 1)\n',
    '^Error: main%.lua:1: cidrsubnet: insufficient address space to extend prefix of 30 by 8\n$')
  fails_with('local s = cidrhost("10.0.0.0/24", 256)\n',
    '^Error: main%.lua:1: cidrhost: prefix of 24 does not accommodate a host numbered 256\n$')
  fails_with('local s = cidrnetmask("fd00::/64")\n', '^Error: main%.lua:1: cidrnetmask: IPv6 addresses cannot have a netmask: fd00::/64\n$')
  fails_with('local s = cidrsubnet("10.0.0.300/16", 8, 1)\n', '^Error: main%.lua:1: cidrsubnet: invalid CIDR address "10%.0%.0%.300/16"\n$')
  fails_with('local s = cidrsubnets("10.0.0.0/30", 1, 1, 1)\n',
    '^Error: main%.lua:1: cidrsubnets: not enough remaining address space for a subnet with a prefix of 31 bits after 10%.0%.0%.2/31\n$')
end)

test("hashes and encodings agree with the system's tools", function()
  local function tool(cmd) return (sh("printf %s 'hello world' | " .. cmd):match("^(%x+)")) end
  expect(written('sha1("hello world")')).to_be(tool("sha1sum"))
  expect(written('sha256("hello world")')).to_be(tool("sha256sum"))
  expect(written('md5("hello world")')).to_be(tool("md5sum"))
  expect(written('base64encode("Hello World") .. " " .. base64decode("SGVsbG8gV29ybGQ=")')).to_be("SGVsbG8gV29ybGQ= Hello World")
  expect(written('filebase64("data.bin") .. " " .. filesha256("data.bin")', { ["data.bin"] = "hello world" }))
    .to_be("aGVsbG8gd29ybGQ= " .. tool("sha256sum"))
  fails_with('local x = base64decode("not base64!")\n', '^Error: main%.lua:1: base64decode: failed to decode base64 data')
  fails_with('local x = sha256({})\n', '^Error: main%.lua:1: sha256: the argument must be a string, got table\n$')
end)

test("collections: merge, zipmap, flatten, distinct, setproduct, coalesce, jsondecode", function()
  expect(written('json(merge({ a = "b", c = "d" }, { e = "f", c = "z" }))')).to_be('{"a":"b","c":"z","e":"f"}')
  expect(written('json(zipmap({ "a", "b" }, { 1, 2 }))')).to_be('{"a":1,"b":2}')
  expect(written('json(flatten({ { "a", "b" }, {}, { "c" }, { { "d" } } }))')).to_be('["a","b","c","d"]')
  expect(written('json(distinct({ "a", "b", "a", "c", "d", "b" }))')).to_be('["a","b","c","d"]')
  expect(written('json(setproduct({ "a", "b" }, { 1, 2 }))')).to_be('[["a",1],["a",2],["b",1],["b",2]]')
  expect(written('coalesce(nil, "", "b")')).to_be("b")
  expect(written('json(jsondecode(\'{"a":[1,2]}\'))')).to_be('{"a":[1,2]}')
  expect(written('json(jsondecode(\'{"a":null,"b":[1,null]}\')) .. tostring(jsondecode("null"))')).to_be('{"b":[1,null]}nil')
  fails_with('local m = zipmap({ "a", "b" }, { 1 })\n', '^Error: main%.lua:1: zipmap: number of keys %(2%) does not match number of values %(1%)\n$')
  fails_with('local c = coalesce(nil, "")\n', '^Error: main%.lua:1: coalesce: no non%-null, non%-empty%-string arguments\n$')
  fails_with('local j = jsondecode("{oops")\n', '^Error: main%.lua:1: jsondecode: invalid JSON')
end)

test("try and can take functions, as Terraform's evaluate their expressions lazily", function()
  expect(written('try(function() return nil .. "x" end, function() return "second" end, "last") .. tostring(can(function() error("x") end))'))
    .to_be("secondfalse")
  fails_with('local a = 1\nlocal v = try(function() error("boom") end)\n', '^Error: main%.lua:2: try: no expression succeeded')
  fails_with('local ok = can(1)\n', '^Error: main%.lua:1: can: expects a function')
end)

test("file and templatefile read beside the calling file; the template's errors give its line", function()
  local files = {
    ["greeting.txt"] = "hello",
    ["hosts.tftpl"] = "%{ for i, h in hosts ~}\n${i}=${h.name}\n%{ endfor ~}\n%{ if prod }P%{ else }D%{ endif } $${x} ${file}\n",
  }
  expect(written('file("greeting.txt") .. "|" .. templatefile("hosts.tftpl", { hosts = { { name = "a" }, { name = "b" } }, prod = false, file = "f" })', files))
    .to_be("hello|0=a\n1=b\nD ${x} f\n")
  -- a module's paths are relative to its own file
  local dir = new_stack({
    ["main.lua"] = 'module("m", require("mods.m"), {})\n',
    ["mods/m.lua"] = 'return function() resource("local_file", "f", { filename = "out.txt", content = file("beside.txt") }) end\n',
    ["mods/beside.txt"] = "next to the module",
  })
  local code = select(2, luaform(dir, "apply", "-auto-approve"))
  expect(code).to_be(0)
  expect(read(dir .. "/out.txt")).to_be("next to the module")
  fails_with({ ["main.lua"] = 'local a = 1\nlocal t = templatefile("t.tftpl", { name = "x" })\n', ["t.tftpl"] = "line\n${nmae}\n" },
    '^Error: main%.lua:2: templatefile: t%.tftpl:2: vars has no key "nmae"\n$')
  fails_with('local t = file("missing.txt")\n', '^Error: main%.lua:1: file: no file exists at "missing%.txt"\n$')
  fails_with({ ["main.lua"] = 'local t = file("b.bin")\n', ["b.bin"] = "\255\254" },
    '^Error: main%.lua:1: file: contents of b%.bin are not valid UTF%-8; use filebase64')
end)

test("functions on references are computed at apply, and their errors give the caller's line", function()
  local dir = new_stack('local r = resource("random_id", "r", { byte_length = 4 })\n'
    .. 'resource("local_file", "f", { filename = "out.txt", content = sha256(r.hex) .. " " .. cidrhost("10.0.0.0/16", r.byte_length) })\n')
  local out
  local code = select(2, luaform(dir, "apply", "-auto-approve"))
  expect(code).to_be(0)
  local hex
  for _, res in pairs(state_of(dir).resources) do if res.type == "random_id" then hex = res.attributes.hex end end
  expect(read(dir .. "/out.txt")).to_be((sh("printf %s " .. hex .. " | sha256sum"):match("^(%x+)")) .. " 10.0.0.4")
  code = select(2, luaform(dir, "plan", "-detailed-exitcode"))
  expect(code).to_be(0)

  dir = new_stack('local r = resource("random_id", "r", { byte_length = 4 })\nlocal x = 1\n'
    .. 'resource("local_file", "f", { filename = "out.txt",\n  content = cidrsubnet("10.0.0.0/16", 8, r.byte_length:map(function(n) return n * 100 end)) })\n')
  out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_match('Error: main%.lua:4: cidrsubnet: prefix extension of 8 does not accommodate a subnet numbered 400')
end)

test("uuid and timestamp are known only at apply, so a saved plan stays valid", function()
  local dir = new_stack('resource("local_file", "f", { filename = "out.txt", content = uuid() .. " " .. timestamp() })\n')
  local out, code = luaform(dir, "plan", "-out=tf.plan")
  expect(code).to_be(0)
  expect(out).to_contain("content")
  expect(out).to_contain("(known after apply)")
  out, code = luaform(dir, "apply", "tf.plan")
  expect(out).to_contain("Apply complete! Resources: 1 added")
  expect(code).to_be(0)
  expect(read(dir .. "/out.txt")).to_match("^%x%x%x%x%x%x%x%x%-%x%x%x%x%-4%x%x%x%-[89ab]%x%x%x%-%x+ %d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$")
end)

test("template mistakes are errors at the template's line", function()
  local function fails_in(tpl, pattern)
    fails_with({ ["main.lua"] = 'local t = templatefile("t.tftpl", { xs = { 1 }, flag = "yes" })\n', ["t.tftpl"] = tpl }, pattern)
  end
  fails_in("a\n%{ for x in xs }${x}\n", '^Error: main%.lua:1: templatefile: t%.tftpl:2: %%{ for } has no %%{ endfor }\n$')
  fails_in("a\nb\n%{ endif }\n", '^Error: main%.lua:1: templatefile: t%.tftpl:3: %%{ endif } without its opening directive\n$')
  fails_in("%{ if flag }x%{ endif }", '^Error: main%.lua:1: templatefile: t%.tftpl:1: the condition flag is not true or false\n$')
  fails_in("${xs}", '^Error: main%.lua:1: templatefile: t%.tftpl:1: xs is a table: a template interpolates text, numbers and booleans\n$')
  fails_in("${upper(x)}", '^Error: main%.lua:1: templatefile: t%.tftpl:1: unsupported expression "upper%(x%)"')
end)
