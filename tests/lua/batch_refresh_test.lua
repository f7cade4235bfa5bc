-- A refresh of many objects of a batched type makes one list call per
-- page of the model's paginator (aws._resource's read_many), not one per
-- object: 1,000 log groups, listed 50 a page by DescribeLogGroups.
test("a refresh of 1,000 log groups makes one DescribeLogGroups call per page", function()
  local e = emulator()
  local dir = new_stack([[
for i = 1, 1000 do
  resource("aws_cloudwatch_log_group", "g" .. i, { name = string.format("/bulk/g%04d", i) })
end
]])
  local out, code = e:luaform(dir, "apply", "-auto-approve", "-parallelism", "50")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  expect(#e:inventory().logs.log_group).to_be(1000)
  sh(string.format("curl -sS -X POST %s/_emulator/requests/clear", e.url))
  out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  local pages = math.ceil(1000 / 50)   -- the emulator's (and AWS's) page size
  expect(e:counts()["logs:DescribeLogGroups"]).to_be(pages)
end)
