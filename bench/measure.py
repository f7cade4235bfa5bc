#!/usr/bin/env python3
"""Runs a command and writes its wall time and peak RSS, as GNU time's
`-f "%e %M" -o FILE` does, so the benchmarks need nothing beyond Python 3.

Usage: bench/measure.py FILE COMMAND [ARG...]
FILE gets one line "WALL_SECONDS PEAK_RSS_KB" (the peak resident set of
COMMAND's own process). The command's stdin, stdout and stderr are this
script's; the exit status is the command's (128 + N if signal N ended it).
"""
import os
import subprocess
import sys
import time


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: measure.py FILE COMMAND [ARG...]\n")
        return 2
    out_path, command = argv[1], argv[2:]
    start = time.monotonic()
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - start
    with open(out_path, "w") as out:
        out.write(f"{wall:.2f} {usage.ru_maxrss}\n")  # ru_maxrss is in kB on Linux
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
