-- The reference stack and the network stack against the emulator's
-- --sparse answers (optional members left out, "" for unset documents, as
-- moto answers): apply, a clean second plan, drift still found and
-- repaired, destroy. And the engine's rule for what a read leaves out
-- (schema.merge_read): the prior value stands, unless the type declares
-- absent_is_unset, so a setting removed outside luaform is still drift.
local EXAMPLE = core.exe_dir .. "/examples/ecs-fargate"
local NET = core.exe_dir .. "/tests/lua/fixtures/net"
local SPARSE = { ["nat-delay-ms"] = 200, ["lb-delay-ms"] = 200, seed = 1, sparse = true }

local function apply(e, dir, ...)
  local out, code = e:luaform(dir, "apply", "-auto-approve", ...)
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  return out
end

local function clean_plan(e, dir, ...)
  local out, code = e:luaform(dir, "plan", "-detailed-exitcode", ...)
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  expect(out).to_contain("No changes.")
  expect(out).not_to_contain("changed outside")
end

local function client(e, service, region)
  e:use()
  return require("luaform.aws").client(service, { region = region or e.region })
end

test("merge_read: an attribute a read leaves out keeps its prior value, unless absent_is_unset", function()
  local schema = require("luaform.schema")
  local sch = { a = { type = "number", optional = true }, b = { type = "string", optional = true, absent_is_unset = true },
                c = { type = "string", optional = true } }
  local merged = schema.merge_read(sch, { a = 200, b = "key", c = "x" }, { c = "y" })
  expect(merged).to_equal({ a = 200, c = "y" })
  expect(schema.merge_read(sch, { a = 1 }, nil)).to_be_nil()          -- not found: deleted
  expect(schema.merge_read(sch, nil, { c = "y" })).to_equal({ c = "y" })  -- nothing known before
  local values = require("luaform.values")
  -- "" and nil are one value for optional strings and documents, not for required ones
  expect(values.equal({ type = "json", optional = true }, "", nil)).to_be(true)
  expect(values.equal({ type = "string", optional = true }, nil, "")).to_be(true)
  expect(values.equal({ type = "string", required = true }, "", nil)).to_be(false)
  expect(values.equal({ type = "json", optional = true }, "", '{"a":1}')).to_be(false)
end)

