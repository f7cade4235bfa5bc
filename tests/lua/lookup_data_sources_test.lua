-- Data sources that find what exists (issue 14): a first stack makes a
-- VPC, subnets, a security group, a repository, a cluster, a load
-- balancer and target group, a topic, a queue and a bucket; a second stack
-- finds each by Terraform's arguments (ids, names, tags, filter blocks)
-- and reads the attributes the first stack's state holds; a lookup that
-- finds none, or several where one is required, fails at its file:line.
local FIRST = [[
local vpc = resource("aws_vpc", "a", { cidr_block = "10.7.0.0/16", tags = { Env = "lookup", Name = "a" } })
resource("aws_vpc", "b", { cidr_block = "10.8.0.0/16", tags = { Env = "lookup", Name = "b" } })
local s1 = resource("aws_subnet", "pub1", { vpc_id = vpc.id, cidr_block = "10.7.1.0/24",
  availability_zone = "us-east-1a", tags = { Tier = "public" } })
local s2 = resource("aws_subnet", "pub2", { vpc_id = vpc.id, cidr_block = "10.7.2.0/24",
  availability_zone = "us-east-1b", tags = { Tier = "public" } })
resource("aws_subnet", "priv", { vpc_id = vpc.id, cidr_block = "10.7.3.0/24", tags = { Tier = "private" } })
local sg = resource("aws_security_group", "web", { name = "web", vpc_id = vpc.id,
  ingress = { { protocol = "tcp", from_port = 443, to_port = 443, cidr_blocks = { "0.0.0.0/0" } } } })
resource("aws_ecr_repository", "app", { name = "app", image_tag_mutability = "IMMUTABLE" })
resource("aws_ecs_cluster", "main", { name = "main" })
resource("aws_lb", "web", { name = "web", internal = true, subnets = { s1.id, s2.id }, security_groups = { sg.id } })
resource("aws_lb_target_group", "app", { name = "app", port = 80, protocol = "HTTP", vpc_id = vpc.id,
  target_type = "ip" })
resource("aws_sns_topic", "alerts", { name = "alerts" })
resource("aws_sqs_queue", "jobs", { name = "jobs" })
resource("aws_s3_bucket", "logs", { bucket = "lookup-logs" })
]]

local SECOND = [[
local vpc = data("aws_vpc", "a", { tags = { Env = "lookup", Name = "a" } })
data("aws_vpc", "by_cidr", { cidr_block = "10.8.0.0/16" })
local public = data("aws_subnets", "public", { tags = { Tier = "public" },
  filter = { { name = "vpc-id", values = { vpc.id } } } })
data("aws_subnets", "none", { filter = { { name = "cidr-block", values = { "10.99.*" } } } })
data("aws_subnet", "priv", { vpc_id = vpc.id, filter = { { name = "tag:Tier", values = { "priv*" } } } })
local sg = data("aws_security_group", "web", { name = "web", vpc_id = vpc.id })
data("aws_security_group", "by_id", { id = sg.id })
data("aws_vpc", "by_id", { id = vpc.id, state = "available", default = false })
data("aws_ecr_repository", "app", { name = "app" })
data("aws_ecs_cluster", "main", { cluster_name = "main" })
local lb = data("aws_lb", "web", { name = "web" })
data("aws_lb", "by_arn", { arn = lb.arn })
data("aws_lb_target_group", "app", { name = "app" })
data("aws_sns_topic", "alerts", { name = "alerts" })
data("aws_sqs_queue", "jobs", { name = "jobs" })
data("aws_s3_bucket", "logs", { bucket = "lookup-logs" })
output("public", public.ids)
]]

