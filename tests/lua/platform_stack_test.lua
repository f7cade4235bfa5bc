-- The platform half of the reference stack (ECS/Fargate, IAM, ECR, logs,
-- auto scaling, SNS/SQS) end to end against the emulator, checked through
-- the emulator's inventory; and the semantic JSON comparison with the
-- forms AWS actually returns.
local FIXTURES = core.exe_dir .. "/tests/lua/fixtures/platform"
local EXAMPLE = core.exe_dir .. "/examples/ecs-fargate"
local json = require("luaform.providers.aws._json")

local function find(list, field, value)
  for _, x in ipairs(list or {}) do if x[field] == value then return x end end
  return nil
end

-- Every object kind of the inventory with at least one object: "svc.kind" -> n
local function nonempty(inv)
  local out = {}
  for svc, kinds in pairs(inv) do
    for kind, list in pairs(kinds) do
      if #list > 0 then out[svc .. "." .. kind] = #list end
    end
  end
  return out
end

local function total_calls(counts)
  local n = 0
  for _, v in pairs(counts) do n = n + v end
  return n
end

-- ------------------------------------------------------------ JSON documents

test("policies compare as AWS rewrites them", function()
  local mine = core.json_encode({
    Version = "2012-10-17",
    Statement = { { Effect = "Allow", Action = "sqs:SendMessage", Resource = "arn:aws:sqs:r:1:q",
      Principal = { Service = "sns.amazonaws.com" },
      Condition = { ArnEquals = { ["aws:SourceArn"] = "arn:aws:sns:r:1:t" } } } },
  })
  -- What SQS/IAM hand back: a single statement object, one-element lists,
  -- other key order and whitespace.
  local aws = [[{ "Statement" : { "Condition": {"ArnEquals": {"aws:SourceArn": ["arn:aws:sns:r:1:t"]}},
    "Resource": ["arn:aws:sqs:r:1:q"], "Principal": {"Service": ["sns.amazonaws.com"]},
    "Action": ["sqs:SendMessage"], "Effect": "Allow", "Sid": "" }, "Version": "2012-10-17" }]]
  expect(json.policy_equal(mine, aws)).to_be(true)
  -- Statements are a set; Action lists are sets; numbers come back as strings.
  local a = [[{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"},
    {"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":10}}}]}]]
  local b = [[{"Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"10"}}},
    {"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":["*"]}]}]]
  expect(json.policy_equal(a, b)).to_be(true)
  -- IAM's URL-encoded trust policy decodes to the same document.
  local trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
  local encoded = trust:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end)
  expect(json.policy_equal(trust, json.url_decode(encoded))).to_be(true)
  -- IAM stores an account ID as an AWS principal as the account's root ARN.
  local by_id = '{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":["123456789012","arn:aws:iam::111122223333:role/ci"]}}]}'
  local stored = '{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":["arn:aws:iam::111122223333:role/ci","arn:aws:iam::123456789012:root"]}}]}'
  expect(json.policy_equal(by_id, stored)).to_be(true)
  expect(json.policy_equal('{"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"}}}',
    '{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"}}}')).to_be(true)
  expect(json.policy_equal(by_id, (stored:gsub("123456789012", "210987654321")))).to_be(false)
  expect(json.policy_equal(by_id, (stored:gsub(":root", ":role/admin")))).to_be(false)
  -- A real change is still a change.
  expect(json.policy_equal(a, (a:gsub("s3:PutObject", "s3:PutObjectAcl")))).to_be(false)
  expect(json.policy_equal(mine, (mine:gsub('"Allow"', '"Deny"')))).to_be(false)
  expect(json.policy_equal(mine, (mine:gsub("arn:aws:sns:r:1:t", "arn:aws:sns:r:1:other")))).to_be(false)
end)

