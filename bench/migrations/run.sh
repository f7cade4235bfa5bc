#!/usr/bin/env bash
# Migration-script benchmark: one `luaform run` of 150 state operations
# against the local emulator - 75 state.import of existing SQS queues (one
# GetQueueAttributes each) and 75 state.rm - timed as a whole process by
# bench/measure.py (wall, including the process start, the state lock and
# the final save; peak RSS).
set -euo pipefail
cd "$(dirname "$0")/../.."
LF=$PWD/luaform
measure=$PWD/bench/measure.py
work=$(mktemp -d /tmp/luaform-bench-mig.XXXXXX)
. bench/emulator.sh   # starts the emulator; exports AWS_ENDPOINT_URL and keys
cd "$work"
cat > setup.lua <<'LUA'
local sqs = aws.client("sqs")
for i = 1, 150 do
  local url = sqs:CreateQueue{ QueueName = string.format("q%03d", i) }.QueueUrl
  if i > 75 then state.import(string.format('aws_sqs_queue.old["q%03d"]', i), url) end
end
LUA
cat > migrate.lua <<'LUA'
local sqs = aws.client("sqs")
for i = 1, 75 do
  local name = string.format("q%03d", i)
  state.import(string.format('aws_sqs_queue.new["%s"]', name), sqs:GetQueueUrl{ QueueName = name }.QueueUrl)
  state.rm(string.format('aws_sqs_queue.old["q%03d"]', i + 75))
end
LUA
$LF run setup.lua > /dev/null
$py "$measure" time $LF run migrate.lua > /dev/null
read -r wall rss _ < time
echo "| operations | wall (s) | peak RSS (MB) |"
echo "|---:|---:|---:|"
printf "| 150 (75 import + 75 rm) | %.2f | %d |\n" "$wall" "$((rss / 1024))"
