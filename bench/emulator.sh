# bench/emulator.sh: sourced by the benchmarks that run against the local
# AWS emulator (bench/migrations, bench/state). Starts it on a free port
# (its log in $work, which the caller made; on exit it is killed and $work
# removed) and exports what an AWS client needs to reach it, without the
# machine's profile or token; $py is the python3 it runs. Run from the
# repository's top directory.
# shellcheck shell=bash
: "${work:?bench/emulator.sh needs \$work, a scratch directory}"
py=$(command -v /usr/bin/python3 || command -v python3)
$py tests/emulator/server.py --port 0 > "$work/emu.log" 2>&1 &
emu=$!
trap 'kill $emu 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$work/emu.log" && break; sleep 0.05; done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/emu.log")
ak=$(sed -n 's/.*access_key=\([^ ]*\).*/\1/p' "$work/emu.log")
sk=$(sed -n 's/.*secret_key=\([^ ]*\).*/\1/p' "$work/emu.log")
export AWS_ENDPOINT_URL=$url AWS_ACCESS_KEY_ID=$ak AWS_SECRET_ACCESS_KEY=$sk AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN
