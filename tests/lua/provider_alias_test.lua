-- Provider aliases end to end against the emulator (which keeps regions
-- apart: tests/emulator/test_regions.py): a stack in two regions (the
-- default provider in us-east-1, provider "aws.west" in us-west-2)
-- applies each object in its region, plans no changes, detects drift made
-- in one region and repairs it there only, and destroys both; the state
-- records each entry's provider; aws_region on the alias answers its
-- region; moving a resource between aliases replaces it; an entry whose
-- resource left the stack is destroyed in its own region (its alias must
-- still be declared); a module call's providers = { aws = "aws.west" }
-- moves the module's resources (nested modules too); a pending create is
-- recovered and import adopts through the alias; an unknown alias
-- fails validate at its file:line. What AWS holds is read from the
-- emulator's inventory and with direct API calls, never from the state.
--
-- MODES: the emulator flags each scenario runs under (one test per mode):
-- its normal answers and its sparse ones (members left out, "" for unset).
local MODES = {
  { name = "", flags = {} },
  { name = "sparse", flags = { sparse = true } },
}

local WEST, EAST = "us-west-2", "us-east-1"

local PROVIDERS = string.format([[
provider("aws", { region = %q })
provider("aws", { alias = "west", region = %q })
]], EAST, WEST)

local TWO_REGIONS = PROVIDERS .. [[
local east = resource("aws_vpc", "east", { cidr_block = "10.10.0.0/16", tags = { Name = "east" } })
local west = resource("aws_vpc", "west", { cidr_block = "10.20.0.0/16", tags = { Name = "west" } },
  { provider = "aws.west" })
resource("aws_sqs_queue", "east", { name = "jobs", tags = { Side = "east" } })
resource("aws_sqs_queue", "west", { name = "jobs", tags = { Side = "west" } }, { provider = "aws.west" })
local here = data("aws_region", "here")
local there = data("aws_region", "there", {}, { provider = "aws.west" })
output("east_region", here.name)
output("west_region", there.name)
output("west_vpc_arn", west.arn)
]]

-- A direct client of the emulator in region.
local function client(e, service, region)
  e:use()
  return require("luaform.aws").client(service, { region = region })
end

-- The emulator's objects of a kind, as {region = {Name tag or name = object}}.
local function where(list, key)
  local out = {}
  for _, o in ipairs(list or {}) do
    out[o.region] = out[o.region] or {}
    out[o.region][key(o)] = o
  end
  return out
end
local function vpcs(e) return where(e:inventory().ec2.vpc, function(o) return o.tags.Name end) end
local function queues(e) return where(e:inventory().sqs.queue, function(o) return o.tags.Side or o.name end) end

local function count(t)
  local n = 0
  for _ in pairs(t or {}) do n = n + 1 end
  return n
end

