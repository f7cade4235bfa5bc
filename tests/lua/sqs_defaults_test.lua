-- aws_sqs_queue's defaults are Terraform's whatever AWS's are: since 2025
-- a new queue holds MaximumMessageSize 1 MiB unless told (the emulator
-- answers so, as AWS and moto do), while max_message_size defaults to
-- 262144. The create sends the defaults, so the queue is what the plan
-- said and the second plan has no changes.

test("a queue left at max_message_size's default is made with it; a second plan has no changes", function()
  local e = emulator()
  local dir = new_stack([[resource("aws_sqs_queue", "jobs", { name = "jobs" })]])
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  e:use()
  local sqs = require("luaform.aws").client("sqs", { region = e.region })
  local url = state_of(dir).resources["aws_sqs_queue.jobs"].attributes.url
  local attrs = sqs:GetQueueAttributes{ QueueUrl = url, AttributeNames = { "All" } }.Attributes
  expect(attrs.MaximumMessageSize).to_be("262144")
  expect(attrs.VisibilityTimeout).to_be("30")
  out, code = e:luaform(dir, "plan", "-detailed-exitcode")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
end)
