-- luaform run: migration scripts over the state, all-or-nothing.
local STACK = [[
local id = resource("random_id", "a", { byte_length = 4 })
resource("local_file", "f", { filename = "f.txt", content = id.hex })
]]

local function applied()
  local dir = tmpdir()
  write(dir .. "/main.lua", STACK)
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  return dir
end

test("a script moves, removes and lists resources; its changes are saved at the end", function()
  local dir = applied()
  write(dir .. "/m.lua", [[
local n = #state.list()
state.mv("random_id.a", "module.ids.random_id.a")
state.rm("local_file.f")
print("had " .. n .. ", now: " .. table.concat(state.list(), ","), arg[1])
]])
  local out, code = luaform(dir, "run", "m.lua", "extra")
  expect(code).to_be(0)
  expect(out).to_contain("had 2, now: module.ids.random_id.a\textra")
  expect(luaform(dir, "state", "list")).to_be("module.ids.random_id.a\n")
end)

test("a script that fails halfway leaves the state exactly as before", function()
  local dir = applied()
  local before = read(dir .. "/luaform.state.json")
  write(dir .. "/m.lua", [[
state.mv("random_id.a", "random_id.b")
state.rm("local_file.f")
error("stop here")
]])
  local out, code = luaform(dir, "run", "m.lua")
  expect(code).to_be(1)
  expect(out).to_contain("stop here")
  expect(read(dir .. "/luaform.state.json")).to_be(before)
end)

test("-dry-run prints what would change and saves nothing", function()
  local dir = applied()
  local before = read(dir .. "/luaform.state.json")
  write(dir .. "/m.lua", 'state.rm("local_file.f"); print(dry_run)\n')
  local out, code = luaform(dir, "run", "-dry-run", "m.lua")
  expect(code).to_be(0)
  expect(out).to_contain("[dry-run] state: remove local_file.f")
  expect(out).to_contain("true")
  expect(read(dir .. "/luaform.state.json")).to_be(before)
end)

test("-dry-run shows a held-back call's parameters with the secret ones as (sensitive)", function()
  local dir = new_stack({ ["m.lua"] = [[
local iam = aws.client("iam")
iam:CreateLoginProfile{ UserName = "deploy", Password = "pw-hunter2", PasswordResetRequired = true }
iam:call("UpdateLoginProfile", '{"UserName": "deploy", "Password": "pw-from-json"}')
aws.client("ec2"):RunInstances{ ImageId = "ami-12345678", MinCount = 1, MaxCount = 1, UserData = "dXNlci1kYXRh" }
]] })
  local out, code
  -- nothing is sent; an endpoint that answers nothing proves it
  with_env({ AWS_ACCESS_KEY_ID = "AKIDDRYRUN", AWS_SECRET_ACCESS_KEY = "dry-run-secret", AWS_REGION = "us-east-1",
             AWS_ENDPOINT_URL = "http://127.0.0.1:9", AWS_CONFIG_FILE = "/nonexistent",
             AWS_SHARED_CREDENTIALS_FILE = "/nonexistent" }, function()
    out, code = luaform(dir, "run", "-dry-run", "m.lua")
  end)
  expect(code).to_be(0)
  -- Password: marked sensitive in iam's model; UserData: in ec2's
  expect(out).to_contain('dry-run: would call iam CreateLoginProfile {"Password":"(sensitive)",'
    .. '"PasswordResetRequired":true,"UserName":"deploy"}')
  expect(out).to_contain('dry-run: would call iam UpdateLoginProfile {"Password":"(sensitive)","UserName":"deploy"}')
  expect(out).to_contain('dry-run: would call ec2 RunInstances {"ImageId":"ami-12345678","MaxCount":1,'
    .. '"MinCount":1,"UserData":"(sensitive)"}')
  for _, secret in ipairs({ "pw-hunter2", "pw-from-json", "dXNlci1kYXRh", "dry-run-secret" }) do
    expect(out).not_to_contain(secret)
  end
end)

test("plan() returns the changes as tables and apply() carries them out", function()
  local dir = applied()
  write(dir .. "/main.lua", STACK .. 'resource("local_file", "g", { filename = "g.txt", content = "g" })\n')
  write(dir .. "/m.lua", [[
for _, ch in ipairs(plan()) do print(ch.address, ch.action, ch.after.filename) end
apply()
print(#plan())
]])
  local out, code = luaform(dir, "run", "m.lua")
  expect(code).to_be(0)
  expect(out).to_contain("local_file.g\tcreate\tg.txt")
  expect(out).to_match("\n0\n$")
  expect(read(dir .. "/g.txt")).to_be("g")
end)

test("the state is locked while a script runs", function()
  local dir = applied()
  write(dir .. "/m.lua", 'state.list(); core.sleep(1.5)\n')
  local pid = sh(string.format("cd %s && (%s run m.lua >/dev/null 2>&1 & echo $!)", quote(dir),
    quote(core.exe_dir .. "/luaform")))
  core.sleep(0.5)
  local out, code = luaform(dir, "state", "rm", "local_file.f")
  expect(code).to_be(1)
  expect(out).to_contain("locked")
  pid = pid:gsub("%s+$", "")
  for _ = 1, 60 do
    if select(2, sh("kill -0 " .. pid)) ~= 0 then break end
    core.sleep(0.05)
  end
end)

test("a stack that does not evaluate stops the run with its file:line, not a fallback to the local state", function()
  local dir = applied()
  write(dir .. "/main.lua", STACK .. 'resource("local_fiel", "g", {})\n')
  write(dir .. "/m.lua", 'print("listed: " .. table.concat(state.list(), ","))\n')
  local out, code = luaform(dir, "run", "m.lua")
  expect(code).to_be(1)
  expect(out).to_match("^Error: main%.lua:3: ")
  expect(out).to_contain("local_fiel")
  expect(out).not_to_contain("listed:")
end)

test("run takes -var-file like plan: the stack's variables come from the file", function()
  local dir = tmpdir()
  write(dir .. "/main.lua", 'resource("local_file", "f", { filename = var("name"), content = "x" })\n')
  write(dir .. "/vars.lua", 'name = "from-file.txt"\n')
  write(dir .. "/m.lua", 'for _, ch in ipairs(plan()) do print(ch.address, ch.after.filename) end\n')
  local out, code = luaform(dir, "run", "-var-file=vars.lua", "m.lua")
  expect(code).to_be(0)
  expect(out).to_contain("local_file.f\tfrom-file.txt")
end)
