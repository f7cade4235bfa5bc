-- The S3 state backend against the emulator's S3 and DynamoDB: locking by
-- conditional write or DynamoDB item, force-unlock, stale pushes, workspaces,
-- a backend changed without init, and moving every workspace's state from
-- local to S3 and back.
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
  local out, code = e:luaform(dir, "init")
  assert(code == 0, out)
  return e, dir, aws
end

-- The stack of setup() applied with its backend() line taken out (local
-- state, after init); returns the full main.lua text and the one without it.
local function apply_locally(e, dir)
  local src = read(dir .. "/main.lua")
  local without = src:gsub("^backend%b()\n", "")
  write(dir .. "/main.lua", without)
  expect(select(2, e:luaform(dir, "init"))).to_be(0)
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  return src, without
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

-- Waits until the run spawned in dir has started its slow sleep: it holds the
-- lock and has saved the sleep's intent (a fixed delay would race its start-up
-- on a loaded machine).
local function wait_for_sleep(dir)
  for _ = 1, 600 do
    if (read(dir .. "/run.log") or ""):find("time_sleep.slow: Creating...", 1, true) then return end
    core.sleep(0.05)
  end
  error("the run in " .. dir .. " never started time_sleep.slow")
end

local function wait_exit(pid)
  for _ = 1, 200 do
    if select(2, sh("kill -0 " .. pid)) ~= 0 then return end
    core.sleep(0.05)
  end
  error("process " .. pid .. " did not exit")
end

-- Kills (-9) an apply of setup()'s stack while it holds the lock; returns the lock's
-- ID as the refused plan that follows reports it.
local function killed_apply_lock(e, dir)
  local pid = spawn(e, dir, "apply -auto-approve -var wait=5s")
  wait_for_sleep(dir)
  sh("kill -9 " .. pid)
  wait_exit(pid)
  local out, code = e:luaform(dir, "plan", "-var", "wait=5s")
  expect(code).to_be(1)
  local id = out:match("ID ([%x%-]+)")
  expect(id).to_be_truthy()
  return id
end

test("apply keeps the state in S3, with server-side encryption and no local file", function()
  local e, dir, aws = setup()
  local out
  local code = select(2, e:luaform(dir, "apply", "-auto-approve"))
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
  wait_for_sleep(dir)
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_match("^Error: .*s3://tfstate/app/state.json is locked by .*apply")
  expect(out).to_contain("pid " .. pid .. ",")
  out, code = e:luaform(dir, "plan", "-lock-timeout=20s", "-var", "wait=2s")
  expect(code).to_be(0)
  expect(out).to_contain("No changes.")
  wait_exit(pid)
  expect(remote_state(aws).resources["local_file.f"]).to_be_truthy()
end)

test("a killed apply leaves a lock that force-unlock clears", function()
  local e, dir = setup()
  local id = killed_apply_lock(e, dir)
  local code = select(2, e:luaform(dir, "force-unlock", "00000000-0000-0000-0000-000000000000"))
  expect(code).to_be(1)
  code = select(2, e:luaform(dir, "force-unlock", id))
  expect(code).to_be(0)
  code = select(2, e:luaform(dir, "apply", "-auto-approve", "-var", "wait=5s"))
  expect(code).to_be(0)
end)

