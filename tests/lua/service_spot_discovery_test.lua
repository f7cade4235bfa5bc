-- stdlib.service's FARGATE_SPOT capacity and service discovery (issue 14)
-- turned on in the reference platform, against the emulator: the cluster
-- gets both Fargate capacity providers, the service runs on the
-- FARGATE/FARGATE_SPOT strategy and registers in a Cloud Map service of
-- the given namespace; a second plan has no changes; a new spot weight is
-- an in-place update; destroy empties the emulator. (Off, they change
-- nothing: the reference stack's own tests plan no changes.)
local EXAMPLE = core.exe_dir .. "/examples/ecs-fargate"

local function with_options(text, spot_weight)
  local function sub(from, to)
    local i, j = text:find(from, 1, true)
    assert(i, "the example no longer has: " .. from)
    text = text:sub(1, i - 1) .. to .. text:sub(j + 1)
  end
  sub('local svc = module("service", require("stdlib.service"), {', [[
local ns = resource("aws_service_discovery_private_dns_namespace", "internal", { name = "base.internal",
  vpc = net.vpc_id })
local svc = module("service", require("stdlib.service"), {
  fargate_spot_weight = ]] .. spot_weight .. [[, discovery_namespace_id = ns.id,]])
  return text
end

local function strategy(list)
  local out = {}
  for _, x in ipairs(list or {}) do out[x.capacityProvider] = x.weight .. "/" .. x.base end
  return out
end

test("FARGATE_SPOT and service discovery on: apply, a clean second plan, weight in place, destroy", function()
  local e = emulator({ ["nat-delay-ms"] = 200, ["lb-delay-ms"] = 200, ["drain-delay-ms"] = 200, seed = 1 })
  local dir = copy_stack(EXAMPLE)
  local main = read(dir .. "/main.lua")
  write(dir .. "/main.lua", with_options(main, 3))
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  local inv = e:inventory()
  local svc = inv.ecs.service[1]
  expect(strategy(svc.capacityProviderStrategy)).to_equal({ FARGATE = "1/1", FARGATE_SPOT = "3/0" })
  expect(svc.launchType).to_be_nil()
  expect(#inv.servicediscovery.service).to_be(1)
  e:use()
  local sd = require("luaform.aws").client("servicediscovery", { region = "ap-northeast-2" })
    :GetService{ Id = inv.servicediscovery.service[1].id }.Service
  expect(sd.Name).to_be("base")
  expect(sd.NamespaceId).to_be(inv.servicediscovery.namespace[1].id)
  expect(sd.DnsConfig.DnsRecords).to_equal({ { Type = "A", TTL = 10 } })
  expect(svc.serviceRegistries).to_equal({ { registryArn = sd.Arn } })
  expect(inv.ecs.cluster[1].name).to_be("base-cluster")
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode"))).to_be(0)

  write(dir .. "/main.lua", with_options(main, 1))
  out = e:luaform(dir, "plan")
  expect(out).to_contain("# module.service.aws_ecs_service.this will be updated in-place")
  expect(out).to_contain("Plan: 0 to add, 2 to change, 0 to destroy.")
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  expect(strategy(e:inventory().ecs.service[1].capacityProviderStrategy))
    .to_equal({ FARGATE = "1/1", FARGATE_SPOT = "1/0" })
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode"))).to_be(0)

  out, code = e:luaform(dir, "destroy", "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  for service, kinds in pairs(e:inventory()) do
    for kind, list in pairs(kinds) do
      if #list > 0 then error(string.format("left after destroy: %s.%s", service, kind), 0) end
    end
  end
end)
