#!/usr/bin/env bash
# `make demo`: the reference platform (examples/ecs-fargate) applied to the
# local AWS emulator, end to end, in about a minute and with no AWS account.
#
# 1. starts tests/emulator/server.py on 127.0.0.1 (a free port), its state
#    kept in .luaform-demo/emulator.json so a second `make demo` finds the
#    platform still there;
# 2. copies the stack to .luaform-demo/stack (the example stays clean) and
#    runs `luaform apply` against the emulator (which prints the outputs);
# 3. runs `luaform plan` again: it must say "No changes." (exit code 0 with
#    -detailed-exitcode), and prints how many API calls that plan made;
# 4. tells how to point the same stack at real AWS, and stops the emulator.
#
# LUAFORM_DEMO_DIR overrides .luaform-demo; `scripts/demo.sh destroy` tears
# the demo platform down (and removes the directory).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
demo=${LUAFORM_DEMO_DIR:-$root/.luaform-demo}
luaform="$root/luaform"
python=/usr/bin/python3
[ -x "$python" ] || python=python3

[ -x "$luaform" ] || { echo "demo: build first (make)" >&2; exit 1; }
mkdir -p "$demo"

bold() { if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }

# -- the emulator --------------------------------------------------------------
log="$demo/emulator.log"
"$python" "$root/tests/emulator/server.py" --port 0 --state "$demo/emulator.json" \
  --nat-delay-ms 1000 --lb-delay-ms 1000 > "$log" 2>&1 &
emu_pid=$!
stop() { kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; }
trap stop EXIT

url="" key="" secret=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^luaform-emulator listening on \(http:[^ ]*\).*/\1/p' "$log")
  key=$(sed -n 's/^access_key=\([^ ]*\).*/\1/p' "$log")
  secret=$(sed -n 's/.*secret_key=\([^ ]*\).*/\1/p' "$log")
  [ -n "$url" ] && [ -n "$secret" ] && break
  sleep 0.1
done
if [ -z "$url" ]; then echo "demo: the emulator did not start:" >&2; cat "$log" >&2; exit 1; fi

# Only the emulator: no profile, no session token, no real endpoint.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN
export AWS_ENDPOINT_URL="$url" AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret"
export AWS_REGION=ap-northeast-2 AWS_DEFAULT_REGION=ap-northeast-2
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true

stack="$demo/stack"
mkdir -p "$stack"
cp "$root/examples/ecs-fargate/main.lua" "$stack/main.lua"

if [ "${1:-}" = "destroy" ]; then
  bold "==> luaform destroy (the demo platform in the emulator)"
  "$luaform" -chdir="$stack" destroy -auto-approve
  stop
  trap - EXIT
  rm -rf "$demo"
  exit 0
fi

bold "==> local AWS emulator on $url (state: ${demo#$root/}/emulator.json)"
echo

bold "==> luaform apply   (examples/ecs-fargate: VPC, ALB, ECS Fargate service, SNS -> SQS)"
"$luaform" -chdir="$stack" apply -auto-approve
echo

bold "==> luaform plan    (again: nothing changed, so nothing to do)"
curl -sS -X POST "$url/_emulator/requests/clear" > /dev/null
set +e
"$luaform" -chdir="$stack" plan -detailed-exitcode
rc=$?
set -e
calls=$(curl -sS "$url/_emulator/counts" | "$python" -c 'import json,sys; print(sum(json.load(sys.stdin).values()))')
echo "(that plan refreshed every object with $calls AWS API calls)"
if [ "$rc" -ne 0 ]; then echo "demo: the second plan was expected to have no changes (exit $rc)" >&2; exit 1; fi
echo

bold "==> the same stack on real AWS"
cat <<EOF
The stack is plain luaform; only the environment pointed it at the emulator.
With your own credentials (a profile, SSO, or AWS_ACCESS_KEY_ID/...):

  unset AWS_ENDPOINT_URL
  export AWS_PROFILE=my-profile            # region: ap-northeast-2 (var "region")
  ./luaform -chdir=examples/ecs-fargate plan
  ./luaform -chdir=examples/ecs-fargate apply
  ./luaform -chdir=examples/ecs-fargate apply -var desired_count=3   # one policy, one value
  ./luaform -chdir=examples/ecs-fargate destroy

Real AWS bills for the NAT gateway and the load balancer while they exist.
The demo platform stays in ${demo#$root/} (scripts/demo.sh destroy removes it).
EOF
