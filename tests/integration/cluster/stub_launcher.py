#!/usr/bin/python3
"""A stand-in for podvisor-launcher in launcher pods, for tests of cluster control that
must not boot guests: it finds the VMI it was given (a JSON file named on its command
line, whatever the flag), then behaves as the VMI's annotations say:

  podvisor.io/stub-exit-code: "N"      exit with N ...
  podvisor.io/stub-run-seconds: "S"    ... after S seconds (default: run until SIGTERM)

SIGTERM ends it with exit code 0, as a launcher whose guest shut down cleanly."""

import json
import os
import signal
import sys
import time


def find_vmi(argv):
    for arg in argv:
        for candidate in (arg, arg.split("=", 1)[-1]):
            if os.path.isfile(candidate):
                try:
                    with open(candidate) as f:
                        obj = json.load(f)
                except (OSError, ValueError):
                    continue
                if isinstance(obj, dict) and obj.get("kind") == "VirtualMachineInstance":
                    return obj
    return {}


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    vmi = find_vmi(sys.argv[1:])
    annotations = vmi.get("metadata", {}).get("annotations", {})
    name = vmi.get("metadata", {}).get("name", "?")
    print(f"stub launcher for vmi {name}, args {sys.argv[1:]}", flush=True)
    exit_code = annotations.get("podvisor.io/stub-exit-code")
    run_seconds = annotations.get("podvisor.io/stub-run-seconds")
    if exit_code is not None:
        time.sleep(float(run_seconds or 0))
        print(f"stub launcher exits with {exit_code}", flush=True)
        sys.exit(int(exit_code))
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
