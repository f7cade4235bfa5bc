-- aws_cloudcontrolapi_resource end to end against the emulator's Cloud
-- Control front end: what AWS then holds is read through the services'
-- own APIs and the emulator's inventory and request log, never from
-- luaform's state. A queue and a log group referring to it (created, no
-- changes after, a change sent as one JSON Patch, drift repaired, the
-- service's defaults never a diff), a kill -9 during the create (adopted,
-- no orphan) and one before it was sent (nothing made twice), import,
-- destroy; with schema, a create-only change is a
-- replacement and a write-only property never drift; a failed create and
-- an unknown type name fail at apply with the service's words and leave
-- nothing behind.
local QUEUE = "aws_cloudcontrolapi_resource.queue"

local function main(queue_state, extra)
  return string.format([[
local queue = resource("aws_cloudcontrolapi_resource", "queue", {
  type_name = "AWS::SQS::Queue",
  desired_state = json(%s),
})
resource("aws_cloudcontrolapi_resource", "logs", {
  type_name = "AWS::Logs::LogGroup",
  desired_state = json{ LogGroupName = "/app/orders", RetentionInDays = 7,
    Tags = { { Key = "queue", Value = queue.id } } },
})
output("queue_url", queue.id)
%s]], queue_state, extra or "")
end

local BASE = '{ QueueName = "orders", VisibilityTimeout = 45 }'

local function run(e, dir, ...)
  local out, code = e:luaform(dir, ...)
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  return out
end

local function plan_code(e, dir)
  local out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  return code, out
end

local function clients(e)
  e:use()
  local aws = require("luaform.aws")
  return aws.client("sqs", { region = e.region }), aws.client("logs", { region = e.region })
end

local function queue_attrs(sqs, url)
  return sqs:GetQueueAttributes{ QueueUrl = url, AttributeNames = { "All" } }.Attributes
end