test("a DynamoDB lock table works the same way", function()
  local e, dir, aws = setup(', dynamodb_table = "locks"')
  aws.client("dynamodb"):CreateTable{ TableName = "locks", BillingMode = "PAY_PER_REQUEST",
    AttributeDefinitions = { { AttributeName = "LockID", AttributeType = "S" } },
    KeySchema = { { AttributeName = "LockID", KeyType = "HASH" } } }
  local pid = spawn(e, dir, "apply -auto-approve -var wait=2s")
  wait_for_sleep(dir)
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
  local src, without = apply_locally(e, dir)
  write(dir .. "/main.lua", src)
  local out, code = e:luaform(dir, "init")
  expect(code).to_be(1)
  expect(out).to_contain("init -migrate-state")
  out, code = e:luaform(dir, "init", "-migrate-state")
  expect(code).to_be(0)
  expect(out).to_contain("Moved the state (2 resources) from the local backend to the s3 backend")
  expect(remote_state(aws).resources["local_file.f"]).to_be_truthy()
  code = select(2, e:luaform(dir, "plan", "-detailed-exitcode"))
  expect(code).to_be(0)
  write(dir .. "/main.lua", without)
  expect(select(2, e:luaform(dir, "init", "-migrate-state"))).to_be(0)
  expect(core.json_decode(read(dir .. "/luaform.state.json")).resources["local_file.f"]).to_be_truthy()
  expect(remote_state(aws).resources["local_file.f"]).to_be_nil()
end)

test("a backend changed since init is refused until init, instead of planning from an empty state", function()
  local e, dir, aws = setup()
  local src, without = apply_locally(e, dir)
  -- The backend block added without init: nothing reads the empty S3 state.
  write(dir .. "/main.lua", src)
  for _, args in ipairs({ { "plan" }, { "apply", "-auto-approve" }, { "state", "list" }, { "show" }, { "output" } }) do
    local out, code = e:luaform(dir, table.unpack(args))
    expect(code).to_be(1)
    expect(out).to_match('^Error: main%.lua:1: backend initialization required %(initial configuration of the "s3" backend')
    expect(out).to_contain("luaform init -migrate-state")
  end
  local ok = pcall(aws.client("s3").HeadObject, aws.client("s3"), { Bucket = "tfstate", Key = "app/state.json" })
  expect(ok).to_be(false)   -- no state and no lock object was written
  -- A changed key is refused the same way, once the state is in S3.
  expect(select(2, e:luaform(dir, "init", "-migrate-state"))).to_be(0)
  write(dir .. "/main.lua", (src:gsub("app/state.json", "app/other.json")))
  local out, code = e:luaform(dir, "plan")
  expect(code).to_be(1)
  expect(out).to_contain('backend initialization required (the "s3" backend configuration changed')
  -- Removed: the local state is not used silently either.
  write(dir .. "/main.lua", without)
  out, code = e:luaform(dir, "plan")
  expect(code).to_be(1)
  expect(out).to_contain('the "s3" backend was removed from the stack')
end)

test("show and output read the state from S3", function()
  local e, dir = setup()
  write(dir .. "/main.lua", read(dir .. "/main.lua") .. 'output("file", "f.txt")\n')
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  expect(core.stat(dir .. "/luaform.state.json")).to_be_nil()
  local out, code = e:luaform(dir, "show")
  expect(code).to_be(0)
  expect(out).to_contain("local_file.f")
  expect(out).to_contain("time_sleep.slow")
  out, code = e:luaform(dir, "output", "-raw", "file")
  expect(code).to_be(0)
  expect(out).to_be("f.txt\n")
  expect(e:luaform(dir, "output", "-json")).to_contain('"value": "f.txt"')
end)