test("reference stack under sparse answers: clean plan, an update sends nothing unchanged, drift repaired, destroy", function()
  local e = emulator(SPARSE)
  local dir = copy_stack(EXAMPLE)
  local out = apply(e, dir)
  expect(out).to_contain("Apply complete! Resources: 34 added, 0 changed, 0 destroyed.")
  local inv = e:inventory()
  local svc, topic, queue = inv.ecs.service[1], inv.sns.topic[1], inv.sqs.queue[1]
  -- The answers are sparse: set members left out, an unset document as "".
  local ecs = client(e, "ecs", "ap-northeast-2")
  local s = ecs:DescribeServices{ cluster = svc.clusterArn, services = { svc.id } }.services[1]
  expect(s.deploymentConfiguration).to_be_nil()
  expect(s.healthCheckGracePeriodSeconds).to_be_nil()
  expect(svc.deploymentConfiguration.maximumPercent).to_be(200)
  expect(svc.healthCheckGracePeriodSeconds).to_be(60)
  local sns = client(e, "sns", "ap-northeast-2")
  expect(sns:GetTopicAttributes{ TopicArn = topic.id }.Attributes.DeliveryPolicy).to_be("")

  clean_plan(e, dir)

  -- New default tags update every object in place; the topic's and the
  -- service's updates send no delivery policy and no deployment settings.
  sh(string.format("curl -sS -X POST %s/_emulator/requests/clear", e.url))
  out = apply(e, dir, "-var", "project=other")
  expect(out).to_contain("module.events.aws_sns_topic.this: Modifications complete")
  expect(out).to_contain("module.service.aws_ecs_service.this: Modifications complete")
  local counts = e:counts()
  expect(counts["sns:SetTopicAttributes"]).to_be_nil()
  expect(counts["ecs:UpdateService"]).to_be_nil()
  expect(counts["sns:TagResource"]).to_be(1)
  clean_plan(e, dir, "-var", "project=other")

  -- Drift: a count changed, the VPC's Name tag removed, the queue's policy removed
  -- and the subscription deleted, all outside luaform.
  ecs:UpdateService{ cluster = svc.clusterArn, service = svc.id, desiredCount = 1 }
  client(e, "ec2", "ap-northeast-2"):DeleteTags{ Resources = { inv.ec2.vpc[1].id }, Tags = { { Key = "Name" } } }
  local sqs = client(e, "sqs", "ap-northeast-2")
  sqs:SetQueueAttributes{ QueueUrl = queue.id, Attributes = { Policy = "" } }
  sns:Unsubscribe{ SubscriptionArn = inv.sns.subscription[1].id }
  local code
  out, code = e:luaform(dir, "plan", "-detailed-exitcode", "-var", "project=other")
  expect(code).to_be(2)
  expect(out).to_contain("# module.service.aws_ecs_service.this has changed")
  expect(out).to_contain("desired_count = 1 -> 2")
  expect(out).to_contain("# module.vpc.aws_vpc.this has changed")
  expect(out).to_contain('~ tags       = {\n          + "Name" = "base"\n        }')
  expect(out).to_contain("# module.events.aws_sqs_queue_policy.this has been deleted")
  expect(out).to_contain("# module.events.aws_sns_topic_subscription.this has been deleted")
  expect(out).to_contain("Plan: 2 to add, 2 to change, 0 to destroy.")
  apply(e, dir, "-var", "project=other")
  inv = e:inventory()
  expect(inv.ecs.service[1].desiredCount).to_be(2)
  expect(inv.ec2.vpc[1].tags.Name).to_be("base")
  expect(core.json_decode(inv.sqs.queue[1].attributes.Policy).Statement[1].Action).to_be("sqs:SendMessage")
  expect(#inv.sns.subscription).to_be(1)
  clean_plan(e, dir, "-var", "project=other")

  out = select(1, e:luaform(dir, "destroy", "-auto-approve", "-var", "project=other"))
  expect(out).to_contain("Destroy complete! Resources: 34 destroyed.")
  for svc_name, kinds in pairs(e:inventory()) do
    for kind, list in pairs(kinds) do
      if #list > 0 then error("left after destroy: " .. svc_name .. "." .. kind, 0) end
    end
  end
end)

test("network stack under sparse answers: clean plan, drift (a route, a tag, every ingress rule) repaired, destroy", function()
  local e = emulator(SPARSE)
  local dir = copy_stack(NET)
  expect(apply(e, dir)).to_contain("Apply complete! Resources: 18 added, 0 changed, 0 destroyed.")
  clean_plan(e, dir)

  local ec2 = client(e, "ec2")
  local inv = e:inventory().ec2
  local vpc, sg = inv.vpc[1], inv.security_group[1]
  local private
  for _, t in ipairs(ec2:DescribeRouteTables{ Filters = { { Name = "vpc-id", Values = { vpc.id } } } }.RouteTables) do
    for _, tag in ipairs(t.Tags or {}) do
      if tag.Key == "Name" and tag.Value == "net-private" then private = t.RouteTableId end
    end
  end
  ec2:DeleteRoute{ RouteTableId = private, DestinationCidrBlock = "0.0.0.0/0" }
  ec2:CreateTags{ Resources = { vpc.id }, Tags = { { Key = "Name", Value = "renamed-by-hand" } } }
  local g = ec2:DescribeSecurityGroups{ GroupIds = { sg.id } }.SecurityGroups[1]
  ec2:RevokeSecurityGroupIngress{ GroupId = sg.id, IpPermissions = g.IpPermissions }
  -- with no rule left, the sparse answer leaves IpPermissions out
  expect(ec2:DescribeSecurityGroups{ GroupIds = { sg.id } }.SecurityGroups[1].IpPermissions).to_be_nil()

  local out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(2)
  expect(out).to_contain("# module.network.aws_route_table.private has changed")
  expect(out).to_contain("# module.network.aws_vpc.this has changed")
  expect(out).to_contain("# module.lb.aws_security_group.alb has changed")
  expect(out).to_contain("Plan: 0 to add, 3 to change, 0 to destroy.")
  apply(e, dir)
  g = ec2:DescribeSecurityGroups{ GroupIds = { sg.id } }.SecurityGroups[1]
  expect(g.IpPermissions[1].FromPort).to_be(8080)
  clean_plan(e, dir)

  out = select(1, e:luaform(dir, "destroy", "-auto-approve"))
  expect(out).to_contain("Destroy complete! Resources: 18 destroyed.")
  for _, list in pairs(e:inventory().ec2) do expect(#list).to_be(0) end
end)

-- A gateway detached and a topic's delivery policy and KMS key removed
-- outside luaform: AWS then leaves those members out (or answers ""), and
-- the types declare absent_is_unset, so it is drift in both answer forms.
local UNSET_STACK = [[
local vpc = resource("aws_vpc", "main", { cidr_block = "10.6.0.0/16" })
resource("aws_internet_gateway", "gw", { vpc_id = vpc.id })
resource("aws_sns_topic", "t", {
  name = "unset-topic", kms_master_key_id = "alias/aws/sns",
  delivery_policy = { http = { defaultHealthyRetryPolicy = { numRetries = 5 } } },
})
]]

for _, sparse in ipairs({ false, true }) do
  test("settings removed outside luaform are drift" .. (sparse and " (sparse answers)" or ""), function()
    local e = emulator({ sparse = sparse })
    local dir = new_stack(UNSET_STACK)
    apply(e, dir)
    clean_plan(e, dir)
    local st = state_of(dir).resources
    local igw, topic = st["aws_internet_gateway.gw"].attributes, st["aws_sns_topic.t"].attributes
    client(e, "ec2"):DetachInternetGateway{ InternetGatewayId = igw.id, VpcId = igw.vpc_id }
    local sns = client(e, "sns")
    sns:SetTopicAttributes{ TopicArn = topic.id, AttributeName = "DeliveryPolicy", AttributeValue = "" }
    sns:SetTopicAttributes{ TopicArn = topic.id, AttributeName = "KmsMasterKeyId", AttributeValue = "" }
    local out, code = e:luaform(dir, "plan", "-detailed-exitcode")
    expect(code).to_be(2)
    expect(out).to_contain("# aws_internet_gateway.gw has changed")
    expect(out).to_contain("# aws_sns_topic.t has changed")
    expect(out).to_contain('+ kms_master_key_id = "alias/aws/sns"')
    expect(out).to_contain("Plan: 0 to add, 2 to change, 0 to destroy.")
    apply(e, dir)
    expect(e:inventory().ec2.internet_gateway[1].vpc_id).to_be(igw.vpc_id)
    local a = sns:GetTopicAttributes{ TopicArn = topic.id }.Attributes
    expect(a.KmsMasterKeyId).to_be("alias/aws/sns")
    expect(core.json_decode(a.DeliveryPolicy).http.defaultHealthyRetryPolicy.numRetries).to_be(5)
    clean_plan(e, dir)
  end)
end

test("a log group's class a read leaves out (moto) keeps the class it was made with", function()
  local e = emulator({ sparse = true })
  local dir = new_stack([[
resource("aws_cloudwatch_log_group", "cold", { name = "/cold", log_group_class = "INFREQUENT_ACCESS" })
]])
  apply(e, dir)
  expect(e:inventory().logs.log_group[1].logGroupClass).to_be("INFREQUENT_ACCESS")
  clean_plan(e, dir)
end)