for _, mode in ipairs(MODES) do
  local suffix = mode.name ~= "" and (" (" .. mode.name .. ")") or ""

  test("a two-region stack applies, plans clean, repairs drift per region and destroys" .. suffix, function()
    local e = emulator(mode.flags)
    local dir = e:applied(TWO_REGIONS)

    local v, q = vpcs(e), queues(e)
    expect(v[EAST].east.cidr_block).to_be("10.10.0.0/16")
    expect(v[WEST].west.cidr_block).to_be("10.20.0.0/16")
    expect(count(v[EAST])).to_be(1)
    expect(count(v[WEST])).to_be(1)
    expect(q[EAST].east.name).to_be("jobs")
    expect(q[WEST].west.name).to_be("jobs")
    expect(count(q[EAST])).to_be(1)
    expect(count(q[WEST])).to_be(1)

    local st = state_of(dir)
    expect(st.resources["aws_vpc.west"].provider).to_be("aws.west")
    expect(st.resources["aws_sqs_queue.west"].provider).to_be("aws.west")
    expect(st.resources["aws_vpc.east"].provider).to_be("aws")
    expect(st.outputs.west_region.value).to_be(WEST)
    expect(st.outputs.east_region.value).to_be(EAST)
    expect(st.outputs.west_vpc_arn.value).to_contain(":" .. WEST .. ":")

    local out = e:no_changes(dir)
    expect(out).to_contain("No changes.")

    -- drift in us-west-2 only: the west VPC's tags, the west queue deleted
    local west_vpc = v[WEST].west.id
    client(e, "ec2", WEST):CreateTags{ Resources = { west_vpc }, Tags = { { Key = "Name", Value = "drifted" } } }
    local sqs_west = client(e, "sqs", WEST)
    sqs_west:DeleteQueue{ QueueUrl = sqs_west:GetQueueUrl{ QueueName = "jobs" }.QueueUrl }
    e:advance(61)   -- SQS refuses a deleted queue's name for 60 s
    out = e:changes(dir)
    expect(out).to_contain("# aws_vpc.west has changed")
    expect(out).to_contain("# aws_sqs_queue.west has been deleted")
    expect(out).to_contain("# aws_vpc.west will be updated in-place")
    expect(out).to_contain("# aws_sqs_queue.west will be created")
    expect(out).not_to_contain("aws_vpc.east")
    expect(out).not_to_contain("aws_sqs_queue.east")
    expect(out).to_contain("Plan: 1 to add, 1 to change, 0 to destroy.")
    e:apply(dir)

    v, q = vpcs(e), queues(e)
    expect(v[WEST].west.id).to_be(west_vpc)
    expect(count(v[WEST])).to_be(1)
    expect(q[WEST].west.name).to_be("jobs")
    expect(count(q[WEST])).to_be(1)
    expect(v[EAST].east.tags.Name).to_be("east")
    expect(count(q[EAST])).to_be(1)
    out = e:no_changes(dir)
    expect(out).to_contain("No changes.")

    e:destroy(dir)
    expect(count(e:inventory().ec2.vpc)).to_be(0)
    expect(count(e:inventory().sqs.queue)).to_be(0)
  end)

  test("moving a resource between aliases replaces it in the other region" .. suffix, function()
    local e = emulator(mode.flags)
    local dir = e:applied(PROVIDERS .. 'resource("aws_sqs_queue", "q", { name = "moving" })\n')
    expect(queues(e)[EAST].moving.name).to_be("moving")

    write(dir .. "/main.lua", PROVIDERS .. 'resource("aws_sqs_queue", "q", { name = "moving" }, { provider = "aws.west" })\n')
    local out = e:changes(dir)
    expect(out).to_contain("# aws_sqs_queue.q must be replaced")
    expect(out).to_contain('# provider "aws" -> "aws.west" # forces replacement')
    expect(out).to_contain("Plan: 1 to add, 0 to change, 1 to destroy.")
    e:apply(dir)
    local q = queues(e)
    expect(q[EAST]).to_be_nil()
    expect(q[WEST].moving.name).to_be("moving")
    expect(state_of(dir).resources["aws_sqs_queue.q"].provider).to_be("aws.west")
    out = e:no_changes(dir)
    expect(out).to_contain("No changes.")
  end)

  test("under create_before_destroy, the old object of a move is destroyed in its own region" .. suffix, function()
    local e = emulator(mode.flags)
    local dir = e:applied(PROVIDERS .. 'resource("aws_sqs_queue", "q", { name = "first" }, { create_before_destroy = true })\n')
    write(dir .. "/main.lua", PROVIDERS .. 'resource("aws_sqs_queue", "q", { name = "first" }, '
      .. '{ create_before_destroy = true, provider = "aws.west" })\n')
    local out = e:apply(dir)
    expect(out).to_contain("Resources: 1 added, 0 changed, 1 destroyed.")
    local q = queues(e)
    expect(q[EAST]).to_be_nil()
    expect(q[WEST].first.name).to_be("first")
    local entry = state_of(dir).resources["aws_sqs_queue.q"]
    expect(entry.provider).to_be("aws.west")
    expect(entry.deposed).to_be_nil()
  end)

  test("a resource that left the stack is destroyed in its region; its alias must stay declared" .. suffix, function()
    local e = emulator(mode.flags)
    local dir = e:applied(PROVIDERS .. 'resource("aws_sqs_queue", "w", { name = "leaving" }, { provider = "aws.west" })\n')
    expect(queues(e)[WEST].leaving.name).to_be("leaving")

    write(dir .. "/main.lua", 'provider("aws", { region = "us-east-1" })\n')
    local out, code = e:plan(dir)
    expect(code).to_be(1)
    expect(out).to_contain('aws_sqs_queue.w: the state records provider "aws.west", which the stack does not declare')
    expect(out).to_contain('provider("aws", { alias = "west", ... })')

    write(dir .. "/main.lua", PROVIDERS)
    out = e:changes(dir)
    expect(out).to_contain("# aws_sqs_queue.w will be destroyed")
    expect(out).not_to_contain("has been deleted")
    e:apply(dir)
    expect(count(e:inventory().sqs.queue)).to_be(0)
    expect(state_of(dir).resources["aws_sqs_queue.w"]).to_be_nil()
  end)

  test("a module's resources use the configuration the module call passes" .. suffix, function()
    local e = emulator(mode.flags)
    local dir = new_stack({ ["main.lua"] = PROVIDERS .. [[
local queues = require("queues")
local here = module("here", queues, { name = "orders" })
local there = module("there", queues, { name = "orders" }, { providers = { aws = "aws.west" } })
output("there_region", there.region)
output("here_region", here.region)
]], ["queues.lua"] = [[
return function(args)
  local q = resource("aws_sqs_queue", "q", { name = args.name, tags = { Side = args.name } })
  local r = data("aws_region", "r")
  local inner = module("dead_letter", function(a)
    return { q = resource("aws_sqs_queue", "dlq", { name = a.name .. "-dlq" }) }
  end, { name = args.name })
  return { url = q.url, region = r.name, dlq = inner.q.url }
end
]] })
    e:apply(dir)
    local by_region = where(e:inventory().sqs.queue, function(o) return o.name end)
    expect(by_region[EAST].orders.name).to_be("orders")
    expect(by_region[WEST].orders.name).to_be("orders")
    expect(by_region[WEST]["orders-dlq"].name).to_be("orders-dlq")
    expect(by_region[EAST]["orders-dlq"].name).to_be("orders-dlq")
    local st = state_of(dir)
    expect(st.resources["module.there.aws_sqs_queue.q"].provider).to_be("aws.west")
    expect(st.resources["module.there.module.dead_letter.aws_sqs_queue.dlq"].provider).to_be("aws.west")
    expect(st.resources["module.here.aws_sqs_queue.q"].provider).to_be("aws")
    expect(st.outputs.there_region.value).to_be(WEST)
    expect(st.outputs.here_region.value).to_be(EAST)
    local out = e:no_changes(dir)
    expect(out).to_contain("No changes.")
  end)

  test("a create left pending by a killed run is recovered through its alias" .. suffix, function()
    local e = emulator(mode.flags)
    local dir = new_stack(PROVIDERS .. 'resource("aws_vpc", "w", { cidr_block = "10.30.0.0/16" }, { provider = "aws.west" })\n')
    -- what a run killed right after sending CreateVpc leaves: the VPC in
    -- us-west-2 with its token tag, and the pending intent in the state
    local token = "6f1d0c4e-2b7a-4e59-9a3c-8d2e1f0b7a65"
    local vpc = client(e, "ec2", WEST):CreateVpc{ CidrBlock = "10.30.0.0/16", TagSpecifications = {
      { ResourceType = "vpc", Tags = { { Key = "luaform:token", Value = token } } } } }.Vpc
    write(dir .. "/luaform.state.json", core.json_encode({ version = 1, lineage = "6b0f7f3e-0d2c-4a51-8f0e-3c9d1b2a4e70",
      serial = 1, outputs = setmetatable({}, core.json_object_mt), resources = { ["aws_vpc.w"] = {
        type = "aws_vpc", mode = "managed", provider = "aws.west", schema_version = 0, dependencies = {},
        pending = { op = "create", token = token, since = os.time() - 5, args = { cidr_block = "10.30.0.0/16" } } } } }))
    local out = e:no_changes(dir)
    expect(out).to_contain("No changes.")
    e:apply(dir)
    expect(state_of(dir).resources["aws_vpc.w"].attributes.id).to_be(vpc.VpcId)
    expect(count(e:inventory().ec2.vpc)).to_be(1)
  end)

  test("import adopts an object through the alias" .. suffix, function()
    local e = emulator(mode.flags)
    local url = client(e, "sqs", WEST):CreateQueue{ QueueName = "adopted" }.QueueUrl
    local dir = new_stack(PROVIDERS .. 'resource("aws_sqs_queue", "a", { name = "adopted" }, { provider = "aws.west" })\n'
      .. string.format('import{ to = "aws_sqs_queue.a", id = %q }\n', url))
    local out = e:apply(dir)
    expect(out).to_contain("Resources: 0 added")
    local entry = state_of(dir).resources["aws_sqs_queue.a"]
    expect(entry.provider).to_be("aws.west")
    expect(entry.attributes.arn).to_contain(":" .. WEST .. ":")
    expect(count(e:inventory().sqs.queue)).to_be(1)
    e:no_changes(dir)
  end)
