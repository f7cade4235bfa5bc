#!/usr/bin/env python3
"""Runs a command and writes its wall time, peak RSS and CPU time, as GNU
time's `-f "%e %M" -o FILE` does, so the benchmarks need nothing beyond Python 3.

Usage: bench/measure.py FILE COMMAND [ARG...]
FILE gets one line "WALL_SECONDS PEAK_RSS_KB CPU_SECONDS" (the peak resident
set of COMMAND's own process; user + system time, which a busy machine
inflates less than the wall time). The command's stdin, stdout and stderr are this
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
        cpu = usage.ru_utime + usage.ru_stime
        out.write(f"{wall:.2f} {usage.ru_maxrss} {cpu:.2f}\n")  # ru_maxrss is in kB on Linux
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
