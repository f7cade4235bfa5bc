-- `luaform console` from a pipe: each line's value, resolved from the
-- state; functions; -var; secrets hidden; the first error stops it.

local function console(dir, input, ...)
  local args = { quote(core.exe_dir .. "/luaform"), "-chdir=" .. quote(dir), "console" }
  for _, a in ipairs({ ... }) do args[#args + 1] = quote(a) end
  return sh("printf '%s' " .. quote(input) .. " | NO_COLOR=1 " .. table.concat(args, " "))
end

local STACK = {
  ["main.lua"] = 'local size = var("size", { default = 4, type = "number" })\n'
    .. 'local pw = var("pw", { default = "hunter2", sensitive = true })\n'
    .. 'local r = resource("random_id", "r", { byte_length = size })\n'
    .. 'for _, k in ipairs({ "a", "b" }) do resource("random_id", \'k["\' .. k .. \'"]\', { byte_length = 2 }) end\n'
    .. 'local net = module("net", require("net"), { cidr = "10.0.0.0/16" })\n',
  ["net.lua"] = 'return function(args) return { first = cidrsubnet(args.cidr, 8, 1) } end\n',
}

test("values come from the state, functions run, and secrets stay hidden", function()
  local dir = new_stack(STACK)
  local out
  local code = select(2, luaform(dir, "apply", "-auto-approve"))
  expect(code).to_be(0)
  local st = state_of(dir)
  out, code = console(dir, 'cidrsubnet("10.0.0.0/16", 8, 2)\nrandom_id.r.hex\nrandom_id.k["b"].byte_length\n'
    .. 'module.net.first\nvar.size\nvar.pw\n')
  expect(code).to_be(0)
  expect(out).to_contain('"10.0.2.0/24"\n')
  expect(out).to_contain('"' .. st.resources["random_id.r"].attributes.hex .. '"\n')
  expect(out).to_contain('\n2\n')
  expect(out).to_contain('"10.0.1.0/24"\n')
  expect(out).to_contain('\n4\n')
  expect(out).to_contain("(sensitive value)")
  expect(out).not_to_contain("hunter2")
end)

test("-var sets a variable; an object not in the state is known after apply", function()
  local dir = new_stack(STACK)
  local out, code = console(dir, 'var.size\nrandom_id.r.hex\n', "-var", "size=8")
  expect(code).to_be(0)
  expect(out).to_be("8\n(known after apply)\n")
end)

test("the first error stops a piped console, naming the problem", function()
  local dir = new_stack(STACK)
  local out, code = console(dir, 'cidrsubnet("10.0.0.0/16", 8, 300)\n1 + 1\n')
  expect(code).to_be(1)
  expect(out).to_contain("Error: cidrsubnet: prefix extension of 8 does not accommodate a subnet numbered 300")
  expect(out).not_to_contain("\n2\n")
  out, code = console(dir, 'aws_vcp.main.id\n')
  expect(code).to_be(1)
  expect(out).to_contain('unknown name "aws_vcp"')
end)
