#!/usr/bin/env bash
# Runs every benchmark (figures vary by machine; the README has ours).
set -euo pipefail
cd "$(dirname "$0")"
for b in engine transport migrations; do
  if [ -x "$b/run.sh" ]; then
    echo "== bench/$b"
    "$b/run.sh"
    echo
  fi
done
