-- AWS responses become JSON as their model says, wherever the transport's answers are
-- printed: list shapes are JSON arrays (also empty, also with one element), structures
-- and maps are objects. Seen by a user in `luaform aws`, in `run` scripts that encode
-- responses with core.json_encode, and in `run -dry-run`'s held-back calls. End to end
-- against the local emulator, over the XML (ec2, query) and JSON (ecs) protocols.

-- The members named in keys, each with the JSON text its value was printed as
-- (pretty-printed output: `"Name": [` / `"Name": []` / `"Name": {`).
local function printed(out, name)
  return out:match('"' .. name .. '": ([%[{][%]}]?)')
end

test("luaform aws prints empty and one-element lists as arrays", function()
  local e = emulator()
  local dir = tmpdir()
  local function cli(...)
    local out, code = e:luaform(dir, "aws", ...)
    expect(code).to_be(0)
    return out
  end
  local lbs = cli("elbv2", "DescribeLoadBalancers", "{}")                     -- query
  expect(printed(lbs, "LoadBalancers")).to_be("[]")
  cli("ecs", "CreateCluster", '{"clusterName": "main"}')                      -- json 1.1
  local svcs = cli("ecs", "DescribeServices", '{"cluster": "main", "services": ["nope"]}')
  expect(printed(svcs, "services")).to_be("[]")
  expect(printed(svcs, "failures")).to_be("[")
  local vpcs = cli("ec2", "DescribeVpcs", '{"Filters": [{"Name": "tag:Name", "Values": ["nothing"]}]}')
  expect(printed(vpcs, "Vpcs")).to_be("[]")                                   -- ec2
  cli("ec2", "CreateVpc", '{"CidrBlock": "10.9.0.0/16"}')
  local one = core.json_decode(cli("ec2", "DescribeVpcs", "{}"))
  expect(#one.Vpcs).to_be(1)
  expect(printed(cli("ec2", "DescribeVpcs", "{}"), "Vpcs")).to_be("[")
  -- a structure with no members set stays an object
  local q = cli("sqs", "CreateQueue", '{"QueueName": "jobs"}')
  local attrs = cli("sqs", "GetQueueAttributes",
    '{"QueueUrl": ' .. core.json_encode(core.json_decode(q).QueueUrl) .. ', "AttributeNames": ["All"]}')
  expect(printed(attrs, "Attributes")).to_be("{")
end)

test("a run script encoding responses gets [] for empty lists; -dry-run prints [] too", function()
  local e = emulator()
  local dir = new_stack({ ["m.lua"] = [[
    local elbv2 = aws.client("elbv2")
    print(core.json_encode(elbv2:DescribeLoadBalancers{}))
    local ec2 = aws.client("ec2")
    ec2:CreateVpc{ CidrBlock = "10.0.0.0/16" }
    print(core.json_encode(ec2:DescribeVpcs{ Filters = { { Name = "tag:Name", Values = { "none" } } } }))
    print(core.json_encode(ec2:DescribeVpcs{}))
    if dry_run then ec2:CreateTags{ Resources = { "vpc-1" }, Tags = {} } end
  ]] })
  local out, code = e:luaform(dir, "run", "m.lua")
  expect(code).to_be(0)
  expect(out).to_contain('{"LoadBalancers":[]}')
  expect(out).to_contain('{"Vpcs":[]}')
  expect(out).to_contain('{"Vpcs":[{')   -- one element: an array too
  local dry = e:luaform(dir, "run", "-dry-run", "m.lua")
  expect(dry).to_match('CreateTags.*"Tags":%[%]')
end)
