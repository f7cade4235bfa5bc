#!/usr/bin/env bash
# Runs luaform's stacks against an independent AWS emulator, moto in server mode (it checks
# every SigV4 signature), and prints what each step answered: a check of luaform against an
# AWS implementation its authors did not write. Not part of `make test` (CI has no moto);
# README "Against an independent emulator (moto)" lists the differences found and who owns each.
#
#   MOTO_REPO=<fetched getmoto/moto git dir> scripts/moto-compare.sh [net] [ecs] [types]
#
# MOTO_SERVER is the starter that prints "URL ACCESS_KEY SECRET" (default: the team's
# ../shared/tools/moto-server.sh); MOTO_PORT (default 5077); MOTO_CACHE its work directory.
# Steps, for the network stack of the tests (tests/lua/fixtures/net, us-east-1) and the
# reference stack (examples/ecs-fargate, ap-northeast-2): apply; plan (0 = no changes);
# apply of changed variables; plan; for the network stack a change made outside luaform
# (health check path, a tag) that plan must show (2) and apply must repair; destroy.
# "types": the stacks of tests/moto/ (the types of issues 13 and 14, us-east-1): apply, plan
# (0), apply of -var changed=true (updatable arguments changed), plan (0), a change made
# outside luaform (plan 2, apply repairs it, plan 0), destroy each;
# dns-https and scheduler with moto's signature checks off (its Route 53 and EventBridge
# Scheduler refuse every signed GET, README); state-kms on an S3 backend and KMS key the
# script makes first, its state object then checked sealed; moto-gaps expecting its apply
# to fail (moto lacks two EC2 filters).
# The sections named run (default all three).
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
    # the changes only: progress lines and the report of changes made outside left out
    grep -vE 'Refreshing|Reading|Read complete|Creating\.\.\.|Creation complete|Still ' <<<"$out" |
      sed '/^Note: Objects have changed outside/,/^luaform will perform/{/^luaform will perform/!d}' |
      sed 's/^/      /' | head -60
  fi
}
awsm() { aws --endpoint-url "$url" "$@"; }

# moto_auth on|off: moto's signature and permission checks (its reset-auth API)
moto_auth() {
  local n=0; [ "$1" = off ] && n=inf
  curl -s -o /dev/null -X POST -H 'Content-Type: text/plain' --data "$n" "$url/moto-api/reset-auth"
}
sections=${*:-net ecs types}
# outside TYPES-STACK DIR: a change made outside luaform to one object of the stack
outside() {
  case $1 in
  secrets-iam) "$luaform" aws ssm PutParameter \
    '{"Name":"/app/url","Value":"http://outside","Type":"String","Overwrite":true}' ;;
  operate) "$luaform" aws logs PutMetricFilter '{"logGroupName":"/m/app","filterName":"errors",
    "filterPattern":"OUTSIDE","metricTransformations":[{"metricName":"Errors","metricNamespace":"App","metricValue":"1"}]}' ;;
  lookups) "$luaform" aws ec2 RevokeSecurityGroupIngress "{\"GroupId\":\"$("$luaform" -chdir="$2" output -raw web_sg_id)\",
    \"IpPermissions\":[{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,\"IpRanges\":[{\"CidrIp\":\"192.168.0.0/16\"}]}]}" ;;
  ecs-options) "$luaform" aws ecs UpdateService '{"cluster":"o-opts","service":"web","forceNewDeployment":true,
    "capacityProviderStrategy":[{"capacityProvider":"FARGATE_SPOT","weight":1}]}' ;;
  scheduler) "$luaform" aws scheduler UpdateSchedule "{\"Name\":\"nightly\",\"ScheduleExpression\":\"rate(1 hour)\",
    \"FlexibleTimeWindow\":{\"Mode\":\"OFF\"},\"Target\":{\"Arn\":\"arn:aws:sqs:us-east-1:123456789012:s-jobs\",
    \"RoleArn\":\"$("$luaform" -chdir="$2" output -raw role_arn)\"}}" ;;
  state-kms) "$luaform" aws ssm PutParameter \
    '{"Name":"/sealed/url","Value":"http://outside","Type":"String","Overwrite":true}' ;;
  dns-https) "$luaform" aws route53 ChangeResourceRecordSets "{\"HostedZoneId\":\"$("$luaform" -chdir="$2" output -raw zone_id)\",
    \"ChangeBatch\":{\"Changes\":[{\"Action\":\"UPSERT\",\"ResourceRecordSet\":{\"Name\":\"www.example.com\",
    \"Type\":\"A\",\"TTL\":999,\"ResourceRecords\":[{\"Value\":\"10.9.9.9\"}]}}]}}" ;;
  esac >/dev/null
}
wants() { [[ " $sections " == *" $1 "* ]]; }

if wants net; then
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
fi

if wants ecs; then
ecs=$work/ecs; mkdir -p "$ecs"; cp "$root/examples/ecs-fargate/main.lua" "$ecs/"
ev=(-var desired_count=3 -var health_check_path=/ready -var visibility_timeout_seconds=30)
echo "== reference stack (examples/ecs-fargate)"
step "apply" 0 "$ecs" apply -auto-approve
step "second plan is clean" 0 "$ecs" plan -detailed-exitcode
step "apply changed variables" 0 "$ecs" apply -auto-approve "${ev[@]}"
step "plan after the change is clean" 0 "$ecs" plan -detailed-exitcode "${ev[@]}"
step "destroy" 0 "$ecs" destroy -auto-approve "${ev[@]}"
fi

if wants types; then
for t in secrets-iam operate dns-https lookups ecs-options scheduler state-kms; do
  echo "== types: tests/moto/$t"
  dir=$work/$t; cp -r "$root/tests/moto/$t" "$dir"
  case $t in dns-https | scheduler) moto_auth off ;; esac
  if [ "$t" = state-kms ]; then
    awsm --region us-east-1 s3api create-bucket --bucket m-tfstate >/dev/null
    awsm --region us-east-1 kms create-alias --alias-name alias/m-tfstate \
      --target-key-id "$(awsm --region us-east-1 kms create-key --query KeyMetadata.KeyId --output text)"
    step "init" 0 "$dir" init
  fi
  step "apply" 0 "$dir" apply -auto-approve
  step "second plan is clean" 0 "$dir" plan -detailed-exitcode
  step "apply changed arguments" 0 "$dir" apply -auto-approve -var changed=true
  step "plan after the change is clean" 0 "$dir" plan -detailed-exitcode -var changed=true
  outside "$t" "$dir"
  step "plan shows the change made outside" 2 "$dir" plan -detailed-exitcode -var changed=true
  step "apply repairs it" 0 "$dir" apply -auto-approve -var changed=true
  step "plan after the repair is clean" 0 "$dir" plan -detailed-exitcode -var changed=true
  if [ "$t" = state-kms ]; then
    sealed=$(awsm --region us-east-1 s3 cp s3://m-tfstate/app/state.json -)
    if [[ $sealed == '{"encryption":"luaform/1",'*'"key_provider":"aws_kms"'* ]]; then
      echo "ok    the state object is sealed with the KMS key"
    else failed=1; echo "DIFF  the state object is not sealed"; fi
  fi
  step "destroy" 0 "$dir" destroy -auto-approve -var changed=true
  case $t in dns-https | scheduler) moto_auth on ;; esac
done
echo "== types: tests/moto/moto-gaps"
gaps=$work/moto-gaps; cp -r "$root/tests/moto/moto-gaps" "$gaps"
step "apply fails: moto lacks the vpc-endpoint-id and network-acl-id filters" 1 "$gaps" apply -auto-approve
fi
exit "$failed"
