-- IAM policies (issue 13): aws_iam_policy, aws_iam_role_policy and data
-- aws_iam_policy_document against the emulator: create, a second plan
-- with no changes, in-place updates (a new default policy version; a new
-- inline document), replacement where Terraform replaces, drift made in
-- the emulator found and repaired, import, a lost create found by its
-- token, destroy.
local aws = require("luaform.aws")

-- A role with a managed policy (attached) and an inline policy, both from
-- policy documents; the action, the description and the inline name are
-- variables.
local MAIN = [[
local action = var("action", { default = "s3:GetObject" })
local doc = data("aws_iam_policy_document", "read", {
  statement = { { sid = "Read", actions = { action }, resources = { "arn:aws:s3:::assets/*" } } },
})
local trust = data("aws_iam_policy_document", "trust", {
  statement = { { actions = { "sts:AssumeRole" },
    principals = { { type = "Service", identifiers = { "ecs-tasks.amazonaws.com" } } } } },
})
local role = resource("aws_iam_role", "task", { name = "task", assume_role_policy = trust.json })
local policy = resource("aws_iam_policy", "read", {
  name = "read-assets", path = "/app/", description = var("description", { default = "reads assets" }),
  policy = doc.json, tags = { team = "web" },
})
resource("aws_iam_role_policy_attachment", "read", { role = role.name, policy_arn = policy.arn })
resource("aws_iam_role_policy", "inline", {
  role = role.name, name = var("inline", { default = "inline" }), policy = doc.json,
})
output("policy_arn", policy.arn)
]]

local function applied(e)
  local dir = e:applied(MAIN)
  return dir
end

local function iam() return aws.client("iam", { region = "us-east-1" }) end

local function document(c, arn)
  local p = c:GetPolicy{ PolicyArn = arn }.Policy
  local v = c:GetPolicyVersion{ PolicyArn = arn, VersionId = p.DefaultVersionId }.PolicyVersion
  return p, require("luaform.providers.aws._json").url_decode(v.Document)
end

