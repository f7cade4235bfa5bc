-- Across stacks: stack_outputs{} reads another stack's outputs (local
-- file, S3 in the emulator, a Terraform v4 state) at plan time, secrets
-- kept secret; init -backend-config and -reconfigure; an unknown backend
-- type refused with its file:line.

local function net_stack(dir_files)
  local dir = new_stack(dir_files or {
    ["main.lua"] = 'local r = resource("random_id", "r", { byte_length = 4 })\n'
      .. 'output("vpc_id", r.hex)\n'
      .. 'output("db_password", var("pw", { default = "hunter2", sensitive = true }), { sensitive = true })\n',
  })
  local code = select(2, luaform(dir, "apply", "-auto-approve"))
  expect(code).to_be(0)
  return dir
end

test("a local stack's outputs are known at plan time; a secret stays secret", function()
  local net = net_stack()
  local vpc = state_of(net).outputs.vpc_id.value
  local dir = new_stack('local net = stack_outputs{ backend = "local", config = { path = "' .. net .. '/luaform.state.json" } }\n'
    .. 'resource("local_file", "f", { filename = "f.txt", content = net.vpc_id .. ":" .. net.db_password })\n')
  local out, code = luaform(dir, "plan")
  expect(code).to_be(0)
  expect(out).not_to_contain("hunter2")
  expect(out).to_contain("(sensitive value)")
  code = select(2, luaform(dir, "apply", "-auto-approve"))
  expect(code).to_be(0)
  expect(read(dir .. "/f.txt")).to_be(vpc .. ":hunter2")
  -- an output made from the secret must be declared sensitive, as for a sensitive variable
  write(dir .. "/main.lua", 'local net = stack_outputs{ backend = "local", config = { path = "' .. net .. '/luaform.state.json" } }\n'
    .. 'output("pw", net.db_password)\n')
  out, code = luaform(dir, "plan")
  expect(code).to_be(1)
  expect(out).to_match('Error: main%.lua:2: output "pw" refers to sensitive values')
end)

test("a Terraform v4 state's outputs read the same way", function()
  local dir = new_stack({
    ["main.lua"] = 'local net = stack_outputs{ backend = "local", config = { path = "network.tfstate" } }\n'
      .. 'resource("local_file", "f", { filename = "f.txt", content = net.subnet_ids[2] .. " " .. net.vpc_cidr })\n',
    ["network.tfstate"] = '{"version":4,"terraform_version":"1.7.5","serial":3,"lineage":"5d1f","outputs":{'
      .. '"subnet_ids":{"value":["subnet-1","subnet-2"],"type":["list","string"]},'
      .. '"vpc_cidr":{"value":"10.0.0.0/16","type":"string"}},"resources":[]}',
  })
  local code = select(2, luaform(dir, "apply", "-auto-approve"))
  expect(code).to_be(0)
  expect(read(dir .. "/f.txt")).to_be("subnet-2 10.0.0.0/16")
end)

test("stack_outputs mistakes are errors at the reading line", function()
  local net = net_stack()
  local function fails(src, pattern)
    local dir = new_stack(src)
    local out, code = luaform(dir, "plan")
    expect(code).to_be(1)
    expect(out).to_match(pattern)
    expect(out).not_to_contain("stack traceback")
  end
  fails('local net = stack_outputs{ backend = "local", config = { path = "' .. net .. '/luaform.state.json" } }\n\nlocal v = net.vpcid\n',
    'Error: main%.lua:3: the state file .* %(workspace default%) has no output "vpcid" %(did you mean "vpc_id"%?%)')
  fails('local x = 1\nlocal net = stack_outputs{ backend = "local", config = { path = "nowhere.json" } }\n',
    'Error: main%.lua:2: stack_outputs: the state file nowhere%.json %(workspace default%) does not exist')
  fails('local net = stack_outputs{ backend = "gcs", config = {} }\n', 'Error: main%.lua:1: stack_outputs: unsupported backend "gcs"')
  fails('local net = stack_outputs{ backend = "local", confg = {} }\n', 'Error: main%.lua:1: stack_outputs: unsupported key "confg" %(did you mean "config"%?%)')
end)

test("S3: another stack's outputs by workspace; init -backend-config gives the bucket; -reconfigure", function()
  local e = emulator({})
  e:use()
  local aws = require("luaform.aws")
  aws.client("s3"):CreateBucket{ Bucket = "tfstate" }
  local net = new_stack('backend("s3", { key = "net/state.json", region = "us-east-1" })\n'
    .. 'output("vpc_id", "vpc-" .. workspace())\n')
  local out, code = e:luaform(net, "init", "-backend-config=bucket=tfstate")
  expect(out).to_contain("successfully initialized")
  expect(code).to_be(0)
  -- later commands use the recorded setting
  code = select(2, e:luaform(net, "apply", "-auto-approve"))
  expect(code).to_be(0)
  expect(select(2, e:luaform(net, "workspace", "new", "prod"))).to_be(0)
  expect(select(2, e:luaform(net, "apply", "-auto-approve"))).to_be(0)
  expect(core.json_decode(aws.client("s3"):GetObject{ Bucket = "tfstate", Key = "env:/prod/net/state.json" }.Body).outputs.vpc_id.value)
    .to_be("vpc-prod")

  local app = new_stack({
    ["main.lua"] = 'local net = stack_outputs{ backend = "s3", config = { bucket = "tfstate", key = "net/state.json", region = "us-east-1" },\n'
      .. '  workspace = "prod" }\nresource("local_file", "f", { filename = "f.txt", content = net.vpc_id })\n',
  })
  code = select(2, e:luaform(app, "apply", "-auto-approve"))
  expect(code).to_be(0)
  expect(read(app .. "/f.txt")).to_be("vpc-prod")

  -- a settings file, and -reconfigure taking the stack's backend as it is
  write(net .. "/ci.backend", 'bucket = "tfstate"\nkey = "other/state.json"\n')
  code = select(2, e:luaform(net, "init", "-backend-config=ci.backend", "-reconfigure"))
  expect(code).to_be(0)
  out = e:luaform(net, "plan")
  expect(out).to_match('workspace "prod" does not exist')   -- other/state.json has no prod workspace
  expect(select(2, e:luaform(net, "workspace", "select", "default"))).to_be(0)
  out, code = e:luaform(net, "plan")
  expect(code).to_be(0)
  expect(out).to_contain("vpc_id")   -- a new, empty state at other/state.json: the output is to be created
end)

test("an unknown backend type is refused at init with its file:line", function()
  local dir = new_stack('resource("random_id", "r", { byte_length = 4 })\n\nbackend("gcs", { bucket = "x" })\n')
  local out, code = luaform(dir, "init")
  expect(code).to_be(1)
  expect(out).to_match('Error: main%.lua:3: unsupported backend type "gcs"')
  expect(out).not_to_contain("successfully initialized")
end)
