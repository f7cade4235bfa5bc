-- Adopts existing SQS queues into the state by name prefix, as
-- aws_sqs_queue.NAME["queue-name"] (NAME defaults to "adopted"). Add the
-- matching resources to the stack afterwards (or before: plan then shows
-- only real differences).
--
--   luaform run examples/migrations/adopt_queues.lua orders- orders
local prefix = arg[1]
if not prefix then error("usage: adopt_queues.lua PREFIX [RESOURCE-NAME]", 0) end
local name = arg[2] or "adopted"

local known = {}
for _, addr in ipairs(state.list()) do
  local e = state.show(addr)
  if e.type == "aws_sqs_queue" then known[e.attributes.id] = addr end
end

local sqs = aws.client("sqs")
local adopted = 0
for page in sqs:paginate("ListQueues", { QueueNamePrefix = prefix }) do
  for _, url in ipairs(page.QueueUrls or {}) do
    local queue = url:match("([^/]+)$")
    if known[url] then
      print(string.format("%s: already managed as %s", queue, known[url]))
    else
      local addr = string.format('aws_sqs_queue.%s["%s"]', name, queue)
      state.import(addr, url)
      adopted = adopted + 1
      print(string.format("adopted %s as %s", queue, addr))
    end
  end
end
print(string.format("%d queue(s) adopted", adopted))
