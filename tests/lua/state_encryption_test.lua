-- State encryption (encryption{} in the stack): nothing of the state's
-- content is readable in any file or S3 object a run wrote without the
-- key; state pull is plaintext and push encrypts; a plaintext state is
-- migrated only with an explicit "unencrypted" fallback, and back; a wrong
-- or missing key, altered data and refused plaintext leave the state as it
-- was; a fallback key rotates the passphrase; stack_outputs and state
-- import-terraform work on encrypted states. The aws_kms key provider
-- (against the emulator's KMS) is held to the same tests.
local backend_init = require("luaform.backend_init")

local PASS, OTHER = "correct-horse-battery-staple", "another-long-passphrase-2"
local SECRET = "s3cr3t-T0KEN-" .. core.uuid()

-- main.lua: encryption{} with `block` (a Lua table's inside), and three
-- random_ids whose keepers hold a sensitive variable's value (so the
-- secret is in the state and nowhere else).
local function stack_text(block, extra)
  return string.format([[
%s
local token = var("token", { sensitive = true })
local prev
for i = 1, 3 do
  prev = resource("random_id", "r" .. i, { byte_length = 8, keepers = { token = token } }, { depends_on = { prev } })
end
]], block and ("encryption{ " .. block .. " }") or "") .. (extra or "")
end

local function pbkdf2(var) return string.format('key_provider = "pbkdf2", passphrase = var("%s", { sensitive = true }), iterations = 200000', var or "pass") end

-- Runs luaform in dir with the token and passphrase variables from the
-- environment (pass nil: none); env is a prefix for sh() (the emulator's).
local function run(dir, pass, env, ...)
  local args = { env or "", "LUAFORM_VAR_token=" .. quote(SECRET), "NO_COLOR=1" }
  if pass then args[#args + 1] = "LUAFORM_VAR_pass=" .. quote(pass) end
  args[#args + 1] = quote(core.exe_dir .. "/luaform")
  args[#args + 1] = "-chdir=" .. quote(dir)
  for _, a in ipairs({ ... }) do args[#args + 1] = quote(a) end
  return sh(table.concat(args, " ") .. " </dev/null")
end

-- Every file under dir but main.lua: {path = text}.
local function written_files(dir)
  local out = {}
  for path in (sh("cd " .. quote(dir) .. " && find . -type f ! -name main.lua")):gmatch("[^\n]+") do
    out[path] = read(dir .. "/" .. path:sub(3))
  end
  return out
end

local function expect_unreadable(files, needles)
  local n = 0
  for path, text in pairs(files) do
    n = n + 1
    for _, needle in ipairs(needles) do
      if text:find(needle, 1, true) then error(path .. " holds " .. needle, 2) end
    end
  end
  return n
end

-- The state as `state pull` prints it (plaintext JSON).
local function pulled(dir, pass, env)
  local out, code = run(dir, pass, env, "state", "pull")
  expect(code).to_be(0)
  return core.json_decode(out)
end

local function enc_config(pass)
  return { spec = { key_provider = "pbkdf2", passphrase = pass, iterations = 200000 }, where = "test" }
end

-- Journal records of the stack's state (opened as luaform opens it): one
-- snapshot, then one-entry saves, as an apply's operations make them.
local function journal_records(opts, remove)
  local store = backend_init.open_state(opts)
  store:lock("test")
  local doc = store:load()
  store:save()
  for _, addr in ipairs(remove) do
    doc.resources[addr] = nil
    store:save(addr)
  end
  store:unlock()
end

test("no file a local run wrote holds a secret or a resource id: snapshot, journal, backup, plan file", function()
  local dir = new_stack(stack_text(pbkdf2() .. ", enforced = true"))
  local out
  local code = select(2, run(dir, PASS, nil, "apply", "-auto-approve"))
  expect(code).to_be(0)
  local st = pulled(dir, PASS)
  local id = st.resources["random_id.r1"].attributes.id
  expect(st.resources["random_id.r1"].attributes.keepers.token).to_be(SECRET)
  -- A second apply (the backup), then journal records.
  write(dir .. "/main.lua", stack_text(pbkdf2() .. ", enforced = true",
    'resource("random_id", "r4", { byte_length = 8, keepers = { token = token } })'))
  out, code = run(dir, PASS, nil, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("1 added")
  journal_records({ path = dir .. "/luaform.state.json", encryption = enc_config(PASS) }, { "random_id.r3" })
  local files = written_files(dir)
  for _, name in ipairs({ "luaform.state.json", "luaform.state.json.backup", "luaform.state.json.journal" }) do
    expect(files["./" .. name]).to_be_truthy()
  end
  expect_unreadable(files, { SECRET, id, "random_id.r1", PASS })
  expect(files["./luaform.state.json"]).to_match('^{"encryption":"luaform/1","method":"aes_gcm_256","key_provider":"pbkdf2"')
  -- With the key everything reads as before: the journal replayed, a
  -- saved plan (sealed too) shown and applied.
  st = pulled(dir, PASS)
  expect(st.resources["random_id.r3"]).to_be_nil()
  expect(st.resources["random_id.r4"]).to_be_truthy()
  code = select(2, run(dir, PASS, nil, "plan", "-destroy", "-out", "destroy.plan"))
  expect(code).to_be(0)
  files = written_files(dir)
  expect(files["./destroy.plan"]).to_match('^{"encryption":"luaform/1"')
  expect_unreadable(files, { SECRET, id, "random_id.r1", PASS })
  out, code = run(dir, PASS, nil, "show", "destroy.plan")
  expect(code).to_be(0)
  expect(out).to_contain("random_id.r1")
  out, code = run(dir, OTHER, nil, "show", "destroy.plan")
  expect(code).to_be(1)
  expect(out).to_contain('plan file destroy.plan: cannot decrypt it with key_provider "pbkdf2"')
  out, code = run(dir, PASS, nil, "apply", "destroy.plan")
  expect(code).to_be(0)
  expect(out).to_contain("3 destroyed")
end)

test("a wrong or missing passphrase, or altered data, is one error naming the key provider; the state is untouched", function()
  local dir = new_stack(stack_text(pbkdf2()))
  expect(select(2, run(dir, PASS, nil, "apply", "-auto-approve"))).to_be(0)
  local path = dir .. "/luaform.state.json"
  local before = read(path)
  local out, code = run(dir, OTHER, nil, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_match('^Error: [^\n]*luaform%.state%.json: cannot decrypt it with key_provider "pbkdf2": the passphrase is wrong')
  expect(out).not_to_contain(OTHER)
  out, code = run(dir, nil, nil, "plan")
  expect(code).to_be(1)
  expect(out).to_contain('no value for required variable "pass"')
  out, code = run(dir, nil, nil, "state", "list")   -- evaluated for the backend only: the variable may be missing
  expect(code).to_be(1)
  expect(out).to_contain('main.lua:1: encryption: key_provider "pbkdf2" has no passphrase')
  expect(read(path)).to_be(before)
  -- One byte of the ciphertext changed: refused by GCM's authentication, never decoded.
  local i = before:find('"ciphertext":"', 1, true) + 40
  local altered = before:sub(1, i - 1) .. (before:sub(i, i) == "A" and "B" or "A") .. before:sub(i + 1)
  write(path, altered)
  out, code = run(dir, PASS, nil, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_contain("luaform.state.json: the encrypted data was altered (AES-256-GCM authentication failed)")
  expect(read(path)).to_be(altered)
  -- An altered journal record is refused too.
  write(path, before)
  journal_records({ path = path, encryption = enc_config(PASS) }, { "random_id.r1", "random_id.r2" })
  local jpath = path .. ".journal"
  local journal = read(jpath)
  local at = journal:find('"ciphertext":"', 1, true) + 20
  write(jpath, journal:sub(1, at - 1) .. (journal:sub(at, at) == "A" and "B" or "A") .. journal:sub(at + 1))
  -- Its frame's checksum made right again, so the cipher's authentication is what refuses it.
  local _, fixed = sh("python3 -c " .. quote("import sys,zlib,struct\np=sys.argv[1]\ns=bytearray(open(p,'rb').read())\n"
    .. "n=struct.unpack('>I',s[4:8])[0]\ns[8:12]=struct.pack('>I',zlib.crc32(bytes(s[12:12+n])))\nopen(p,'wb').write(s)") .. " " .. quote(jpath))
  expect(fixed).to_be(0)
  out, code = run(dir, PASS, nil, "state", "list")
  expect(code).to_be(1)
  expect(out).to_contain("a journal record: the encrypted data was altered (AES-256-GCM authentication failed)")
end)

test("a plaintext state is refused without an unencrypted fallback, encrypted with it, and decrypted back", function()
  local dir = new_stack(stack_text(nil))
  expect(select(2, run(dir, nil, nil, "apply", "-auto-approve"))).to_be(0)
  local path = dir .. "/luaform.state.json"
  local plain = read(path)
  local id = core.json_decode(plain).resources["random_id.r2"].attributes.id
  write(dir .. "/main.lua", stack_text(pbkdf2() .. ", enforced = true"))
  local out, code = run(dir, PASS, nil, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_contain('luaform.state.json is not encrypted and encryption{} (key_provider "pbkdf2") accepts no plaintext')
  expect(read(path)).to_be(plain)
  -- Migration: the explicit fallback reads it; the next save writes it encrypted.
  write(dir .. "/main.lua", stack_text(pbkdf2() .. ', enforced = true, fallback = { key_provider = "unencrypted" }'))
  out, code = run(dir, PASS, nil, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("0 added, 0 changed, 0 destroyed")
  expect(read(path)).not_to_contain(id)
  expect(pulled(dir, PASS).resources["random_id.r2"].attributes.id).to_be(id)
  -- enforced refuses a plaintext method.
  write(dir .. "/main.lua", stack_text('key_provider = "unencrypted", enforced = true'))
  out, code = run(dir, PASS, nil, "plan")
  expect(code).to_be(1)
  expect(out).to_contain('main.lua:1: encryption: enforced = true refuses key_provider "unencrypted"')
  -- Back to plaintext: "unencrypted" as the method, the old key as the fallback.
  write(dir .. "/main.lua", stack_text('key_provider = "unencrypted", fallback = { ' .. pbkdf2() .. " }"))
  code = select(2, run(dir, PASS, nil, "apply", "-auto-approve"))
  expect(code).to_be(0)
  expect(core.json_decode(read(path)).resources["random_id.r2"].attributes.id).to_be(id)
end)

test("a fallback key rotates the passphrase: read with either, written with the new one", function()
  local dir = new_stack(stack_text(pbkdf2()))
  expect(select(2, run(dir, PASS, nil, "apply", "-auto-approve"))).to_be(0)
  local id = pulled(dir, PASS).resources["random_id.r1"].attributes.id
  write(dir .. "/main.lua", stack_text(pbkdf2() .. ", fallback = { " .. pbkdf2("old_pass") .. " }"))
  local out, code = run(dir, OTHER, "LUAFORM_VAR_old_pass=" .. quote(PASS), "plan")
  expect(code).to_be(0)
  expect(out).to_contain("No changes")
  -- init rewrites the state with the new key (as an apply would).
  code = select(2, run(dir, OTHER, "LUAFORM_VAR_old_pass=" .. quote(PASS), "init"))
  expect(code).to_be(0)
  -- Written with the new key: the old one alone no longer opens it.
  write(dir .. "/main.lua", stack_text(pbkdf2()))
  out, code = run(dir, PASS, nil, "state", "list")
  expect(code).to_be(1)
  expect(out).to_contain("the passphrase is wrong")
  expect(pulled(dir, OTHER).resources["random_id.r1"].attributes.id).to_be(id)
end)

test("state pull is plaintext, state push encrypts, workspaces are encrypted alike", function()
  local dir = new_stack(stack_text(pbkdf2() .. ", enforced = true"))
  expect(select(2, run(dir, PASS, nil, "apply", "-auto-approve"))).to_be(0)
  local pulled_text, code = run(dir, PASS, nil, "state", "pull")
  expect(code).to_be(0)
  local doc = core.json_decode(pulled_text)
  doc.resources["random_id.r3"] = nil
  doc.serial = doc.serial + 1
  write(dir .. "/pushed.json", core.json_encode(doc, { pretty = true }))
  local out
  code = select(2, run(dir, PASS, nil, "state", "push", "pushed.json"))
  expect(code).to_be(0)
  expect(read(dir .. "/luaform.state.json")).not_to_contain("random_id.r1")
  expect(run(dir, PASS, nil, "state", "list")).to_be("random_id.r1\nrandom_id.r2\n")
  -- A new workspace's state is encrypted too.
  expect(select(2, run(dir, PASS, nil, "workspace", "new", "dev"))).to_be(0)
  out, code = run(dir, PASS, nil, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("3 added")
  local dev = read(dir .. "/luaform.state.d/dev/luaform.state.json")
  expect(dev).to_match('^{"encryption":"luaform/1"')
  expect(dev).not_to_contain(SECRET)
end)

test("on S3 no object holds a secret or a resource id: the state and its journal objects", function()
  local e = emulator({})
  e:use()
  local aws = require("luaform.aws")
  local s3 = aws.client("s3")
  s3:CreateBucket{ Bucket = "tfstate" }
  local backend = 'backend("s3", { bucket = "tfstate", key = "app/state.json", region = "us-east-1" })\n'
  local dir = new_stack(backend .. stack_text(pbkdf2() .. ", enforced = true"))
  expect(select(2, run(dir, PASS, e:env(), "init"))).to_be(0)
  local out
  local code = select(2, run(dir, PASS, e:env(), "apply", "-auto-approve"))
  expect(code).to_be(0)
  local st = pulled(dir, PASS, e:env())
  local id = st.resources["random_id.r1"].attributes.id
  -- Journal objects, as an apply's operations leave them when it is killed.
  journal_records({ backend = { type = "s3", config = { bucket = "tfstate", key = "app/state.json", region = "us-east-1" } },
    encryption = enc_config(PASS), initializing = true }, { "random_id.r2", "random_id.r3" })
  local objects = {}
  for _, obj in ipairs(s3:ListObjectsV2{ Bucket = "tfstate" }.Contents or {}) do
    objects[obj.Key] = s3:GetObject{ Bucket = "tfstate", Key = obj.Key }.Body
  end
  expect(objects["app/state.json"]).to_match('^{"encryption":"luaform/1"')
  local journal = 0
  for key in pairs(objects) do if key:find("^app/state%.json%.journal/") then journal = journal + 1 end end
  expect(journal).to_be(2)
  expect_unreadable(objects, { SECRET, id, "random_id.r1", PASS })
  -- Readers replay the encrypted journal; the next apply compacts it.
  expect(run(dir, PASS, e:env(), "state", "list")).to_be("random_id.r1\n")
  out, code = run(dir, OTHER, e:env(), "state", "list")
  expect(code).to_be(1)
  expect(out).to_contain('app/state.json')
  expect(out).to_contain('key_provider "pbkdf2": the passphrase is wrong')
  out, code = run(dir, PASS, e:env(), "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("2 added")
  expect(s3:GetObject{ Bucket = "tfstate", Key = "app/state.json" }.Body).not_to_contain(SECRET)
end)

test("stack_outputs reads an encrypted stack's outputs with its encryption = {...}, or the reader's own encryption{}", function()
  local net = new_stack(stack_text(pbkdf2(), 'output("first", prev.hex)\n'))
  expect(select(2, run(net, PASS, nil, "apply", "-auto-approve"))).to_be(0)
  local hex = pulled(net, PASS).outputs.first.value
  local path = net .. "/luaform.state.json"
  local reader = function(opts) return string.format([[
local net = stack_outputs{ backend = "local", config = { path = %q }%s }
resource("local_file", "f", { filename = "f.txt", content = net.first })
]], path, opts) end
  -- No key: one error at the stack_outputs line, naming the key provider.
  local dir = new_stack(reader(""))
  local out, code = run(dir, nil, nil, "plan")
  expect(code).to_be(1)
  expect(out).to_contain('main.lua:1: the state file ' .. path .. ' (workspace default) is encrypted (key_provider "pbkdf2")')
  write(dir .. "/main.lua", reader(', encryption = { key_provider = "pbkdf2", passphrase = var("other", { sensitive = true }), iterations = 200000 }'))
  code = select(2, run(dir, nil, "LUAFORM_VAR_other=" .. quote(PASS), "apply", "-auto-approve"))
  expect(code).to_be(0)
  expect(read(dir .. "/f.txt")).to_be(hex)
  -- The reader's own encryption{} (the same passphrase) opens it too.
  dir = new_stack("encryption{ " .. pbkdf2() .. " }\n" .. reader(""))
  code = select(2, run(dir, PASS, nil, "apply", "-auto-approve"))
  expect(code).to_be(0)
  expect(read(dir .. "/f.txt")).to_be(hex)
end)

test("state import-terraform writes the converted state encrypted", function()
  local dir = new_stack("encryption{ " .. pbkdf2() .. ", enforced = true }\n")
  local url = "https://sqs.us-east-1.amazonaws.com/123456789012/q-" .. core.uuid()
  write(dir .. "/terraform.tfstate", core.json_encode({ version = 4, serial = 3,
    lineage = "5e0f0d1c-1111-2222-3333-444455556666", outputs = setmetatable({}, core.json_object_mt), resources = {
      { mode = "managed", type = "aws_sqs_queue", name = "q", provider = 'provider["registry.terraform.io/hashicorp/aws"]',
        instances = { { schema_version = 0, attributes = { id = url, name = "q" } } } },
    } }))
  local code = select(2, run(dir, PASS, nil, "state", "import-terraform", "terraform.tfstate"))
  expect(code).to_be(0)
  local stored = read(dir .. "/luaform.state.json")
  expect(stored).to_match('^{"encryption":"luaform/1"')
  expect(stored).not_to_contain(url)
  expect(stored).not_to_contain("aws_sqs_queue.q")
  expect(pulled(dir, PASS).resources["aws_sqs_queue.q"].attributes.id).to_be(url)
end)

---------------------------------------------------------------- aws_kms

local KMS = 'key_provider = "aws_kms", kms_key_id = "alias/state"'
local S3_BACKEND = 'backend("s3", { bucket = "tfstate", key = "app/state.json", region = "us-east-1" })\n'

-- The emulator with a bucket and a KMS key under alias/state; returns
-- it, the key's id and the aws module (its clients reach the emulator).
local function kms_emulator()
  local e = emulator({})
  e:use()
  local aws = require("luaform.aws")
  aws.client("s3"):CreateBucket{ Bucket = "tfstate" }
  local key = aws.client("kms"):CreateKey{}.KeyMetadata.KeyId
  aws.client("kms"):CreateAlias{ AliasName = "alias/state", TargetKeyId = key }
  return e, key, aws
end

local function kms_config(id) return { spec = { key_provider = "aws_kms", kms_key_id = id or "alias/state" }, where = "test" } end

-- Every object in the bucket: {key = body}.
local function bucket_objects(s3)
  local objects = {}
  for _, obj in ipairs(s3:ListObjectsV2{ Bucket = "tfstate" }.Contents or {}) do
    objects[obj.Key] = s3:GetObject{ Bucket = "tfstate", Key = obj.Key }.Body
  end
  return objects
end

test("aws_kms: no file or S3 object a run wrote holds a secret or a resource id; one Decrypt per data key", function()
  local e, key, aws = kms_emulator()
  local dir = new_stack(stack_text(KMS .. ", enforced = true"))
  expect(select(2, run(dir, nil, e:env(), "apply", "-auto-approve"))).to_be(0)
  local st = pulled(dir, nil, e:env())
  local id = st.resources["random_id.r1"].attributes.id
  expect(st.resources["random_id.r1"].attributes.keepers.token).to_be(SECRET)
  write(dir .. "/main.lua", stack_text(KMS .. ", enforced = true",
    'resource("random_id", "r4", { byte_length = 8, keepers = { token = token } })'))
  expect(select(2, run(dir, nil, e:env(), "apply", "-auto-approve"))).to_be(0)
  journal_records({ path = dir .. "/luaform.state.json", encryption = kms_config() }, { "random_id.r3" })
  expect(select(2, run(dir, nil, e:env(), "plan", "-destroy", "-out", "destroy.plan"))).to_be(0)
  local files = written_files(dir)
  for _, name in ipairs({ "luaform.state.json", "luaform.state.json.backup", "luaform.state.json.journal", "destroy.plan" }) do
    expect(files["./" .. name]).to_be_truthy()
  end
  expect_unreadable(files, { SECRET, id, "random_id.r1" })
  expect(files["./luaform.state.json"]).to_match('^{"encryption":"luaform/1","method":"aes_gcm_256","key_provider":"aws_kms",'
    .. '"kms_key_id":"arn:aws:kms:[^"]*' .. key:gsub("%-", "%%-") .. '","encrypted_key":"')
  -- The snapshot and the journal's records share their writer's data key:
  -- a reader decrypts it once (the plan file's key is another).
  local before = #e:requests().requests
  st = pulled(dir, nil, e:env())
  expect(st.resources["random_id.r3"]).to_be_nil()
  expect(st.resources["random_id.r4"]).to_be_truthy()
  local decrypts, log = 0, e:requests().requests
  for i = before + 1, #log do
    if log[i].action == "Decrypt" then decrypts = decrypts + 1 end
  end
  expect(decrypts).to_be(1)
  -- A plan writes no state: it asks KMS for no data key, only to read.
  before = #e:requests().requests
  expect(select(2, run(dir, nil, e:env(), "plan"))).to_be(0)
  local generated = 0
  log = e:requests().requests
  for i = before + 1, #log do
    if log[i].action == "GenerateDataKey" then generated = generated + 1 end
  end
  expect(generated).to_be(0)
  local out, code = run(dir, nil, e:env(), "apply", "destroy.plan")
  expect(code).to_be(0)
  expect(out).to_contain("3 destroyed")
  -- On S3: the state and its journal objects.
  dir = new_stack(S3_BACKEND .. stack_text(KMS .. ", enforced = true"))
  expect(select(2, run(dir, nil, e:env(), "init"))).to_be(0)
  expect(select(2, run(dir, nil, e:env(), "apply", "-auto-approve"))).to_be(0)
  id = pulled(dir, nil, e:env()).resources["random_id.r1"].attributes.id
  journal_records({ backend = { type = "s3", config = { bucket = "tfstate", key = "app/state.json", region = "us-east-1" } },
    encryption = kms_config(), initializing = true }, { "random_id.r2", "random_id.r3" })
  local objects = bucket_objects(aws.client("s3"))
  expect(objects["app/state.json"]).to_match('^{"encryption":"luaform/1","method":"aes_gcm_256","key_provider":"aws_kms"')
  local journal = 0
  for k in pairs(objects) do if k:find("^app/state%.json%.journal/") then journal = journal + 1 end end
  expect(journal).to_be(2)
  expect_unreadable(objects, { SECRET, id, "random_id.r1" })
  expect(run(dir, nil, e:env(), "state", "list")).to_be("random_id.r1\n")
  out, code = run(dir, nil, e:env(), "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("2 added")
  expect_unreadable(bucket_objects(aws.client("s3")), { SECRET, id, "random_id.r1" })
end)

test("aws_kms: a wrong key, a disabled key or a denied permission is one error naming the key provider; altered data is refused; the state is untouched", function()
  local e, key, aws = kms_emulator()
  local kms = aws.client("kms")
  local dir = new_stack(stack_text(KMS))
  expect(select(2, run(dir, nil, e:env(), "apply", "-auto-approve"))).to_be(0)
  local path = dir .. "/luaform.state.json"
  local before = read(path)
  -- Every failure below: exit 1, one line naming the key provider and the key, nothing written.
  local function refused(args, needle)
    local out, code = run(dir, nil, e:env(), table.unpack(args))
    expect(code).to_be(1)
    expect(out).to_match('^Error: [^\n]*key_provider "aws_kms"[^\n]*\n$')
    expect(out).to_contain(needle)
    expect(read(path)).to_be(before)
  end
  write(dir .. "/main.lua", stack_text('key_provider = "aws_kms", kms_key_id = "alias/nope"'))
  refused({ "apply", "-auto-approve" }, 'main.lua:1: encryption: key_provider "aws_kms" (kms_key_id "alias/nope"): KMS GenerateDataKey failed: NotFoundException')
  refused({ "state", "list" }, 'luaform.state.json: cannot decrypt it with key_provider "aws_kms" (kms_key_id "alias/nope"): KMS Decrypt failed: NotFoundException')
  -- Another key that exists: its Decrypt does not open this data key.
  local other = kms:CreateKey{}.KeyMetadata.KeyId
  write(dir .. "/main.lua", stack_text('key_provider = "aws_kms", kms_key_id = "' .. other .. '"'))
  refused({ "state", "list" }, "its data key is encrypted under KMS key arn:aws:kms:us-east-1:123456789012:key/" .. key)
  write(dir .. "/main.lua", stack_text(KMS))
  kms:DisableKey{ KeyId = key }
  refused({ "apply", "-auto-approve" }, "DisabledException")
  refused({ "state", "pull" }, "KMS Decrypt failed: DisabledException")
  kms:EnableKey{ KeyId = key }
  kms:PutKeyPolicy{ KeyId = key, PolicyName = "default", Policy = core.json_encode({ Version = "2012-10-17",
    Statement = { { Effect = "Deny", Principal = "*", Action = "kms:Decrypt", Resource = "*" } } }) }
  refused({ "apply", "-auto-approve" }, "KMS Decrypt failed: AccessDeniedException")
  kms:PutKeyPolicy{ KeyId = key, PolicyName = "default", Policy = core.json_encode({ Version = "2012-10-17",
    Statement = { { Effect = "Allow", Principal = { AWS = "*" }, Action = "kms:*", Resource = "*" } } }) }
  expect(select(2, run(dir, nil, e:env(), "state", "list"))).to_be(0)
  -- Altered: one byte of the ciphertext (GCM's authentication), the
  -- encrypted data key (KMS refuses it), the header's key ARN (authenticated data).
  local function alter(field, at)
    local i = before:find('"' .. field .. '":"', 1, true) + #field + 4 + at
    local altered = before:sub(1, i - 1) .. (before:sub(i, i) == "A" and "B" or "A") .. before:sub(i + 1)
    write(path, altered)
    local out, code = run(dir, nil, e:env(), "apply", "-auto-approve")
    expect(code).to_be(1)
    expect(read(path)).to_be(altered)
    write(path, before)
    return out
  end
  expect(alter("ciphertext", 40)).to_contain("luaform.state.json: the encrypted data was altered (AES-256-GCM authentication failed)")
  expect(alter("encrypted_key", 30)).to_contain('cannot decrypt it with key_provider "aws_kms" (kms_key_id "alias/state"): KMS Decrypt failed: InvalidCiphertextException')
  expect(alter("kms_key_id", 2)).to_contain("the encrypted data was altered")
  expect(select(2, run(dir, nil, e:env(), "apply", "-auto-approve"))).to_be(0)
end)

test("fallback across key providers: pbkdf2 to aws_kms and back, read with either, written with the method", function()
  local e = kms_emulator()
  local dir = new_stack(stack_text(pbkdf2()))
  expect(select(2, run(dir, PASS, e:env(), "apply", "-auto-approve"))).to_be(0)
  local path = dir .. "/luaform.state.json"
  local id = pulled(dir, PASS, e:env()).resources["random_id.r1"].attributes.id
  -- The aws_kms method with the passphrase as the fallback: an apply with
  -- nothing to do rewrites the state with a KMS data key.
  write(dir .. "/main.lua", stack_text(KMS .. ", fallback = { " .. pbkdf2() .. " }"))
  local out, code = run(dir, PASS, e:env(), "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("0 added, 0 changed, 0 destroyed")
  expect(read(path)).to_match('^{"encryption":"luaform/1","method":"aes_gcm_256","key_provider":"aws_kms"')
  -- Without the fallback, the passphrase alone no longer opens it; KMS does.
  write(dir .. "/main.lua", stack_text(pbkdf2()))
  out, code = run(dir, PASS, e:env(), "state", "list")
  expect(code).to_be(1)
  expect(out).to_contain('luaform.state.json is encrypted with key_provider "aws_kms" and the stack\'s encryption{} has no aws_kms key')
  write(dir .. "/main.lua", stack_text(KMS))
  expect(pulled(dir, nil, e:env()).resources["random_id.r1"].attributes.id).to_be(id)
  -- And back: pbkdf2 as the method, aws_kms as the fallback, then init.
  write(dir .. "/main.lua", stack_text(pbkdf2() .. ", fallback = { " .. KMS .. " }"))
  expect(select(2, run(dir, PASS, e:env(), "init"))).to_be(0)
  expect(read(path)).to_match('^{"encryption":"luaform/1","method":"aes_gcm_256","key_provider":"pbkdf2"')
  write(dir .. "/main.lua", stack_text(pbkdf2()))
  expect(pulled(dir, PASS, e:env()).resources["random_id.r1"].attributes.id).to_be(id)
end)