test("init -migrate-state moves every workspace, not only the default one", function()
  local e, dir, aws = setup()
  -- Each workspace writes its own file: the content is time_sleep's creation
  -- timestamp, so a file shared by both would be real drift in default
  -- whenever dev's apply ran in a later second.
  write(dir .. "/main.lua", (read(dir .. "/main.lua"):gsub('filename = "f.txt"', 'filename = workspace() .. ".txt"')))
  local src, without = apply_locally(e, dir)
  expect(select(2, e:luaform(dir, "workspace", "new", "dev"))).to_be(0)
  write(dir .. "/main.lua", without .. 'if workspace() == "dev" then resource("random_id", "dev", { byte_length = 2 }) end\n')
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  write(dir .. "/main.lua", src .. 'if workspace() == "dev" then resource("random_id", "dev", { byte_length = 2 }) end\n')
  local out, code = e:luaform(dir, "init", "-migrate-state")
  expect(code).to_be(0)
  expect(out).to_contain("Moved the state (2 resources) from the local backend to the s3 backend.")
  expect(out).to_contain('Moved the state of workspace "dev" (3 resources) from the local backend to the s3 backend.')
  expect(remote_state(aws, "env:/dev/app/state.json").resources["random_id.dev"]).to_be_truthy()
  expect(remote_state(aws).resources["random_id.dev"]).to_be_nil()
  -- dev is still selected and plans no changes from S3; so does default.
  out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  expect(out).to_contain("No changes.")
  expect(code).to_be(0)
  expect(e:luaform(dir, "workspace", "list")).to_be("  default\n* dev\n")
  expect(select(2, e:luaform(dir, "workspace", "select", "default"))).to_be(0)
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode"))).to_be(0)
  -- And back: both workspaces return to local files.
  write(dir .. "/main.lua", without .. 'if workspace() == "dev" then resource("random_id", "dev", { byte_length = 2 }) end\n')
  code = select(2, e:luaform(dir, "init", "-migrate-state"))
  expect(code).to_be(0)
  local dev = core.json_decode(read(dir .. "/luaform.state.d/dev/luaform.state.json"))
  expect(dev.resources["random_id.dev"]).to_be_truthy()
  expect(remote_state(aws, "env:/dev/app/state.json").resources["random_id.dev"]).to_be_nil()
end)

test("workspace select and delete on S3; a workspace that does not exist is an error, not a new state", function()
  local e, dir, aws = setup()
  expect(select(2, e:luaform(dir, "workspace", "new", "dev"))).to_be(0)
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  expect(remote_state(aws, "env:/dev/app/state.json").resources["local_file.f"]).to_be_truthy()
  local out, code = e:luaform(dir, "workspace", "select", "qa")
  expect(code).to_be(1)
  expect(out).to_contain('workspace "qa" does not exist')
  expect(select(2, e:luaform(dir, "workspace", "select", "default"))).to_be(0)
  expect(e:luaform(dir, "workspace", "show")).to_be("default\n")
  expect(e:luaform(dir, "state", "list")).to_be("")
  -- A workspace selected through the environment that was never created.
  local cmd = string.format("cd %s && %s LUAFORM_WORKSPACE=qa NO_COLOR=1 %s plan </dev/null 2>&1", quote(dir), e:env(),
    quote(core.exe_dir .. "/luaform"))
  out, code = sh(cmd)
  expect(code).to_be(1)
  expect(out).to_contain('workspace "qa" does not exist; create it with: luaform workspace new qa')
  local listed = aws.client("s3"):ListObjectsV2{ Bucket = "tfstate" }.Contents or {}
  for _, o in ipairs(listed) do expect(o.Key).not_to_contain("qa") end
  -- dev still manages resources: deleted only with -force, then its object is gone.
  out, code = e:luaform(dir, "workspace", "delete", "dev")
  expect(code).to_be(1)
  expect(out).to_contain("still manages 2 resource(s)")
  expect(select(2, e:luaform(dir, "workspace", "delete", "-force", "dev"))).to_be(0)
  expect(e:luaform(dir, "workspace", "list")).to_be("* default\n")
  local ok, err = pcall(aws.client("s3").HeadObject, aws.client("s3"), { Bucket = "tfstate", Key = "env:/dev/app/state.json" })
  expect(ok).to_be(false)
  expect(err.status).to_be(404)
end)