end

test("an unknown alias fails validate at its file:line", function()
  local dir = new_stack(PROVIDERS .. '\nresource("aws_sqs_queue", "q", { name = "x" }, { provider = "aws.wset" })\n')
  local out, code = luaform(dir, "validate")
  expect(code).to_be(1)
  expect(out).to_match('^Error: main%.lua:4: aws_sqs_queue%.q: provider "aws%.wset" is not declared')
  expect(out).to_contain('(did you mean "aws.west"?)')

  write(dir .. "/main.lua", PROVIDERS .. 'data("aws_region", "r", {}, { provider = "aws.east" })\n')
  out, code = luaform(dir, "validate")
  expect(code).to_be(1)
  expect(out).to_match('^Error: main%.lua:3: data%.aws_region%.r: provider "aws%.east" is not declared')

  write(dir .. "/main.lua", PROVIDERS .. 'module("m", function() end, {}, { providers = { aws = "aws.eest" } })\n')
  out, code = luaform(dir, "validate")
  expect(code).to_be(1)
  expect(out).to_match('^Error: main%.lua:3: module%(%): provider "aws%.eest" is not declared')

  write(dir .. "/main.lua", '\nprovider("aws", { alias = "us.west" })\n')
  out, code = luaform(dir, "validate")
  expect(code).to_be(1)
  expect(out).to_match('^Error: main%.lua:2: provider "aws": alias must be a name')
end)

test("a Terraform state's aliased provider converts to the entry's provider id", function()
  local dir = new_stack(PROVIDERS)
  write(dir .. "/terraform.tfstate", core.json_encode({ version = 4, serial = 3,
    lineage = "5e0f0d1c-1111-2222-3333-444455556666", outputs = setmetatable({}, core.json_object_mt), resources = {
      { mode = "managed", type = "aws_sqs_queue", name = "w",
        provider = 'provider["registry.terraform.io/hashicorp/aws"].west',
        instances = { { schema_version = 0, attributes = { id = "https://sqs.us-west-2.amazonaws.com/123456789012/q", name = "q" } } } },
      { mode = "managed", type = "aws_sqs_queue", name = "e",
        provider = 'provider["registry.terraform.io/hashicorp/aws"]',
        instances = { { schema_version = 0, attributes = { id = "https://sqs.us-east-1.amazonaws.com/123456789012/q", name = "q" } } } },
    } }))
  local out, code = luaform(dir, "state", "import-terraform", "terraform.tfstate")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  local st = state_of(dir)
  expect(st.resources["aws_sqs_queue.w"].provider).to_be("aws.west")
  expect(st.resources["aws_sqs_queue.e"].provider).to_be("aws")
end)
