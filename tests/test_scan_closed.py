"""The scanner fails closed: it never hangs, never answers clean for what it could not look at.

No timed assertions: work is counted (bytes the scanner measures to place a match), memory is
measured with tracemalloc, and sizes are compared (a 10x input must not cost 100x).
"""

from __future__ import annotations

import tracemalloc

import pytest
from test_scan_support import run, tree

from casme3_compliance.scan import text as T
from casme3_compliance.scan.findings import CAP


@pytest.fixture
def subject(kb) -> int:
    """A restricted Parts A/B subject, from the data."""
    return kb.subjects.part("AB").restricted()[0]


# 1. Linear time, bounded memory ------------------------------------------------------------------


def _counting_chars(monkeypatch) -> list[int]:
    """Count the bytes whose characters the scanner counts to place matches (columns): the
    work that grew with the square of a line's length when each match re-counted its line."""
    counted = [0]
    real = T._chars

    def counting(b: bytes) -> int:
        counted[0] += len(b)
        return real(b)

    monkeypatch.setattr(T, "_chars", counting)
    return counted


SMALL = 1_000
LINES = [
    ("a.txt", "spNO.{n} # casme3: ignore[CM301] -- x "),
    ("a.md", "![f](figs/spNO.{n}.png) CASME3 <!-- casme3: ignore[CM402] -- x --> "),
    ("a.tex", "\\includegraphics{{spNO.{n}}} CAS(ME)^3 $x$ % casme3: ignore[CM301] -- x "),
]


@pytest.mark.parametrize(("name", "piece"), LINES, ids=[n for n, _ in LINES])
def test_many_matches_on_one_line_cost_linear_work(name, piece, subject, kb, tmp_path, monkeypatch):
    counted = _counting_chars(monkeypatch)
    work = {}
    for n in (SMALL, 10 * SMALL):
        tree(tmp_path, {name: piece.format(n=subject) * n + "\n"})
        counted[0] = 0
        report = run(tmp_path, kb, ignore="CM401")
        assert report.findings or report.suppressed
        work[n] = counted[0]
    # Linear: 10x the matches is about 10x the work (quadratic was 100x).
    assert work[10 * SMALL] <= 12 * work[SMALL], work


def test_findings_are_capped_per_file_and_rule_with_a_note(subject, kb, tmp_path):
    n = 3 * CAP + 7
    tree(tmp_path, {"a.txt": f"spNO.{subject} " * n, "b.txt": f"spNO.{subject}\n" * 3})
    report = run(tmp_path, kb)
    by_file = {}
    for f in report.findings:
        by_file.setdefault(f.path.rsplit("/", 1)[1], []).append((f.code, f.line, f.column))
    assert len(by_file["a.txt"]) == CAP and len(by_file["b.txt"]) == 3
    width = len(f"spNO.{subject} ")
    assert by_file["a.txt"][:2] == [("CM301", 1, 1), ("CM301", 1, 1 + width)]  # the first ones
    [note] = report.notes
    assert note.path.endswith("a.txt") and note.kind == "capped"
    assert (
        note.message
        == f"CM301: {n - CAP:,} more findings in this file not shown (the first {CAP} are)"
    )


def test_a_million_matches_keep_memory_bounded(subject, kb, tmp_path, monkeypatch):
    monkeypatch.setattr(T, "CHUNK", 1 << 20)
    n = 100_000
    tree(tmp_path, {"h.txt": f"spNO.{subject} " * n})
    tracemalloc.start()
    report = run(tmp_path, kb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 << 20, f"peak {peak >> 20} MiB"
    assert len(report.findings) == CAP
    assert f"{n - CAP:,} more" in report.notes[0].message


def test_suppression_comments_past_the_limit_suppress_nothing(subject, kb, tmp_path, monkeypatch):
    """Reading fewer comments can only report more: the limit fails closed, and says so."""
    monkeypatch.setattr(T, "MAX_DIRECTIVES", 2)
    line = f"spNO.{subject} # casme3: ignore[CM301] -- {'a long reason ' * 100}\n"
    tree(tmp_path, {"a.txt": line * 5})
    report = run(tmp_path, kb)
    assert [f.line for f in report.suppressed] == [1, 2]
    assert [f.line for f in report.findings] == [3, 4, 5]
    [note] = report.notes
    assert note.message == "3 more casme3: ignore comments past the first 2: they suppress nothing"
    assert len(report.suppressed[0].suppressed) <= T.MAX_REASON  # a reason is not a whole line
