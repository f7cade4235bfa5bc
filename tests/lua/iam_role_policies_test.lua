-- aws_iam_role's inline_policy, managed_policy_arns and name_prefix
-- (issue 13) against the emulator: a role made from a prefix with exactly
-- its declared inline and managed policies; a second plan with no
-- changes; in-place updates of both; replacement for a new prefix; drift
-- made in the emulator found and repaired; a role that declares neither
-- leaves the policies of aws_iam_role_policy and
-- aws_iam_role_policy_attachment alone; import; destroy.
local aws = require("luaform.aws")
local json = require("luaform.providers.aws._json")

local MAIN = [[
local trust = json{ Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "sts:AssumeRole",
  Principal = { Service = "ecs-tasks.amazonaws.com" } } } }
local function allow(action) return json{ Version = "2012-10-17",
  Statement = { { Effect = "Allow", Action = action, Resource = "*" } } } end
local logs = resource("aws_iam_policy", "logs", { name = "logs", policy = allow("logs:PutLogEvents") })
local extra = var("extra_arn", { default = "" })
local arns = { logs.arn }
if extra ~= "" then arns[2] = extra end
resource("aws_iam_role", "app", {
  name_prefix = var("prefix", { default = "app-" }),
  assume_role_policy = trust,
  inline_policy = { { name = var("inline", { default = "read" }), policy = allow(var("action", { default = "s3:GetObject" })) } },
  managed_policy_arns = arns,
})
local other = resource("aws_iam_role", "other", { name = "other", assume_role_policy = trust })
resource("aws_iam_role_policy", "other", { role = other.name, name = "own", policy = allow("sqs:SendMessage") })
resource("aws_iam_role_policy_attachment", "other", { role = other.name, policy_arn = logs.arn })
]]

local function run(e, dir, ...)
  local out, code = e:luaform(dir, ...)
  if code ~= 0 and code ~= 2 then print(out) end
  return out, code
end

local function applied(e)
  local dir = new_stack(MAIN)
  expect(select(2, run(e, dir, "apply", "-auto-approve"))).to_be(0)
  e:use()
  return dir
end

-- A policy allowing action on everything, as text.
local function allow_text(action)
  return require("luaform.core").json_encode{ Version = "2012-10-17",
    Statement = { { Effect = "Allow", Action = action, Resource = "*" } } }
end

local function iam() return aws.client("iam", { region = "us-east-1" }) end
local function role_name(dir) return state_of(dir).resources["aws_iam_role.app"].attributes.name end

