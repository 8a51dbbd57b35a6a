#!/usr/bin/env python3
"""Runs a command under a child subreaper, for bench/measure.ts.

usage: reaper.py RESULT_FILE -- COMMAND [ARG...]

This process marks itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), then forks and execs
COMMAND. Processes that COMMAND's tree daemonizes (an `ssh -f` or ControlPersist master) are then
re-parented to this process instead of init, so the memory sampler, which walks the process tree
from here, still sees them while the run lasts. The wall time is taken here, from just before the
fork to the command's exit (Python's own start-up is not in it), and written with the exit code to
RESULT_FILE as JSON. Exits with the command's exit code.
"""
import ctypes
import json
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def main() -> int:
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print("usage: reaper.py RESULT_FILE -- COMMAND [ARG...]", file=sys.stderr)
        return 64
    result_file, argv = sys.argv[1], sys.argv[3:]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print(f"reaper: prctl(PR_SET_CHILD_SUBREAPER) failed: {os.strerror(ctypes.get_errno())}", file=sys.stderr)
        return 70
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        except OSError as e:
            print(f"reaper: cannot run {argv[0]}: {e}", file=sys.stderr)
            os._exit(127)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda n, _f: os.kill(pid, n))
    status = 0
    while True:
        # Reaps the command and any orphan that exits before it (zombies hold no memory).
        try:
            p, st = os.wait()
        except ChildProcessError:
            break
        if p == pid:
            status = st
            break
    elapsed = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    with open(result_file, "w") as f:
        json.dump({"elapsed_s": elapsed, "exit_code": code}, f)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
