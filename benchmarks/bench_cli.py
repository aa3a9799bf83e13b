"""Benchmark: the start-up of `casme3 subject 131` against a bare `python -c pass`.

Both are run best of 20, interleaved, in the same run; the ratio is printed. Goal (issue 12): at
most 2.0. The package's bytecode is compiled first, as `pip install` does (a source checkout run
with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module at every start). The
knowledge base's cache and the stored answer (knowledge/answers.py) are made by one untimed
run, as by the first call of a script that asks for subject after subject; `--cold` times the
first answer instead (the stored answers of the question removed before each run). The same
question is also timed in each other language the data ships, with `--json`, and for another
database, each against the same baseline.
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
BASELINE = "python -c pass"
QUESTION = ["subject", "131"]


def _commands() -> dict[str, list[str]]:
    """The baseline, the question, and the question in each other shipped language, with
    --json, and for the data's second database (its first subject)."""
    family = casme3_compliance.load_family()
    asked = {"casme3 subject 131": QUESTION}
    for x in family.shipped:
        if x["code"] != family.lang:
            asked[f"casme3 --lang {x['code']} subject 131"] = ["--lang", x["code"], *QUESTION]
    asked["casme3 subject 131 --json"] = [*QUESTION, "--json"]
    other = next((db for db in family.databases if db.id != family.default and db.subjects), None)
    if other is not None:
        part = other.subjects.parts[0]
        n = next(i for i in range(1, 10_000) if part.in_range(i))
        ref = part.name_of(n)
        asked[f"casme3 subject --db {other.id} {ref}"] = ["subject", "--db", other.id, ref]
    return {
        BASELINE: [sys.executable, "-c", "pass"],
        "python -c 'import casme3_compliance'": [sys.executable, "-c", "import casme3_compliance"],
        **{name: [str(CASME3), *words] for name, words in asked.items()},
    }


def _forget_answer(words: list[str]) -> None:
    from casme3_compliance.knowledge import answers

    key = answers.key(words)
    if key is not None:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(answers._folder(), key))


def main(argv: list[str] | None = None) -> int:
    cold = "--cold" in (sys.argv[1:] if argv is None else argv)
    compileall.compile_dir(os.path.dirname(casme3_compliance.__file__), quiet=1)
    commands = _commands()
    for cmd in commands.values():  # warm the OS cache and the knowledge base's JSON cache
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False)
    best = dict.fromkeys(commands, float("inf"))
    for _ in range(RUNS):
        for name, cmd in commands.items():
            if cold and cmd[0] == str(CASME3):
                _forget_answer(cmd[1:])
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False)
            best[name] = min(best[name], time.perf_counter() - t)
    what = "first answer" if cold else "answer asked before"
    print(f"{'command (' + what + ')':<48}{'best of ' + str(RUNS) + ' (ms)':>18}{'ratio':>8}")
    for name, seconds in best.items():
        ratio = seconds / best[BASELINE]
        verdict = f"{'PASS' if ratio <= GOAL else 'MISS'}" if name.startswith("casme3") else ""
        print(f"{name:<48}{seconds * 1000:>18.1f}{ratio:>8.2f}  {verdict}")
    ratio = best["casme3 subject 131"] / best[BASELINE]
    verdict = "PASS" if ratio <= GOAL else "MISS"
    print(f"ratio casme3 subject / python -c pass ({what}): {ratio:.2f} ({verdict}, goal {GOAL})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
