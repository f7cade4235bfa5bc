-- Team workflows on the reference platform (examples/ecs-fargate) against
-- the emulator: state surgery, imports, and a Terraform state moved over.
local REFERENCE = core.exe_dir .. "/examples/ecs-fargate/main.lua"

local function reference_stack()
  local e = emulator({ ["nat-delay-ms"] = 100, ["lb-delay-ms"] = 100 })
  local dir = tmpdir()
  write(dir .. "/main.lua", read(REFERENCE))
  return e, dir
end

local function no_changes(e, dir)
  local out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  if code ~= 0 then print(out) end
  expect(out).to_contain("No changes.")
  expect(code).to_be(0)
end

test("state mv, state rm + import{}, and luaform import round-trip with no changes", function()
  local e, dir = reference_stack()
  local out
  local code = select(2, e:luaform(dir, "apply", "-auto-approve"))
  expect(code).to_be(0)
  -- A module renamed in the stack: moved in the state, nothing to do.
  write(dir .. "/main.lua", (read(dir .. "/main.lua"):gsub('module%("events"', 'module("messaging"')))
  out = e:luaform(dir, "plan")
  expect(out).to_contain("4 to destroy")
  out, code = e:luaform(dir, "state", "mv", "module.events", "module.messaging")
  expect(code).to_be(0)
  expect(out).to_contain("Successfully moved 4 object(s).")
  no_changes(e, dir)
  -- The ECR repository forgotten, then adopted back by an import block.
  expect(select(2, e:luaform(dir, "state", "rm", "module.service.aws_ecr_repository.this"))).to_be(0)
  write(dir .. "/main.lua", read(dir .. "/main.lua")
    .. '\nimport{ to = "module.service.aws_ecr_repository.this", id = "base" }\n')
  out = e:luaform(dir, "plan")
  expect(out).to_contain('# module.service.aws_ecr_repository.this will be imported from "base"')
  expect(out).to_contain("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.")
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  no_changes(e, dir)
  -- The log group forgotten, then imported from the command line.
  expect(select(2, e:luaform(dir, "state", "rm", "module.service.aws_cloudwatch_log_group.this"))).to_be(0)
  code = select(2, e:luaform(dir, "import", "module.service.aws_cloudwatch_log_group.this", "/ecs/base"))
  expect(code).to_be(0)
  no_changes(e, dir)
  -- Nothing was created twice on the way.
  local inv = e:inventory()
  expect(#inv.ecr.repository).to_be(1)
  expect(#inv.logs.log_group).to_be(1)
  expect(#inv.sns.topic).to_be(1)
end)

-- The ids a Terraform state of the platform would hold, read from AWS.
-- The lines of a `state list` that are not data sources.
local function managed(list)
  local out = {}
  for line in list:gmatch("[^\n]+") do
    if not (line:find("^data%.") or line:find("%.data%.")) then out[#out + 1] = line end
  end
  return table.concat(out, "\n")
end

local function ids_from_aws(aws)
  local ec2, elb = aws.client("ec2", { region = "ap-northeast-2" }), aws.client("elbv2", { region = "ap-northeast-2" })
  local ids = {}
  local vpc = ec2:DescribeVpcs{ Filters = { { Name = "cidr-block-association.cidr-block", Values = { "10.0.0.0/16" } } } }.Vpcs[1]
  ids.vpc = vpc.VpcId
  local by_cidr = { ["10.0.2.0/24"] = "public_a", ["10.0.4.0/24"] = "public_c",
                    ["10.0.1.0/24"] = "private_a", ["10.0.3.0/24"] = "private_c" }
  local subnet_name = {}
  for _, s in ipairs(ec2:DescribeSubnets{ Filters = { { Name = "vpc-id", Values = { ids.vpc } } } }.Subnets) do
    ids[by_cidr[s.CidrBlock]] = s.SubnetId
    subnet_name[s.SubnetId] = by_cidr[s.CidrBlock]
  end
  ids.igw = ec2:DescribeInternetGateways{}.InternetGateways[1].InternetGatewayId
  local addr = ec2:DescribeAddresses{}.Addresses[1]
  ids.eip, ids.eip_ip, ids.eip_assoc = addr.AllocationId, addr.PublicIp, addr.AssociationId or ""
  ids.eip_dns = addr.PublicIp:gsub("%.", "-")
  local nat = ec2:DescribeNatGateways{}.NatGateways[1]
  ids.nat = nat.NatGatewayId
  ids.nat_eni = nat.NatGatewayAddresses[1].NetworkInterfaceId or ""
  ids.nat_private_ip = nat.NatGatewayAddresses[1].PrivateIp or ""
  for _, rt in ipairs(ec2:DescribeRouteTables{ Filters = { { Name = "vpc-id", Values = { ids.vpc } } } }.RouteTables) do
    local name
    for _, t in ipairs(rt.Tags or {}) do if t.Key == "Name" then name = t.Value end end
    for _, a in ipairs(rt.Associations or {}) do
      if a.Main then ids.main_rtb = rt.RouteTableId
      elseif a.SubnetId then ids["assoc_" .. subnet_name[a.SubnetId]] = a.RouteTableAssociationId end
    end
    if name == "base-public" then ids.rtb_public = rt.RouteTableId end
    if name == "base-private" then ids.rtb_private = rt.RouteTableId end
  end
  for _, g in ipairs(ec2:DescribeSecurityGroups{ Filters = { { Name = "vpc-id", Values = { ids.vpc } } } }.SecurityGroups) do
    if g.GroupName == "default" then ids.default_sg = g.GroupId end
    if g.GroupName == "alb-base-sg" then ids.sg_alb = g.GroupId end
    if g.GroupName == "base-service" then ids.sg_service = g.GroupId end
  end
  local lb = elb:DescribeLoadBalancers{ Names = { "alb-base" } }.LoadBalancers[1]
  ids.alb, ids.alb_dns, ids.alb_zone = lb.LoadBalancerArn, lb.DNSName, lb.CanonicalHostedZoneId
  ids.alb_suffix = lb.LoadBalancerArn:match("loadbalancer/(.*)$")
  local tg = elb:DescribeTargetGroups{ Names = { "base-tg" } }.TargetGroups[1]
  ids.tg, ids.tg_suffix = tg.TargetGroupArn, tg.TargetGroupArn:match(":(targetgroup/.*)$")
  ids.listener = elb:DescribeListeners{ LoadBalancerArn = ids.alb }.Listeners[1].ListenerArn
  local sns = aws.client("sns", { region = "ap-northeast-2" })
  ids.subscription = sns:ListSubscriptionsByTopic{
    TopicArn = "arn:aws:sns:ap-northeast-2:123456789012:topic-base" }.Subscriptions[1].SubscriptionArn
  return ids
end

test("a Terraform state of the platform imports; the translated stack plans no changes", function()
  local e, made = reference_stack()
  expect(select(2, e:luaform(made, "apply", "-auto-approve"))).to_be(0)
  e:use()
  local ids = ids_from_aws(require("luaform.aws"))
  local tfstate = read(core.exe_dir .. "/tests/lua/fixtures/terraform/reference.tfstate"):gsub("%${([%w_]+)}", function(k)
    if not ids[k] then error("the fixture names ${" .. k .. "}, which was not found in AWS") end
    return ids[k]
  end)
  -- A team that translated its .tf files: the same stack, the Terraform state.
  local dir = tmpdir()
  write(dir .. "/main.lua", read(REFERENCE))
  write(dir .. "/terraform.tfstate", tfstate)
  local out, code = e:luaform(dir, "state", "import-terraform", "terraform.tfstate")
  expect(code).to_be(0)
  expect(out).to_contain("Imported 34 resource instance(s) from terraform.tfstate; 1 skipped.")
  expect(out).to_contain("Skipped data.aws_caller_identity.current")
  -- The same managed resources (data sources are read again by every plan;
  -- import-terraform skips them, and luaform's apply keeps what it read).
  expect(managed(e:luaform(dir, "state", "list"))).to_be(managed(e:luaform(made, "state", "list")))
  no_changes(e, dir)
end)