test("a policy document renders canonical JSON at plan time; policies apply and a second plan has no changes", function()
  local e = emulator()
  local dir = new_stack(MAIN)
  local out, code = e:luaform(dir, "plan")
  expect(code).to_be(0)
  -- known statements: the document is known in the plan, not "(known after apply)"
  -- (main's plan shows a JSON document as jsonencode( its value ))
  expect(out).to_match('%+ policy%s+= jsonencode%(\n[^)]*Action%s+= "s3:GetObject"')
  expect(out).to_contain("# aws_iam_policy.read will be created")
  e:apply(dir)
  e:use()
  local st = state_of(dir)
  local arn = st.resources["aws_iam_policy.read"].attributes.arn
  expect(arn).to_be("arn:aws:iam::123456789012:policy/app/read-assets")
  local c = iam()
  local p, doc = document(c, arn)
  expect(p.AttachmentCount).to_be(1)
  expect(doc).to_contain("s3:GetObject")
  local inline = c:GetRolePolicy{ RoleName = "task", PolicyName = "inline" }
  expect(require("luaform.providers.aws._json").url_decode(inline.PolicyDocument)).to_contain("s3:GetObject")
  expect(st.resources["aws_iam_role_policy.inline"].attributes.id).to_be("task:inline")
  local tags = {}
  for _, t in ipairs(p.Tags or {}) do tags[t.Key] = t.Value end
  expect(tags.team).to_be("web")
  e:no_changes(dir)
end)

test("a changed document updates both policies in place: a new default version, a new inline document", function()
  local e = emulator()
  local dir = applied(e)
  local out = e:changes(dir, "-var", "action=s3:PutObject")
  expect(out).to_contain("# aws_iam_policy.read will be updated in-place")
  expect(out).to_contain("# aws_iam_role_policy.inline will be updated in-place")
  expect(out).to_contain("Plan: 0 to add, 2 to change, 0 to destroy.")
  e:apply(dir, "-var", "action=s3:PutObject")
  e:use()
  local c = iam()
  local arn = state_of(dir).resources["aws_iam_policy.read"].attributes.arn
  local p, doc = document(c, arn)
  expect(p.DefaultVersionId).to_be("v2")
  expect(doc).to_contain("s3:PutObject")
  -- six changes: IAM keeps five versions, the oldest non-default one goes
  for i = 1, 5 do
    e:apply(dir, "-var", "action=s3:Action" .. i)
  end
  local versions = c:ListPolicyVersions{ PolicyArn = arn }.Versions
  expect(#versions).to_be(5)
  expect(select(2, document(c, arn))).to_contain("s3:Action5")
  e:no_changes(dir, "-var", "action=s3:Action5")
end)

test("description and the inline policy's name force replacement, as Terraform", function()
  local e = emulator()
  local dir = applied(e)
  local out = e:changes(dir, "-var", "description=other", "-var", "inline=renamed")
  expect(out).to_contain("# aws_iam_policy.read must be replaced")
  expect(out).to_contain("# aws_iam_role_policy.inline must be replaced")
  e:apply(dir, "-var", "description=other", "-var", "inline=renamed")
  e:use()
  local c = iam()
  expect(c:ListRolePolicies{ RoleName = "task" }.PolicyNames[1]).to_be("renamed")
  expect(#c:ListRolePolicies{ RoleName = "task" }.PolicyNames).to_be(1)
  local arn = state_of(dir).resources["aws_iam_policy.read"].attributes.arn
  expect(c:GetPolicy{ PolicyArn = arn }.Policy.Description).to_be("other")
end)

test("documents changed outside luaform are drift that the next apply repairs", function()
  local e = emulator()
  local dir = applied(e)
  e:use()
  local c = iam()
  local arn = state_of(dir).resources["aws_iam_policy.read"].attributes.arn
  local other = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
  c:CreatePolicyVersion{ PolicyArn = arn, PolicyDocument = other, SetAsDefault = true }
  c:PutRolePolicy{ RoleName = "task", PolicyName = "inline", PolicyDocument = other }
  c:UntagPolicy{ PolicyArn = arn, TagKeys = { "team" } }
  local out = e:changes(dir)
  expect(out).to_contain("Objects have changed outside of luaform")
  expect(out).to_contain("# aws_iam_policy.read will be updated in-place")
  expect(out).to_contain("# aws_iam_role_policy.inline will be updated in-place")
  e:apply(dir)
  expect(select(2, document(c, arn))).to_contain("s3:GetObject")
  local inline = c:GetRolePolicy{ RoleName = "task", PolicyName = "inline" }.PolicyDocument
  expect(require("luaform.providers.aws._json").url_decode(inline)).to_contain("s3:GetObject")
  local tags = {}
  for _, t in ipairs(c:GetPolicy{ PolicyArn = arn }.Policy.Tags) do tags[t.Key] = t.Value end
  expect(tags.team).to_be("web")
  -- deleted outside luaform: planned again
  c:DeleteRolePolicy{ RoleName = "task", PolicyName = "inline" }
  out = e:changes(dir)
  expect(out).to_contain("# aws_iam_role_policy.inline will be created")
end)

test("import by ARN and by role:name gives the same state; destroy removes both", function()
  local e = emulator()
  local dir = applied(e)
  local st = state_of(dir)
  for _, addr in ipairs({ "aws_iam_policy.read", "aws_iam_role_policy.inline" }) do
    local id = st.resources[addr].attributes.id
    expect(select(2, e:luaform(dir, "state", "rm", addr))).to_be(0)
    if addr == "aws_iam_role_policy.inline" then
      local out, code = e:luaform(dir, "import", addr, "no-colon")
      expect(code).to_be(1)
      expect(out).to_contain('not "role:name"')
    end
    local _, code = e:luaform(dir, "import", addr, id)
    expect(code).to_be(0)
    expect(state_of(dir).resources[addr].attributes.id).to_be(id)
  end
  e:no_changes(dir)
  e:destroy(dir)
  local inv = e:inventory().iam
  expect(#inv.policy).to_be(0)
  expect(#inv.role_policy).to_be(0)
  expect(#inv.role).to_be(0)
end)

test("a create whose answer is lost is found by its token, not made twice; name_prefix names it", function()
  local e = emulator()
  local dir = new_stack([[
resource("aws_iam_policy", "p", { name_prefix = "app-",
  policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}' })
]])
  e:faults{ lose_pct = 100 }
  e:apply(dir)
  e:faults{}
  local inv = e:inventory().iam.policy
  expect(#inv).to_be(1)
  expect(inv[1].name).to_match("^app%-%x+$")
  expect(state_of(dir).resources["aws_iam_policy.p"].attributes.name).to_be(inv[1].name)
  e:no_changes(dir)
end)