-- The PatchDocuments UpdateResource was sent, decoded, in order.
local function patches(e)
  local out = {}
  for _, r in ipairs(e:requests().requests) do
    if r.action == "UpdateResource" then out[#out + 1] = core.json_decode(r.detail.PatchDocument) end
  end
  return out
end

local function applied(e, text)
  local dir = new_stack(text)
  run(e, dir, "apply", "-auto-approve")
  return dir
end

test("a queue and a log group referring to it: created through Cloud Control, then no changes", function()
  local e = emulator()
  local dir = applied(e, main(BASE))
  local inv = e:inventory()
  expect(#inv.sqs.queue).to_be(1)
  local q = inv.sqs.queue[1]
  expect(q.name).to_be("orders")
  expect(q.attributes.VisibilityTimeout).to_be("45")
  expect(#inv.logs.log_group).to_be(1)
  expect(inv.logs.log_group[1].id).to_be("/app/orders")
  expect(inv.logs.log_group[1].retentionInDays).to_be(7)
  expect(inv.logs.log_group[1].tags).to_equal({ queue = q.id })   -- the reference, resolved
  local st = state_of(dir)
  expect(st.resources[QUEUE].attributes.id).to_be(q.id)
  expect(core.json_decode(st.resources[QUEUE].attributes.properties).Arn).to_be(q.arn)
  expect(st.outputs.queue_url.value).to_be(q.id)
  -- each create was polled to its end
  local counts = e:counts()
  expect(counts["cloudcontrolapi:CreateResource"]).to_be(2)
  expect(counts["cloudcontrolapi:GetResourceRequestStatus"] >= 2).to_be(true)
  local code, out = plan_code(e, dir)
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  -- a setting the user never wrote, changed outside, is no diff (the service's default)
  local sqs = clients(e)
  sqs:SetQueueAttributes{ QueueUrl = q.id, Attributes = { MessageRetentionPeriod = "600" } }
  code, out = plan_code(e, dir)
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  run(e, dir, "destroy", "-auto-approve")
  inv = e:inventory()
  expect(#inv.sqs.queue + #inv.logs.log_group).to_be(0)
  expect(next(state_of(dir).resources)).to_be_nil()
end)

test("a property change is applied as one JSON Patch (UpdateResource), and the plan after is clean", function()
  local e = emulator()
  local dir = applied(e, main(BASE))
  local url = state_of(dir).resources[QUEUE].attributes.id
  write(dir .. "/main.lua", main('{ QueueName = "orders", VisibilityTimeout = 60, DelaySeconds = 5 }'))
  local code, out = plan_code(e, dir)
  expect(code).to_be(2)
  expect(out).to_contain("# " .. QUEUE .. " will be updated in-place")
  expect(out).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  run(e, dir, "apply", "-auto-approve")
  expect(patches(e)).to_equal({ {
    { op = "add", path = "/DelaySeconds", value = 5 },
    { op = "replace", path = "/VisibilityTimeout", value = 60 },
  } })
  local a = queue_attrs(clients(e), url)
  expect(a.VisibilityTimeout).to_be("60")
  expect(a.DelaySeconds).to_be("5")
  expect(#e:inventory().sqs.queue).to_be(1)   -- the same queue, changed in place
  -- a property the user no longer sets is removed from the resource
  write(dir .. "/main.lua", main('{ QueueName = "orders", VisibilityTimeout = 60 }'))
  run(e, dir, "apply", "-auto-approve")
  expect(patches(e)[2]).to_equal({ { op = "remove", path = "/DelaySeconds" } })
  expect(queue_attrs(clients(e), url).DelaySeconds).to_be("0")
  code, out = plan_code(e, dir)
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
end)

test("a property changed outside luaform is drift, repaired by the next apply", function()
  local e = emulator()
  local dir = applied(e, main(BASE))
  local url = state_of(dir).resources[QUEUE].attributes.id
  local sqs = clients(e)
  sqs:SetQueueAttributes{ QueueUrl = url, Attributes = { VisibilityTimeout = "99" } }
  local code, out = plan_code(e, dir)
  expect(code).to_be(2)
  expect(out).to_contain("# " .. QUEUE .. " will be updated in-place")
  expect(out).to_contain("VisibilityTimeout")
  run(e, dir, "apply", "-auto-approve")
  expect(patches(e)).to_equal({ { { op = "replace", path = "/VisibilityTimeout", value = 45 } } })
  expect(queue_attrs(sqs, url).VisibilityTimeout).to_be("45")
  code, out = plan_code(e, dir)
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
end)

test("kill -9 while the create is in progress: the next apply adopts the queue, no orphan", function()
  local e = emulator({ ["cloudcontrol-delay-ms"] = 4000 })
  local dir = new_stack(main(BASE))
  local pid = (sh(string.format("cd %s && (%s NO_COLOR=1 %s apply -auto-approve > run.log 2>&1 </dev/null & echo $!)",
    quote(dir), e:env(), quote(core.exe_dir .. "/luaform"))):gsub("%s+$", ""))
  -- until the create was sent (its intent is in the state, the queue exists)
  -- and luaform is polling it
  local sent = false
  for _ = 1, 200 do
    local text = read(dir .. "/luaform.state.json")
    local entry = text and core.json_decode(text).resources[QUEUE]
    if entry and entry.pending and (e:counts()["cloudcontrolapi:GetResourceRequestStatus"] or 0) > 0 then
      sent = true
      break
    end
    core.sleep(0.05)
  end
  expect(sent).to_be(true)
  sh("kill -9 " .. pid)
  for _ = 1, 100 do
    if select(2, sh("kill -0 " .. pid)) ~= 0 then break end
    core.sleep(0.05)
  end
  local inv = e:inventory()
  expect(#inv.sqs.queue).to_be(1)
  local url = inv.sqs.queue[1].id
  expect(state_of(dir).resources[QUEUE].pending).to_be_truthy()
  expect(state_of(dir).resources[QUEUE].attributes).to_be_nil()

  local out = run(e, dir, "apply", "-auto-approve")
  expect(out).not_to_contain(QUEUE .. ": Creating...")
  inv = e:inventory()
  expect(#inv.sqs.queue).to_be(1)   -- adopted, not made twice
  expect(inv.sqs.queue[1].id).to_be(url)
  expect(#inv.logs.log_group).to_be(1)
  local entry = state_of(dir).resources[QUEUE]
  expect(entry.pending).to_be_nil()
  expect(entry.attributes.id).to_be(url)
  -- found through the request list, then its own request by the same client token
  expect(e:counts()["cloudcontrolapi:ListResourceRequests"] >= 1).to_be(true)
  local code, plan = plan_code(e, dir)
  if code ~= 0 then print(plan) end
  expect(code).to_be(0)
end)

test("a run killed before its create was sent: the plan finds nothing (and makes nothing), the apply creates once", function()
  local e = emulator()
  local dir = new_stack(main(BASE))
  -- what a run killed between writing the intent and sending CreateResource leaves
  write(dir .. "/luaform.state.json", core.json_encode({ version = 1, lineage = "0c6f2a9e-5b1d-4e7a-9f3c-2d8e6a1b4c70",
    serial = 1, outputs = setmetatable({}, core.json_object_mt), resources = { [QUEUE] = {
      type = "aws_cloudcontrolapi_resource", mode = "managed", provider = "aws", schema_version = 0, dependencies = {},
      pending = { op = "create", token = "5a0e7c2d-8b4f-4c1a-9e6d-3f2b1a0c9d87", since = os.time() - 5,
        args = { type_name = "AWS::SQS::Queue", desired_state = '{"QueueName":"orders","VisibilityTimeout":45}' } } } } }))
  local code, out = plan_code(e, dir)
  expect(code).to_be(2)
  expect(out).to_contain("Plan: 2 to add, 0 to change, 0 to destroy.")
  expect(e:counts()["cloudcontrolapi:ListResourceRequests"] >= 1).to_be(true)
  expect(e:counts()["cloudcontrolapi:CreateResource"]).to_be_nil()
  expect(#e:inventory().sqs.queue).to_be(0)
  run(e, dir, "apply", "-auto-approve")
  expect(#e:inventory().sqs.queue).to_be(1)
  expect(e:counts()["cloudcontrolapi:CreateResource"]).to_be(2)   -- the queue and the log group, once each
end)

test("import by TYPE_NAME,IDENTIFIER; the apply after it sends no patch when nothing differs", function()
  local e = emulator()
  local dir = applied(e, main(BASE))
  local url = state_of(dir).resources[QUEUE].attributes.id
  run(e, dir, "state", "rm", QUEUE)
  local out, code = e:luaform(dir, "import", QUEUE, url)
  expect(code).to_be(1)
  expect(out).to_contain("expected TYPE_NAME,IDENTIFIER")
  run(e, dir, "import", QUEUE, "AWS::SQS::Queue," .. url)
  local a = state_of(dir).resources[QUEUE].attributes
  expect(a.id).to_be(url)
  expect(a.type_name).to_be("AWS::SQS::Queue")
  expect(core.json_decode(a.properties).VisibilityTimeout).to_be(45)
  run(e, dir, "apply", "-auto-approve")
  expect(#patches(e)).to_be(0)
  expect(#e:inventory().sqs.queue).to_be(1)
  local plan
  code, plan = plan_code(e, dir)
  if code ~= 0 then print(plan) end
  expect(code).to_be(0)
  out, code = e:luaform(dir, "import", QUEUE, "AWS::SQS::Queue,https://sqs.us-east-1.amazonaws.com/123456789012/none")
  expect(code).to_be(1)
  expect(out).to_contain("already managed")
end)

local SCHEMA = [[json{
  typeName = "AWS::SQS::Queue",
  primaryIdentifier = { "/properties/QueueUrl" },
  createOnlyProperties = { "/properties/QueueName", "/properties/FifoQueue" },
  readOnlyProperties = { "/properties/QueueUrl", "/properties/Arn" },
}]]

local function schema_stack(name)
  return string.format([[
resource("aws_cloudcontrolapi_resource", "queue", {
  type_name = "AWS::SQS::Queue",
  desired_state = json{ QueueName = %q, VisibilityTimeout = 45 },
  schema = %s,
})
]], name, SCHEMA)
end

test("with schema, a create-only property change plans a replacement; without it, an update", function()
  local e = emulator()
  local dir = applied(e, schema_stack("first"))
  local old = state_of(dir).resources[QUEUE].attributes.id
  write(dir .. "/main.lua", schema_stack("second"))
  local code, out = plan_code(e, dir)
  expect(code).to_be(2)
  expect(out).to_contain("# " .. QUEUE .. " must be replaced")
  expect(out).to_contain("# forces replacement")
  expect(out).to_contain("Plan: 1 to add, 0 to change, 1 to destroy.")
  run(e, dir, "apply", "-auto-approve")
  local inv = e:inventory()
  expect(#inv.sqs.queue).to_be(1)
  expect(inv.sqs.queue[1].name).to_be("second")
  expect(state_of(dir).resources[QUEUE].attributes.id ~= old).to_be(true)
  -- the same change without a schema: Cloud Control decides, luaform plans an update
  write(dir .. "/main.lua", [[
resource("aws_cloudcontrolapi_resource", "queue", {
  type_name = "AWS::SQS::Queue",
  desired_state = json{ QueueName = "third", VisibilityTimeout = 45 },
})
]])
  code, out = plan_code(e, dir)
  expect(code).to_be(2)
  expect(out).to_contain("# " .. QUEUE .. " will be updated in-place")
  out, code = e:luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_contain("NotUpdatable")
  expect(out).to_contain("QueueName")
end)

test("with schema, a write-only property is never read back as drift", function()
  local e = emulator()
  local dir = applied(e, [[
resource("aws_cloudcontrolapi_resource", "repo", {
  type_name = "AWS::ECR::Repository",
  desired_state = json{ RepositoryName = "team/app", EmptyOnDelete = true },
  schema = json{ writeOnlyProperties = { "/properties/EmptyOnDelete" },
    createOnlyProperties = { "/properties/RepositoryName" } },
})
]])
  local props = core.json_decode(state_of(dir).resources["aws_cloudcontrolapi_resource.repo"].attributes.properties)
  expect(props.EmptyOnDelete).to_be_nil()   -- the service never reports it
  local code, out = plan_code(e, dir)
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  run(e, dir, "destroy", "-auto-approve")
  expect(#e:inventory().ecr.repository).to_be(0)
end)

test("a secret in desired_state is hidden in the plan", function()
  local e = emulator()
  local dir = new_stack([[
local token = var("token", { sensitive = true, default = "s3cret-value" })
resource("aws_cloudcontrolapi_resource", "topic", {
  type_name = "AWS::SNS::Topic",
  desired_state = json{ TopicName = "events", DisplayName = token },
})
]])
  local out = run(e, dir, "plan")
  expect(out).not_to_contain("s3cret-value")
  expect(out).to_contain("desired_state = (sensitive value)")
end)

test("a failed create and an unknown type name fail at apply with the service's message, leaving nothing", function()
  local e = emulator()
  local dir = new_stack([[
resource("aws_cloudcontrolapi_resource", "queue", {
  type_name = "AWS::SQS::Queue",
  desired_state = json{ QueueName = "bad", VisibilityTimeout = 99999 },
})
]])
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_contain("CreateResource AWS::SQS::Queue FAILED (InvalidRequest)")
  expect(out).to_contain("VisibilityTimeout")
  expect(state_of(dir).resources[QUEUE]).to_be_nil()
  expect(#e:inventory().sqs.queue).to_be(0)

  dir = new_stack([[
resource("aws_cloudcontrolapi_resource", "thing", {
  type_name = "AWS::Nope::Thing",
  desired_state = json{ Name = "x" },
})
]])
  out, code = e:luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_contain("TypeNotFoundException")
  expect(out).to_contain("The type 'AWS::Nope::Thing' cannot be found.")
  expect(state_of(dir).resources["aws_cloudcontrolapi_resource.thing"]).to_be_nil()
  local inv = e:inventory()
  for svc, kinds in pairs(inv) do
    for kind, list in pairs(kinds) do
      if #list > 0 then error(string.format("%s %s left behind", svc, kind), 0) end
    end
  end
end)

test("the JSON Patch between two desired states: arrays by index, removals from the end, escaped names", function()
  local patch = require("luaform.providers.aws._json_patch")
  local function doc(text) return core.json_decode(text) end
  expect(patch.diff(doc('{"Tags":[{"Key":"a","Value":"1"},{"Key":"b","Value":"2"},{"Key":"c","Value":"3"}],"N":30}'),
    doc('{"Tags":[{"Key":"a","Value":"9"}],"N":"30","a/b~":{"x":1}}'))).to_equal({
    { op = "replace", path = "/Tags/0/Value", value = "9" },
    { op = "remove", path = "/Tags/2" },
    { op = "remove", path = "/Tags/1" },
    { op = "add", path = "/a~1b~0", value = { x = 1 } },
  })
  expect(patch.diff(doc('{"L":[1]}'), doc('{"L":[1,2,3]}'))).to_equal({
    { op = "add", path = "/L/1", value = 2 }, { op = "add", path = "/L/2", value = 3 },
  })
  -- a skipped member (a read-only property) is never patched
  expect(patch.diff(doc('{"Arn":"x","A":1}'), doc('{"Arn":"y","A":2}'),
    function(p) return p == "/Arn" end)).to_equal({ { op = "replace", path = "/A", value = 2 } })
end)
