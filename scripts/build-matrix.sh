#!/usr/bin/env bash
# Builds luaform and the C unit tests with each compiler (gcc, clang) at each
# optimisation level (-O0 -O1 -O2 -O3), -Wall -Wextra -Werror as always:
# the optimiser changes which warnings fire (format-truncation at -O1, for
# one), so a build that passes only at the default -O2 is not portable.
# Each build happens in its own copy of the tracked files, so ./build is not
# touched. Prints one line per build and exits non-zero if any failed.
#   scripts/build-matrix.sh            all 8 builds
#   scripts/build-matrix.sh gcc:-O1    only the given CC:LEVEL pairs
set -u
cd "$(dirname "$0")/.."
builds=("$@")
[ ${#builds[@]} -eq 0 ] && builds=(gcc:-O0 gcc:-O1 gcc:-O2 gcc:-O3 clang:-O0 clang:-O1 clang:-O2 clang:-O3)
jobs=$(nproc 2>/dev/null || echo 2)
tmp=$(mktemp -d /tmp/luaform-matrix.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0
for b in "${builds[@]}"; do
  cc=${b%%:*} level=${b#*:}
  if ! command -v "$cc" >/dev/null; then
    echo "FAIL $cc $level: $cc is not installed"; failed=$((failed + 1)); continue
  fi
  dir="$tmp/$cc$level"
  mkdir -p "$dir"
  git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$dir"
  if CFLAGS="$level" make -C "$dir" -j"$jobs" CC="$cc" all unit >"$dir.log" 2>&1; then
    echo "ok   $cc $level"
  else
    echo "FAIL $cc $level:"; grep -E ': error:|\*\*\*' "$dir.log" | head -20 | sed 's/^/     /'
    failed=$((failed + 1))
  fi
  rm -rf "$dir"
done
echo "builds: $((${#builds[@]} - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