-- data address -> the resource it finds, and the attributes both show
local SAME = {
  ["data.aws_vpc.a"] = { "aws_vpc.a", "id", "arn", "cidr_block", "main_route_table_id", "enable_dns_support" },
  ["data.aws_vpc.by_cidr"] = { "aws_vpc.b", "id", "cidr_block", "default_security_group_id" },
  ["data.aws_subnet.priv"] = { "aws_subnet.priv", "id", "arn", "cidr_block", "availability_zone" },
  ["data.aws_security_group.web"] = { "aws_security_group.web", "id", "arn", "description" },
  ["data.aws_security_group.by_id"] = { "aws_security_group.web", "id", "name", "vpc_id" },
  ["data.aws_vpc.by_id"] = { "aws_vpc.a", "id", "cidr_block" },
  ["data.aws_ecr_repository.app"] = { "aws_ecr_repository.app", "arn", "repository_url", "registry_id",
    "image_tag_mutability" },
  ["data.aws_ecs_cluster.main"] = { "aws_ecs_cluster.main", "arn" },
  ["data.aws_lb.web"] = { "aws_lb.web", "arn", "dns_name", "zone_id", "arn_suffix", "vpc_id" },
  ["data.aws_lb.by_arn"] = { "aws_lb.web", "name", "dns_name" },
  ["data.aws_lb_target_group.app"] = { "aws_lb_target_group.app", "arn", "arn_suffix", "port", "vpc_id" },
  ["data.aws_sns_topic.alerts"] = { "aws_sns_topic.alerts", "arn" },
  ["data.aws_sqs_queue.jobs"] = { "aws_sqs_queue.jobs", "arn", "url" },
  ["data.aws_s3_bucket.logs"] = { "aws_s3_bucket.logs", "arn", "region", "bucket_domain_name",
    "bucket_regional_domain_name" },
}

