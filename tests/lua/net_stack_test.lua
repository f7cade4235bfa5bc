-- The network half of the reference platform end to end against the
-- emulator (tests/lua/fixtures/net: stdlib.vpc + stdlib.lb + a target
-- group and listener): apply, what AWS then holds (read from the
-- emulator's inventory and with direct API calls, never from luaform's
-- state), a no-change plan and its API calls, replace and in-place
-- updates, drift repair, destroy, and the same under injected faults.
local FIXTURE = core.exe_dir .. "/tests/lua/fixtures/net"
local function stack() return copy_stack(FIXTURE) end
local FLAGS = { ["nat-delay-ms"] = 200, ["lb-delay-ms"] = 200, seed = 1 }

local function by(list, field)
  local out = {}
  for _, x in ipairs(list or {}) do out[x[field]] = x end
  return out
end

local function count(t)
  local n = 0
  for _ in pairs(t or {}) do n = n + 1 end
  return n
end

local function sorted(list)
  local out = {}
  for i, x in ipairs(list or {}) do out[i] = x end
  table.sort(out)
  return out
end

local function apply(e, dir, ...)
  local out, code = e:luaform(dir, "apply", "-auto-approve", ...)
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  return out
end

-- Direct EC2 / ELBv2 clients on the emulator (for checks and drift).
local function clients(e)
  e:use()
  local aws = require("luaform.aws")
  return aws.client("ec2", { region = e.region }), aws.client("elbv2", { region = e.region })
end

local function route_tables(ec2, vpc_id)
  local r = ec2:DescribeRouteTables{ Filters = { { Name = "vpc-id", Values = { vpc_id } } } }
  local out = {}
  for _, t in ipairs(r.RouteTables) do
    local tags = {}
    for _, tag in ipairs(t.Tags or {}) do tags[tag.Key] = tag.Value end
    if tags.Name then out[tags.Name] = t end
  end
  return out
end

local function default_route(t)
  for _, r in ipairs(t.Routes or {}) do
    if r.DestinationCidrBlock == "0.0.0.0/0" then return r end
  end
end

