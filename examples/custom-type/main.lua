-- A stack with its own resource types: providers/aws/aws_dynamodb_table.lua
-- and aws_dynamodb_table_item.lua beside this file are found by name,
-- like the built-in types, and planned, applied and recorded the same way.
provider("aws", {})

local greeting = var("greeting", { default = "hello" })

local settings = resource("aws_dynamodb_table", "settings", {
  name = "settings-" .. workspace(),
  hash_key = "key",
  attribute = { { name = "key", type = "S" } },
})

resource("aws_dynamodb_table_item", "greeting", {
  table_name = settings.name,
  hash_key = settings.hash_key,
  item = json{ key = { S = "greeting" }, value = { S = greeting } },
})

-- Built-in and user types mix freely.
local queue = resource("aws_sqs_queue", "changes", { name = "settings-changes-" .. workspace() })

output("table_arn", settings.arn)
output("queue_url", queue.url)
