"""Benchmark: the start-up of `casme3 subject 131` against a bare `python -c pass`.

Both are run best of 20, interleaved, in the same run; the ratio is printed. Goal: within 3x.
The package's bytecode is compiled first, as `pip install` does (a source checkout run with
PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module at every start). The knowledge
base's JSON cache is warmed by one untimed run. Run: .venv/bin/python benchmarks/bench_cli.py
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import time
from pathlib import Path

import casme3_compliance

RUNS = 20
CASME3 = Path(sys.executable).with_name("casme3")
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import casme3_compliance'": [sys.executable, "-c", "import casme3_compliance"],
    "casme3 subject 131": [str(CASME3), "subject", "131"],
}


def main() -> int:
    compileall.compile_dir(os.path.dirname(casme3_compliance.__file__), quiet=1)
    for cmd in COMMANDS.values():  # warm the OS cache and the knowledge base's JSON cache
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False)
    best = dict.fromkeys(COMMANDS, float("inf"))
    for _ in range(RUNS):
        for name, cmd in COMMANDS.items():
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False)
            best[name] = min(best[name], time.perf_counter() - t)
    print(f"{'command':<40}{'best of ' + str(RUNS) + ' (ms)':>18}")
    for name, seconds in best.items():
        print(f"{name:<40}{seconds * 1000:>18.1f}")
    ratio = best["casme3 subject 131"] / best["python -c pass"]
    print(f"ratio casme3 subject / python -c pass: {ratio:.2f} (goal: within 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
