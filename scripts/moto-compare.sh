#!/usr/bin/env bash
# Runs luaform's stacks against an independent AWS emulator, moto in server mode (it checks
# every SigV4 signature), and prints what each step answered: a check of luaform against an
# AWS implementation its authors did not write. Not part of `make test` (CI has no moto);
# README "Against an independent emulator (moto)" lists the differences found and who owns each.
#
#   MOTO_REPO=<fetched getmoto/moto git dir> scripts/moto-compare.sh
#
# MOTO_SERVER is the starter that prints "URL ACCESS_KEY SECRET" (default: the team's
# ../shared/tools/moto-server.sh); MOTO_PORT (default 5077); MOTO_CACHE its work directory.
# Steps, for the network stack of the tests (tests/lua/fixtures/net, us-east-1) and the
# reference stack (examples/ecs-fargate, ap-northeast-2): apply; plan (0 = no changes);
# apply of changed variables; plan; for the network stack a change made outside luaform
# (health check path, a tag) that plan must show (2) and apply must repair; destroy.
# Exit code: 0 when every step answered as expected, else 1 (the log says which).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
luaform="$root/luaform"
server=${MOTO_SERVER:-$root/../shared/tools/moto-server.sh}
port=${MOTO_PORT:-5077}
export MOTO_CACHE=${MOTO_CACHE:-${TMPDIR:-/tmp}/luaform-moto-$port}
work=$(mktemp -d /tmp/luaform-moto.XXXXXX)
[ -x "$luaform" ] || { echo "build luaform first (make)" >&2; exit 1; }
[ -f "$server" ] || { echo "no moto starter at $server (set MOTO_SERVER)" >&2; exit 1; }

read -r url key secret < <(bash "$server" "$port") || { echo "moto did not start" >&2; exit 1; }
trap 'kill "$(cat "$MOTO_CACHE/moto-$port.pid")" 2>/dev/null; rm -rf "$work"' EXIT
export AWS_ENDPOINT_URL=$url AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true NO_COLOR=1
unset AWS_PROFILE AWS_SESSION_TOKEN

failed=0
# step NAME WANT DIR ARGS...: runs luaform, prints its changes when it did not exit WANT
step() {
  local name=$1 want=$2 dir=$3; shift 3
  local out rc
  out=$("$luaform" -chdir="$dir" "$@" 2>&1); rc=$?
  if [ "$rc" -eq "$want" ]; then
    echo "ok    $name"
  else
    failed=1
    echo "DIFF  $name: exit $rc, expected $want"
    grep -vE 'Refreshing|Reading|Read complete|Creating\.\.\.|Creation complete|Still ' <<<"$out" |
      sed 's/^/      /' | head -60
  fi
}
awsm() { aws --endpoint-url "$url" "$@"; }

net=$work/net; mkdir -p "$net"; cp "$root/tests/lua/fixtures/net/main.lua" "$net/"
nv=(-var health_path=/ready -var ingress_cidr=10.0.0.0/8 -var listener_action=fixed-response)
echo "== network stack (tests/lua/fixtures/net)"
step "apply" 0 "$net" apply -auto-approve
step "second plan is clean" 0 "$net" plan -detailed-exitcode
step "apply changed variables" 0 "$net" apply -auto-approve "${nv[@]}"
step "plan after the change is clean" 0 "$net" plan -detailed-exitcode "${nv[@]}"
tg=$(awsm --region us-east-1 elbv2 describe-target-groups --names app-tg \
  --query 'TargetGroups[0].TargetGroupArn' --output text)
awsm --region us-east-1 elbv2 modify-target-group --target-group-arn "$tg" \
  --health-check-path /changed-outside >/dev/null
awsm --region us-east-1 ec2 create-tags --resources "$("$luaform" -chdir="$net" output -raw vpc_id)" \
  --tags Key=Stack,Value=changed-outside
step "plan shows the change made outside" 2 "$net" plan -detailed-exitcode "${nv[@]}"
step "apply repairs it" 0 "$net" apply -auto-approve "${nv[@]}"
step "plan after the repair is clean" 0 "$net" plan -detailed-exitcode "${nv[@]}"
step "destroy" 0 "$net" destroy -auto-approve "${nv[@]}"

ecs=$work/ecs; mkdir -p "$ecs"; cp "$root/examples/ecs-fargate/main.lua" "$ecs/"
ev=(-var desired_count=3 -var health_check_path=/ready -var visibility_timeout_seconds=30)
echo "== reference stack (examples/ecs-fargate)"
step "apply" 0 "$ecs" apply -auto-approve
step "second plan is clean" 0 "$ecs" plan -detailed-exitcode
step "apply changed variables" 0 "$ecs" apply -auto-approve "${ev[@]}"
step "plan after the change is clean" 0 "$ecs" plan -detailed-exitcode "${ev[@]}"
step "destroy" 0 "$ecs" destroy -auto-approve "${ev[@]}"
exit "$failed"
