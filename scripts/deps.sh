#!/usr/bin/env bash
# Installs the Debian packages luaform's build, tests and demo need, when any
# is missing. Needs root (or sudo) only when something is missing.
set -euo pipefail
pkgs=(gcc make pkg-config git curl liblua5.4-dev libcurl4-openssl-dev libssl-dev
      libjansson-dev libexpat1-dev zlib1g-dev libedit-dev libcmocka-dev python3
      python3-boto3 python3-botocore python3-jsonschema
      clang libclang-rt-dev llvm   # sanitizer and libFuzzer builds; llvm-symbolizer for their reports
      lua-check)                   # luacheck, the Lua lint
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
