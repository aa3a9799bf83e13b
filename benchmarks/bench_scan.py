"""Benchmark: `casme3 scan --all --format json` against `grep -rEnI` on the same generated trees.

Two trees, as issue 12 names them, each built in a temporary folder and deleted after:

- `text`: 2,000 text files (LaTeX and Markdown), about 150 MB, a few naming databases;
- `frames`: 100,000 frame files (a few hundred bytes each, not real images) in the subject
  folders of three releases (CASME II's sub01/EP02_01f/img46.jpg, SAMM's 006/006_1_2/006_05562.jpg,
  CAS(ME)^3's spNO.1/a/color/1.jpg): a dataset left in a working copy.

Each command runs best of 3, grep first, in the same run; the goal is the scan at most 1.5x grep
on each. Beside the time, the peak memory of each command: the largest resident set of the
process or of any of its worker processes, in MiB (GNU time's %M, which counts the children
the command reaped; see measure()).

Three memory cases, time and peak memory only (no goal on time): a 200 MB file of one line, a
tree of a million empty files in a thousand folders, and a million in one folder (`--cases`
picks; `--runs` sets the runs of the two trees).

Run: .venv/bin/python benchmarks/bench_scan.py [--cases text,frames,line,million,flat]
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL = 1.5
ROOT = Path(__file__).resolve().parents[1]
CASME3 = Path(sys.executable).with_name("casme3")

# The scanner's patterns, as grep -E can say them (grep -i lowers everything; close enough).
GREP_PATTERNS = [
    r"sp ?no(\.[ \t]?|[ \t_])?[0-9]+",
    r"part[_-]?c[/\\](sub(ject)?|s)?[_-]?[0-9]+",
    r"part[[:space:]~_-]?c,?[[:space:]~]+subject",
    r"subject[[:space:]~]*[0-9]+[[:space:]~]+(of|in|from)[[:space:]~]+part",
    r"cas[[:space:]]*\([[:space:]]*me[[:space:]]*\)",
    r"CASME[ _-]?(3|III)",
    r"\\[a-z]*cite[a-z]*\*?[[:space:]]*(\[[^]]*\])*\{[^}]*\}",
    r"@[a-z]+[[:space:]]*[{(]",
    r"doi[[:space:]]*=",
]

WORDS = [
    *("micro", "expression", "recognition", "onset", "apex", "offset", "optical", "flow"),
    *("landmark", "region", "subject", "face", "video", "frame", "depth", "colour", "temporal"),
    *("spatial", "network", "feature", "learning", "result", "table", "figure", "method"),
    *("dataset", "evaluation", "accuracy", "baseline", "proposed", "approach", "model"),
    "training",
]


def _paragraph(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90))) + ".\n"


def text_tree(root: Path, files: int = 2_000, total: int = 150 << 20) -> str:
    """`files` LaTeX and Markdown files of about `total` bytes in 50 paper folders."""
    rng = random.Random(3)
    per_file = total // files
    block = "".join(_paragraph(rng) for _ in range(400))
    body_all = block * (per_file // len(block) + 2)
    written = 0
    for i in range(files):
        folder = root / f"paper{i % 50:02d}" / ("sections" if i % 3 else "appendix")
        folder.mkdir(parents=True, exist_ok=True)
        ext = ".tex" if i % 2 == 0 else ".md"
        start = rng.randrange(len(block) // 2)
        body = body_all[start : start + per_file]
        extra = ""
        if i % 40 == 0:
            extra = "\nWe evaluate on CAS(ME)$^3$ and CASME3; see spNO.131 and Part C subject 12.\n"
        (folder / f"s{i}{ext}").write_text(body + extra, encoding="utf-8")
        written += len(body) + len(extra)
    return f"{files:,} text files, {written / 2**20:.0f} MiB"


def frames_tree(root: Path, files: int = 100_000) -> str:
    """`files` frame files of a few hundred bytes in the subject folders of three releases."""
    rng = random.Random(5)
    fake = bytes(rng.randrange(256) for _ in range(300))
    layouts = [
        # CASME II: CASME2_RAW_selected/sub01/EP02_01f/img46.jpg
        lambda s, c, f: f"CASME2_RAW_selected/sub{s:02d}/EP{c:02d}_01f/img{f}.jpg",
        # SAMM: SAMM/006/006_1_2/006_05562.jpg
        lambda s, c, f: f"SAMM/{s:03d}/{s:03d}_{c}_2/{s:03d}_{5000 + f:05d}.jpg",
        # CAS(ME)^3: part_A/spNO.1/a/color/1.jpg
        lambda s, c, f: f"part_A/spNO.{s}/{'abcdefghijklm'[c % 13]}/color/{f}.jpg",
    ]
    per_clip = 100
    made, rnd = 0, 0
    folders: set[Path] = set()
    while made < files:
        for layout in layouts:
            for s in range(1, 27):
                for c in range(rnd * 3 + 1, rnd * 3 + 4):
                    for f in range(per_clip):
                        if made >= files:
                            break
                        path = root / "data" / layout(s, c, f)
                        if path.parent not in folders:
                            path.parent.mkdir(parents=True, exist_ok=True)
                            folders.add(path.parent)
                        path.write_bytes(fake)
                        made += 1
        rnd += 1
    return f"{made:,} frame files in {len(folders):,} folders"


def one_line(root: Path, total: int = 200 << 20) -> str:
    """One LaTeX file of `total` bytes without a newline, a database named in it."""
    rng = random.Random(7)
    block = " ".join(rng.choice(WORDS) for _ in range(20_000)).encode() + b" "
    with open(root / "line.tex", "wb") as f:
        f.write(b"We use CASME3 (spNO.131). ")
        written = 27
        while written < total:
            f.write(block)
            written += len(block)
    return f"1 file of one line, {written / 2**20:.0f} MiB"


def million(root: Path, files: int = 1_000_000) -> str:
    """`files` empty files, 1,000 to a folder."""
    for d in range(files // 1000):
        folder = root / f"d{d:04d}"
        folder.mkdir()
        base = str(folder) + "/f"
        for i in range(1000):
            os.close(os.open(f"{base}{i:04d}.dat", os.O_CREAT | os.O_WRONLY, 0o644))
    return f"{files:,} empty files in {files // 1000:,} folders"


def flat(root: Path, files: int = 1_000_000) -> str:
    """`files` empty files in one folder: the walk holds a chunk of a folder, not the folder."""
    base = str(root) + "/f"
    for i in range(files):
        os.close(os.open(f"{base}{i:07d}.dat", os.O_CREAT | os.O_WRONLY, 0o644))
    return f"{files:,} empty files in one folder"


TIME = "/usr/bin/time"  # GNU time: the peak of the command's own process tree


def measure(cmd: list[str]) -> tuple[float, float, int]:
    """Wall time (s), peak resident set (MiB) of the process or any child, and exit code.

    The peak is GNU time's %M when it is there: the child it forks is small when it execs the
    command. Without it, wait4's ru_maxrss, which counts the pages the command's process had as
    a fork of this one (about 18 MiB) before it exec'd: an upper bound."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        timed = [TIME, "-f", "%M", "-o", rss.name, *cmd] if os.access(TIME, os.X_OK) else cmd
        t = time.perf_counter()
        proc = subprocess.Popen(timed, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        took = time.perf_counter() - t
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss
        if timed is not cmd:
            lines = rss.read().split()  # "Command exited with non-zero status 1" first, then %M
            peak = int(lines[-1]) if lines and lines[-1].isdigit() else peak
    return took, peak / 1024, code


def best(cmd: list[str], runs: int) -> tuple[float, float, int]:
    results = [measure(cmd) for _ in range(runs)]
    return min(r[0] for r in results), max(r[1] for r in results), results[-1][2]


CASES = {
    "text": (text_tree, True),
    "frames": (frames_tree, True),
    "line": (one_line, False),
    "million": (million, False),
    "flat": (flat, False),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated: " + ", ".join(CASES))
    ap.add_argument("--runs", type=int, default=3, help="runs of each command on the two trees")
    args = ap.parse_args(argv)
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        print(f"unknown case: {', '.join(unknown)}", file=sys.stderr)
        return 2
    # The package's bytecode compiled first, as `pip install` does (bench_cli.py says why).
    import casme3_compliance

    compileall.compile_dir(os.path.dirname(casme3_compliance.__file__), quiet=1)
    grep_args = [a for p in GREP_PATTERNS for a in ("-e", p)]
    print(f"{'case':<9}{'command':<34}{'time (s)':>10}{'peak MiB':>10}  exit")
    ratios = []
    for case in cases:
        build, goal = CASES[case]
        tmp = Path(tempfile.mkdtemp(prefix=f"casme3-bench-{case}-"))
        try:
            what = build(tmp)
            runs = args.runs if goal else 1
            grep = ["grep", "-rEnI", "-i", *grep_args, str(tmp)]
            scan = [str(CASME3), "scan", "--all", "--format", "json", str(tmp)]
            t_grep, m_grep, c_grep = best(grep, runs)
            t_scan, m_scan, c_scan = best(scan, runs)
            print(f"{case:<9}({what}; best of {runs})")
            for label, took, peak, code in (
                ("grep -rEnI (same patterns)", t_grep, m_grep, c_grep),
                ("casme3 scan --all --format json", t_scan, m_scan, c_scan),
            ):
                print(f"{'':<9}{label:<34}{took:>10.2f}{peak:>10.0f}  {code}")
            ratio = t_scan / t_grep
            if goal:
                verdict = "PASS" if ratio <= GOAL else "MISS"
                ratios.append(f"{case}: {ratio:.2f} ({verdict}, goal at most {GOAL})")
            else:
                ratios.append(f"{case}: {ratio:.2f} (memory case, no goal on time)")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print("ratio scan/grep: " + "; ".join(ratios))
    return 0


if __name__ == "__main__":
    sys.exit(main())
