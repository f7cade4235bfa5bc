-- The S3 state backend against the emulator's S3 and DynamoDB: locking by
-- conditional write or DynamoDB item, force-unlock, stale pushes, workspaces,
-- and moving a local state there and back.
local function setup(extra)
  local e = emulator({})
  e:use()
  local aws = require("luaform.aws")
  aws.client("s3"):CreateBucket{ Bucket = "tfstate" }
  local dir = tmpdir()
  write(dir .. "/main.lua", string.format([[
backend("s3", { bucket = "tfstate", key = "app/state.json", region = "us-east-1"%s })
local slow = resource("time_sleep", "slow", { create_duration = var("wait", { default = "10ms" }) })
resource("local_file", "f", { filename = "f.txt", content = slow.id })
]], extra or ""))
  return e, dir, aws
end

local function remote_state(aws, key)
  local out = aws.client("s3"):GetObject{ Bucket = "tfstate", Key = key or "app/state.json" }
  return core.json_decode(out.Body)
end

local function spawn(e, dir, args)
  local cmd = string.format("cd %s && (%s NO_COLOR=1 %s %s > run.log 2>&1 </dev/null & echo $!)",
    quote(dir), e:env(), quote(core.exe_dir .. "/luaform"), args)
  return (sh(cmd):gsub("%s+$", ""))
end

local function wait_exit(pid)
  for _ = 1, 200 do
    if select(2, sh("kill -0 " .. pid)) ~= 0 then return end
    core.sleep(0.05)
  end
  error("process " .. pid .. " did not exit")
end

test("apply keeps the state in S3, with server-side encryption and no local file", function()
  local e, dir, aws = setup()
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  local st = remote_state(aws)
  expect(st.resources["local_file.f"].type).to_be("local_file")
  expect(core.stat(dir .. "/luaform.state.json")).to_be_nil()
  local head = aws.client("s3"):HeadObject{ Bucket = "tfstate", Key = "app/state.json" }
  expect(head.ServerSideEncryption).to_be("AES256")
  out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  expect(out).to_contain("No changes.")
  expect(code).to_be(0)
  expect(e:luaform(dir, "state", "list")).to_be("local_file.f\ntime_sleep.slow\n")
end)

test("a concurrent apply is refused naming the lock holder, or waits with -lock-timeout", function()
  local e, dir, aws = setup()
  local pid = spawn(e, dir, "apply -auto-approve -var wait=2s")
  core.sleep(0.8)
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_match("^Error: .*s3://tfstate/app/state.json is locked by .*apply")
  out, code = e:luaform(dir, "plan", "-lock-timeout=20s", "-var", "wait=2s")
  expect(code).to_be(0)
  expect(out).to_contain("No changes.")
  wait_exit(pid)
  expect(remote_state(aws).resources["local_file.f"]).to_be_truthy()
end)

test("a killed apply leaves a lock that force-unlock clears", function()
  local e, dir = setup()
  local pid = spawn(e, dir, "apply -auto-approve -var wait=5s")
  core.sleep(0.8)
  sh("kill -9 " .. pid)
  wait_exit(pid)
  local out, code = e:luaform(dir, "plan", "-var", "wait=5s")
  expect(code).to_be(1)
  local id = out:match("ID ([%x%-]+)")
  expect(id).to_be_truthy()
  out, code = e:luaform(dir, "force-unlock", "00000000-0000-0000-0000-000000000000")
  expect(code).to_be(1)
  out, code = e:luaform(dir, "force-unlock", id)
  expect(code).to_be(0)
  out, code = e:luaform(dir, "apply", "-auto-approve", "-var", "wait=5s")
  expect(code).to_be(0)
end)

test("a DynamoDB lock table works the same way", function()
  local e, dir, aws = setup(', dynamodb_table = "locks"')
  aws.client("dynamodb"):CreateTable{ TableName = "locks", BillingMode = "PAY_PER_REQUEST",
    AttributeDefinitions = { { AttributeName = "LockID", AttributeType = "S" } },
    KeySchema = { { AttributeName = "LockID", KeyType = "HASH" } } }
  local pid = spawn(e, dir, "apply -auto-approve -var wait=2s")
  core.sleep(0.8)
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_contain("is locked by")
  local item = aws.client("dynamodb"):GetItem{ TableName = "locks", Key = { LockID = { S = "tfstate/app/state.json" } } }
  expect(item.Item.Info.S).to_contain('"operation":"apply"')
  wait_exit(pid)
  item = aws.client("dynamodb"):GetItem{ TableName = "locks", Key = { LockID = { S = "tfstate/app/state.json" } } }
  expect(item.Item).to_be_nil()
end)

test("a stale push is refused; a save never overwrites a state changed meanwhile", function()
  local e, dir = setup()
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local pulled = e:luaform(dir, "state", "pull")
  write(dir .. "/old.json", pulled)
  expect(select(2, e:luaform(dir, "state", "rm", "local_file.f"))).to_be(0)
  local out, code = e:luaform(dir, "state", "push", "old.json")
  expect(code).to_be(1)
  expect(out).to_contain("serial")
  expect(e:luaform(dir, "state", "list")).to_be("time_sleep.slow\n")
end)

test("workspaces live under env:/NAME/KEY", function()
  local e, dir, aws = setup()
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  expect(select(2, e:luaform(dir, "workspace", "new", "dev"))).to_be(0)
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  expect(remote_state(aws, "env:/dev/app/state.json").resources["local_file.f"]).to_be_truthy()
  expect(e:luaform(dir, "workspace", "list")).to_be("  default\n* dev\n")
end)

test("init -migrate-state moves a local state to S3 and back", function()
  local e, dir, aws = setup()
  local src = read(dir .. "/main.lua")
  local without = src:gsub("^backend%b()\n", "")
  write(dir .. "/main.lua", without)
  expect(select(2, e:luaform(dir, "init"))).to_be(0)
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  write(dir .. "/main.lua", src)
  local out, code = e:luaform(dir, "init")
  expect(code).to_be(1)
  expect(out).to_contain("init -migrate-state")
  out, code = e:luaform(dir, "init", "-migrate-state")
  expect(code).to_be(0)
  expect(out).to_contain("Moved the state (2 resources) from the local backend to the s3 backend")
  expect(remote_state(aws).resources["local_file.f"]).to_be_truthy()
  out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(0)
  write(dir .. "/main.lua", without)
  expect(select(2, e:luaform(dir, "init", "-migrate-state"))).to_be(0)
  expect(core.json_decode(read(dir .. "/luaform.state.json")).resources["local_file.f"]).to_be_truthy()
  expect(remote_state(aws).resources["local_file.f"]).to_be_nil()
end)
