"""Build time of this site against a plain MkDocs Material site of the same size (issues 2, 12).

Why: the macros plugin, the hooks and the data validation run on every build and every
`mkdocs serve` reload; this shows what they cost next to what Material costs anyway. Both sites
are built in the same run, alternating, with the best of N kept, so machine load affects both.
The ratio is a report, not a test: the script exits 0 whether the goal is met or not.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from baseline import bare_site

GOAL = 1.3


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_build(config: Path, dest: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + sys) of one `mkdocs build --strict` in a fresh process.

    Start-up (imports) is included: it is part of every build and every `mkdocs serve` start.
    CPU time is taken too because it hardly moves when other work shares the machine.
    """
    shutil.rmtree(dest, ignore_errors=True)
    cmd = bare_site.build_command(config, dest)
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=config.parent, env=bare_site.ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - cpu
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return elapsed, cpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="builds of each site, best kept (5)")
    ap.add_argument(
        "--rich-twin",
        action="store_true",
        help="against the earlier twin with our features, palette and Markdown extensions",
    )
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    with tempfile.TemporaryDirectory(prefix="casme3-bench-build-") as tmp:
        root = Path(tmp)
        ours_cfg = bare_site.REPO / "mkdocs.yml"
        ours_site = bare_site.build_ours(root / "ours")  # also warms the file cache
        bare_cfg = bare_site.write_bare_project(ours_site, root / "bare", args.rich_twin)
        bare_site.build(bare_cfg, root / "bare-site")
        pages = bare_site.pages(ours_site)
        bare_pages = bare_site.pages(root / "bare-site")
        ours_chars = sum(bare_site.article_chars(ours_site, p) for p in pages)
        bare_chars = sum(bare_site.article_chars(root / "bare-site", p) for p in bare_pages)

        ours_runs: list[tuple[float, float]] = []
        bare_runs: list[tuple[float, float]] = []
        for _ in range(args.runs):
            ours_runs.append(timed_build(ours_cfg, root / "ours"))
            bare_runs.append(timed_build(bare_cfg, root / "bare-site"))

    twin = "rich twin (our features, palette, extensions)" if args.rich_twin else "plain twin"
    print(f"Build time: `mkdocs build --strict`, best of {args.runs}, alternating; bare = {twin}")
    print(
        f"  pages: ours {len(pages)}, bare {len(bare_pages)} (index.html files of the built sites)"
    )
    print(f"  article text: ours {ours_chars:,} chars, bare {bare_chars:,} chars")
    print()
    print(f"  {'site':<6} {'wall s':>7} {'median':>7} {'cpu s':>6}  all runs, wall (s)")
    for name, runs in (("ours", ours_runs), ("bare", bare_runs)):
        walls = sorted(w for w, _ in runs)
        every = " ".join(f"{w:.2f}" for w, _ in runs)
        best_cpu = min(c for _, c in runs)
        print(
            f"  {name:<6} {walls[0]:>7.2f} {walls[len(walls) // 2]:>7.2f} {best_cpu:>6.2f}  {every}"
        )
    print()
    wall = min(w for w, _ in ours_runs) / min(w for w, _ in bare_runs)
    cpu = min(c for _, c in ours_runs) / min(c for _, c in bare_runs)
    verdict = "PASS" if wall <= GOAL else "MISS"
    print(f"  ratio ours/bare, wall: {wall:.2f} (goal <= {GOAL}) {verdict}")
    print(f"  ratio ours/bare, cpu:  {cpu:.2f} (steadier when the machine is busy)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
