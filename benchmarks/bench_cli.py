"""Benchmark: the start-up of `casme3 subject 131` against a bare `python -c pass`.

Both are run best of 20, interleaved, in the same run; the ratio is printed. Goal (issue 12): at
most 2.0. The package's bytecode is compiled first, as `pip install` does (a source checkout run
with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module at every start). The
knowledge base's cache and the stored answer (knowledge/answers.py) are made by one untimed
run, as by the first call of a script that asks for subject after subject; `--cold` times the
first answer instead (the stored answers of the question removed before each run).
Run: .venv/bin/python benchmarks/bench_cli.py [--cold]
"""

from __future__ import annotations

import compileall
import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import casme3_compliance

RUNS = 20
GOAL = 2.0
CASME3 = Path(sys.executable).with_name("casme3")
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import casme3_compliance'": [sys.executable, "-c", "import casme3_compliance"],
    "casme3 subject 131": [str(CASME3), "subject", "131"],
}


def _forget_answers() -> None:
    from casme3_compliance.knowledge import answers

    key = answers.key(COMMANDS["casme3 subject 131"][1:])
    if key is not None:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(answers._folder(), key))


def main(argv: list[str] | None = None) -> int:
    cold = "--cold" in (sys.argv[1:] if argv is None else argv)
    compileall.compile_dir(os.path.dirname(casme3_compliance.__file__), quiet=1)
    for cmd in COMMANDS.values():  # warm the OS cache and the knowledge base's JSON cache
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False)
    best = dict.fromkeys(COMMANDS, float("inf"))
    for _ in range(RUNS):
        for name, cmd in COMMANDS.items():
            if cold and name == "casme3 subject 131":
                _forget_answers()
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False)
            best[name] = min(best[name], time.perf_counter() - t)
    print(f"{'command':<40}{'best of ' + str(RUNS) + ' (ms)':>18}")
    for name, seconds in best.items():
        print(f"{name:<40}{seconds * 1000:>18.1f}")
    ratio = best["casme3 subject 131"] / best["python -c pass"]
    verdict = "PASS" if ratio <= GOAL else "MISS"
    what = "first answer" if cold else "answer asked before"
    print(f"ratio casme3 subject / python -c pass ({what}): {ratio:.2f} ({verdict}, goal {GOAL})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
