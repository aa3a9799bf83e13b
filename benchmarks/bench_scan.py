"""Benchmark: `casme3 scan --all --format json` against `grep -rEn` on the same generated tree.

Generates 10,000 files (about 200 MB of LaTeX and Markdown, plus image names) in a temporary
folder, runs each command best of 3 in the same run, prints a table and the ratio, and deletes
the tree. Goal: the scan within 2x of grep. Run: .venv/bin/python benchmarks/bench_scan.py
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FILES = 10_000
TEXT_BYTES = 200 << 20
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
    "micro",
    "expression",
    "recognition",
    "onset",
    "apex",
    "offset",
    "optical",
    "flow",
    "landmark",
    "region",
    "subject",
    "face",
    "video",
    "frame",
    "depth",
    "colour",
    "temporal",
    "spatial",
    "network",
    "feature",
    "learning",
    "result",
    "table",
    "figure",
    "method",
    "dataset",
    "evaluation",
    "accuracy",
    "baseline",
    "proposed",
    "approach",
    "model",
    "training",
]


def _paragraph(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90))) + ".\n"


def generate(root: Path) -> tuple[int, int]:
    rng = random.Random(3)
    text_files = FILES // 2
    per_file = TEXT_BYTES // text_files
    block = "".join(_paragraph(rng) for _ in range(400))
    written = 0
    for i in range(FILES):
        folder = root / f"paper{i % 50:02d}" / ("figs" if i % 2 else "sections")
        folder.mkdir(parents=True, exist_ok=True)
        if i % 2:  # An image, checked by name only.
            subject = rng.randint(1, 219)
            name = f"spNO.{subject}_{rng.choice('abcdefghijklm')}_{rng.randint(100, 9999)}.jpg"
            (folder / f"{i}_{name}").write_bytes(b"not a real image")
            continue
        ext = ".tex" if i % 4 == 0 else ".md"
        start = rng.randrange(len(block) // 2)
        body = (block * (per_file // len(block) + 2))[start : start + per_file]
        extra = ""
        if i % 40 == 0:
            extra = "\nWe evaluate on CAS(ME)$^3$ and CASME3; see spNO.131 and Part C subject 12.\n"
        (folder / f"s{i}{ext}").write_text(body + extra, encoding="utf-8")
        written += len(body) + len(extra)
    return FILES, written


def best(cmd: list[str], runs: int = 3) -> tuple[float, int]:
    times, code = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
        code = done.returncode
    return min(times), code


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="casme3-bench-"))
    try:
        files, size = generate(tmp)
        grep = ["grep", "-rEn", "-i"] + [a for p in GREP_PATTERNS for a in ("-e", p)] + [str(tmp)]
        scan = [str(CASME3), "scan", "--all", "--format", "json", str(tmp)]
        t_grep, _ = best(grep)
        t_scan, code = best(scan)
        print(f"tree: {files:,} files, {size / 2**20:.0f} MiB of text")
        print(f"{'command':<36}{'best of 3 (s)':>14}")
        print(f"{'grep -rEn (same patterns)':<36}{t_grep:>14.2f}")
        print(f"{'casme3 scan --all --format json':<36}{t_scan:>14.2f}   (exit {code})")
        print(f"ratio scan/grep: {t_scan / t_grep:.2f} (goal: within 2x)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