local function subnets_of(t)
  local out = {}
  for _, a in ipairs(t.Associations or {}) do if a.SubnetId then out[#out + 1] = a.SubnetId end end
  table.sort(out)
  return out
end

-- Every object in the emulator is known to the state, once.
local function inventory_matches_state(inv, st)
  local ids = {}
  for _, entry in pairs(st.resources) do
    if entry.mode ~= "data" and entry.attributes then ids[entry.attributes.id] = (ids[entry.attributes.id] or 0) + 1 end
  end
  local seen = {}
  for _, svc in ipairs({ "ec2", "elasticloadbalancing" }) do
    for kind, list in pairs(inv[svc]) do
      for _, o in ipairs(list) do
        if not ids[o.id] then error(string.format("%s %s is in AWS but not in the state", kind, o.id), 0) end
        if seen[o.id] then error(string.format("%s %s is listed twice", kind, o.id), 0) end
        seen[o.id] = true
      end
    end
  end
  return count(seen)
end

local function empty(inv)
  for _, svc in ipairs({ "ec2", "elasticloadbalancing" }) do
    for kind, list in pairs(inv[svc]) do
      if #list > 0 then return false, kind .. " " .. list[1].id end
    end
  end
  return true
end

-- The calls a no-change plan of the fixture may make, at most, and how each
-- scales: "per type" calls read every object of a resource type at once
-- (4 subnets, 4 associations: still one call); "per object" ones are the
-- attribute reads AWS has no batch form of, so they grow with the stack.
local PLAN_CALLS = {
  ["ec2:DescribeVpcs"] = { 1, "per type" }, ["ec2:DescribeSubnets"] = { 1, "per type" },
  ["ec2:DescribeInternetGateways"] = { 1, "per type" }, ["ec2:DescribeAddresses"] = { 1, "per type" },
  ["ec2:DescribeNatGateways"] = { 1, "per type" }, ["ec2:DescribeSecurityGroups"] = { 1, "per type" },
  ["ec2:DescribeRouteTables"] = { 2, "per type (route tables, associations)" },
  ["elasticloadbalancing:DescribeLoadBalancers"] = { 1, "per type" },
  ["elasticloadbalancing:DescribeTargetGroups"] = { 1, "per type" },
  ["elasticloadbalancing:DescribeListeners"] = { 1, "per type" },
  ["elasticloadbalancing:DescribeTags"] = { 3, "per type, 20 ARNs a call (3 ELBv2 types)" },
  ["ec2:DescribeVpcAttribute"] = { 2, "per object: 2 per VPC (DNS support, DNS hostnames)" },
  ["elasticloadbalancing:DescribeLoadBalancerAttributes"] = { 1, "per object: 1 per load balancer" },
  ["elasticloadbalancing:DescribeTargetGroupAttributes"] = { 1, "per object: 1 per target group" },
  ["ec2:DescribeAvailabilityZones"] = { 1, "data source" }, ["sts:GetCallerIdentity"] = { 1, "data source" },
}

-- Prints a no-change plan's calls, each with how it scales, and fails on a
-- call that PLAN_CALLS does not allow or that was made too often.
local function check_plan_calls(counts)
  local names, total, per_object = {}, 0, 0
  for k, n in pairs(counts) do
    names[#names + 1] = k
    total = total + n
    if PLAN_CALLS[k] and PLAN_CALLS[k][2]:match("^per object") then per_object = per_object + n end
  end
  table.sort(names)
  print(string.format("     no-change plan: %d API calls (18 resources, 3 data sources): %d per object"
    .. " (no batch form in AWS), %d per resource type or data source", total, per_object, total - per_object))
  for _, k in ipairs(names) do
    print(string.format("       %-52s %d  %s", k, counts[k], PLAN_CALLS[k] and PLAN_CALLS[k][2] or "unexpected"))
  end
  for _, k in ipairs(names) do
    if not PLAN_CALLS[k] then error("unexpected call in a no-change plan: " .. k, 0) end
    if counts[k] > PLAN_CALLS[k][1] then
      error(string.format("%s called %d times (at most %d: %s)", k, counts[k], PLAN_CALLS[k][1], PLAN_CALLS[k][2]), 0)
    end
  end
end

test("apply builds the network; AWS holds every object as declared; a second plan has no changes", function()
  local e = emulator(FLAGS)
  local dir = stack()
  local out = apply(e, dir)
  expect(out).to_contain("Apply complete! Resources: 18 added, 0 changed, 0 destroyed.")
  local st = state_of(dir)
  local inv = e:inventory()
  local ec2inv, elbinv = inv.ec2, inv.elasticloadbalancing

  -- the VPC, with the provider's default tags merged under the module's
  expect(#ec2inv.vpc).to_be(1)
  local vpc = ec2inv.vpc[1]
  expect(vpc.cidr_block).to_be("10.0.0.0/16")
  expect(vpc.tags.Name).to_be("net")
  expect(vpc.tags.Stack).to_be("net")
  expect(vpc.tags.Project).to_be("luaform-net")
  expect(out).to_contain('vpc_id = "' .. vpc.id .. '"')

  -- four subnets, keyed by zone, in the VPC
  local subnets = by(ec2inv.subnet, "cidr_block")
  expect(sorted((function() local l = {} for c in pairs(subnets) do l[#l + 1] = c end return l end)()))
    .to_equal({ "10.0.1.0/24", "10.0.11.0/24", "10.0.12.0/24", "10.0.2.0/24" })
  expect(subnets["10.0.1.0/24"].availability_zone).to_be("us-east-1a")
  expect(subnets["10.0.2.0/24"].availability_zone).to_be("us-east-1b")
  expect(subnets["10.0.12.0/24"].availability_zone).to_be("us-east-1b")
  for _, s in pairs(subnets) do expect(s.vpc_id).to_be(vpc.id) end
  expect(subnets["10.0.2.0/24"].tags.Name).to_be("net-public-us-east-1b")

  -- gateway attached, one EIP, one NAT gateway in the first public subnet
  expect(#ec2inv.internet_gateway).to_be(1)
  local igw = ec2inv.internet_gateway[1]
  expect(igw.vpc_id).to_be(vpc.id)
  expect(#ec2inv.elastic_ip).to_be(1)
  expect(#ec2inv.nat_gateway).to_be(1)
  local nat = ec2inv.nat_gateway[1]
  expect(nat.subnet_id).to_be(subnets["10.0.1.0/24"].id)

  -- route tables: public -> internet gateway, private -> NAT; associations
  local ec2, elb = clients(e)
  local rts = route_tables(ec2, vpc.id)
  expect(default_route(rts["net-public"]).GatewayId).to_be(igw.id)
  expect(default_route(rts["net-private"]).NatGatewayId).to_be(nat.id)
  expect(subnets_of(rts["net-public"])).to_equal(sorted({ subnets["10.0.1.0/24"].id, subnets["10.0.2.0/24"].id }))
  expect(subnets_of(rts["net-private"])).to_equal(sorted({ subnets["10.0.11.0/24"].id, subnets["10.0.12.0/24"].id }))
  local public = ec2:DescribeSubnets{ SubnetIds = { subnets["10.0.1.0/24"].id } }.Subnets[1]
  expect(public.MapPublicIpOnLaunch).to_be(true)
  local private = ec2:DescribeSubnets{ SubnetIds = { subnets["10.0.11.0/24"].id } }.Subnets[1]
  expect(private.MapPublicIpOnLaunch).to_be(false)
  expect(ec2:DescribeVpcAttribute{ VpcId = vpc.id, Attribute = "enableDnsHostnames" }.EnableDnsHostnames.Value).to_be(true)

  -- the ALB's security group: 8080 from anywhere in, all out (the default
  -- egress rule replaced by the declared one)
  expect(#ec2inv.security_group).to_be(1)
  local sg = ec2inv.security_group[1]
  expect(sg.name).to_be("alb-base-sg")
  local g = ec2:DescribeSecurityGroups{ GroupIds = { sg.id } }.SecurityGroups[1]
  expect(#g.IpPermissions).to_be(1)
  expect(g.IpPermissions[1].IpProtocol).to_be("tcp")
  expect(g.IpPermissions[1].FromPort).to_be(8080)
  expect(g.IpPermissions[1].IpRanges[1].CidrIp).to_be("0.0.0.0/0")
  expect(#g.IpPermissionsEgress).to_be(1)
  expect(g.IpPermissionsEgress[1].IpRanges[1].Description).to_be("anywhere")

  -- the ALB in the public subnets, its target group and listener
  expect(#elbinv.load_balancer).to_be(1)
  local lb = elbinv.load_balancer[1]
  expect(lb.name).to_be("alb-base")
  expect(lb.type).to_be("application")
  expect(sorted(lb.subnets)).to_equal(sorted({ subnets["10.0.1.0/24"].id, subnets["10.0.2.0/24"].id }))
  local lbd = elb:DescribeLoadBalancers{ LoadBalancerArns = { lb.id } }.LoadBalancers[1]
  expect(lbd.Scheme).to_be("internet-facing")
  expect(lbd.SecurityGroups).to_equal({ sg.id })
  expect(lbd.State.Code).to_be("active")
  expect(out).to_contain('alb_dns_name = "' .. lbd.DNSName .. '"')
  expect(#elbinv.target_group).to_be(1)
  local tg = elbinv.target_group[1]
  expect(tg.name).to_be("app-tg")
  expect(tg.vpc_id).to_be(vpc.id)
  local tgd = elb:DescribeTargetGroups{ TargetGroupArns = { tg.id } }.TargetGroups[1]
  expect(tgd.HealthCheckPath).to_be("/health")
  expect(tgd.HealthCheckIntervalSeconds).to_be(15)
  expect(tgd.HealthyThresholdCount).to_be(2)
  local tga = {}
  for _, a in ipairs(elb:DescribeTargetGroupAttributes{ TargetGroupArn = tg.id }.Attributes) do tga[a.Key] = a.Value end
  expect(tga["deregistration_delay.timeout_seconds"]).to_be("30")
  expect(#elbinv.listener).to_be(1)
  expect(elbinv.listener[1].port).to_be(8080)
  expect(elbinv.listener[1].load_balancer).to_be(lb.id)
  expect(elbinv.listener[1].target_groups).to_equal({ tg.id })

  -- data sources
  expect(out).to_contain('account_id = "123456789012"')
  expect(out).to_contain('region = "us-east-1"')
  expect(out).to_contain('zones = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]')

  -- nothing in AWS that the state does not know
  expect(inventory_matches_state(inv, st)).to_be(14)

  -- a second plan: no changes, and batched reads
  sh("curl -s -X POST " .. e.url .. "/_emulator/requests/clear")
  local plan, code = e:luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(0)
  expect(plan).to_contain("No changes.")
  expect(plan).not_to_contain("changed outside")
  check_plan_calls(e:counts())

  -- destroy: nothing left
  out, code = e:luaform(dir, "destroy", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("Destroy complete! Resources: 18 destroyed.")
  local ok, what = empty(e:inventory())
  if not ok then error("left after destroy: " .. what, 0) end
  -- as Terraform: the data sources leave the state with the resources
  expect(e:luaform(dir, "state", "list")).to_be("")
end)

test("a subnet's new CIDR plans a replace; DNS hostnames and a rule change in place", function()
  local e = emulator(FLAGS)
  local dir = stack()
  apply(e, dir)
  local old = by(e:inventory().ec2.subnet, "cidr_block")["10.0.12.0/24"]

  local plan, code = e:luaform(dir, "plan", "-detailed-exitcode", "-var", "private_b_cidr=10.0.13.0/24")
  expect(code).to_be(2)
  expect(plan).to_contain('# module.network.aws_subnet.private["us-east-1b"] must be replaced')
  expect(plan).to_contain("# forces replacement")
  expect(plan).to_contain('# module.network.aws_route_table_association.private["us-east-1b"] must be replaced')
  expect(plan).to_contain("Plan: 2 to add, 0 to change, 2 to destroy.")
  local out = apply(e, dir, "-var", "private_b_cidr=10.0.13.0/24")
  expect(out).to_contain("2 added, 0 changed, 2 destroyed")
  local inv = e:inventory()
  local subnets = by(inv.ec2.subnet, "cidr_block")
  expect(subnets["10.0.12.0/24"]).to_be_nil()
  expect(subnets["10.0.13.0/24"].availability_zone).to_be("us-east-1b")
  expect(subnets["10.0.13.0/24"].id ~= old.id).to_be(true)
  local ec2 = clients(e)
  local rts = route_tables(ec2, inv.ec2.vpc[1].id)
  expect(subnets_of(rts["net-private"])).to_equal(sorted({ subnets["10.0.11.0/24"].id, subnets["10.0.13.0/24"].id }))

  local vars = { "-var", "private_b_cidr=10.0.13.0/24", "-var", "dns_hostnames=false", "-var", "ingress_cidr=10.0.0.0/8" }
  plan, code = e:luaform(dir, "plan", "-detailed-exitcode", table.unpack(vars))
  expect(code).to_be(2)
  expect(plan).to_contain("# module.network.aws_vpc.this will be updated in-place")
  expect(plan).to_contain("# module.lb.aws_security_group.alb will be updated in-place")
  expect(plan).to_contain("Plan: 0 to add, 2 to change, 0 to destroy.")
  out = apply(e, dir, table.unpack(vars))
  expect(out).to_contain("0 added, 2 changed, 0 destroyed")
  local vpc = e:inventory().ec2.vpc[1]
  expect(ec2:DescribeVpcAttribute{ VpcId = vpc.id, Attribute = "enableDnsHostnames" }.EnableDnsHostnames.Value).to_be(false)
  local sg = e:inventory().ec2.security_group[1]
  local g = ec2:DescribeSecurityGroups{ GroupIds = { sg.id } }.SecurityGroups[1]
  expect(#g.IpPermissions).to_be(1)
  expect(#g.IpPermissions[1].IpRanges).to_be(1)
  expect(g.IpPermissions[1].IpRanges[1].CidrIp).to_be("10.0.0.0/8")
  expect(sg.id).to_be(state_of(dir).resources["module.lb.aws_security_group.alb"].attributes.id)

  plan, code = e:luaform(dir, "plan", "-detailed-exitcode", table.unpack(vars))
  expect(code).to_be(0)
  expect(plan).to_contain("No changes.")
end)

test("drift made in AWS (a route deleted, a tag changed) is detected and repaired", function()
  local e = emulator(FLAGS)
  local dir = stack()
  apply(e, dir)
  local inv = e:inventory()
  local vpc = inv.ec2.vpc[1]
  local ec2 = clients(e)
  local rts = route_tables(ec2, vpc.id)
  ec2:DeleteRoute{ RouteTableId = rts["net-private"].RouteTableId, DestinationCidrBlock = "0.0.0.0/0" }
  ec2:CreateTags{ Resources = { vpc.id }, Tags = { { Key = "Name", Value = "renamed-by-hand" } } }

  local plan, code = e:luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(2)
  expect(plan).to_contain("Objects have changed outside of luaform")
  expect(plan).to_contain("# module.network.aws_route_table.private has changed")
  expect(plan).to_contain("# module.network.aws_vpc.this has changed")
  expect(plan).to_contain("# module.network.aws_route_table.private will be updated in-place")
  expect(plan).to_contain("# module.network.aws_vpc.this will be updated in-place")
  expect(plan).to_contain("Plan: 0 to add, 2 to change, 0 to destroy.")

  apply(e, dir)
  rts = route_tables(ec2, vpc.id)
  expect(default_route(rts["net-private"]).NatGatewayId).to_be(e:inventory().ec2.nat_gateway[1].id)
  expect(by(e:inventory().ec2.vpc, "id")[vpc.id].tags.Name).to_be("net")
  code = select(2, e:luaform(dir, "plan", "-detailed-exitcode"))
  expect(code).to_be(0)
end)

test("with throttling, 5xx, lost responses and eventual consistency, apply and destroy converge without strays", function()
  local e = emulator(FLAGS)
  local dir = stack()
  e:faults{ throttle_pct = 10, error_pct = 5, lose_pct = 5, consistency_ms = 500, seed = 7 }

  -- converge: a run that fails leaves a state the next run continues from
  local function converge(args, done_pattern)
    local runs, out, code = 0
    repeat
      runs = runs + 1
      out, code = e:luaform(dir, table.unpack(args))
      -- never a stray object, whatever the run's outcome
      inventory_matches_state(e:inventory(), state_of(dir))
    until code == 0 or runs == 3
    if code ~= 0 then print(out) end
    expect(code).to_be(0)
    expect(out).to_match(done_pattern)
    return runs
  end

  local runs = converge({ "apply", "-auto-approve" }, "Apply complete!")
  local inv = e:inventory()
  expect(inventory_matches_state(inv, state_of(dir))).to_be(14)
  expect(#inv.ec2.subnet).to_be(4)
  expect(#inv.ec2.nat_gateway).to_be(1)
  expect(#inv.ec2.elastic_ip).to_be(1)
  expect(#inv.elasticloadbalancing.load_balancer).to_be(1)
  local faults = e:counts()
  local total = 0
  for _, n in pairs(faults) do total = total + n end
  print(string.format("     faults: apply converged in %d run(s), %d API calls", runs, total))

  local plan, code = e:luaform(dir, "plan", "-detailed-exitcode")
  if code ~= 0 then print(plan) end
  expect(code).to_be(0)

  runs = converge({ "destroy", "-auto-approve" }, "Destroy complete!")
  print(string.format("     faults: destroy converged in %d run(s)", runs))
  local ok, what = empty(e:inventory())
  if not ok then error("left after destroy: " .. what, 0) end
end)

test("stdlib.vpc and stdlib.lb report a misuse at the caller's line", function()
  local dir = tmpdir()
  write(dir .. "/main.lua", table.concat({
    'local net = module("network", require("stdlib.vpc"), {',
    '  vpc_cidr_block = "10.0.0.0/16", azs = { "us-east-1a", "us-east-1b" },',
    '  public_subnet_cidrs = { "10.0.1.0/24" }, private_subnet_cidrs = { "10.0.11.0/24", "10.0.12.0/24" },',
    '})',
  }, "\n") .. "\n")
  local out, code = luaform(dir, "validate")
  expect(code).to_be(1)
  expect(out).to_contain("main.lua:1: stdlib.vpc: public_subnet_cidrs: 1 CIDR blocks for 2 zones")

  write(dir .. "/main.lua", table.concat({
    'local net = module("network", require("stdlib.vpc"), {',
    '  vpc_cidr_block = "10.0.0.0/16", azs = { "us-east-1a" },',
    '  public_subnet_cidrs = { "10.0.1.0/24" }, private_subnet_cidrs = { "10.0.11.0/24" },',
    '})',
    'local alb = module("lb", require("stdlib.lb"), {',
    '  vpc_id = net.vpc_id, public_subnet_ids = net.public_subnet_ids, listener_prot = 80,',
    '})',
  }, "\n") .. "\n")
  out, code = luaform(dir, "validate")
  expect(code).to_be(1)
  expect(out).to_contain('main.lua:5: module "lb": unsupported input "listener_prot" (did you mean "listener_port"?)')
end)

-- Each stdlib module checks the type of every argument: a misuse names the
-- module() line of the stack, never a line inside the module.
-- (The interface language is the shared one of luaform.interface: a
-- value Terraform would convert, "60" for a number or "true" for a bool,
-- is converted; see the accepted values below.)
local MISUSES = {
  { "vpc", 'name = { 1 }', 'module "m": input "name": expected a string, got table' },
  { "vpc", 'single_nat_gateway = "no"', 'module "m": input "single_nat_gateway": expected a boolean, got string' },
  { "lb", 'tags = "x"', 'module "m": input "tags": expected a map, got string' },
  { "lb", 'internal = "yes"', 'module "m": input "internal": expected a boolean, got string' },
  { "lb", 'idle_timeout = "sixty"', 'module "m": input "idle_timeout": expected a number, got string' },
  { "lb", 'vpc_id = vpc', 'module "m": input "vpc_id": expected string, got the resource aws_vpc.main (use one of its attributes, such as .id)' },
  { "service", 'name = { "x" }', 'module "m": input "name": expected a string, got table' },
  { "service", 'name = "My_App"', 'module "m": input "name": invalid value: "My_App" is not 1-29 lowercase letters, digits or hyphens' },
  { "service", 'environment = "FOO"', 'module "m": input "environment": expected a map, got string' },
  { "service", 'environment = { FOO = { 1 } }', 'module "m": input "environment": environment.FOO: expected a string, got table' },
  { "service", 'tags = "x"', 'module "m": input "tags": expected a map, got string' },
  { "service", 'image_tag = { 1 }', 'module "m": input "image_tag": expected a string, got table' },
  { "service", 'image_tag = "v 2"', 'module "m": input "image_tag": invalid value: "v 2" is not an image tag' },
  { "service", 'metric = "CPU"', 'module "m": input "metric": invalid value: "CPU" is not one of ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization' },
  { "service", 'health_check_path = "up"', 'module "m": input "health_check_path": invalid value: "up" is not a path starting with /' },
  { "service", 'region = "Seoul"', 'module "m": input "region": invalid value: "Seoul" is not an AWS region such as us-east-1' },
  { "service", 'region = vpc', 'module "m": input "region": expected string, got the resource aws_vpc.main' },
  { "service", 'desired_count = 1.5', 'module "m": input "desired_count": invalid value: expected a whole number of at least 0, got 1.5' },
  { "service", 'container_port = 70000', 'module "m": input "container_port": invalid value: expected a whole number from 1 to 65535, got 70000' },
  { "service", 'ignore_desired_count = 1', 'module "m": input "ignore_desired_count": expected a boolean, got number' },
  { "service", 'min_capacity = 4', "stdlib.service: min_capacity (4) must not exceed max_capacity (3)" },
  { "service", 'desried_count = 2', 'module "m": unsupported input "desried_count" (did you mean "desired_count"?)' },
  { "events", 'topic_name = true', 'module "m": input "topic_name": expected a string, got boolean' },
  { "events", 'queue_name = "jobs.fifo"', 'module "m": input "queue_name": invalid value: "jobs.fifo" is not 1-80 letters, digits, hyphens or underscores' },
  { "events", 'visibility_timeout_seconds = "sixty"', 'module "m": input "visibility_timeout_seconds": expected a number, got string' },
  { "events", 'delay_seconds = 901', 'module "m": input "delay_seconds": invalid value: expected a whole number from 0 to 900, got 901' },
  { "events", 'raw_message_delivery = "maybe"', 'module "m": input "raw_message_delivery": expected a boolean, got string' },
  { "events", 'tags = { "a" }', 'module "m": input "tags": expected a map, got a list' },
  { "events", 'qeue_name = "jobs"', 'module "m": unsupported input "qeue_name" (did you mean "queue_name"?)' },
}

-- Arguments each module needs besides the one being misused.
local REQUIRED = {
  vpc = 'vpc_cidr_block = "10.0.0.0/16", azs = { "us-east-1a" }, public_subnet_cidrs = { "10.0.1.0/24" }, '
    .. 'private_subnet_cidrs = { "10.0.11.0/24" }',
  lb = 'vpc_id = vpc.id, public_subnet_ids = { "subnet-a", "subnet-b" }',
  service = 'vpc_id = vpc.id, alb_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/a/1", '
    .. 'alb_sg_id = "sg-1", private_subnet_ids = { "subnet-a", "subnet-b" }',
  events = '',
}

-- main.lua with the module called on line 3 with args (an argument in args
-- replaces the one of the same name in REQUIRED).
local function misuse_stack(dir, module, args)
  local name = args:match("^([%w_]+) =")
  local base = REQUIRED[module]:gsub(name .. " = [^,]*,? ?", "")
  write(dir .. "/main.lua", table.concat({
    'provider("aws", { region = "us-east-1" }); local here = data("aws_region", "here")',
    'local vpc = resource("aws_vpc", "main", { cidr_block = "10.0.0.0/16" })',
    string.format('module("m", require("stdlib.%s"), { %s%s%s })', module, base, base ~= "" and ", " or "", args),
  }, "\n") .. "\n")
end

test("stdlib.service and stdlib.events (and vpc, lb) check every argument's type at the caller's line", function()
  local dir = tmpdir()
  for _, m in ipairs(MISUSES) do
    misuse_stack(dir, m[1], m[2])
    local out, code = luaform(dir, "validate")
    if code ~= 1 or not out:find("main.lua:3: " .. m[3], 1, true) then print(m[2], out) end
    expect(code).to_be(1)
    expect(out).to_contain("main.lua:3: " .. m[3])
    expect(out).not_to_contain("stdlib/")
  end
  -- Resource attributes pass where a string, a map value or a list element goes.
  for module, args in pairs({
    service = 'region = here.name, image_tag = vpc.id, environment = { VPC = vpc.id, N = 1 }, tags = { Vpc = vpc.id }',
    lb = 'name = "web", internal = true, idle_timeout = 120, tags = { Vpc = vpc.id }',
    events = 'queue_name = "jobs", tags = { Vpc = vpc.id }, raw_message_delivery = true',
    vpc = 'name = "main", tags = { Team = "core" }, single_nat_gateway = false',
  }) do
    misuse_stack(dir, module, args)
    local out, code = luaform(dir, "validate")
    if code ~= 0 then print(module, out) end
    expect(code).to_be(0)
  end
  -- Values Terraform converts are converted (the shared interface language).
  for module, args in pairs({
    lb = 'idle_timeout = "60"', service = 'desired_count = "2"',
    events = 'visibility_timeout_seconds = "60", raw_message_delivery = "true"',
  }) do
    misuse_stack(dir, module, args)
    local out, code = luaform(dir, "validate")
    if code ~= 0 then print(module, out) end
    expect(code).to_be(0)
  end
end)

-- The faults test's guarantee rests on this: a create sent with
-- max_attempts = 1 (no ClientToken) reaches AWS once, even when it goes
-- out on a kept-alive connection that the server closes without answering
-- (curl would silently resend it on a fresh connection).
test("a create sent once reaches AWS once, also on a reused connection", function()
  local e = emulator({})
  local ec2 = clients(e)
  ec2:DescribeVpcs{}
  e:faults{ lose_pct = 100 }
  local ok, err = pcall(ec2.CreateVpc, ec2, { CidrBlock = "10.0.0.0/16" }, { max_attempts = 1 })
  expect(ok).to_be(false)
  expect(err.code).to_be("NetworkError")
  expect(err.status).to_be_nil()
  expect(e:counts()["ec2:CreateVpc"]).to_be(1)
end)

test("every object can be imported by its id; the plan after the imports has no changes", function()
  local e = emulator(FLAGS)
  local dir = stack()
  apply(e, dir)
  local st = state_of(dir)
  local addrs = {}
  for addr, entry in pairs(st.resources) do if entry.mode ~= "data" then addrs[#addrs + 1] = addr end end
  table.sort(addrs)
  expect(#addrs).to_be(18)
  for _, addr in ipairs(addrs) do
    local a = st.resources[addr].attributes
    -- Terraform's form for associations: SUBNET_ID/ROUTE_TABLE_ID
    local id = addr:find("aws_route_table_association", 1, true) and (a.subnet_id .. "/" .. a.route_table_id) or a.id
    local _, code = e:luaform(dir, "state", "rm", addr)
    expect(code).to_be(0)
    local out
    out, code = e:luaform(dir, "import", addr, id)
    if code ~= 0 then print(out) end
    expect(code).to_be(0)
    expect(state_of(dir).resources[addr].attributes.id).to_be(a.id)
  end
  local plan, code = e:luaform(dir, "plan", "-detailed-exitcode")
  if code ~= 0 then print(plan) end
  expect(code).to_be(0)
  local out
  out, code = e:luaform(dir, "import", "module.network.aws_vpc.this", "vpc-0123456789abcdef0")
  expect(code).to_be(1)
  expect(out).to_contain("already managed")
end)

test("killed while the NAT gateway is being created, the next apply adopts it (intent journal)", function()
  local e = emulator({ ["nat-delay-ms"] = 3000, ["lb-delay-ms"] = 200, seed = 1 })
  local dir = stack()
  local started = os.time()
  local pid = (sh(string.format("cd %s && (%s NO_COLOR=1 %s apply -auto-approve > run.log 2>&1 </dev/null & echo $!)",
    quote(dir), e:env(), quote(core.exe_dir .. "/luaform"))):gsub("%s+$", ""))
  -- wait until the NAT gateway's create has been sent (its intent is in the state)
  local sent = false
  for _ = 1, 200 do
    local st = state_of(dir)
    local nat = st and st.resources["module.network.aws_nat_gateway.this"]
    if nat and nat.pending and #e:inventory().ec2.nat_gateway == 1 then sent = true; break end
    core.sleep(0.05)
  end
  expect(sent).to_be(true)
  sh("kill -9 " .. pid)
  for _ = 1, 100 do
    if select(2, sh("kill -0 " .. pid)) ~= 0 then break end
    core.sleep(0.05)
  end
  local nat_id = e:inventory().ec2.nat_gateway[1].id
  expect(state_of(dir).resources["module.network.aws_nat_gateway.this"].pending).to_be_truthy()

  local out = apply(e, dir)
  -- adopted, not made again
  local inv = e:inventory()
  expect(#inv.ec2.nat_gateway).to_be(1)
  expect(inv.ec2.nat_gateway[1].id).to_be(nat_id)
  local entry = state_of(dir).resources["module.network.aws_nat_gateway.this"]
  expect(entry.pending).to_be_nil()
  expect(entry.attributes.id).to_be(nat_id)
  -- made when the killed run sent the create (a refresh now still waits for it)
  expect(entry.private.created_at >= started and entry.private.created_at <= os.time()).to_be(true)
  expect(out).not_to_contain("module.network.aws_nat_gateway.this: Creating...")
  inventory_matches_state(inv, state_of(dir))
  local plan, code = e:luaform(dir, "plan", "-detailed-exitcode")
  if code ~= 0 then print(plan) end
  expect(code).to_be(0)
end)

test("stdlib.vpc with single_nat_gateway = false: a NAT gateway and a private route table per zone", function()
  local e = emulator(FLAGS)
  local dir = new_stack([[
local net = module("network", require("stdlib.vpc"), {
  vpc_cidr_block = "10.1.0.0/16", azs = { "us-east-1a", "us-east-1b" },
  public_subnet_cidrs = { "10.1.1.0/24", "10.1.2.0/24" },
  private_subnet_cidrs = { "10.1.11.0/24", "10.1.12.0/24" },
  single_nat_gateway = false, name = "multi",
})
output("nat_gateway_ids", net.nat_gateway_ids)
]])
  local out = apply(e, dir)
  expect(out).to_contain("Apply complete! Resources: 17 added")
  expect(out).to_contain('module.network.aws_nat_gateway.this["us-east-1b"]: Creation complete')
  local inv = e:inventory()
  local subnets = by(inv.ec2.subnet, "cidr_block")
  local nats = by(inv.ec2.nat_gateway, "subnet_id")
  expect(count(nats)).to_be(2)
  expect(nats[subnets["10.1.1.0/24"].id]).to_be_truthy()
  expect(nats[subnets["10.1.2.0/24"].id]).to_be_truthy()
  expect(#inv.ec2.elastic_ip).to_be(2)
  local ec2 = clients(e)
  local rts = route_tables(ec2, inv.ec2.vpc[1].id)
  expect(default_route(rts["multi-private-us-east-1a"]).NatGatewayId).to_be(nats[subnets["10.1.1.0/24"].id].id)
  expect(default_route(rts["multi-private-us-east-1b"]).NatGatewayId).to_be(nats[subnets["10.1.2.0/24"].id].id)
  expect(subnets_of(rts["multi-private-us-east-1b"])).to_equal({ subnets["10.1.12.0/24"].id })
  local _, code = e:luaform(dir, "destroy", "-auto-approve")
  expect(code).to_be(0)
  expect((empty(e:inventory()))).to_be(true)
end)

test("a batch read asks again for a missing object only if it was created within the last minute", function()
  local common = require("luaform.providers.aws._common")
  -- "new" shows up on the second ask (eventual consistency); "gone" never
  local function reader(recent)
    local asks = { new = 0, gone = 0 }
    local ctx = { recent = recent, sleep = function() end }
    local found = common.batch(ctx, { "old", "new", "gone" }, function(ids)
      local out = {}
      for _, id in ipairs(ids) do
        asks[id] = (asks[id] or 0) + 1
        if id == "old" or (id == "new" and asks.new > 1) then out[id] = { id = id } end
      end
      return out
    end)
    return found, asks
  end
  -- a refresh: only "new" was created recently
  local found, asks = reader({ new = true })
  expect(found.new ~= nil and found.old ~= nil and found.gone == nil).to_be(true)
  expect(asks.new).to_be(2)
  expect(asks.gone).to_be(1)
  -- a refresh where nothing is recent: a missing object is gone at once
  found, asks = reader({})
  expect(found.new).to_be_nil()
  expect(asks.new).to_be(1)
  -- no refresh (a read right after a create): every missing id is asked again
  found, asks = reader(nil)
  expect(found.new ~= nil).to_be(true)
  expect(asks.new).to_be(2)
  expect(asks.gone).to_be(1 + #common.BATCH_WAITS)
end)

test("security group rules and listener actions compare by what they do, not how they are written", function()
  local schema = require("luaform.schema")
  local values = require("luaform.values")
  local sg = schema.load("aws_security_group")
  local function rules(list) return schema.normalize(sg.schema.ingress, list) end
  local function same(a, b) return values.equal(sg.schema.ingress, rules(a), rules(b)) end
  -- one block with two CIDRs is the two rules AWS holds
  expect(same({ { protocol = "tcp", from_port = 80, to_port = 80, cidr_blocks = { "10.0.0.0/8", "192.168.0.0/16" } } },
    { { protocol = "6", from_port = 80, to_port = 80, cidr_blocks = { "192.168.0.0/16" } },
      { protocol = "tcp", from_port = 80, to_port = 80, cidr_blocks = { "10.0.0.0/8" } } })).to_be(true)
  -- all traffic: "-1" and "all", whatever the ports
  expect(same({ { protocol = "-1", from_port = 0, to_port = 0, cidr_blocks = { "0.0.0.0/0" } } },
    { { protocol = "all", from_port = 0, to_port = 65535, cidr_blocks = { "0.0.0.0/0" } } })).to_be(true)
  -- a different port, peer or description is a different rule
  expect(same({ { protocol = "tcp", from_port = 80, to_port = 80, cidr_blocks = { "10.0.0.0/8" } } },
    { { protocol = "tcp", from_port = 81, to_port = 81, cidr_blocks = { "10.0.0.0/8" } } })).to_be(false)
  expect(same({ { protocol = "tcp", from_port = 80, to_port = 80, security_groups = { "sg-1" } } },
    { { protocol = "tcp", from_port = 80, to_port = 80, security_groups = { "sg-2" } } })).to_be(false)
  expect(same({ { protocol = "tcp", from_port = 80, to_port = 80, cidr_blocks = { "10.0.0.0/8" }, description = "a" } },
    { { protocol = "tcp", from_port = 80, to_port = 80, cidr_blocks = { "10.0.0.0/8" } } })).to_be(false)

  local ls = schema.load("aws_lb_listener")
  local spec = ls.schema.default_action
  local function action_same(a, b)
    return values.equal(spec, schema.normalize(spec, a), schema.normalize(spec, b))
  end
  local arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/app/1"
  -- AWS reports a single-target forward with a ForwardConfig of weight 1
  expect(action_same({ { type = "forward", target_group_arn = arn } },
    { { type = "forward", order = 1, forward = { { target_group = { { arn = arn, weight = 1 } } } } } })).to_be(true)
  expect(action_same({ { type = "forward", target_group_arn = arn } },
    { { type = "fixed-response", fixed_response = { { content_type = "text/plain", status_code = "404" } } } })).to_be(false)
  expect(action_same({ { type = "redirect", redirect = { { status_code = "HTTP_301", protocol = "HTTPS" } } } },
    { { type = "redirect", redirect = { { status_code = "HTTP_301", protocol = "HTTPS", port = "#{port}", host = "#{host}" } } } }))
    .to_be(true)
end)

test("listener actions and the health check change in place", function()
  local e = emulator(FLAGS)
  local dir = stack()
  apply(e, dir)
  local _, elb = clients(e)
  local ls = e:inventory().elasticloadbalancing.listener[1]
  local tg = e:inventory().elasticloadbalancing.target_group[1]

  local plan, code = e:luaform(dir, "plan", "-detailed-exitcode", "-var", "listener_action=fixed-response",
    "-var", "health_path=/ready")
  expect(code).to_be(2)
  expect(plan).to_contain("# aws_lb_listener.http will be updated in-place")
  expect(plan).to_contain("# aws_lb_target_group.app will be updated in-place")
  expect(plan).to_contain("Plan: 0 to add, 2 to change, 0 to destroy.")
  apply(e, dir, "-var", "listener_action=fixed-response", "-var", "health_path=/ready")
  local a = elb:DescribeListeners{ ListenerArns = { ls.id } }.Listeners[1].DefaultActions[1]
  expect(a.Type).to_be("fixed-response")
  expect(a.FixedResponseConfig.StatusCode).to_be("503")
  expect(a.FixedResponseConfig.MessageBody).to_be("down for maintenance")
  expect(elb:DescribeTargetGroups{ TargetGroupArns = { tg.id } }.TargetGroups[1].HealthCheckPath).to_be("/ready")
  expect(e:inventory().elasticloadbalancing.listener[1].id).to_be(ls.id)
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode", "-var", "listener_action=fixed-response",
    "-var", "health_path=/ready"))).to_be(0)

  apply(e, dir, "-var", "listener_action=redirect", "-var", "health_path=/ready")
  a = elb:DescribeListeners{ ListenerArns = { ls.id } }.Listeners[1].DefaultActions[1]
  expect(a.Type).to_be("redirect")
  expect(a.RedirectConfig.Protocol).to_be("HTTPS")
  expect(a.RedirectConfig.Port).to_be("443")
  expect(a.RedirectConfig.Host).to_be("#{host}")
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode", "-var", "listener_action=redirect",
    "-var", "health_path=/ready"))).to_be(0)

  apply(e, dir, "-var", "health_path=/ready")
  a = elb:DescribeListeners{ ListenerArns = { ls.id } }.Listeners[1].DefaultActions[1]
  expect(a.Type).to_be("forward")
  expect(a.TargetGroupArn).to_be(tg.id)
end)

test("routes are added, retargeted and removed one by one", function()
  local e = emulator(FLAGS)
  local dir = new_stack([[
local step = var("step", { default = "1" })
local a = resource("aws_vpc", "a", { cidr_block = "10.2.0.0/16" })
local igw = resource("aws_internet_gateway", "gw", { vpc_id = a.id })
local subnet = resource("aws_subnet", "pub", { vpc_id = a.id, cidr_block = "10.2.1.0/24" })
local eip = resource("aws_eip", "nat", {})
local nat = resource("aws_nat_gateway", "nat", { allocation_id = eip.id, subnet_id = subnet.id }, { depends_on = { igw } })
local routes = {
  ["1"] = { { cidr_block = "0.0.0.0/0", gateway_id = igw.id }, { cidr_block = "192.168.0.0/16", gateway_id = igw.id } },
  ["2"] = { { cidr_block = "0.0.0.0/0", nat_gateway_id = nat.id }, { cidr_block = "172.16.0.0/12", gateway_id = igw.id } },
}
resource("aws_route_table", "rt", { vpc_id = a.id, route = routes[step] })
]])
  apply(e, dir)
  local ec2 = clients(e)
  local st = state_of(dir)
  local rt_id = st.resources["aws_route_table.rt"].attributes.id
  local igw_id = st.resources["aws_internet_gateway.gw"].attributes.id
  local nat_id = st.resources["aws_nat_gateway.nat"].attributes.id
  local function routes()
    local out = {}
    for _, r in ipairs(ec2:DescribeRouteTables{ RouteTableIds = { rt_id } }.RouteTables[1].Routes) do
      if r.GatewayId ~= "local" then out[r.DestinationCidrBlock] = r.GatewayId or r.NatGatewayId end
    end
    return out
  end
  expect(routes()).to_equal({ ["0.0.0.0/0"] = igw_id, ["192.168.0.0/16"] = igw_id })
  sh("curl -s -X POST " .. e.url .. "/_emulator/requests/clear")
  apply(e, dir, "-var", "step=2")
  expect(routes()).to_equal({ ["0.0.0.0/0"] = nat_id, ["172.16.0.0/12"] = igw_id })
  local counts = e:counts()
  expect(counts["ec2:ReplaceRoute"]).to_be(1)
  expect(counts["ec2:DeleteRoute"]).to_be(1)
  expect(counts["ec2:CreateRoute"]).to_be(1)
  expect(state_of(dir).resources["aws_route_table.rt"].attributes.id).to_be(rt_id)
end)

test("an internet gateway moves between VPCs in place (detach, attach)", function()
  local e = emulator(FLAGS)
  local dir = new_stack([[
local a = resource("aws_vpc", "a", { cidr_block = "10.2.0.0/16" })
local b = resource("aws_vpc", "b", { cidr_block = "10.3.0.0/16" })
resource("aws_internet_gateway", "gw", { vpc_id = var("to", { default = "a" }) == "a" and a.id or b.id })
]])
  apply(e, dir)
  local st = state_of(dir)
  local igw = e:inventory().ec2.internet_gateway[1]
  expect(igw.vpc_id).to_be(st.resources["aws_vpc.a"].attributes.id)
  local plan, code = e:luaform(dir, "plan", "-detailed-exitcode", "-var", "to=b")
  expect(code).to_be(2)
  expect(plan).to_contain("# aws_internet_gateway.gw will be updated in-place")
  apply(e, dir, "-var", "to=b")
  local moved = e:inventory().ec2.internet_gateway
  expect(#moved).to_be(1)
  expect(moved[1].id).to_be(igw.id)
  expect(moved[1].vpc_id).to_be(st.resources["aws_vpc.b"].attributes.id)
  local _
  _, code = e:luaform(dir, "destroy", "-auto-approve")
  expect(code).to_be(0)
  expect((empty(e:inventory()))).to_be(true)
end)

test("a VPC's tenancy goes from dedicated to default in place; the other way replaces the VPC", function()
  local e = emulator(FLAGS)
  local dir = new_stack([[
resource("aws_vpc", "main", { cidr_block = "10.4.0.0/16", instance_tenancy = var("tenancy", { default = "dedicated" }) })
]])
  apply(e, dir)
  local ec2 = clients(e)
  local before = ec2:DescribeVpcs{}.Vpcs
  expect(#before).to_be(1)
  expect(before[1].InstanceTenancy).to_be("dedicated")
  local plan, code = e:luaform(dir, "plan", "-detailed-exitcode", "-var", "tenancy=default")
  expect(code).to_be(2)
  expect(plan).to_contain("# aws_vpc.main will be updated in-place")
  expect(plan).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  apply(e, dir, "-var", "tenancy=default")
  local after = ec2:DescribeVpcs{}.Vpcs
  expect(#after).to_be(1)
  expect(after[1].VpcId).to_be(before[1].VpcId)
  expect(after[1].InstanceTenancy).to_be("default")
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode", "-var", "tenancy=default"))).to_be(0)
  plan, code = e:luaform(dir, "plan", "-detailed-exitcode", "-var", "tenancy=dedicated")
  expect(code).to_be(2)
  expect(plan).to_contain("# aws_vpc.main must be replaced")
  expect(plan).to_contain("Plan: 1 to add, 0 to change, 1 to destroy.")
end)

test("a load balancer's IP address type changes in place (SetIpAddressType)", function()
  local e = emulator(FLAGS)
  local dir = new_stack([[
local vpc = resource("aws_vpc", "main", { cidr_block = "10.5.0.0/16" })
local igw = resource("aws_internet_gateway", "main", { vpc_id = vpc.id })
local a = resource("aws_subnet", "a", { vpc_id = vpc.id, cidr_block = "10.5.1.0/24", availability_zone = "us-east-1a" })
local b = resource("aws_subnet", "b", { vpc_id = vpc.id, cidr_block = "10.5.2.0/24", availability_zone = "us-east-1b" })
local sg = resource("aws_security_group", "lb", { name = "lb", description = "lb", vpc_id = vpc.id })
resource("aws_lb", "web", {
  name = "web", security_groups = { sg.id }, subnets = { a.id, b.id },
  ip_address_type = var("ip", { default = "ipv4" }),
}, { depends_on = { igw } })
]])
  apply(e, dir)
  local ec2, elb = clients(e)
  local lb = elb:DescribeLoadBalancers{}.LoadBalancers[1]
  expect(lb.IpAddressType).to_be("ipv4")
  -- IPv6 blocks for the VPC and both subnets, made outside the stack
  local vpc_id = lb.VpcId
  local block = ec2:AssociateVpcCidrBlock{ VpcId = vpc_id, AmazonProvidedIpv6CidrBlock = true }
    .Ipv6CidrBlockAssociation.Ipv6CidrBlock
  for i, z in ipairs(lb.AvailabilityZones) do
    ec2:AssociateSubnetCidrBlock{ SubnetId = z.SubnetId, Ipv6CidrBlock = block:gsub("00::/56$", string.format("%02x::/64", i)) }
  end
  local plan, code = e:luaform(dir, "plan", "-detailed-exitcode", "-var", "ip=dualstack")
  expect(code).to_be(2)
  expect(plan).to_contain("# aws_lb.web will be updated in-place")
  expect(plan).to_contain("Plan: 0 to add, 1 to change, 0 to destroy.")
  apply(e, dir, "-var", "ip=dualstack")
  local now = elb:DescribeLoadBalancers{}.LoadBalancers
  expect(#now).to_be(1)
  expect(now[1].LoadBalancerArn).to_be(lb.LoadBalancerArn)
  expect(now[1].IpAddressType).to_be("dualstack")
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode", "-var", "ip=dualstack"))).to_be(0)
  apply(e, dir)
  expect(elb:DescribeLoadBalancers{}.LoadBalancers[1].IpAddressType).to_be("ipv4")
end)

-- The state of dir as a plan an hour after the apply sees it: every object
-- created long ago (apply records when it created each one).
local function made_an_hour_ago(dir)
  local st = state_of(dir)
  for _, entry in pairs(st.resources) do
    if entry.private and entry.private.created_at then entry.private.created_at = entry.private.created_at - 3600 end
  end
  write(dir .. "/luaform.state.json", core.json_encode(st, { pretty = true }))
end

test("a listener and target group deleted by hand are found gone at once, planned again and recreated", function()
  local e = emulator(FLAGS)
  local dir = stack()
  local applied_at = os.time()
  apply(e, dir)
  -- the state says when each object was made
  local made = state_of(dir).resources["aws_lb_target_group.app"].private.created_at
  expect(made >= applied_at and made <= os.time()).to_be(true)
  local _, elb = clients(e)
  local inv = e:inventory().elasticloadbalancing
  local old_tg = inv.target_group[1].id
  elb:DeleteListener{ ListenerArn = inv.listener[1].id }
  elb:DeleteTargetGroup{ TargetGroupArn = old_tg }
  made_an_hour_ago(dir)

  sh("curl -s -X POST " .. e.url .. "/_emulator/requests/clear")
  local t0 = core.now()
  local plan, code = e:luaform(dir, "plan", "-detailed-exitcode")
  local took = core.now() - t0
  expect(code).to_be(2)
  expect(plan).to_contain("# aws_lb_listener.http will be created")
  expect(plan).to_contain("# aws_lb_target_group.app will be created")
  expect(plan).to_contain("Plan: 2 to add, 0 to change, 0 to destroy.")
  -- objects made long ago and now missing are gone, not asked for again:
  -- one call by ARN (which a missing ARN fails) and one listing the others
  local counts = e:counts()
  expect(counts["elasticloadbalancing:DescribeListeners"]).to_be(2)
  expect(counts["elasticloadbalancing:DescribeTargetGroups"]).to_be(2)
  print(string.format("     plan finding 2 objects deleted by hand: %.2fs", took))

  apply(e, dir)
  inv = e:inventory().elasticloadbalancing
  expect(#inv.listener).to_be(1)
  expect(#inv.target_group).to_be(1)
  expect(inv.target_group[1].id ~= old_tg).to_be(true)
  local a = elb:DescribeListeners{ ListenerArns = { inv.listener[1].id } }.Listeners[1].DefaultActions[1]
  expect(a.TargetGroupArn).to_be(inv.target_group[1].id)
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode"))).to_be(0)
end)