test("run -dry-run on an S3 stack sends no mutating call by any path and writes no lock object", function()
  local e, dir, aws = setup()
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local before = remote_state(aws)
  write(dir .. "/m.lua", [[
local sqs = aws.client("sqs")
sqs:CreateQueue{ QueueName = "by-method" }
sqs:call("CreateQueue", { QueueName = "by-call" })
local direct = require("luaform.aws").client("s3")
direct:call("DeleteObject", { Bucket = "tfstate", Key = "app/state.json" })
core.aws_call(direct._h, "PutObject", { Bucket = "tfstate", Key = "x", Body = "x" })
state.rm("local_file.f")
print("queues: " .. #(sqs:ListQueues{}.QueueUrls or {}))
]])
  local seen = #e:requests().requests
  local out, code = e:luaform(dir, "run", "-dry-run", "m.lua")
  expect(code).to_be(0)
  expect(out).to_contain("dry-run: would call sqs CreateQueue")
  expect(out).to_contain('"QueueName":"by-call"')
  expect(out).to_contain("dry-run: would call s3 DeleteObject")
  expect(out).to_contain("dry-run: would call s3 PutObject")
  expect(out).to_contain("[dry-run] state: read without taking its lock")
  expect(out).to_contain("queues: 0")
  local sent, mutating = {}, {}
  for i, r in ipairs(e:requests().requests) do
    if i > seen then
      sent[#sent + 1] = r.service .. ":" .. r.action
      if r.mutating then mutating[#mutating + 1] = r.service .. ":" .. r.action end
    end
  end
  expect(sent).to_contain("s3:GetObject")     -- the state was read from S3...
  expect(sent).to_contain("sqs:ListQueues")   -- ...and so were the queues
  expect(mutating).to_equal({})               -- nothing else: no lock object, no save, no queue
  expect(remote_state(aws)).to_equal(before)
end)

local function head(aws, key)
  local ok, out = pcall(aws.client("s3").HeadObject, aws.client("s3"), { Bucket = "tfstate", Key = key })
  return ok and out or nil
end

test("with encrypt the state and the lock object are written with SSE-S3", function()
  local e, dir, aws = setup()
  local pid = spawn(e, dir, "apply -auto-approve -var wait=2s")
  wait_for_sleep(dir)
  expect(head(aws, "app/state.json.lock").ServerSideEncryption).to_be("AES256")
  wait_exit(pid)
  expect(head(aws, "app/state.json").ServerSideEncryption).to_be("AES256")
  expect(head(aws, "app/state.json.lock")).to_be_nil()
end)

test("with encrypt = false neither the state nor the lock object asks for SSE", function()
  local e, dir, aws = setup(", encrypt = false")
  local pid = spawn(e, dir, "apply -auto-approve -var wait=2s")
  wait_for_sleep(dir)
  expect(head(aws, "app/state.json.lock")).to_be_truthy()
  expect(head(aws, "app/state.json.lock").ServerSideEncryption).to_be_nil()
  wait_exit(pid)
  expect(head(aws, "app/state.json").ServerSideEncryption).to_be_nil()
end)

local function lock_table(aws)
  aws.client("dynamodb"):CreateTable{ TableName = "locks", BillingMode = "PAY_PER_REQUEST",
    AttributeDefinitions = { { AttributeName = "LockID", AttributeType = "S" } },
    KeySchema = { { AttributeName = "LockID", KeyType = "HASH" } } }
end

local function lock_item(aws)
  return aws.client("dynamodb"):GetItem{ TableName = "locks", Key = { LockID = { S = "tfstate/app/state.json" } } }.Item
end

test("dynamodb_table with use_lockfile = true takes both locks; dynamodb_table alone only the item", function()
  local e, dir, aws = setup(', dynamodb_table = "locks", use_lockfile = true')
  lock_table(aws)
  local pid = spawn(e, dir, "apply -auto-approve -var wait=2s")
  wait_for_sleep(dir)
  local item = lock_item(aws)
  expect(item).to_be_truthy()
  local object = aws.client("s3"):GetObject{ Bucket = "tfstate", Key = "app/state.json.lock" }
  expect(core.json_decode(object.Body).id).to_be(core.json_decode(item.Info.S).id)
  -- The item alone still keeps another run out, which gives back the object it took.
  aws.client("s3"):DeleteObject{ Bucket = "tfstate", Key = "app/state.json.lock" }
  local out, code = e:luaform(dir, "plan")
  expect(code).to_be(1)
  expect(out).to_contain("is locked by")
  expect(head(aws, "app/state.json.lock")).to_be_nil()
  wait_exit(pid)
  expect(lock_item(aws)).to_be_nil()

  write(dir .. "/main.lua", (read(dir .. "/main.lua"):gsub(", use_lockfile = true", "")))
  expect(select(2, e:luaform(dir, "plan"))).to_be(1)   -- the backend changed: init first
  expect(select(2, e:luaform(dir, "init"))).to_be(0)   -- the same state: nothing to migrate
  pid = spawn(e, dir, "apply -auto-approve -var wait=3s")   -- a new duration: the sleep is replaced
  wait_for_sleep(dir)
  expect(lock_item(aws)).to_be_truthy()
  expect(head(aws, "app/state.json.lock")).to_be_nil()
  wait_exit(pid)
end)

test("force-unlock clears a DynamoDB lock left by a killed apply", function()
  local e, dir, aws = setup(', dynamodb_table = "locks"')
  lock_table(aws)
  local id = killed_apply_lock(e, dir)
  expect(core.json_decode(lock_item(aws).Info.S).id).to_be(id)
  local code = select(2, e:luaform(dir, "force-unlock", "00000000-0000-0000-0000-000000000000"))
  expect(code).to_be(1)
  expect(lock_item(aws)).to_be_truthy()
  code = select(2, e:luaform(dir, "force-unlock", id))
  expect(code).to_be(0)
  expect(lock_item(aws)).to_be_nil()
  expect(select(2, e:luaform(dir, "apply", "-auto-approve", "-var", "wait=5s"))).to_be(0)
end)

test("a state changed in S3 by someone else during a run is not overwritten; the error names its lineage and serial", function()
  local e, dir, aws = setup()
  local pid = spawn(e, dir, "apply -auto-approve -var wait=2s")
  wait_for_sleep(dir)
  local theirs = core.json_encode({ version = 1, lineage = "0f0f0f0f-theirs", serial = 42, resources = {}, outputs = {} })
  aws.client("s3"):PutObject{ Bucket = "tfstate", Key = "app/state.json", Body = theirs }
  wait_exit(pid)
  local log = read(dir .. "/run.log")
  expect(log).to_contain("refusing to overwrite s3://tfstate/app/state.json")
  expect(log).to_contain("lineage 0f0f0f0f-theirs, serial 42")
  local st = remote_state(aws)
  expect(st.lineage).to_be("0f0f0f0f-theirs")
  expect(st.serial).to_be(42)
end)

test("an apply writes S3 after every resource operation: a kill mid-apply leaves the earlier ones there", function()
  local e, dir, aws = setup()
  write(dir .. "/main.lua", [[
backend("s3", { bucket = "tfstate", key = "app/state.json", region = "us-east-1" })
local a = resource("random_id", "a", { byte_length = 4 })
local slow = resource("time_sleep", "slow", { create_duration = "5s" }, { depends_on = { a } })
resource("local_file", "f", { filename = "f.txt", content = slow.id })
]])
  local pid = spawn(e, dir, "apply -auto-approve")
  wait_for_sleep(dir)
  sh("kill -9 " .. pid)
  wait_exit(pid)
  -- The state as every reader sees it: KEY and the journal objects after it.
  local st = core.json_decode((e:luaform(dir, "state", "pull")))
  local hex = st.resources["random_id.a"].attributes.hex
  expect(hex).to_match("^%x%x%x%x%x%x%x%x$")
  expect(st.resources["local_file.f"]).to_be_nil()
  -- After force-unlock the next apply finishes without creating random_id.a again.
  local id = e:luaform(dir, "plan"):match("ID ([%x%-]+)")
  expect(select(2, e:luaform(dir, "force-unlock", id))).to_be(0)
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  expect(remote_state(aws).resources["random_id.a"].attributes.hex).to_be(hex)
  expect(remote_state(aws).resources["local_file.f"]).to_be_truthy()
end)

-- The walk returns at the second Ctrl-C while time_sleep.slow still runs;
-- the S3 save and unlock that follow (slowed by the emulator) turn the
-- event loop, in which the sleep ends. The abandoned operation must not go
-- on (it would save state after the final save) nor end into the walk that
-- has returned (a use after free, which a sanitizer build reports).
test("a second Ctrl-C during an S3-backed apply abandons the running create: its intent stays, the lock is released", function()
  local e, dir, aws = setup()
  e:faults{ latency_ms = 700 }
  sh(string.format("cd %s && ( (%s NO_COLOR=1 %s apply -auto-approve -var wait=1s > run.log 2>&1 </dev/null & " ..
    "echo $! > run.pid; wait $!; echo $? > exit.code) > /dev/null 2>&1 & )", quote(dir), e:env(), quote(core.exe_dir .. "/luaform")))
  local pid, log
  for _ = 1, 100 do
    pid = (read(dir .. "/run.pid") or ""):match("%d+")
    if pid then break end
    core.sleep(0.02)
  end
  expect(pid).to_be_truthy()
  for _ = 1, 400 do
    log = read(dir .. "/run.log") or ""
    if log:find("time_sleep.slow: Creating...", 1, true) then break end
    core.sleep(0.02)
  end
  expect(log).to_contain("time_sleep.slow: Creating...")
  sh("kill -INT " .. pid)
  core.sleep(0.05)
  sh("kill -INT " .. pid)
  wait_exit(pid)
  local code
  for _ = 1, 100 do
    code = tonumber((read(dir .. "/exit.code") or ""):match("%d+"))
    if code then break end
    core.sleep(0.05)
  end
  log = read(dir .. "/run.log")
  expect(code).to_be(1)
  expect(log).to_contain("Two interrupts received. Exiting immediately.")
  expect(log).not_to_contain("AddressSanitizer")
  expect(log).not_to_contain("runtime error")
  expect(log).to_contain("Error: interrupted")
  expect(log).not_to_contain("time_sleep.slow: Creation complete")
  e:faults{ latency_ms = 0 }
  local slow = remote_state(aws).resources["time_sleep.slow"]
  expect(slow.pending.op).to_be("create")
  -- The lock was released: the next plan is not refused.
  expect(select(2, e:luaform(dir, "plan"))).to_be(0)
end)

test("per-operation saves are small objects under KEY.journal/, replayed by readers, compacted into KEY at the run's end", function()
  local e, dir, aws = setup()
  write(dir .. "/main.lua", [[
backend("s3", { bucket = "tfstate", key = "app/state.json", region = "us-east-1" })
local prev
for i = 1, 5 do prev = resource("random_id", "r" .. i, { byte_length = 4 }, { depends_on = { prev } }) end
local slow = resource("time_sleep", "slow", { create_duration = "5s" }, { depends_on = { prev } })
resource("local_file", "f", { filename = "f.txt", content = slow.id })
]])
  local s3 = aws.client("s3")
  local function journal()
    return s3:ListObjectsV2{ Bucket = "tfstate", Prefix = "app/state.json.journal/" }.Contents or {}
  end
  local pid = spawn(e, dir, "apply -auto-approve")
  wait_for_sleep(dir)
  sh("kill -9 " .. pid)
  wait_exit(pid)
  local records = journal()
  expect(#records >= 5).to_be(true)
  for _, obj in ipairs(records) do
    expect(obj.Key).to_match("^app/state%.json%.journal/%d+%-%d+$")
    expect(obj.Size < 1024).to_be(true)
  end
  expect(remote_state(aws).resources["random_id.r5"]).to_be_nil()
  local listed = e:luaform(dir, "state", "list")
  for i = 1, 5 do expect(listed).to_contain("random_id.r" .. i .. "\n") end
  local id = e:luaform(dir, "plan"):match("ID ([%x%-]+)")
  expect(select(2, e:luaform(dir, "force-unlock", id))).to_be(0)
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("Resources: 2 added")
  expect(#journal()).to_be(0)
  local st = remote_state(aws)
  for i = 1, 5 do expect(st.resources["random_id.r" .. i]).to_be_truthy() end
  expect(st.resources["local_file.f"]).to_be_truthy()
end)

-- Kills per crash test: a few in make test; bench/state/crash.sh runs 20.
local KILLS = tonumber(core.getenv("LUAFORM_CRASH_KILLS") or "") or 3

test("kill -9 at random moments of a 50-resource S3-backed apply: each state loads, lists every file made, and the next apply converges creating nothing twice", function()
  local e, dir = setup()
  write(dir .. "/main.lua", [[
backend("s3", { bucket = "tfstate", key = "app/state.json", region = "us-east-1" })
for i = 1, 25 do
  local id = resource("random_id", "r" .. i, { byte_length = 8 })
  resource("local_file", "f" .. i, { filename = "out/f" .. i .. ".txt", content = id.hex })
end
]])
  local seen = {}
  -- Every file made is in the state; an id once saved never changes.
  local function check()
    local pulled, code = e:luaform(dir, "state", "pull")
    expect(code).to_be(0)
    local st = core.json_decode((pulled:gsub("^Warning:[^\n]*\n", "")))
    for i = 1, 25 do
      for _, addr in ipairs({ "random_id.r" .. i, "local_file.f" .. i }) do
        local entry = st.resources[addr]
        if addr:find("^local_file") and core.stat(dir .. "/out/f" .. i .. ".txt") then
          expect(entry ~= nil and addr or nil).to_be(addr)
        end
        if seen[addr] then expect(entry and entry.attributes and entry.attributes.id).to_be(seen[addr]) end
        if entry and entry.attributes then seen[addr] = entry.attributes.id end
      end
    end
  end
  for _ = 1, KILLS do
    local pid = spawn(e, dir, "apply -auto-approve -parallelism=4")
    core.sleep(0.2 + math.random() * 1.5)
    sh("kill -9 " .. pid)
    wait_exit(pid)
    check()
    local id = e:luaform(dir, "plan"):match("ID ([%x%-]+)")
    if id then expect(select(2, e:luaform(dir, "force-unlock", id))).to_be(0) end
  end
  local _, code = e:luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  check()
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode"))).to_be(0)
  for i = 1, 25 do expect(core.stat(dir .. "/out/f" .. i .. ".txt") ~= nil).to_be(true) end
end)

-- The end of a killed run that had finished every operation: a journal
-- object (written by the store, as a run writes it) and nothing left to
-- change.
test("an S3-backed apply with nothing to change compacts journal objects left by a killed run and deletes them", function()
  local e, dir, aws = setup()
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local store = require("luaform.state").open({ kind = "s3",
    config = { bucket = "tfstate", key = "app/state.json", region = "us-east-1" } })
  store:lock("test")
  store:load()
  store:save()
  store:save("local_file.f")   -- a record of the entry, as the run's last operation wrote it
  store:unlock()
  local s3 = aws.client("s3")
  local function journal()
    return s3:ListObjectsV2{ Bucket = "tfstate", Prefix = "app/state.json.journal/" }.Contents or {}
  end
  expect(#journal()).to_be(1)
  local before, code = e:luaform(dir, "state", "pull")
  expect(code).to_be(0)
  before = core.json_decode(before)
  expect(before.serial).to_be(remote_state(aws).serial + 1)
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode"))).to_be(0)
  expect(#journal()).to_be(1)
  local out
  out, code = e:luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("0 added, 0 changed, 0 destroyed")
  expect(#journal()).to_be(0)
  expect(remote_state(aws)).to_equal(before)
  expect(core.json_decode((e:luaform(dir, "state", "pull")))).to_equal(before)
end)
