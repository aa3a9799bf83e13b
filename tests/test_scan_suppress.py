"""Inline suppression: `casme3: ignore[CODE] -- reason` in a comment on the finding's line."""

from __future__ import annotations

import json

import pytest
from test_cli import check_sarif, cli, program
from test_scan_support import FAKE, codes, rel, run, tree

REASON = "line drawing traced from the frame, no photo"


@pytest.fixture
def subject(kb) -> int:
    """A restricted Parts A/B subject, from the data."""
    return kb.subjects.part("AB").restricted()[0]


def _one_suppressed(report, code: str = "CM301") -> None:
    assert report.findings == []
    [f] = report.suppressed
    assert (f.code, f.suppressed) == (code, REASON)


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("fig.tex", "\\includegraphics{{figs/spNO.{n}_b.jpg}} % casme3: ignore[CM301] -- {r}"),
        ("fig.tex", "\\includegraphics{{figs/spNO.{n}_b.jpg}}%casme3:ignore[ cm301 ]--{r}"),
        ("paper.md", "![Apex](figs/spNO.{n}.png) <!-- casme3: ignore[CM301] -- {r} -->"),
        ("paper.md", "<!-- casme3: ignore[CM301] -- {r} --> ![Apex](figs/spNO.{n}.png)"),
        ("notes.txt", "spNO.{n} apex # casme3: ignore[CM301] -- {r}"),
        ("refs.bib", "% spNO.{n} in a comment % casme3: ignore[CM301] -- {r}"),
    ],
)
def test_each_file_kind_has_its_comment(name, line, subject, kb, tmp_path):
    tree(tmp_path, {name: "First line.\n" + line.format(n=subject, r=REASON) + "\nLast.\n"})
    _one_suppressed(run(tmp_path, kb, select="CM301"))
    assert run(tmp_path, kb, select="CM301").notes == []


def test_only_the_named_codes_on_that_line(subject, kb, tmp_path):
    text = (
        f"CASME3 spNO.{subject} % casme3: ignore[CM301] -- {REASON}\n"  # CM402 stays
        f"spNO.{subject}\n"  # another line: not suppressed
        f"CASME3 spNO.{subject} % casme3: ignore[CM301, CM402] -- {REASON}\n"
    )
    tree(tmp_path, {"paper.tex": text})
    report = run(tmp_path, kb, ignore="CM401")
    assert [(f.code, f.line) for f in report.findings] == [("CM402", 1), ("CM301", 2)]
    assert sorted((f.code, f.line) for f in report.suppressed) == [
        ("CM301", 1),
        ("CM301", 3),
        ("CM402", 3),
    ]


def test_cm401_suppressed_where_the_database_is_first_named(kb, tmp_path):
    text = f"We use CAS(ME)$^3$. % casme3: ignore[CM401] -- {REASON}\nAgain CAS(ME)$^3$.\n"
    tree(tmp_path, {"main.tex": text})
    _one_suppressed(run(tmp_path, kb), "CM401")


@pytest.mark.parametrize(
    ("name", "line", "why"),
    [
        ("a.tex", "spNO.{n} % casme3: ignore[CM301]", "gives no reason"),
        ("a.tex", "spNO.{n} % casme3: ignore[CM301] --   ", "gives no reason"),
        ("a.tex", "spNO.{n} % casme3: ignore[CM301] : {r}", "gives no reason"),
        ("a.md", "spNO.{n} <!-- casme3: ignore[CM301] -->", "gives no reason"),
        ("a.md", "spNO.{n} <!-- casme3: ignore[CM301] -- --> {r}", "gives no reason"),
        ("a.tex", "spNO.{n} % casme3: ignore[CM999] -- {r}", "names unknown rule code CM999"),
        ("a.tex", "spNO.{n} % casme3: ignore[CM301,CM3] -- {r}", "names unknown rule code CM3"),
        ("a.txt", "spNO.{n} # casme3: ignore -- {r}", "names no rule code"),
        ("a.txt", "spNO.{n} # casme3: ignore[] -- {r}", "names no rule code"),
    ],
)
def test_a_directive_that_suppresses_nothing_says_why(name, line, why, subject, kb, tmp_path):
    tree(tmp_path, {name: "x\n" + line.format(n=subject, r=REASON) + "\n"})
    report = run(tmp_path, kb, select="CM301")
    assert [(f.code, f.line) for f in report.findings] == [("CM301", 2)]
    assert report.suppressed == []
    [note] = report.notes
    assert (rel(tmp_path, note), note.kind) == (name, "suppression")
    assert note.message.startswith(f"line 2: {why}") and "it suppresses nothing" in note.message


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("a.tex", "spNO.{n}: write casme3: ignore[CM301] -- {r} in a comment"),  # no comment
        ("a.tex", "spNO.{n} is 50\\% casme3: ignore[CM301] -- {r}"),  # \% is no comment
        ("a.md", "spNO.{n} `casme3: ignore[CM301] -- {r}`"),
        ("a.md", "<!-- x --> spNO.{n} casme3: ignore[CM301] -- {r}"),  # after the comment
        ("a.txt", "spNO.{n} casme3: ignore[CM301] -- {r}"),
    ],
)
def test_outside_a_comment_it_is_text(name, line, subject, kb, tmp_path):
    tree(tmp_path, {name: line.format(n=subject, r=REASON) + "\n"})
    report = run(tmp_path, kb, select="CM301")
    assert codes(report) == ["CM301"] and report.suppressed == [] and report.notes == []


