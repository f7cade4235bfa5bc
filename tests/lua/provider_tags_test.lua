-- Tags of the declared AWS types (aws._tags): a change of the provider's
-- default_tags plans an in-place update of every tagged resource, and a
-- tag added outside luaform is drift that the next apply removes.
local aws = require("luaform.aws")

-- One tagged resource of each declared type, and the provider's
-- default_tags from a variable.
local MAIN = [[
provider("aws", { default_tags = { tags = { Team = var("team", { default = "blue" }) } } })
local vpc = resource("aws_vpc", "main", { cidr_block = "10.0.0.0/16" })
resource("aws_subnet", "a", { vpc_id = vpc.id, cidr_block = "10.0.1.0/24", tags = { Name = "a" } })
resource("aws_cloudwatch_log_group", "app", { name = "/app", tags = { Name = "app" } })
resource("aws_ecr_repository", "app", { name = "app", tags = { Name = "app" } })
resource("aws_sns_topic", "events", { name = "events", tags = { Name = "events" } })
resource("aws_sqs_queue", "events", { name = "events", tags = { Name = "events" } })
resource("aws_lb_target_group", "app", { name = "app", port = 80, protocol = "HTTP", vpc_id = vpc.id,
  tags = { Name = "app" } })
resource("aws_ecs_cluster", "main", { name = "main", tags = { Name = "main" } })
resource("aws_iam_role", "exec", { name = "exec", tags = { Name = "exec" }, assume_role_policy = json{
  Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "sts:AssumeRole",
    Principal = { Service = "ecs-tasks.amazonaws.com" } } } } })
]]

-- MAIN's resources: one per tagging style (EC2, a service's own calls as a
-- map or a list, ELBv2, tags in the object, ECS's lower-case form).
local DECLARED = { "aws_vpc.main", "aws_subnet.a", "aws_cloudwatch_log_group.app", "aws_ecr_repository.app",
  "aws_sns_topic.events", "aws_sqs_queue.events", "aws_lb_target_group.app", "aws_ecs_cluster.main",
  "aws_iam_role.exec" }

test("a change of default_tags plans an in-place update of every tagged resource", function()
  local e = emulator()
  local dir = e:applied(MAIN)
  local out = e:changes(dir, "-var", "team=green")
  for _, addr in ipairs(DECLARED) do
    expect(out).to_contain("# " .. addr .. " will be updated in-place")
  end
  expect(out).to_contain(string.format("Plan: 0 to add, %d to change, 0 to destroy.", #DECLARED))
  -- the plan shows tags_all's changed key only (issue 16's map diff)
  expect(out).to_match('~ tags_all%s+= {\n%s+~ "Team" = "blue" %-> "green"\n')
  expect(out:match("~ tags%s+=")).to_be(nil)   -- the user's own tags did not change
  e:apply(dir, "-var", "team=green")
  e:use()
  local st = state_of(dir)
  local sqs = aws.client("sqs")
  local url = st.resources["aws_sqs_queue.events"].attributes.id
  expect(sqs:ListQueueTags{ QueueUrl = url }.Tags.Team).to_be("green")
  local subnet = st.resources["aws_subnet.a"].attributes.id
  local tags = {}
  for _, t in ipairs(aws.client("ec2"):DescribeSubnets{ SubnetIds = { subnet } }.Subnets[1].Tags) do
    tags[t.Key] = t.Value
  end
  expect(tags.Team).to_be("green")
  e:no_changes(dir, "-var", "team=green")
end)

test("a tag added outside luaform is drift that the next apply removes", function()
  local e = emulator()
  local dir = e:applied(MAIN)
  e:use()
  local st = state_of(dir)
  local url = st.resources["aws_sqs_queue.events"].attributes.id
  local group = st.resources["aws_cloudwatch_log_group.app"].attributes.id
  local subnet = st.resources["aws_subnet.a"].attributes.id
  local tg = st.resources["aws_lb_target_group.app"].attributes.id
  local sqs, logs, ec2 = aws.client("sqs"), aws.client("logs"), aws.client("ec2")
  local elb, iam = aws.client("elbv2"), aws.client("iam")
  sqs:TagQueue{ QueueUrl = url, Tags = { Owner = "someone" } }
  elb:AddTags{ ResourceArns = { tg }, Tags = { { Key = "Owner", Value = "someone" } } }
  iam:TagRole{ RoleName = "exec", Tags = { { Key = "Owner", Value = "someone" } } }
  logs:TagLogGroup{ logGroupName = group, tags = { Owner = "someone" } }
  ec2:CreateTags{ Resources = { subnet }, Tags = { { Key = "Owner", Value = "someone" } } }
  local out = e:changes(dir)
  expect(out).to_contain("Objects have changed outside of luaform")
  expect(out).to_contain("# aws_sqs_queue.events will be updated in-place")
  expect(out).to_contain("# aws_cloudwatch_log_group.app will be updated in-place")
  expect(out).to_contain("# aws_subnet.a will be updated in-place")
  expect(out).to_contain("# aws_lb_target_group.app will be updated in-place")
  expect(out).to_contain("# aws_iam_role.exec will be updated in-place")
  expect(out).to_contain("Plan: 0 to add, 5 to change, 0 to destroy.")
  e:apply(dir)
  expect(sqs:ListQueueTags{ QueueUrl = url }.Tags.Owner).to_be(nil)
  expect(logs:ListTagsLogGroup{ logGroupName = group }.tags.Owner).to_be(nil)
  local left = {}
  for _, t in ipairs(ec2:DescribeSubnets{ SubnetIds = { subnet } }.Subnets[1].Tags) do left[t.Key] = t.Value end
  expect(left.Owner).to_be(nil)
  expect(left.Name).to_be("a")
  for _, t in ipairs(elb:DescribeTags{ ResourceArns = { tg } }.TagDescriptions[1].Tags) do
    expect(t.Key ~= "Owner").to_be(true)
  end
  for _, t in ipairs(iam:ListRoleTags{ RoleName = "exec" }.Tags) do expect(t.Key ~= "Owner").to_be(true) end
  e:no_changes(dir)
end)

test("a secret in tags stays hidden in tags_all too, which is made from it", function()
  local e = emulator()
  local dir = new_stack([[
local owner = var("owner", { sensitive = true, default = "0wner-s3cret" })
resource("aws_sqs_queue", "q", { name = "q", tags = { Owner = owner } })
]])
  local out, code = e:luaform(dir, "plan")
  expect(code).to_be(0)
  expect(out).to_contain("+ tags_all")
  expect(out).not_to_contain("0wner-s3cret")
  out = e:apply(dir)
  expect(out).not_to_contain("0wner-s3cret")
  for _, args in ipairs({ { "state", "show", "aws_sqs_queue.q" }, { "show" }, { "show", "-json" } }) do
    out = e:luaform(dir, table.unpack(args))
    expect(out).to_contain("tags_all")
    expect(out).not_to_contain("0wner-s3cret")
  end
  -- the tag was really set, and the next plan is clean
  e:use()
  local url = state_of(dir).resources["aws_sqs_queue.q"].attributes.id
  expect(aws.client("sqs"):ListQueueTags{ QueueUrl = url }.Tags.Owner).to_be("0wner-s3cret")
  e:no_changes(dir)
end)