-- {name = document text} of a role's inline policies, and its attached ARNs (sorted).
local function policies(role)
  local c, inline, arns = iam(), {}, {}
  for _, n in ipairs(c:collect("ListRolePolicies", { RoleName = role })) do
    inline[n] = json.url_decode(c:GetRolePolicy{ RoleName = role, PolicyName = n }.PolicyDocument)
  end
  for _, p in ipairs(c:collect("ListAttachedRolePolicies", { RoleName = role })) do arns[#arns + 1] = p.PolicyArn end
  table.sort(arns)
  return inline, arns
end

test("a role from a prefix has exactly its inline and managed policies; drift is repaired, undeclared ones left alone; import; destroy", function()
  local e = emulator()
  local dir = applied(e)
  local name = role_name(dir)
  expect(name).to_match("^app%-%x+$")
  expect(#name).to_be(#"app-" + 26)
  local inline, arns = policies(name)
  expect(inline.read).to_contain("s3:GetObject")
  expect(#arns).to_be(1)
  expect(arns[1]).to_be(state_of(dir).resources["aws_iam_policy.logs"].attributes.arn)
  -- the role that declares neither: its policies are the separate types'
  local own, other_arns = policies("other")
  expect(own.own).to_contain("sqs:SendMessage")
  expect(#other_arns).to_be(1)
  expect(select(2, run(e, dir, "plan", "-detailed-exitcode"))).to_be(0)
  -- drift: a changed, a stray inline policy; a detached and a stray managed one
  local c = iam()
  local logs = state_of(dir).resources["aws_iam_policy.logs"].attributes.arn
  c:PutRolePolicy{ RoleName = name, PolicyName = "read", PolicyDocument = allow_text("iam:*") }
  c:PutRolePolicy{ RoleName = name, PolicyName = "stray", PolicyDocument = allow_text("ec2:*") }
  c:DetachRolePolicy{ RoleName = name, PolicyArn = logs }
  c:AttachRolePolicy{ RoleName = name, PolicyArn = "arn:aws:iam::aws:policy/AdministratorAccess" }
  -- the role without inline_policy: a policy added beside aws_iam_role_policy is not its business
  c:PutRolePolicy{ RoleName = "other", PolicyName = "beside", PolicyDocument = allow_text("sns:Publish") }
  local out, code = run(e, dir, "plan", "-detailed-exitcode")
  expect(code).to_be(2)
  expect(out).to_contain("# aws_iam_role.app will be updated in-place")
  expect(out).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  expect(select(2, run(e, dir, "apply", "-auto-approve"))).to_be(0)
  inline, arns = policies(name)
  expect(inline.stray).to_be_nil()
  expect(inline.read).to_contain("s3:GetObject")
  expect(#arns).to_be(1)
  expect(arns[1]).to_be(logs)
  expect(policies("other").beside).to_contain("sns:Publish")
  expect(select(2, run(e, dir, "plan", "-detailed-exitcode"))).to_be(0)
  -- import reads the policies: the stack's declaration plans no change
  expect(select(2, run(e, dir, "state", "rm", "aws_iam_role.app"))).to_be(0)
  expect(select(2, run(e, dir, "import", "aws_iam_role.app", name))).to_be(0)
  local a = state_of(dir).resources["aws_iam_role.app"].attributes
  expect(a.name_prefix).to_be("app-")
  expect(a.inline_policy[1].name).to_be("read")
  expect(#a.managed_policy_arns).to_be(1)
  expect(select(2, run(e, dir, "plan", "-detailed-exitcode"))).to_be(0)
  -- (the policy added beside is nobody's: IAM would refuse to delete its role)
  c:DeleteRolePolicy{ RoleName = "other", PolicyName = "beside" }
  expect(select(2, run(e, dir, "destroy", "-auto-approve"))).to_be(0)
  local inv = e:inventory().iam
  expect(#inv.role).to_be(0)
  expect(#inv.policy).to_be(0)
end)

test("inline and managed policies change in place; a new prefix replaces the role", function()
  local e = emulator()
  local dir = applied(e)
  local name = role_name(dir)
  local vars = { "-var", "action=s3:PutObject", "-var", "inline=write",
    "-var", "extra_arn=arn:aws:iam::aws:policy/ReadOnlyAccess" }
  local out, code = run(e, dir, "plan", "-detailed-exitcode", table.unpack(vars))
  expect(code).to_be(2)
  expect(out).to_contain("# aws_iam_role.app will be updated in-place")
  expect(out).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  -- an inline document shows as its JSON, as the role's own policy does
  expect(out).to_match('%+ policy = jsonencode%(\n[^)]*Action%s+= "s3:PutObject"')
  expect(select(2, run(e, dir, "apply", "-auto-approve", table.unpack(vars)))).to_be(0)
  local inline, arns = policies(name)
  expect(inline.read).to_be_nil()
  expect(inline.write).to_contain("s3:PutObject")
  expect(#arns).to_be(2)
  expect(arns[2]).to_be("arn:aws:iam::aws:policy/ReadOnlyAccess")
  expect(select(2, run(e, dir, "plan", "-detailed-exitcode", table.unpack(vars)))).to_be(0)

  out, code = run(e, dir, "plan", "-detailed-exitcode", "-var", "prefix=web-", table.unpack(vars))
  expect(code).to_be(2)
  expect(out).to_contain("# aws_iam_role.app must be replaced")
  expect(select(2, run(e, dir, "apply", "-auto-approve", "-var", "prefix=web-", table.unpack(vars)))).to_be(0)
  expect(role_name(dir)).to_match("^web%-")
  local roles = {}
  for _, r in ipairs(e:inventory().iam.role) do roles[r.id] = true end
  expect(roles[name]).to_be_nil()
  expect(roles[role_name(dir)]).to_be(true)
end)

test("name and name_prefix conflict", function()
  local dir = new_stack([[
resource("aws_iam_role", "r", { name = "a", name_prefix = "b", assume_role_policy = "{}" })
]])
  local out, code = luaform(dir, "validate")
  expect(code).to_be(1)
  expect(out).to_contain('main.lua:1: resource aws_iam_role.r: "name" conflicts with "name_prefix"')
end)

test("a role whose create answer is lost is found under its prefixed name, not made twice", function()
  local e = emulator()
  local dir = new_stack([[
resource("aws_iam_role", "r", { name_prefix = "lost-",
  assume_role_policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ecs-tasks.amazonaws.com"}}]}' })
]])
  e:faults{ lose_pct = 100 }
  local _, code = run(e, dir, "apply", "-auto-approve")
  e:faults{}
  expect(code).to_be(0)
  local roles = e:inventory().iam.role
  expect(#roles).to_be(1)
  expect(roles[1].id).to_match("^lost%-%x+$")
  expect(state_of(dir).resources["aws_iam_role.r"].attributes.name).to_be(roles[1].id)
  expect(select(2, run(e, dir, "plan", "-detailed-exitcode"))).to_be(0)
end)
