-- stdlib.service's secrets and task_policy_statements (issue 13): the
-- container gets the secrets, the execution role's inline policy names
-- exactly their ARNs (and the KMS key), the task role carries the
-- caller's statements; a second plan has no changes; without them the
-- service makes none of these resources; destroy leaves nothing.
local aws = require("luaform.aws")

local STACK = [[
local with_secrets = var("with_secrets", { type = "bool", default = true })
local key = resource("aws_kms_key", "secrets", { description = "service secrets", deletion_window_in_days = 7 })
local db = resource("aws_secretsmanager_secret", "db", { name = "base/db", kms_key_id = key.arn, recovery_window_in_days = 0 })
resource("aws_secretsmanager_secret_version", "db", { secret_id = db.id, secret_string = "s3cret-db-pw" })
local token = resource("aws_ssm_parameter", "token", { name = "/base/token", type = "SecureString",
  value = "s3cret-token", key_id = key.arn })
local net = module("vpc", require("stdlib.vpc"), {
  name = "base", vpc_cidr_block = "10.0.0.0/16", azs = { "us-east-1a", "us-east-1c" },
  public_subnet_cidrs = { "10.0.2.0/24", "10.0.4.0/24" }, private_subnet_cidrs = { "10.0.1.0/24", "10.0.3.0/24" },
})
local lb = module("lb", require("stdlib.lb"), { name = "alb-base", vpc_id = net.vpc_id,
  public_subnet_ids = net.public_subnet_ids, listener_port = 8080 })
local svc = module("service", require("stdlib.service"), {
  name = "base", vpc_id = net.vpc_id, private_subnet_ids = net.private_subnet_ids,
  alb_arn = lb.alb_arn, alb_sg_id = lb.alb_sg_id,
  environment = { MODE = "production" },
  secrets = with_secrets and { DB_PASSWORD = db.arn, API_TOKEN = token.arn } or nil,
  secrets_kms_key_arns = with_secrets and { key.arn } or nil,
  task_policy_statements = with_secrets and {
    { actions = { "s3:GetObject" }, resources = { "arn:aws:s3:::assets/*" } } } or nil,
})
output("task_role_arn", svc.task_role_arn)
]]

local function decoded(s) return core.json_decode(require("luaform.providers.aws._json").url_decode(s)) end

test("secrets reach the container and the execution role may read exactly them; task role from statements", function()
  local e = emulator({ ["nat-delay-ms"] = 200, ["lb-delay-ms"] = 200 })
  local dir = new_stack(STACK)
  local out = e:apply(dir)
  expect(out).not_to_contain("s3cret")
  e:use()
  local st = state_of(dir)
  local db = st.resources["aws_secretsmanager_secret.db"].attributes.arn
  local token = st.resources["aws_ssm_parameter.token"].attributes.arn
  local key = st.resources["aws_kms_key.secrets"].attributes.arn
  local td_arn = st.resources["module.service.aws_ecs_task_definition.this"].attributes.arn
  local td = aws.client("ecs"):DescribeTaskDefinition{ taskDefinition = td_arn }.taskDefinition
  local got = {}
  for _, s in ipairs(td.containerDefinitions[1].secrets) do got[s.name] = s.valueFrom end
  expect(got).to_equal({ DB_PASSWORD = db, API_TOKEN = token })
  expect(td.taskRoleArn).to_be(st.resources["module.service.aws_iam_role.task"].attributes.arn)
  local iam = aws.client("iam", { region = "us-east-1" })
  local pol = decoded(iam:GetRolePolicy{ RoleName = "base-ecs-task-execution", PolicyName = "base-secrets" }.PolicyDocument)
  local read, decrypt
  for _, s in ipairs(pol.Statement) do
    if s.Sid == "ReadSecrets" then read = s elseif s.Sid == "DecryptSecrets" then decrypt = s end
  end
  local resources = type(read.Resource) == "table" and read.Resource or { read.Resource }
  table.sort(resources)
  local want = { db, token }
  table.sort(want)
  expect(resources).to_equal(want)
  expect(decrypt.Resource).to_be(key)
  local task = decoded(iam:GetRolePolicy{ RoleName = "base-ecs-task", PolicyName = "base-task" }.PolicyDocument)
  expect(task.Statement[1].Action).to_be("s3:GetObject")
  e:no_changes(dir)
  -- off: the policies, the task role and the container's secrets go, nothing else changes
  out = e:changes(dir, "-var", "with_secrets=false")
  expect(out).to_contain("# module.service.aws_iam_role_policy.secrets will be destroyed")
  expect(out).to_contain("# module.service.aws_iam_role.task will be destroyed")
  e:destroy(dir)
  local inv = e:inventory()
  expect(#inv.iam.role).to_be(0)
  expect(#inv.iam.role_policy).to_be(0)
  expect(#inv.ecs.service or 0).to_be(0)
end)