test("container definitions compare without the defaults ECS adds", function()
  local mine = core.json_encode({ {
    name = "app", image = "repo:0.0.1", portMappings = { { containerPort = 8080 } },
    environment = { { name = "B", value = "2" }, { name = "A", value = "1" } },
    logConfiguration = { logDriver = "awslogs", options = { ["awslogs-group"] = "/ecs/app" } },
  } })
  -- DescribeTaskDefinition's echo (what the emulator and ECS return).
  local aws = [[ [{"name":"app","image":"repo:0.0.1","cpu":0,"essential":true,
    "portMappings":[{"containerPort":8080,"hostPort":8080,"protocol":"tcp"}],
    "environment":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
    "mountPoints":[],"volumesFrom":[],"systemControls":[],
    "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/app"},"secretOptions":[]}}] ]]
  expect(json.containers_equal(mine, aws)).to_be(true)
  -- numbers written as strings
  local s = core.json_encode({ { name = "app", image = "x", memory = "512", cpu = "0" } })
  expect(json.containers_equal(s, '[{"name":"app","image":"x","memory":512,"cpu":0,"essential":true}]')).to_be(true)
  -- healthCheck: ECS fills in interval 30, timeout 5 and retries 3 (startPeriod stays unset)
  local hc = core.json_encode({ { name = "app", image = "x",
    healthCheck = { command = { "CMD-SHELL", "curl -f http://localhost/up || exit 1" } } } })
  local hc_aws = [[ [{"name":"app","image":"x","cpu":0,"essential":true,
    "healthCheck":{"command":["CMD-SHELL","curl -f http://localhost/up || exit 1"],"interval":30,"timeout":5,"retries":3}}] ]]
  expect(json.containers_equal(hc, hc_aws)).to_be(true)
  expect(json.containers_equal(hc, (hc_aws:gsub('"interval":30', '"interval":60')))).to_be(false)
  expect(json.containers_equal(hc, (hc_aws:gsub('"retries":3', '"retries":3,"startPeriod":10')))).to_be(false)
  expect(json.containers_equal(hc, (hc_aws:gsub("/up", "/health")))).to_be(false)
  -- real changes: the image, essential=false, another port
  expect(json.containers_equal(mine, (aws:gsub("repo:0.0.1", "repo:0.0.2")))).to_be(false)
  expect(json.containers_equal(mine, (aws:gsub('"essential":true', '"essential":false')))).to_be(false)
  expect(json.containers_equal(mine, (aws:gsub("8080", "9090")))).to_be(false)
end)

-- ------------------------------------------------------------ events, IAM, ECR, logs

