-- A refresh of 1,000 objects of a listable platform type makes one list
-- call per page (counted by the emulator): 1,000 aws_route in one route
-- table are read with one DescribeRouteTables (200 tables a call), and
-- nothing per object.
test("a refresh of 1,000 routes makes one DescribeRouteTables call", function()
  local e = emulator()
  local lines = { [[
local vpc = resource("aws_vpc", "main", { cidr_block = "10.0.0.0/16" })
local igw = resource("aws_internet_gateway", "main", { vpc_id = vpc.id })
local rt = resource("aws_route_table", "main", { vpc_id = vpc.id })]] }
  for i = 0, 999 do
    lines[#lines + 1] = string.format('resource("aws_route", "r%d", { route_table_id = rt.id, '
      .. 'destination_cidr_block = "172.%d.%d.0/24", gateway_id = igw.id })', i, 16 + i // 250, i % 250)
  end
  local dir = new_stack(table.concat(lines, "\n"))
  local out, code = e:luaform(dir, "apply", "-auto-approve", "-parallelism=50")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  local before = e:counts()
  out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  local after = e:counts()
  local calls = {}
  for k, n in pairs(after) do
    local d = n - (before[k] or 0)
    if d > 0 then calls[k] = d end
  end
  -- the route table itself and the 1,000 routes: one DescribeRouteTables each kind
  expect(calls["ec2:DescribeRouteTables"]).to_be(2)
  expect(calls["ec2:DescribeVpcs"]).to_be(1)
  expect(calls["ec2:DescribeInternetGateways"]).to_be(1)
end)
