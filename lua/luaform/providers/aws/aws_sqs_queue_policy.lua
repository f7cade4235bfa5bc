-- aws_sqs_queue_policy: the access policy of an SQS queue, as Terraform's;
-- declared for aws._resource. The id is the queue URL.
--
-- The policy is the queue's Policy attribute, read with the queue's own
-- GetQueueAttributes in a refresh (one call answers both, see
-- aws_sqs_queue.get_attributes). Policies compare semantically
-- (aws/_json). Delete sets the attribute to "".
local resource = require("luaform.providers.aws._resource")
local json = require("luaform.providers.aws._json")
local queue = require("luaform.providers.aws.aws_sqs_queue")

return resource.define{
  service = "sqs", description = "The access policy of an SQS queue.",
  identity = "QueueUrl", id = "QueueUrl",
  attributes = { read = "Attributes", create = "Attributes",
    set = { op = "SetQueueAttributes", member = "Attributes" } },
  fields = {
    queue_url = { type = "string", required = true, force_new = true, wire = "QueueUrl" },
    policy = { type = "json", required = true, equal = json.policy_equal, attribute = "Policy" },
  },
  create = { op = "SetQueueAttributes", idempotent = true, read_back = true,
    id = function(_, args) return args.queue_url end,
    retry_codes = { "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue" } },
  -- no policy: no object
  read = function(ctx, url)
    local ok, out = queue.get_attributes(ctx, url)
    if not ok then
      if queue.not_found(out) then return nil end
      error(out, 0)
    end
    local p = (out.Attributes or {}).Policy
    if not p or p == "" then return nil end
    return { QueueUrl = url, Attributes = out.Attributes }
  end,
  after_write = queue.forget,
  find_id = function(args) return args.queue_url end,
  not_found = { "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue" },
  not_visible = { "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue" },
  delete = { op = "SetQueueAttributes",
    params = function(id) return { QueueUrl = id, Attributes = { Policy = "" } } end },
}