test("events, IAM, ECR and logs: apply, no-change plan, drift repaired, destroy", function()
  local e = emulator({ seed = 1 })
  local dir = copy_stack(FIXTURES .. "/events")
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("Apply complete! Resources: 9 added, 0 changed, 0 destroyed.")

  local inv = e:inventory()
  local topic = inv.sns.topic[1]
  local queue = inv.sqs.queue[1]
  expect(#inv.sns.topic).to_be(1)
  expect(topic.name).to_be("topic-base")
  expect(queue.name).to_be("sqs-base")
  expect(queue.attributes.VisibilityTimeout).to_be("15")
  expect(queue.attributes.MessageRetentionPeriod).to_be("600")
  local sub = inv.sns.subscription[1]
  expect(sub.topic_arn).to_be(topic.id)
  expect(sub.protocol).to_be("sqs")
  expect(sub.endpoint).to_be(queue.arn)
  local policy = core.json_decode(queue.attributes.Policy)
  local st = policy.Statement[1]
  expect(st.Principal.Service).to_be("sns.amazonaws.com")
  expect(st.Action).to_be("sqs:SendMessage")
  expect(st.Condition.ArnEquals["aws:SourceArn"]).to_be(topic.id)
  local role = find(inv.iam.role, "id", "platform-test-exec")
  expect(role.tags.Team).to_be("platform")
  expect(inv.iam.role_policy_attachment[1].policy_arn)
    .to_be("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
  expect(inv.ecr.repository[1].repositoryName).to_be("platform-test")
  expect(inv.logs.log_group[1].retentionInDays).to_be(14)
  expect(inv.logs.log_stream[1].logStreamName).to_be("app")

  out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(0)
  expect(out).to_contain("No changes.")
  expect(out).not_to_contain("changed outside")

  -- Drift: the visibility timeout changed behind luaform's back.
  e:use()
  local sqs = require("luaform.aws").client("sqs", { region = "ap-northeast-2" })
  sqs:SetQueueAttributes{ QueueUrl = queue.id, Attributes = { VisibilityTimeout = "99" } }
  out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(2)
  expect(out).to_contain("module.events.aws_sqs_queue.this has changed")
  expect(out).to_contain("visibility_timeout_seconds = 99 -> 15")
  expect(out).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  expect(e:inventory().sqs.queue[1].attributes.VisibilityTimeout).to_be("15")
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode"))).to_be(0)

  -- A policy value is one var.
  out, code = e:luaform(dir, "apply", "-auto-approve", "-var", "log_retention_days=30")
  expect(code).to_be(0)
  expect(out).to_contain("0 added, 1 changed, 0 destroyed")
  expect(e:inventory().logs.log_group[1].retentionInDays).to_be(30)

  out, code = e:luaform(dir, "destroy", "-auto-approve", "-var", "log_retention_days=30")
  expect(code).to_be(0)
  expect(out).to_contain("Destroy complete! Resources: 9 destroyed.")
  expect(nonempty(e:inventory())).to_equal({})
end)

test("a role created outside luaform with the same name is refused, not adopted", function()
  local e = emulator({ seed = 2 })
  e:use()
  local iam = require("luaform.aws").client("iam", { region = "us-east-1" })
  iam:CreateRole{ RoleName = "platform-test-exec", AssumeRolePolicyDocument =
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}' }
  local dir = copy_stack(FIXTURES .. "/events")
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_contain("EntityAlreadyExists")
  expect(state_of(dir).resources["aws_iam_role.exec"]).to_be_nil()
end)

-- ------------------------------------------------------------ ECS and auto scaling

test("ECS: desired_count updates in place; a container change registers a new revision", function()
  local e = emulator({ seed = 3 })
  local dir = copy_stack(FIXTURES .. "/ecs")
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("Resources: 7 added")
  local inv = e:inventory()
  local td = inv.ecs.task_definition[1]
  expect(#inv.ecs.task_definition).to_be(1)
  expect(td.cpu).to_be("256")
  expect(td.memory).to_be("512")
  expect(td.containerDefinitions[1].image).to_be("nginx:0.0.1")
  expect(td.containerDefinitions[1].healthCheck.interval).to_be(30)
  local svc = inv.ecs.service[1]
  expect(svc.desiredCount).to_be(2)
  expect(svc.taskDefinition).to_be(td.id)
  expect(svc.launchType).to_be("FARGATE")
  expect(svc.networkConfiguration.awsvpcConfiguration.assignPublicIp).to_be("DISABLED")
  local target = inv["application-autoscaling"].scalable_target[1]
  expect(target.ResourceId).to_be("service/ecs-test/app")
  expect(target.MinCapacity).to_be(2)
  expect(target.MaxCapacity).to_be(3)
  expect(inv["application-autoscaling"].scaling_policy[1].TargetTrackingScalingPolicyConfiguration.TargetValue).to_be(60)

  code = select(2, e:luaform(dir, "plan", "-detailed-exitcode"))
  expect(code).to_be(0)

  out, code = e:luaform(dir, "plan", "-detailed-exitcode", "-var", "desired_count=3")
  expect(code).to_be(2)
  expect(out).to_contain("# aws_ecs_service.app will be updated in-place")
  expect(out).to_contain("desired_count = 2 -> 3")
  expect(out).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  expect(select(2, e:luaform(dir, "apply", "-auto-approve", "-var", "desired_count=3"))).to_be(0)
  expect(e:inventory().ecs.service[1].desiredCount).to_be(3)

  out, code = e:luaform(dir, "apply", "-auto-approve", "-var", "desired_count=3", "-var", "image_tag=0.0.2")
  expect(code).to_be(0)
  expect(out).to_contain("1 added, 1 changed, 1 destroyed")
  inv = e:inventory()
  expect(#inv.ecs.task_definition).to_be(1)
  td = inv.ecs.task_definition[1]
  expect(td.revision).to_be(2)
  expect(td.containerDefinitions[1].image).to_be("nginx:0.0.2")
  expect(inv.ecs.service[1].taskDefinition).to_be(td.id)
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode", "-var", "desired_count=3", "-var", "image_tag=0.0.2"))).to_be(0)

  code = select(2, e:luaform(dir, "destroy", "-auto-approve"))
  expect(code).to_be(0)
  expect(nonempty(e:inventory())).to_equal({})
end)

-- ------------------------------------------------------------ the reference stack

-- What the reference stack makes, by inventory kind.
local REFERENCE = {
  ["application-autoscaling.scalable_target"] = 1, ["application-autoscaling.scaling_policy"] = 2,
  ["ec2.elastic_ip"] = 1, ["ec2.internet_gateway"] = 1, ["ec2.nat_gateway"] = 1, ["ec2.route_table"] = 2,
  ["ec2.security_group"] = 2, ["ec2.subnet"] = 4, ["ec2.vpc"] = 1, ["ecr.repository"] = 1,
  ["ecs.cluster"] = 1, ["ecs.service"] = 1, ["ecs.task_definition"] = 1,
  ["elasticloadbalancing.listener"] = 1, ["elasticloadbalancing.load_balancer"] = 1,
  ["elasticloadbalancing.target_group"] = 1, ["iam.role"] = 1, ["iam.role_policy_attachment"] = 1,
  ["logs.log_group"] = 1, ["logs.log_stream"] = 1, ["sns.subscription"] = 1, ["sns.topic"] = 1,
  ["sqs.queue"] = 1,
}

-- Inventory objects that no state attribute names (orphans), as "kind id".
local function orphans(inv, st)
  local known = {}
  local function collect(v)
    if type(v) == "string" then known[v] = true
    elseif type(v) == "table" then for _, x in pairs(v) do collect(x) end end
  end
  for _, r in pairs(st.resources) do collect(r.attributes) end
  local out = {}
  for svc, kinds in pairs(inv) do
    for kind, list in pairs(kinds) do
      for _, o in ipairs(list) do
        local names = { o.id, o.name, o.logStreamName, o.ResourceId, o.arn }
        local seen = false
        for _, n in pairs(names) do if known[n] then seen = true end end
        if not seen then out[#out + 1] = svc .. "." .. kind .. " " .. tostring(o.id) end
      end
    end
  end
  table.sort(out)
  return out
end

local function check_reference(inv)
  local private = {}
  for _, s in ipairs(inv.ec2.subnet) do
    if s.cidr_block == "10.0.1.0/24" or s.cidr_block == "10.0.3.0/24" then private[#private + 1] = s.id end
  end
  table.sort(private)
  expect(#private).to_be(2)
  local tg = inv.elasticloadbalancing.target_group[1]
  local listener = inv.elasticloadbalancing.listener[1]
  expect(listener.target_groups).to_equal({ tg.id })

  local td = inv.ecs.task_definition[1]
  expect(td.cpu).to_be("256")
  expect(td.memory).to_be("512")
  expect(td.requiresCompatibilities).to_equal({ "FARGATE" })
  expect(td.executionRoleArn).to_be(inv.iam.role[1].arn)
  local cd = td.containerDefinitions[1]
  expect(cd.image).to_be(inv.ecr.repository[1].repositoryUri .. ":0.0.1")
  expect(cd.logConfiguration.logDriver).to_be("awslogs")
  expect(cd.logConfiguration.options["awslogs-group"]).to_be("/ecs/base")
  expect(cd.logConfiguration.options["awslogs-region"]).to_be("ap-northeast-2")

  local svc = inv.ecs.service[1]
  expect(svc.launchType).to_be("FARGATE")
  expect(svc.desiredCount).to_be(2)
  expect(svc.taskDefinition).to_be(td.id)
  local subnets = { table.unpack(svc.networkConfiguration.awsvpcConfiguration.subnets) }
  table.sort(subnets)
  expect(subnets).to_equal(private)
  expect(svc.networkConfiguration.awsvpcConfiguration.assignPublicIp).to_be("DISABLED")
  expect(svc.loadBalancers[1].targetGroupArn).to_be(tg.id)
  expect(svc.loadBalancers[1].containerPort).to_be(8080)

  local aas = inv["application-autoscaling"]
  expect(aas.scalable_target[1].ResourceId).to_be("service/base-cluster/base")
  expect(aas.scalable_target[1].MinCapacity).to_be(2)
  expect(aas.scalable_target[1].MaxCapacity).to_be(3)
  local targets = {}
  for _, p in ipairs(aas.scaling_policy) do
    local c = p.TargetTrackingScalingPolicyConfiguration
    targets[p.PolicyName] = c.TargetValue
    expect(c.PredefinedMetricSpecification.PredefinedMetricType).to_be("ECSServiceAverageMemoryUtilization")
  end
  expect(targets).to_equal({ ["base-scale-out"] = 60, ["base-scale-in"] = 10 })

  local topic, queue = inv.sns.topic[1], inv.sqs.queue[1]
  expect(inv.sns.subscription[1].topic_arn).to_be(topic.id)
  expect(inv.sns.subscription[1].endpoint).to_be(queue.arn)
  local policy = core.json_decode(queue.attributes.Policy)
  expect(policy.Statement[1].Condition.ArnEquals["aws:SourceArn"]).to_be(topic.id)
  expect(inv.logs.log_group[1].retentionInDays).to_be(14)
end

test("reference stack: applies, no-change plan within 35 calls, one-value changes, drift, destroy", function()
  local e = emulator({ ["nat-delay-ms"] = 200, ["lb-delay-ms"] = 200, seed = 1 })
  local dir = copy_stack(EXAMPLE)
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("Apply complete! Resources: 34 added, 0 changed, 0 destroyed.")
  local inv = e:inventory()
  expect(nonempty(inv)).to_equal(REFERENCE)
  check_reference(inv)
  expect(orphans(inv, state_of(dir))).to_equal({})

  sh(string.format("curl -sS -X POST %s/_emulator/requests/clear", e.url))
  out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(0)
  expect(out).to_contain("No changes.")
  local calls = total_calls(e:counts())
  print(string.format("     reference stack: a no-change plan made %d API calls (34 resources)", calls))
  expect(calls <= 35).to_be(true)

  out, code = e:luaform(dir, "plan", "-detailed-exitcode", "-var", "desired_count=3")
  expect(code).to_be(2)
  expect(out).to_contain("# module.service.aws_ecs_service.this will be updated in-place")
  expect(out).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  expect(select(2, e:luaform(dir, "apply", "-auto-approve", "-var", "desired_count=3"))).to_be(0)
  expect(e:inventory().ecs.service[1].desiredCount).to_be(3)

  out, code = e:luaform(dir, "apply", "-auto-approve", "-var", "desired_count=3", "-var", "image_tag=0.0.2")
  expect(code).to_be(0)
  expect(out).to_contain("1 added, 1 changed, 1 destroyed")
  inv = e:inventory()
  expect(#inv.ecs.task_definition).to_be(1)
  expect(inv.ecs.task_definition[1].revision).to_be(2)
  expect(inv.ecs.task_definition[1].containerDefinitions[1].image).to_match(":0%.0%.2$")
  expect(inv.ecs.service[1].taskDefinition).to_be(inv.ecs.task_definition[1].id)

  e:use()
  local sqs = require("luaform.aws").client("sqs", { region = "ap-northeast-2" })
  sqs:SetQueueAttributes{ QueueUrl = inv.sqs.queue[1].id, Attributes = { VisibilityTimeout = "120" } }
  local vars = { "-var", "desired_count=3", "-var", "image_tag=0.0.2" }
  out, code = e:luaform(dir, "plan", "-detailed-exitcode", table.unpack(vars))
  expect(code).to_be(2)
  expect(out).to_contain("visibility_timeout_seconds = 120 -> 15")
  expect(out).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  expect(select(2, e:luaform(dir, "apply", "-auto-approve", table.unpack(vars)))).to_be(0)
  expect(e:inventory().sqs.queue[1].attributes.VisibilityTimeout).to_be("15")
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode", table.unpack(vars)))).to_be(0)

  out, code = e:luaform(dir, "destroy", "-auto-approve", table.unpack(vars))
  expect(code).to_be(0)
  expect(out).to_contain("Destroy complete! Resources: 34 destroyed.")
  expect(nonempty(e:inventory())).to_equal({})
end)

test("reference stack in another region: the service logs to the provider's region", function()
  local e = emulator({ ["nat-delay-ms"] = 200, ["lb-delay-ms"] = 200, seed = 4 })
  local dir = copy_stack(EXAMPLE)
  local out, code = e:luaform(dir, "apply", "-auto-approve", "-var", "region=eu-west-1")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  local td = e:inventory().ecs.task_definition[1]
  expect(td.region).to_be("eu-west-1")
  expect(td.containerDefinitions[1].logConfiguration.options["awslogs-region"]).to_be("eu-west-1")
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode", "-var", "region=eu-west-1"))).to_be(0)
end)

test("reference stack under faults: apply and destroy converge, no duplicate, no orphan", function()
  -- LUAFORM_TEST_SEED replays another fault sequence.
  local seed = tonumber(core.getenv("LUAFORM_TEST_SEED") or "") or 7
  local e = emulator({ ["nat-delay-ms"] = 200, ["lb-delay-ms"] = 200, seed = seed })
  e:faults{ throttle_pct = 10, error_pct = 5, lose_pct = 5, consistency_ms = 500, seed = seed }
  local dir = copy_stack(EXAMPLE)
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  -- An interrupted create is settled by the next run (the intent journal).
  local runs = 1
  for _ = 1, 3 do
    if code == 0 then break end
    out, code = e:luaform(dir, "apply", "-auto-approve")
    runs = runs + 1
  end
  print(string.format("     faults (seed %d): apply converged in %d run(s)", seed, runs))
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  e:faults{ throttle_pct = 0, error_pct = 0, lose_pct = 0, consistency_ms = 0 }
  local inv = e:inventory()
  if not require("luaform.values").deep_equal(nonempty(inv), REFERENCE) then print(out) end
  expect(nonempty(inv)).to_equal(REFERENCE)
  check_reference(inv)
  expect(orphans(inv, state_of(dir))).to_equal({})
  out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)

  e:faults{ throttle_pct = 10, error_pct = 5, lose_pct = 5, consistency_ms = 500 }
  out, code = e:luaform(dir, "destroy", "-auto-approve")
  runs = 1
  for _ = 1, 3 do
    if code == 0 then break end
    out, code = e:luaform(dir, "destroy", "-auto-approve")
    runs = runs + 1
  end
  print(string.format("     faults (seed %d): destroy converged in %d run(s)", seed, runs))
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  expect(nonempty(e:inventory())).to_equal({})
end)

test("every create whose response is lost is adopted by the next run: no duplicate, no orphan", function()
  local e = emulator({ seed = 5 })
  local dir = copy_stack(FIXTURES .. "/lost")
  -- Every mutating call is applied and then its answer is lost; each run
  -- adopts what the one before left pending and loses the next creates.
  e:faults{ lose_pct = 100 }
  local seen, order = {}, {}
  for _ = 1, 6 do
    local code = select(2, e:luaform(dir, "apply", "-auto-approve"))
    if code == 0 then break end
    for addr, r in pairs(state_of(dir).resources) do
      if r.pending and not seen[addr] then seen[addr] = true; order[#order + 1] = addr end
    end
  end
  table.sort(order)
  print(string.format("     lost responses: %d creates were left pending and adopted later: %s", #order,
    table.concat(order, ", ")))
  expect(#order > 0).to_be(true)
  e:faults{ lose_pct = 0 }
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  local inv = e:inventory()
  expect(nonempty(inv)).to_equal({
    ["application-autoscaling.scalable_target"] = 1, ["application-autoscaling.scaling_policy"] = 1,
    ["ecr.repository"] = 1, ["ecs.cluster"] = 1, ["ecs.service"] = 1, ["ecs.task_definition"] = 1,
    ["iam.role"] = 1, ["iam.role_policy_attachment"] = 1, ["logs.log_group"] = 1, ["logs.log_stream"] = 1,
    ["sns.subscription"] = 1, ["sns.topic"] = 1, ["sqs.queue"] = 1,
  })
  expect(orphans(inv, state_of(dir))).to_equal({})
  for _, r in pairs(state_of(dir).resources) do expect(r.pending).to_be_nil() end
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode"))).to_be(0)
  expect(select(2, e:luaform(dir, "destroy", "-auto-approve"))).to_be(0)
  expect(nonempty(e:inventory())).to_equal({})
end)

test("objects deleted by hand are planned again and recreated", function()
  -- A deleted service drains for 5 s and keeps its name until then, so the
  -- apply below meets it still DRAINING, as it would on AWS.
  local e = emulator({ ["drain-delay-ms"] = 5000, seed = 8 })
  local dir = copy_stack(FIXTURES .. "/lost")
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local inv = e:inventory()
  local svc, sub = inv.ecs.service[1], inv.sns.subscription[1]
  local queue, policy = inv.sqs.queue[1], inv["application-autoscaling"].scaling_policy[1]
  local EXEC = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

  e:use()
  local aws = require("luaform.aws")
  local R = { region = "ap-northeast-2" }
  aws.client("ecs", R):DeleteService{ cluster = "ecs-test", service = "app", force = true }
  aws.client("sns", R):Unsubscribe{ SubscriptionArn = sub.id }
  aws.client("application-autoscaling", R):DeleteScalingPolicy{ PolicyName = policy.PolicyName,
    ServiceNamespace = "ecs", ResourceId = policy.ResourceId, ScalableDimension = policy.ScalableDimension }
  aws.client("logs", R):DeleteLogStream{ logGroupName = "/ecs/ecs-test", logStreamName = "app" }
  aws.client("sqs", R):SetQueueAttributes{ QueueUrl = queue.id, Attributes = { Policy = "" } }
  aws.client("iam", { region = "us-east-1" }):DetachRolePolicy{ RoleName = "ecs-test-exec", PolicyArn = EXEC }

  local out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(2)
  for _, addr in ipairs({ "aws_ecs_service.app", "module.events.aws_sns_topic_subscription.this",
      "aws_appautoscaling_policy.mem", "aws_cloudwatch_log_stream.app", "module.events.aws_sqs_queue_policy.this",
      "aws_iam_role_policy_attachment.exec" }) do
    expect(out).to_contain("# " .. addr .. " will be created")
  end
  expect(out).to_contain("Plan: 6 to add, 0 to change, 0 to destroy.")

  out, code = e:luaform(dir, "apply", "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  expect(out).to_contain("Resources: 6 added, 0 changed, 0 destroyed.")
  inv = e:inventory()
  local active = {}
  for _, s in ipairs(inv.ecs.service) do if s.status == "ACTIVE" then active[#active + 1] = s end end
  expect(#active).to_be(1)
  expect(active[1].serviceArn).to_be(svc.serviceArn)
  expect(active[1].desiredCount).to_be(2)
  expect(#inv.sns.subscription).to_be(1)
  expect(inv.sns.subscription[1].endpoint).to_be(queue.arn)
  expect(inv["application-autoscaling"].scaling_policy[1].PolicyName).to_be("ecs-test-mem")
  expect(inv.logs.log_stream[1].logStreamName).to_be("app")
  local doc = core.json_decode(inv.sqs.queue[1].attributes.Policy)
  expect(doc.Statement[1].Condition.ArnEquals["aws:SourceArn"]).to_be(inv.sns.topic[1].id)
  expect(inv.iam.role_policy_attachment[1].policy_arn).to_be(EXEC)
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode"))).to_be(0)
end)

test("luaform import of every platform type, by Terraform's import ids", function()
  local e = emulator({ seed = 6 })
  local dir = copy_stack(FIXTURES .. "/lost")
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local before = state_of(dir).resources
  local S = "arn:aws:ecs:ap-northeast-2:123456789012"
  local Q = "https://sqs.ap-northeast-2.amazonaws.com/123456789012/sqs-base"
  local imports = {
    { "aws_iam_role.exec", "ecs-test-exec" },
    { "aws_iam_role_policy_attachment.exec",
      "ecs-test-exec/arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" },
    { "aws_ecr_repository.app", "lost-test" },
    { "aws_cloudwatch_log_group.app", "/ecs/ecs-test" },
    { "aws_cloudwatch_log_stream.app", "/ecs/ecs-test:app" },
    { "aws_ecs_cluster.main", "ecs-test" },
    { "aws_ecs_task_definition.app", S .. ":task-definition/ecs-test:1" },
    { "aws_ecs_service.app", "ecs-test/app" },
    { "aws_appautoscaling_target.app", "ecs/service/ecs-test/app/ecs:service:DesiredCount" },
    { "aws_appautoscaling_policy.mem", "ecs/service/ecs-test/app/ecs:service:DesiredCount/ecs-test-mem" },
    { "module.events.aws_sns_topic.this", "arn:aws:sns:ap-northeast-2:123456789012:topic-base" },
    { "module.events.aws_sns_topic_subscription.this", before["module.events.aws_sns_topic_subscription.this"].attributes.id },
    { "module.events.aws_sqs_queue.this", Q },
    { "module.events.aws_sqs_queue_policy.this", Q },
  }
  for _, i in ipairs(imports) do
    expect(select(2, e:luaform(dir, "state", "rm", i[1]))).to_be(0)
    local out, code = e:luaform(dir, "import", i[1], i[2])
    if code ~= 0 then print(out) end
    expect(code).to_be(0)
    expect(state_of(dir).resources[i[1]].attributes.id).to_be(before[i[1]].attributes.id)
  end
  -- Only luaform's own settings (wait_for_steady_state) are not in AWS.
  local out = e:luaform(dir, "plan", "-detailed-exitcode")
  expect(out).to_contain("wait_for_steady_state = false -> true")
  expect(out).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode"))).to_be(0)
end)