test("data sources find what another stack made, by Terraform's arguments", function()
  local e = emulator({ ["lb-delay-ms"] = 100 })   -- the load balancer's provisioning
  local first = new_stack(FIRST)
  local out, code = e:luaform(first, "apply", "-auto-approve")
  if code ~= 0 then print(out:sub(-2000)) end
  expect(code).to_be(0)
  local made = state_of(first).resources
  local dir = new_stack(SECOND)
  out, code = e:luaform(dir, "apply", "-auto-approve")
  if code ~= 0 then print(out:sub(-2000)) end
  expect(code).to_be(0)
  local found = state_of(dir).resources
  for addr, same in pairs(SAME) do
    local want, got = made[same[1]].attributes, found[addr].attributes
    for i = 2, #same do
      if got[same[i]] ~= want[same[i]] then
        error(string.format("%s.%s = %s, %s has %s", addr, same[i], tostring(got[same[i]]), same[1],
          tostring(want[same[i]])), 0)
      end
    end
  end
  expect(found["data.aws_vpc.a"].attributes.tags.Name).to_be("a")
  expect(found["data.aws_vpc.a"].attributes.state).to_be("available")
  expect(found["data.aws_vpc.a"].attributes.default).to_be(false)
  expect(found["data.aws_subnet.priv"].attributes.default_for_az).to_be(false)
  expect(found["data.aws_ecs_cluster.main"].attributes.cluster_name).to_be("main")
  expect(found["data.aws_ecs_cluster.main"].attributes.status).to_be("ACTIVE")
  expect(found["data.aws_security_group.web"].attributes.ingress[1].from_port).to_be(443)
  local ids = { made["aws_subnet.pub1"].attributes.id, made["aws_subnet.pub2"].attributes.id }
  table.sort(ids)
  expect(found["data.aws_subnets.public"].attributes.ids).to_equal(ids)
  expect(#found["data.aws_subnets.none"].attributes.ids).to_be(0)
  local plan_out, plan_code = e:luaform(dir, "plan", "-detailed-exitcode")
  if plan_code ~= 0 then print(plan_out) end
  expect(plan_code).to_be(0)

  -- none, or several where one is required: an error at the data() call
  for _, case in ipairs({
    { 'data("aws_vpc", "x", { tags = { Env = "lookup" } })', "2 objects of aws_vpc match" },
    { 'data("aws_security_group", "x", { name = "nope" })', 'no aws_security_group matches name = "nope"' },
    { 'data("aws_ecr_repository", "x", { name = "nope" })', "no aws_ecr_repository matches" },
    { 'data("aws_lb", "x", { name = "nope" })', "no aws_lb matches" },
    { 'data("aws_sqs_queue", "x", { name = "nope" })', "no aws_sqs_queue matches" },
  }) do
    out, code = e:luaform(new_stack("local x = 1\n" .. case[1]), "plan")
    expect(code).to_be(1)
    expect(out).to_contain("main.lua:2: data.aws_")
    expect(out).to_contain(case[2])
  end
end)

test("providers schema -json, docs and types list these data sources apart from the resource types", function()
  local dir = tmpdir()
  local out, code = luaform(dir, "providers", "schema", "-json")
  expect(code).to_be(0)
  local aws = core.json_decode(out).provider_schemas["luaform.local/providers/aws"]
  local vpc = aws.data_source_schemas.aws_vpc.block
  expect(vpc.attributes.cidr_block).to_equal({ type = "string", optional = true, computed = true })
  expect(vpc.attributes.main_route_table_id).to_equal({ type = "string", computed = true })
  expect(vpc.block_types.filter.block.attributes.values.required).to_be(true)
  expect(aws.resource_schemas.aws_vpc.block.attributes.cidr_block.required).to_be(true)
  expect(aws.data_source_schemas.aws_subnets.block.attributes.ids.type).to_equal({ "list", "string" })
  expect(aws.data_source_schemas.aws_ecs_cluster.block.attributes.cluster_name.required).to_be(true)
  expect(aws.data_source_schemas.aws_ecr_repository.block.attributes.force_delete).to_be_nil()
  out = luaform(dir, "docs", "data.aws_sqs_queue")
  expect(out).to_contain("aws_sqs_queue (data source of provider aws")
  expect(out).to_match("\n  name +string, required\n")
  expect(luaform(dir, "docs")).to_match("\ndata%.aws_lb +data source\n")
  luaform(dir, "types", dir .. "/ann")
  expect(read(dir .. "/ann/luaform.lua")).to_contain(
    '---@overload fun(type: "aws_vpc", name: string, args?: luaform.args.data.aws_vpc')
end)

test("a lookup that depends_on a resource with a change is read during apply, after it", function()
  local e = emulator()
  local function stack(name)
    return string.format([[
local vpc = resource("aws_vpc", "a", { cidr_block = "10.7.0.0/16", tags = { Name = %q } })
data("aws_vpc", "a", { tags = { Name = %q } }, { depends_on = { vpc } })
]], name, name)
  end
  local dir = new_stack(stack("a"))
  local out, code = e:luaform(dir, "plan")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  expect(out).to_contain("# data.aws_vpc.a will be read during apply")
  out, code = e:luaform(dir, "apply", "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  local st = state_of(dir).resources
  expect(st["data.aws_vpc.a"].attributes.id).to_be(st["aws_vpc.a"].attributes.id)
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode"))).to_be(0)
  write(dir .. "/main.lua", stack("b"))   -- the tag it looks up changes with the resource
  out, code = e:luaform(dir, "apply", "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  expect(state_of(dir).resources["data.aws_vpc.a"].attributes.tags.Name).to_be("b")
end)

test("a lookup read during apply is held to its postcondition", function()
  local e = emulator()
  local dir = new_stack([[
local vpc = resource("aws_vpc", "a", { cidr_block = "10.7.0.0/16", tags = { Name = "a" } })
data("aws_vpc", "a", { tags = { Name = "a" } }, { depends_on = { vpc }, postcondition = { {
  condition = function(self) return self.cidr_block == "10.1.0.0/16" end, error_message = "not the VPC wanted" } } })
]])
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_contain("main.lua:2: resource postcondition failed for data.aws_vpc.a: not the VPC wanted")
end)
