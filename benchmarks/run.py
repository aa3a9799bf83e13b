"""Run every benchmarks/bench_*.py, one after the other, and print what each reports.

Why: `make bench` should run the benchmarks other people add without editing a list. Each runs
as its own process with this interpreter (the venv's), so one crashing does not stop the rest;
run.py exits non-zero if any of them failed. Budget misses are reported by the scripts
themselves and are not failures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-k", "--only", action="append", default=[], help="run bench_<NAME>.py only")
    ap.add_argument("--quick", action="store_true", help="pass --quick to bench_pages.py")
    args = ap.parse_args(argv)

    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in args.only]
    if not scripts:
        print("no benchmarks/bench_*.py to run", file=sys.stderr)
        return 1
    failed: list[str] = []
    for script in scripts:
        extra = ["--quick"] if args.quick and script.name == "bench_pages.py" else []
        print(f"===== {script.name} {' '.join(extra)}".rstrip(), flush=True)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(script), *extra], cwd=HERE.parent)
        took = time.perf_counter() - start
        status = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
        print(f"===== {script.name}: {status} in {took:.0f} s\n", flush=True)
        if proc.returncode:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"all {len(scripts)} benchmarks ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())
