#!/usr/bin/env python3
"""What proving the fix set adds to `schemajob test --from`: each upgrade case under
Tests/SchemaJobKitTests/Fixtures/prove is run by two builds in turn (one before the proof
existed, one with it) against one throwaway PostgreSQL, and the median wall times are
printed side by side with what the newer build printed about the fix.

    python3 Benchmarks/prove_fix.py --before OLD_BINARY --after NEW_BINARY [--runs 5]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import Server, machine  # noqa: E402  one throwaway server, as the other benchmarks start it

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "SchemaJobKitTests", "Fixtures", "prove")


def timed(binary, case, environment):
    """(wall seconds, stdout) of one `test --from`; exit 1 (findings) is an answer, 2 is not."""
    start = time.perf_counter()
    result = subprocess.run(
        [binary, "test", "--database", os.path.join(CASES, case, "new"), "--from", os.path.join(CASES, case, "old")],
        env=environment, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(f"prove_fix: {case}: exit {result.returncode}: {result.stderr[-1000:]}")
    return wall, result.stdout


def verdict(stdout):
    if "-- fix (proven)" in stdout:
        return "fix, proven"
    if "-- suggestion (unproven)" in stdout:
        return "suggestion, unproven"
    return "sql-failed (no fix set)" if "[sql-failed]" in stdout else "no difference"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True, help="a schemajob built without the proof of the fix set")
    parser.add_argument("--after", required=True, help="a schemajob built with it")
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    cases = sorted(name for name in os.listdir(CASES) if os.path.isdir(os.path.join(CASES, name, "old")))
    server = Server()
    try:
        environment = {"PATH": os.environ["PATH"], "PGHOST": server.directory, "PGPORT": str(server.port),
                       "PGUSER": "postgres", "PGDATABASE": "postgres"}
        version = subprocess.run([server.binaries + "/postgres", "--version"], capture_output=True, text=True).stdout.strip()
        print(f"# test --from: before and after the proof of the fix set ({arguments.runs} runs each, medians)")
        print(f"machine: {machine()}; {version}")
        print(f"{'case':38} {'before s':>9} {'after s':>9} {'added s':>9}  verdict")
        for case in cases:
            before, after, stdout = [], [], ""
            for _ in range(arguments.runs):
                before.append(timed(arguments.before, case, environment)[0])
                wall, stdout = timed(arguments.after, case, environment)
                after.append(wall)
            old, new = statistics.median(before), statistics.median(after)
            print(f"{case:38} {old:9.2f} {new:9.2f} {new - old:+9.2f}  {verdict(stdout)}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
