-- aws_vpc_endpoint against the emulator: a Gateway endpoint for S3 on a
-- route table and Interface endpoints for ECR with private DNS in a
-- subnet; created as declared, a clean second plan, route tables,
-- subnets, security groups, policy and private DNS changed in place, a new
-- service replaces, drift repaired, import by id, destroy.
local aws = require("luaform.aws")

local function stack(o)
  o = o or {}
  return string.format([[
local vpc = resource("aws_vpc", "main", { cidr_block = "10.0.0.0/16", enable_dns_hostnames = true })
local a = resource("aws_subnet", "a", { vpc_id = vpc.id, cidr_block = "10.0.1.0/24", availability_zone = "us-east-1a" })
local b = resource("aws_subnet", "b", { vpc_id = vpc.id, cidr_block = "10.0.2.0/24", availability_zone = "us-east-1b" })
local rt1 = resource("aws_route_table", "one", { vpc_id = vpc.id })
local rt2 = resource("aws_route_table", "two", { vpc_id = vpc.id })
local sg1 = resource("aws_security_group", "one", { name = "ep1", vpc_id = vpc.id })
local sg2 = resource("aws_security_group", "two", { name = "ep2", vpc_id = vpc.id })
resource("aws_vpc_endpoint", "s3", { vpc_id = vpc.id, service_name = "com.amazonaws.us-east-1.%s",
  route_table_ids = { %s }, policy = %s, tags = { Name = "s3" } })
resource("aws_vpc_endpoint", "ecr", { vpc_id = vpc.id, service_name = "com.amazonaws.us-east-1.ecr.api",
  vpc_endpoint_type = "Interface", private_dns_enabled = %s, subnet_ids = { %s }, security_group_ids = { %s } })
]], o.service or "s3", o.tables or "rt1.id", o.policy or "nil", tostring(o.dns ~= false),
    o.subnets or "a.id", o.groups or "sg1.id")
end

local POLICY = [[{ Version = "2012-10-17", Statement = { { Effect = "Allow", Principal = "*",
  Action = "s3:GetObject", Resource = "*" } } }]]

local function endpoint(e, id)
  e:use()
  return aws.client("ec2", { region = e.region }):DescribeVpcEndpoints{ VpcEndpointIds = { id } }.VpcEndpoints[1]
end

local FLAGS = { ["nat-delay-ms"] = 100 }

test("gateway and interface endpoints are created as declared; a second plan has no changes", function()
  local e = emulator(FLAGS)
  local dir = e:applied(stack())
  local st = state_of(dir)
  local s3 = st.resources["aws_vpc_endpoint.s3"].attributes
  local gw = endpoint(e, s3.id)
  expect(gw.VpcEndpointType).to_be("Gateway")
  expect(gw.RouteTableIds[1]).to_be(st.resources["aws_route_table.one"].attributes.id)
  local ecr = st.resources["aws_vpc_endpoint.ecr"].attributes
  local ie = endpoint(e, ecr.id)
  expect(ie.State).to_be("available")
  expect(ie.PrivateDnsEnabled).to_be(true)
  expect(ie.SubnetIds[1]).to_be(st.resources["aws_subnet.a"].attributes.id)
  expect(ie.Groups[1].GroupId).to_be(st.resources["aws_security_group.one"].attributes.id)
  expect(#ecr.dns_entry).to_be(2)
  e:no_changes(dir)
end)

test("route tables, subnets, security groups, policy and private DNS change in place; a new service replaces", function()
  local e = emulator(FLAGS)
  local dir = e:applied(stack())
  write(dir .. "/main.lua", stack{ tables = "rt1.id, rt2.id", policy = POLICY, dns = false,
    subnets = "a.id, b.id", groups = "sg2.id" })
  local out = e:changes(dir)
  expect(out).to_contain("Plan: 0 to add, 2 to change, 0 to destroy.")
  e:apply(dir)
  local st = state_of(dir)
  local gw = endpoint(e, st.resources["aws_vpc_endpoint.s3"].attributes.id)
  expect(#gw.RouteTableIds).to_be(2)
  expect(core.json_decode(gw.PolicyDocument).Statement[1].Action).to_be("s3:GetObject")
  local ie = endpoint(e, st.resources["aws_vpc_endpoint.ecr"].attributes.id)
  expect(ie.PrivateDnsEnabled).to_be(false)
  expect(#ie.SubnetIds).to_be(2)
  expect(ie.Groups[1].GroupId).to_be(st.resources["aws_security_group.two"].attributes.id)
  expect(#ie.Groups).to_be(1)
  e:no_changes(dir)
  write(dir .. "/main.lua", stack{ service = "dynamodb" })
  out = e:plan(dir)
  expect(out).to_contain("# aws_vpc_endpoint.s3 must be replaced")
  e:apply(dir)
  st = state_of(dir)
  expect(endpoint(e, st.resources["aws_vpc_endpoint.s3"].attributes.id).ServiceName)
    .to_be("com.amazonaws.us-east-1.dynamodb")
end)

test("an endpoint deleted or changed outside luaform is repaired; import by id; destroy", function()
  local e = emulator(FLAGS)
  local dir = e:applied(stack())
  local st = state_of(dir)
  e:use()
  local ec2 = aws.client("ec2", { region = e.region })
  ec2:DeleteVpcEndpoints{ VpcEndpointIds = { st.resources["aws_vpc_endpoint.s3"].attributes.id } }
  ec2:ModifyVpcEndpoint{ VpcEndpointId = st.resources["aws_vpc_endpoint.ecr"].attributes.id,
    PrivateDnsEnabled = false }
  local out = e:changes(dir)
  expect(out).to_contain("# aws_vpc_endpoint.s3 will be created")
  expect(out).to_contain("# aws_vpc_endpoint.ecr will be updated in-place")
  e:apply(dir)
  expect(endpoint(e, state_of(dir).resources["aws_vpc_endpoint.ecr"].attributes.id).PrivateDnsEnabled).to_be(true)
  e:no_changes(dir)
  e:no_changes(e:imported(stack(), resource_ids(dir)))
  e:destroy(dir)
  expect(#e:inventory().ec2.vpc_endpoint).to_be(0)
end)