def test_a_name_is_not_suppressed_by_the_files_text(subject, kb, tmp_path):
    """A file or folder name has no line to comment: a directive in the text does not cover it."""
    tree(tmp_path, {f"spNO.{subject}.tex": f"% casme3: ignore[CM301] -- {REASON}\n"})
    report = run(tmp_path, kb, select="CM301")
    assert [(f.code, f.line, f.message.split(": ")[1]) for f in report.findings] == [
        ("CM301", 1, "file name")
    ]


# Reports and exit status ------------------------------------------------------------------------


NOTES = "Results on CASME3 (doi {doi}).{comment}\n"  # CM402; giving the DOI satisfies CM401


@pytest.fixture
def excused(subject, kb, tmp_path, monkeypatch):
    """A folder, made the current one, with one suppressed CM301 and one counted CM402."""
    figure = f"\\includegraphics{{spNO.{subject}.jpg}} % casme3: ignore[CM301] -- {REASON}\n"
    notes = NOTES.format(doi=kb.citation.doi, comment="")
    folder = tree(tmp_path / "paper", {"fig.tex": figure, "notes.md": notes, "img.jpg": FAKE})
    monkeypatch.chdir(folder)
    return folder


def test_exit_status_counts_only_unsuppressed(capsys, kb, excused):
    assert cli(capsys, "scan", ".")[0] == 1  # the CM402 counts
    comment = " <!-- casme3: ignore[CM402] -- the name as a quoted paper wrote it -->"
    (excused / "notes.md").write_text(NOTES.format(doi=kb.citation.doi, comment=comment))
    code, out, _ = cli(capsys, "scan", ".")
    assert code == 0 and out == "No findings in 3 files, 2 suppressed.\n"
    done = program("scan", cwd=excused)
    assert (done.returncode, done.stdout, done.stderr) == (0, out, "")
    comment = " <!-- casme3: ignore[CM402] -->"
    (excused / "notes.md").write_text(NOTES.format(doi=kb.citation.doi, comment=comment))
    code, out, _ = cli(capsys, "scan", ".")
    assert code == 1 and "gives no reason" in out
    assert program("scan", cwd=excused).returncode == 1


def test_text_lists_suppressed_as_a_count(capsys, excused):
    code, out, _ = cli(capsys, "scan", ".")
    lines = out.splitlines()
    assert code == 1 and [line for line in lines if " CM301 " in line] == []
    assert lines[-1] == "Found 1 finding (0 errors, 1 warning) in 3 files, 1 suppressed."


def test_lines_leave_suppressed_out(capsys, excused):
    code, out, _ = cli(capsys, "scan", "-f", "lines", ".")
    assert code == 1 and [line.split()[1] for line in out.splitlines()] == ["CM402"]


def test_json_marks_suppressed(capsys, excused):
    code, out, _ = cli(capsys, "scan", "-f", "json", ".")
    findings = json.loads(out)["findings"]
    assert code == 1 and [(f["code"], f["suppressed"]) for f in findings] == [
        ("CM301", {"kind": "inSource", "justification": REASON}),
        ("CM402", None),
    ]


def test_sarif_marks_suppressed(capsys, excused):
    code, out, _ = cli(capsys, "scan", "-f", "sarif", ".")
    log = json.loads(out)
    check_sarif(log)
    results = log["runs"][0]["results"]
    assert code == 1 and [(r["ruleId"], r["suppressions"]) for r in results] == [
        ("CM301", [{"kind": "inSource", "justification": REASON}]),
        ("CM402", []),
    ]
