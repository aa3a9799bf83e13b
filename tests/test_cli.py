"""`casme3`, in process (main([...]) and capsys) and as a real program: output and exit codes."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import bibtexparser
import pytest
from conftest import DATA, DB, ROOT, VECTORS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_scan_support import FAKE, tree

import casme3_compliance as c3
from casme3_compliance.cli import main
from casme3_compliance.render import checklist, citation
from casme3_compliance.scan.report import SITE_URL

FIXTURE = ROOT / "tests" / "fixtures" / "scan" / "paper"
# The fixture's refs.bib ends in an entry that is never closed: not checked (CM001), not trusted.
BROKEN_BIB = (
    "refs.bib:7:1: CM001 not checked: this BibTeX block could not be parsed (Unexpectedly "
    "reached end of file.): an entry here is not taken as the paper's"
)
CASME3 = Path(sys.executable).with_name("casme3")


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    """These tests read English: no language from the machine running them (test_cli_zh.py
    holds the others)."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("casme3: "), err
    assert "Traceback" not in err
    return lines[0]


# subject ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["valid"], ids=lambda c: repr(c["input"]))
def test_subject_vectors_valid(case, kb, capsys):
    v = c3.verdict(case["input"], kb)
    assert (v.part, v.number) == (case["part"], case["number"])
    code, out, err = cli(capsys, "subject", "--", case["input"])
    assert (code, err) == (1 if v.restricted else 0, "")
    note = f"note: {v.note}\n" if v.note else ""
    assert out == f"{'restricted' if v.restricted else 'allowed'}: {v.message}\n{note}"
    code, out, _ = cli(capsys, "subject", "--json", "--", case["input"])
    assert json.loads(out) == v.as_dict()
    keys = ["database", "subject", "part", "verdict", "clause", "where", "message"]
    assert list(json.loads(out)) == keys + (["note"] if v.note else [])


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=lambda c: repr(c["input"]))
def test_subject_vectors_invalid(case, capsys):
    for argv in (["subject", "--", case["input"]], ["subject", "--json", "--", case["input"]]):
        code, out, err = cli(capsys, *argv)
        assert (code, out) == (2, "")
        one_line_error(err)


def test_subject_allowed_says_where_images_may_be_used_and_the_conditions(kb, capsys):
    allowed = [
        f"{p.numbering.replace('<n>', str(n))}" for p in kb.subjects.parts for n in p.numbers()
    ]
    for ref in allowed:
        if not c3.verdict(ref, kb).restricted:
            code, out, _ = cli(capsys, "subject", ref)
            assert code == 0 and out.startswith("allowed: "), ref
            assert "may be used in paper writing and academic presentation" in out, ref
            assert "conditions A, B and C" in out, ref
            assert "may be published" not in out and "may appear" not in out


def test_subject_unquoted_words_are_one_reference(kb, capsys):
    c = kb.subjects.part("C")
    n = c.list[0]
    code, out, _ = cli(capsys, "subject", "Part", "C", "subject", str(n))
    assert (code, out.splitlines()[0]) == (0, f"allowed: {c3.verdict(f'C{n}', kb).message}")
    code, out, _ = cli(capsys, "subject", "Part", "C", str(n))
    assert code == 0 and out.startswith("allowed: Part C subject")


def test_a_bare_number_says_part_c_has_its_own_numbering(kb, capsys):
    c = kb.subjects.part("C")
    n = c.list[0]  # allowed in Part C, but read as Parts A/B
    code, out, _ = cli(capsys, "subject", str(n))
    ab = c3.verdict(f"spNO.{n}", kb)
    assert code == (1 if ab.restricted else 0)
    first, note = out.splitlines()
    assert first.endswith(ab.message)
    assert note.startswith("note: ") and f"C{n}" in note and f"Part C subject {n}" in note
    _, out, _ = cli(capsys, "subject", f"spNO.{n}")
    assert "note:" not in out  # the prefix says which part is meant
    _, out, _ = cli(capsys, "subject", str(c.max + 1))
    assert "note: " in out and "Part C" not in out.splitlines()[1]  # beyond Part C's numbers


def test_subject_names_the_range(capsys):
    code, _, err = cli(capsys, "subject", "spNO.250")
    assert code == 2 and "1 to 219" in one_line_error(err)


# cite, checklist, terms -------------------------------------------------------------------------


def test_cite_default_is_bibtex_and_parses(kb, capsys):
    code, out, err = cli(capsys, "cite")
    assert (code, err) == (0, "")
    [entry] = bibtexparser.parse_string(out).entries
    assert entry.key == kb.citation.key and entry.fields_dict["doi"].value == kb.citation.doi


@pytest.mark.parametrize("fmt", citation.FORMATS)
def test_cite_every_format(fmt, kb, capsys):
    code, out, _ = cli(capsys, "cite", "--format", fmt)
    assert code == 0 and out.rstrip("\n") == citation.render(kb.citation, fmt).rstrip("\n")


def test_cite_unknown_format(capsys):
    code, out, err = cli(capsys, "cite", "--format", "endnote")
    assert (code, out) == (2, "") and "'endnote'" in one_line_error(err)


def test_checklist_text_md_and_json(kb, capsys):
    code, out, _ = cli(capsys, "checklist")  # plain text by default on stdout
    assert code == 0 and out == checklist.render(kb, "text")
    code, out, _ = cli(capsys, "checklist", "--format", "md")
    assert code == 0 and out == checklist.render(kb, "md")
    code, out, _ = cli(capsys, "checklist", "--format", "json")
    assert code == 0 and json.loads(out) == json.loads(checklist.render(kb, "json"))


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("c.txt", "text"), ("c.md", "md"), ("C.MD", "md"), ("c.json", "json"), ("c.pdf", "pdf")],
)
def test_checklist_format_follows_the_file_extension(name, fmt, kb, capsys, tmp_path):
    code, out, _ = cli(capsys, "checklist", "-o", str(tmp_path / name))
    expected = checklist.render(kb, fmt)
    assert (code, out) == (0, "")
    got = (tmp_path / name).read_bytes()
    if fmt == "pdf":
        assert got.startswith(b"%PDF-")
    else:
        assert got.decode("utf-8") == expected


def test_checklist_explicit_format_wins_over_the_extension(kb, capsys, tmp_path):
    target = tmp_path / "notes.txt"
    assert cli(capsys, "checklist", "--format", "md", "-o", str(target))[0] == 0
    assert target.read_text("utf-8") == checklist.render(kb, "md")
    assert cli(capsys, "checklist", "-f", "json", "-o", str(tmp_path / "c.md"))[0] == 0
    assert json.loads((tmp_path / "c.md").read_text("utf-8")) == checklist.document(kb)


def test_checklist_unknown_extension_without_format(capsys, tmp_path):
    for name in ("c.docx", "checklist"):
        code, out, err = cli(capsys, "checklist", "-o", str(tmp_path / name))
        assert (code, out) == (2, "")
        assert f"cannot tell a checklist format from '{tmp_path / name}'" in one_line_error(err)
    assert list(tmp_path.iterdir()) == []


_ENTITY = re.compile(r"&[a-z#0-9]+;", re.IGNORECASE)


def test_no_html_entity_reaches_a_terminal(kb, capsys, paper):
    """Every command's default output for a person is plain text: `&lt;` is never printed."""
    restricted = kb.subjects.part("AB").restricted()[0]
    commands = [
        ["subject", str(restricted)],
        ["subject", "C27"],
        ["cite"],
        ["checklist"],
        ["terms"],
        ["terms", "S.2"],
        ["scan"],
        ["--help"],
        *[[name, "--help"] for name in ("subject", "cite", "checklist", "terms", "scan")],
    ]
    for argv in commands:
        code, out, err = cli(capsys, *argv)
        assert code in (0, 1) and out, argv
        assert not _ENTITY.search(out + err), (argv, _ENTITY.findall(out + err))
    # Every item is printed as the data writes it, whatever a Markdown renderer would make of it.
    out = cli(capsys, "checklist")[1]
    assert all(i.text in out for c in kb.checklists for i in c.items)


def test_checklist_pdf_needs_a_file(capsys, tmp_path):
    for argv in (["checklist", "--format", "pdf"], ["checklist", "-f", "pdf", "-o", "-"]):
        code, out, err = cli(capsys, *argv)
        assert (code, out) == (2, "") and "-o" in one_line_error(err)
    target = tmp_path / "checklist.pdf"
    code, out, _ = cli(capsys, "checklist", "--format", "pdf", "-o", str(target))
    assert (code, out) == (0, "")
    assert target.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir()] == ["checklist.pdf"]  # no temporary file left


def test_output_is_atomic(capsys, tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("old")

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    code, _, err = cli(capsys, "checklist", "-f", "json", "-o", str(target))
    assert code == 2 and "No space left" in one_line_error(err)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_output_into_a_missing_folder(capsys, tmp_path):
    code, _, err = cli(capsys, "scan", str(FIXTURE), "-o", str(tmp_path / "no" / "r.txt"))
    assert code == 2 and "no such folder" in one_line_error(err)


def test_terms_whole_la(kb, capsys):
    code, out, _ = cli(capsys, "terms")
    assert code == 0
    for section in kb.agreement.parts:
        assert f"\n{section.heading}\n" in out
        for clause in section.clauses:
            assert f"[{clause.id}] ({clause.where}) {clause.text}\n" in out
            assert all(f"- {item}\n" in out for item in clause.items)
            assert f"Our reading, not the LA: {clause.summary}\n" in out
    assert out.index("[P.1]") < out.index("[1.1]") < out.index("[6.2]") < out.index("[S.3]")
    restricted = ", ".join(map(str, kb.subjects.part("AB").list))
    assert restricted in out  # clause 3.5 lists its subjects, as the LA does


def test_terms_one_clause(kb, capsys):
    code, out, _ = cli(capsys, "terms", "s.2")
    clause = kb.agreement.clause("S.2")
    assert code == 0 and f"[S.2] ({clause.where}) {clause.text}" in out and clause.summary in out
    assert "[S.1]" not in out


def test_terms_unknown_clause(capsys):
    code, out, err = cli(capsys, "terms", "9.9")
    assert (code, out) == (2, "") and "'9.9'" in one_line_error(err)


# scan: exit codes and formats -------------------------------------------------------------------


@pytest.fixture
def paper(tmp_path, monkeypatch):
    shutil.copytree(FIXTURE, tmp_path / "paper")
    monkeypatch.chdir(tmp_path / "paper")
    return tmp_path / "paper"


def test_scan_exit_codes(capsys, tmp_path, paper):
    assert cli(capsys, "scan")[0] == 1
    clean = tree(tmp_path / "clean", {"a.md": "Nothing here.\n", "b.jpg": FAKE})
    code, out, _ = cli(capsys, "scan", str(clean))
    assert (code, out) == (0, "No findings in 2 files.\n")
    for argv, words in [
        (["scan", "missing/"], "missing/: no such file"),
        (["scan", "--select", "CM999"], "unknown rule code 'CM999'"),
        (["scan", "--ignore", "x"], "unknown rule code 'X' in --ignore"),
        (["scan", "--format", "xml"], "unknown report format 'xml'"),
        (["scan", "--bogus"], "unrecognized arguments: --bogus"),
    ]:
        code, out, err = cli(capsys, *argv)
        assert (code, out) == (2, "")
        assert words in one_line_error(err)


@pytest.fixture
def ignored(tmp_path) -> Path:
    """A git work tree whose data/ folder git ignores."""
    repo = tree(tmp_path / "repo", {".gitignore": "data/\n", "data/notes.txt": "x\n"})
    for argv in (["init", "-q"], ["add", ".gitignore"]):
        subprocess.run(["git", *argv], cwd=repo, check=True, capture_output=True)
    return repo


def test_scan_with_nothing_to_scan_fails(capsys, tmp_path, ignored):
    """A CI job pointed at a wrong folder must not pass: exit 2 and one line saying why."""
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = cli(capsys, "scan", str(empty))
    assert (code, out) == (2, "")
    assert one_line_error(err) == f"casme3: {empty}: nothing to scan (no files here)"
    code, out, err = cli(capsys, "scan", "-f", "sarif", "-o", str(tmp_path / "r.sarif"), str(empty))
    assert code == 2 and not (tmp_path / "r.sarif").exists()
    code, out, err = cli(capsys, "scan", str(ignored / "data"))
    assert (code, out) == (2, "")
    assert one_line_error(err) == (
        f"casme3: {ignored / 'data'}: git would publish nothing here (ignored?): "
        "--all scans every file"
    )
    assert cli(capsys, "scan", "--all", str(ignored / "data"))[0] == 0


def test_program_with_nothing_to_scan_fails(tmp_path, ignored):
    (tmp_path / "empty").mkdir()
    done = program("scan", "empty", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert one_line_error(done.stderr) == "casme3: empty: nothing to scan (no files here)"
    done = program("scan", "data", cwd=ignored)
    assert (done.returncode, done.stdout) == (2, "")
    assert "casme3: data: git would publish nothing here (ignored?)" in one_line_error(done.stderr)


def test_scan_text(kb, capsys, paper):
    code, out, _ = cli(capsys, "scan")
    lines = out.splitlines()
    assert code == 1 and "\033[" not in out
    expected = []  # each line of the golden `lines` output, with severity, then the rule's page
    for line in (FIXTURE.parent / "paper.lines").read_text("utf-8").splitlines():
        where, code_, message = re.fullmatch(r"(\S+:\d+:\d+:) (CM\d{3}) (.*)", line).groups()
        expected += [
            f"{where} {code_} [{kb.rule(code_).severity}] {message}",
            f"  see {SITE_URL}rules/{code_}/",
        ]
    notes = [line for line in lines if line.startswith("note: ")]
    assert [line for line in lines[:-1] if line not in notes] == expected
    assert BROKEN_BIB.replace("CM001", "CM001 [error]") in lines  # the fixture's broken entry
    # The paper also names databases whose agreements ask for no citation: a note each, never a
    # finding (main.tex's "Earlier corpora (CASME II, SAMM)").
    family = c3.load_family(DATA)
    customary = [db for db in family.databases if not db.citation.required]
    named = [db for db in customary if f"{db.name}:" in "".join(notes)]
    assert named and len(notes) == len(named)
    assert all("citing it is customary" in n or "not public" in n for n in notes)
    assert re.fullmatch(
        r"Found 13 findings \(11 errors, 2 warnings\) in 14 files, 2 notes\.", lines[-1]
    )


def test_scan_text_colour_only_on_a_terminal(capsys, paper, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = cli(capsys, "scan")[1]
    assert "\033[31mCM301\033[0m \033[31m[error]\033[0m" in out
    assert "\033[33mCM402\033[0m \033[33m[warning]\033[0m" in out
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in cli(capsys, "scan")[1]


def test_scan_lines_is_only_findings(capsys, paper):
    (paper / "bad.txt").write_bytes(b"\xff spNO.131\n")
    code, out, err = cli(capsys, "scan", "--format", "lines", "--select", "CM301")
    cm301 = [line for line in out.splitlines() if " CM001 " not in line]
    assert code == 1 and all(re.match(r"[^:]+:\d+:\d+: CM301 ", line) for line in cm301)
    assert len(cm301) == 6  # with CM303 off, database folders count once each
    assert err.splitlines() == [
        "casme3: note: bad.txt: not valid UTF-8 (byte 0): checked as bytes, columns may be off",
    ]
    assert BROKEN_BIB in out.splitlines()  # CM001 runs whatever --select says


def test_scan_json(capsys, paper):
    code, out, _ = cli(capsys, "scan", "--format", "json")
    doc = json.loads(out)
    assert code == 1 and list(doc) == ["version", "findings", "notes"]
    assert doc["version"] == c3.__version__
    # The customary citations of the other databases main.tex names: notes, never findings.
    assert {n["kind"] for n in doc["notes"]} <= {"citation"} and len(doc["notes"]) == 2
    assert len(doc["findings"]) == 13
    for f in doc["findings"]:
        assert list(f) == [
            "code",
            "severity",
            "path",
            "line",
            "column",
            "message",
            "clause",
            "suppressed",
            "database",
        ]
        assert f["database"] == (None if f["code"] == "CM001" else "casme3")
        assert f["suppressed"] is None
        assert f["severity"] in ("error", "warning") and f["line"] >= 1 and f["column"] >= 1
    lines = [
        f"{f['path']}:{f['line']}:{f['column']}: {f['code']} {f['message']}"
        for f in doc["findings"]
    ]
    assert "\n".join(lines) + "\n" == cli(capsys, "scan", "-f", "lines")[1]


def test_scan_to_a_file(capsys, paper, tmp_path):
    target = tmp_path / "report.json"
    code, out, _ = cli(capsys, "scan", "--format", "json", "-o", str(target))
    assert (code, out) == (1, "")
    assert len(json.loads(target.read_text())["findings"]) == 13


# SARIF: the structure GitHub code scanning reads -------------------------------------------------


def test_scan_sarif(kb, capsys, paper):
    os.symlink("loop", paper / "loop")
    code, out, _ = cli(capsys, "scan", "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    check_sarif(log)
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("casme3", c3.__version__)
    assert [r["id"] for r in driver["rules"]] == [r.code for r in kb.rules]
    for entry, rule in zip(driver["rules"], kb.rules, strict=True):
        assert entry["name"] == rule.name
        assert entry["shortDescription"]["text"] == rule.summary
        assert entry["fullDescription"]["text"] == rule.detects
        assert rule.fix in entry["help"]["text"] and rule.why in entry["help"]["text"]
        assert entry["helpUri"] == f"{SITE_URL}rules/{rule.code}/"
        assert entry["defaultConfiguration"]["level"] == rule.severity
    by_line = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"])
        for r in run["results"]
    }
    assert ("annotations/CAS(ME)3_part_C_ME.xlsx", "CM303") in by_line
    assert ("main.tex", "CM402") in by_line
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [
        (n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], n["descriptor"]["id"])
        for n in notes
    ] == [("loop", "symlink-loop"), ("main.tex", "citation"), ("main.tex", "citation")]
    assert ("refs.bib", "CM001") in by_line


def test_sarif_selected_rules_only(capsys, paper):
    log = json.loads(cli(capsys, "scan", "-f", "sarif", "--select", "CM4")[1])
    check_sarif(log)
    rules = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
    assert rules == ["CM001", "CM401", "CM402", "CM403"]  # CM001 runs whatever --select says


def test_sarif_without_findings(capsys, tmp_path):
    code, out, _ = cli(capsys, "scan", "-f", "sarif", str(tree(tmp_path, {"a.md": "x"})))
    log = json.loads(out)
    check_sarif(log)
    assert code == 0 and log["runs"][0]["results"] == []


def check_sarif(log: dict) -> None:
    """SARIF 2.1.0 as GitHub code scanning requires it (docs.github.com, "SARIF support for
    code scanning"), and the constraints the OASIS schema sets on the properties used here."""
    assert log["version"] == "2.1.0"
    assert log["$schema"].startswith("https://") and log["$schema"].endswith(
        "sarif-schema-2.1.0.json"
    )
    assert set(log) <= {"$schema", "version", "runs", "inlineExternalProperties", "properties"}
    assert isinstance(log["runs"], list) and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert isinstance(driver["name"], str) and driver["name"]
    assert re.fullmatch(r"https://[^\s]+/", driver["informationUri"])
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"CM\d{3}", i) for i in ids)
    for rule in driver["rules"]:
        for key in ("shortDescription", "fullDescription", "help"):
            assert isinstance(rule[key]["text"], str) and rule[key]["text"]
        assert rule["defaultConfiguration"]["level"] in ("none", "note", "warning", "error")
        assert re.fullmatch(r"https://[^\s]+/rules/CM\d{3}/", rule["helpUri"])
    assert run["columnKind"] in ("utf16CodeUnits", "unicodeCodePoints")
    assert isinstance(run["results"], list)
    for result in run["results"]:
        assert result["ruleId"] in ids and ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("none", "note", "warning", "error")
        assert isinstance(result["message"]["text"], str) and result["message"]["text"]
        [location] = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri and "\\" not in uri and not uri.startswith("/") and "://" not in uri
        assert not re.search(r"\s", uri)  # a uri-reference: spaces would be percent-encoded
        region = physical["region"]
        assert isinstance(region["startLine"], int) and region["startLine"] >= 1
        assert isinstance(region["startColumn"], int) and region["startColumn"] >= 1
    for invocation in run.get("invocations", []):
        assert isinstance(invocation["executionSuccessful"], bool)
        for n in invocation.get("toolExecutionNotifications", []):
            assert n["level"] in ("none", "note", "warning", "error") and n["message"]["text"]


# A broken data/ ---------------------------------------------------------------------------------


def test_broken_data_is_one_line(capsys, tmp_path, monkeypatch):
    broken = tmp_path / "data"
    shutil.copytree(DATA, broken)
    path = broken / DB.name / "citation.yaml"
    path.write_text(path.read_text().replace("year: 2023", "year: twenty"))
    monkeypatch.setenv("CASME3_DATA_DIR", str(broken))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for argv in (["subject", "131"], ["terms"], ["scan", str(FIXTURE)], ["cite"]):
        code, out, err = cli(capsys, *argv)
        assert (code, out) == (2, "")
        assert "citation.yaml" in one_line_error(err)


# As a real program: no traceback, the same exit codes --------------------------------------------


def program(*argv: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CASME3), *argv]
        if CASME3.exists()
        else [sys.executable, "-m", "casme3_compliance", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **env},
        timeout=120,
    )


def test_program_exit_codes(paper):
    cases = [
        (["subject", "131"], 1),
        (["subject", "spNO.21"], 0),
        (["subject", "nope"], 2),
        (["terms", "3.5"], 0),
        (["terms", "0.0"], 2),
        (["scan"], 1),
        (["scan", "no/such/path"], 2),
        (["scan", "--select", "CM099"], 2),
        (["checklist", "--format", "pdf"], 2),
        (["--version"], 0),
        (["--help"], 0),
        ([], 2),
    ]
    for argv, code in cases:
        done = program(*argv, cwd=paper)
        assert done.returncode == code, (argv, done.stderr)
        assert "Traceback" not in done.stderr, argv
    assert program("--version").stdout == f"casme3 {c3.__version__}\n"


def test_program_as_module(paper):
    done = subprocess.run(
        [sys.executable, "-m", "casme3_compliance", "scan", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=paper,
    )
    assert done.returncode == 1 and len(json.loads(done.stdout)["findings"]) == 13


def test_program_broken_data(tmp_path):
    broken = tmp_path / "data"
    shutil.copytree(DATA, broken)
    (broken / "rules.yaml").write_text("rules: [\n")
    done = program("subject", "131", CASME3_DATA_DIR=str(broken), XDG_CACHE_HOME=str(tmp_path))
    assert done.returncode == 2 and done.stdout == ""
    assert "rules.yaml" in one_line_error(done.stderr)


def test_program_closed_pipe(paper):
    done = subprocess.run(
        f"'{CASME3}' terms | head -n 1", shell=True, capture_output=True, text=True, cwd=paper
    )
    assert done.stdout.startswith("License Agreement") and "Traceback" not in done.stderr


def test_program_plain_ascii_terminal(paper):
    done = program("subject", "C27", PYTHONIOENCODING="ascii", LC_ALL="C")
    assert (
        done.returncode == 0
        and "Traceback" not in done.stderr
        and "Part C subject 27" in done.stdout
    )


# The parser accepts exactly the grammar's references (hypothesis, against an oracle) -------------

_WS = " \t"
_SEPS = _WS + "._-"


def _skip(s: str, i: int, chars: str) -> int:
    while i < len(s) and s[i] in chars:
        i += 1
    return i


def _number(s: str, i: int) -> int | None:
    rest = s[i:]
    if not rest or not all(ch in "0123456789" for ch in rest):
        return None
    significant = rest.lstrip("0") or "0"  # leading zeros are not digits of the number
    return int(significant) if len(significant) <= 6 else None


def oracle(text: str, kb) -> tuple[str, int] | None:
    """The reference grammar, written out by hand (no regex), for an ASCII alphabet:
    Part C  = ["part" sep*] "c" sep* ["sub" ["ject"] sep*] digits;
    Parts A/B = ["sp" ws* "no" sep*] digits;
    any case, surrounding white space ignored, leading zeros, then 1-6 digits, inside the
    part's range."""
    s = text.strip(_WS).lower()
    found = None
    i = _skip(s, 4, _SEPS) if s.startswith("part") else 0
    if s[i : i + 1] == "c":
        j = _skip(s, i + 1, _SEPS)
        n = _number(s, j)
        for word in ("subject", "sub"):
            if n is None and s.startswith(word, j):
                n = _number(s, _skip(s, j + len(word), _SEPS))
        found = ("C", n) if n is not None else None
    if found is None:
        i = 0
        if s.startswith("sp"):
            j = _skip(s, 2, _WS)
            if s[j : j + 2] == "no":
                i = _skip(s, j + 2, _SEPS)
        n = _number(s, i)
        found = ("AB", n) if n is not None else None
    if found is None:
        return None
    part = kb.subjects.part(found[0])
    return found if part.min <= found[1] <= part.max else None


_sep = st.text(alphabet=_SEPS, max_size=3)
_digits = st.one_of(
    st.text(alphabet="0123456789", max_size=8),
    st.tuples(st.text(alphabet="0", max_size=12), st.text(alphabet="0123456789", max_size=8)).map(
        "".join
    ),
)
_pad = st.sampled_from(["", " ", "\t ", "  "])
_ab = st.tuples(
    _pad,
    st.sampled_from(["", "sp", "SP", "Sp", "s"]),
    st.sampled_from(["", " ", "\t", "."]),
    st.sampled_from(["", "no", "NO", "No", "n"]),
    _sep,
    _digits,
    _pad,
).map("".join)
_c = st.tuples(
    _pad,
    st.sampled_from(["", "part", "Part", "PART", "par"]),
    _sep,
    st.sampled_from(["c", "C", "", "b", "cc"]),
    _sep,
    st.sampled_from(["", "subject", "Subject", "sub", "SUB", "subj", "s"]),
    _sep,
    _digits,
    _pad,
).map("".join)
_noise = st.text(alphabet="spnoartcubjeSPNOARTCUBJEbd0123456789" + _SEPS, max_size=16)


# A fuzz target with a fixed budget: the same examples on every run, so CI is reproducible.
@settings(max_examples=1500, deadline=None, derandomize=True)
@given(text=st.one_of(_ab, _c, _noise))
def test_parser_accepts_exactly_the_grammar(text):
    kb = c3.load(DATA)
    expected = oracle(text, kb)
    try:
        ref = c3.parse_ref(text, kb)
        got = (ref.part, ref.number)
    except c3.RefError:
        got = None
    assert got == expected


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(_ab, _c))
def test_subject_command_follows_the_grammar(text, capsys):
    kb = c3.load(DATA)
    expected = oracle(text, kb)
    code = main(["subject", "--", text])
    capsys.readouterr()
    if expected is None:
        assert code == 2
    else:
        restricted = kb.subjects.part(expected[0]).is_restricted(expected[1])
        assert code == (1 if restricted else 0)


# The user page and the pre-commit hooks ----------------------------------------------------------

PAGE = ROOT / "docs" / "usage" / "cli.md"


def test_page_is_safe_for_the_macros_plugin():
    text = PAGE.read_text("utf-8")
    for marker in ("{{", "}}", "{%", "{#"):
        assert marker not in text, marker


def test_page_examples_are_valid_commands():
    from casme3_compliance.cli import _parser

    text = PAGE.read_text("utf-8")
    examples = re.findall(r"^\$ (casme3 .*?)(?:\s+#.*)?$", text, flags=re.M)
    # Every command of the parser has an example on the page, and no example another command.
    commands = next(a for a in _parser()._actions if a.dest == "command").choices
    assert {e.split()[1] for e in examples if not e.startswith("casme3 --")} == set(commands)
    for example in examples:
        args = example.split()[1:]
        if args == ["--version"]:
            continue
        parsed = _parser().parse_args(args)
        assert parsed.run is not None, example
    # The documented output of `subject` is the real one.
    for ref in ("spNO.131", "21"):
        message = c3.verdict(ref, c3.load(DATA)).message
        assert message in text


def test_page_yaml_blocks_parse_and_the_workflow_uploads_sarif():
    import yaml

    text = PAGE.read_text("utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, flags=re.S)]
    workflow = next(b for b in blocks if isinstance(b, dict) and "jobs" in b)
    steps = workflow["jobs"]["casme3"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert "casme3 scan --format sarif -o casme3.sarif" in runs
    upload = next(
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    )
    assert upload["with"]["sarif_file"] == "casme3.sarif"
    assert workflow["permissions"]["security-events"] == "write"


def test_no_example_holds_a_placeholder_that_would_fail():
    """What a reader copies works from this repository as it is: no OWNER, no package index
    the project is not on, no `<this project's URL>` to fill in."""
    for path in (PAGE, ROOT / "README.md"):
        text = path.read_text("utf-8")
        for bad in ("OWNER", "once published", "<this project", "pip install casme3-compliance"):
            assert bad not in text, (path.name, bad)
    blocks = re.findall(r"```yaml\n(.*?)```", PAGE.read_text(), re.S)
    workflow = next(b for b in blocks if "jobs:" in b)
    assert "pip install ./tools/casme3-compliance" in workflow


def test_the_pre_commit_example_stops_a_commit_with_findings(kb, tmp_path):
    """The page's `repo: local` hook, run by pre-commit itself on a real repository."""
    import yaml

    pre_commit = shutil.which("pre-commit", path=os.path.dirname(sys.executable))
    assert pre_commit, "pre-commit is a test dependency (pyproject.toml)"
    block = next(
        b for b in re.findall(r"```yaml\n(.*?)```", PAGE.read_text(), re.S) if "repos:" in b
    )
    assert yaml.safe_load(block)["repos"][0]["repo"] == "local"
    repo = tmp_path / "paper"
    repo.mkdir()
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "cache")
    for args in (["init", "-q"], ["config", "user.email", "t@example.org"]):
        subprocess.run(["git", *args], cwd=repo, check=True)
    (repo / ".pre-commit-config.yaml").write_text(block)
    n = kb.subjects.part("AB").restricted()[0]
    (repo / "notes.md").write_text(f"Figure 2 shows spNO.{n}.\n")
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    run = [pre_commit, "run", "--all-files"]
    stopped = subprocess.run(run, cwd=repo, env=env, capture_output=True, text=True)
    assert stopped.returncode == 1 and "CM301" in stopped.stdout, stopped.stdout + stopped.stderr
    (repo / "notes.md").write_text("Figure 2 shows a drawing.\n")
    passed = subprocess.run(run, cwd=repo, env=env, capture_output=True, text=True)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_pre_commit_hooks():
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"casme3-scan", "casme3-scan-files"}
    for hook in hooks.values():
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python" and hook["entry"].split()[0] == "casme3"
    assert hooks["casme3-scan"]["pass_filenames"] is False and hooks["casme3-scan"]["always_run"]
    assert hooks["casme3-scan-files"]["pass_filenames"] is True
    # The entry is a real command of the console script pyproject.toml declares.
    assert 'casme3 = "casme3_compliance.cli:main"' in (ROOT / "pyproject.toml").read_text()


@pytest.mark.parametrize(
    "argv",
    [
        ["subject", "131"],
        ["subject", "C27", "--json"],
        ["subject", "--json", "spNO.21"],
        ["subject", "Part", "C", "subject", "27"],
    ],
)
def test_quick_subject_path_answers_as_argparse_does(argv, capsys):
    from casme3_compliance import cli

    quick = cli._quick_subject(argv)
    assert quick is not None
    code = quick.run(quick)
    first = capsys.readouterr()
    args = cli._parser().parse_args(argv)
    assert args.run(args) == code
    assert capsys.readouterr() == first


def _another_database() -> tuple[str, str]:
    """A database other than the default with a grammar of its own, and its first subject."""
    family = c3.load_family(DATA)
    for db in family.databases:
        if db.id != family.default and db.subjects is not None:
            for n in range(1, 10_000):
                try:
                    c3.verdict(str(n), db)
                except c3.RefError:
                    continue
                return db.id, str(n)
    raise AssertionError("no other database with subjects")


@pytest.mark.parametrize(
    "form",
    [["--db", "{db}", "{n}"], ["{n}", "--db={db}", "--json"], ["--json", "--db", "{db}", "{n}"]],
)
def test_quick_subject_path_answers_for_another_database(form, capsys):
    from casme3_compliance import cli

    db, n = _another_database()
    argv = ["subject", *(w.format(db=db, n=n) for w in form)]
    quick = cli._quick_subject(argv)
    assert quick is not None and quick.db == db
    code = quick.run(quick)
    first = capsys.readouterr()
    assert db in first.out or n in first.out
    args = cli._parser().parse_args(argv)
    assert args.run(args) == code
    assert capsys.readouterr() == first


@pytest.mark.parametrize(
    "argv",
    [
        ["subject"],
        ["subject", "-h"],
        ["subject", "1", "-x"],
        ["subject", "1", "--jsn"],
        ["subject", "1", "--json", "2"],  # argparse: unrecognized arguments: 2
        ["subject", "--json", "--json", "1"],
        ["subject", "--db", "a", "--db", "b", "1"],
        ["subject", "--db", "--json", "1"],
    ],
)
def test_anything_else_goes_to_argparse(argv):
    from casme3_compliance import cli

    assert cli._quick_subject(argv) is None


_WORDS = ["subject", "1", "C27", "Part", "--json", "--db", "--db=casme2", "casme2", "-x", "--", ""]


@settings(max_examples=600, deadline=None, derandomize=True)
@given(words=st.lists(st.sampled_from(_WORDS), max_size=6))
def test_the_quick_path_reads_a_command_line_as_argparse_or_leaves_it(words):
    """What the quick path takes, argparse takes the same way: the references, --db, --json."""
    from casme3_compliance import cli

    argv = ["subject", *words]
    quick = cli._quick_subject(argv)
    if quick is None:
        return
    args = cli._parser().parse_args(argv)
    assert (quick.ref, quick.db, quick.json) == (args.ref, args.db, args.json)


@settings(max_examples=800, deadline=None, derandomize=True)
@given(text=_ab)
def test_the_scanner_and_the_subject_command_read_a_reference_alike(text):
    """One grammar, one answer: a reference the scanner reads as spNO.<n> is what `casme3
    subject` answers for (`spNO.000000131` is 131 to both)."""
    import re

    kb = c3.load(DATA)
    form = next(f["text"] for f in kb.scan["subjects"] if f.get("part") == "AB" and "text" in f)
    m = re.compile(form.encode()).fullmatch(text.strip(_WS).lower().encode())
    if m is None:
        return
    n = int(m.group(1))
    ab = kb.subjects.part("AB")
    if ab.min <= n <= ab.max:
        assert c3.parse_ref(text, kb) == c3.SubjectRef("AB", n)
    else:
        with pytest.raises(c3.RefError):
            c3.parse_ref(text, kb)


# The family: --db, databases, --from, one bibliography, one merged checklist ---------------------


@pytest.fixture
def family_dir(tmp_path, monkeypatch):
    """The project's data with two synthetic databases, as the CLI reads it."""
    from family_support import with_synthetic

    data = with_synthetic(tmp_path)
    monkeypatch.setenv("CASME3_DATA_DIR", str(data))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return data


def test_databases_lists_every_database_and_what_is_known(capsys, family_dir):
    from family_support import PRIVATE, SYNTHETIC

    family = c3.load_family(family_dir, cache=False)
    code, out, _ = cli(capsys, "databases")
    assert code == 0
    for db in family.databases:
        assert f"{db.id}{' (default)' if db.id == family.default else ''}: {db.name}" in out
    code, out, _ = cli(capsys, "databases", "--json")
    doc = json.loads(out)
    assert [d["id"] for d in doc["databases"]] == list(family.ids)
    by_id = {d["id"]: d for d in doc["databases"]}
    assert by_id[SYNTHETIC]["agreement"] == "public" and "provenance" in by_id[SYNTHETIC]
    assert by_id[PRIVATE]["agreement"] == "not-public" and by_id[PRIVATE]["ask"]
    assert "unknown" in by_id[PRIVATE]["subjects"]


def test_subject_answers_for_any_database_with_its_exit_status(capsys, family_dir):
    from family_support import PRIVATE, SYNTHETIC

    family = c3.load_family(family_dir, cache=False)
    part = family.db(SYNTHETIC).subjects.parts[0]
    restricted, allowed = part.list[0], next(n for n in range(1, 99) if n not in part.list)
    code, out, _ = cli(capsys, "subject", "--db", SYNTHETIC, f"z{restricted}")
    assert code == 1 and out.startswith("restricted: ") and part.name_of(restricted) in out
    code, out, _ = cli(capsys, "subject", "--db", SYNTHETIC, "--json", f"z{allowed}")
    assert code == 0 and json.loads(out)["database"] == SYNTHETIC
    assert json.loads(out)["verdict"] == "allowed"
    code, out, _ = cli(capsys, "subject", "--db", PRIVATE, "6")
    assert code == 3 and out.startswith("unknown: ") and "not public" in out
    code, _, err = cli(capsys, "subject", "--db", "nosuch", "1")
    assert code == 2 and "unknown database 'nosuch'" in one_line_error(err)
    code, _, err = cli(capsys, "subject", "--db", SYNTHETIC, "spNO.131")
    assert code == 2 and "of ZMED" in one_line_error(err)


def test_subject_from_a_list_or_a_composite_label_file(capsys, family_dir, tmp_path):
    """Every row is answered; the rows that may not appear are shown; a database whose
    agreement is not public, or that is not known, is `unknown`, never allowed."""
    from family_support import PRIVATE, SYNTHETIC

    family = c3.load_family(family_dir, cache=False)
    default = family.db()
    ab = default.subjects.parts[0]
    n = ab.list[0]
    free = next(x for x in ab.numbers() if not ab.is_restricted(x))
    rows = [
        "dataset,subject,filename,label",  # a header
        f"{SYNTHETIC},z03,clip_1,0",
        f"{SYNTHETIC},z05,clip_2,1",
        ",,,",
        f"{PRIVATE},6,006_1_2,0",
        "4dme,s01,x,0",
        f"{default.id}:{ab.name_of(n)}",
        f"spNO.{free}",
        "not a subject",
    ]
    listing = tmp_path / "labels.csv"
    listing.write_text("\n".join(rows) + "\n")
    code, out, _ = cli(capsys, "subject", "--from", str(listing))
    assert code == 1  # a restricted row: the answer that matters first
    lines = out.splitlines()
    shown = {int(x.split(":")[1]) for x in lines[:-1]}
    assert shown == {2, 5, 6, 7, 9}  # not the allowed rows 3 and 8, nor the header or ",,,"
    assert lines[-1] == "7 rows: 2 allowed, 2 restricted, 1 invalid, 2 unknown."
    code, out, _ = cli(capsys, "subject", "--from", str(listing), "--json")
    doc = json.loads(out)
    assert [r["line"] for r in doc] == [2, 3, 5, 6, 7, 8, 9]
    assert {r["line"]: r["verdict"] for r in doc}[5] == "unknown"
    assert {r["line"]: r["database"] for r in doc}[7] == default.id
    # Standard input, and an exit status per worst answer.
    monkey_stdin = io.StringIO(f"{PRIVATE},7,x\n")
    import sys as _sys

    saved, _sys.stdin = _sys.stdin, monkey_stdin
    try:
        code, out, _ = cli(capsys, "subject", "--from", "-")
    finally:
        _sys.stdin = saved
    assert code == 3 and "standard input:1: unknown:" in out
    code, _, err = cli(capsys, "subject", "--from", str(tmp_path / "missing.csv"))
    assert code == 2 and "cannot read" in one_line_error(err)


def test_cite_several_databases_is_one_bibliography(capsys, family_dir):
    from family_support import SYNTHETIC

    family = c3.load_family(family_dir, cache=False)
    ids = [family.default, SYNTHETIC]
    code, out, _ = cli(capsys, "cite", "--db", ",".join(ids))
    library = bibtexparser.parse_string(out)
    assert code == 0 and [e.key for e in library.entries] == [
        family.db(i).citation.key for i in ids
    ]
    _, out, _ = cli(capsys, "cite", "--db", ",".join(ids), "--format", "csl-json")
    assert [item["id"] for item in json.loads(out)] == [family.db(i).citation.key for i in ids]
    code, _, err = cli(capsys, "cite", "--db", f"{SYNTHETIC},nosuch")
    assert code == 2 and "nosuch" in one_line_error(err)


def test_checklist_of_several_databases_is_one_merged_list(capsys, family_dir):
    from family_support import PRIVATE, SYNTHETIC

    family = c3.load_family(family_dir, cache=False)
    code, out, _ = cli(capsys, "checklist", "--db", f"{family.default},{SYNTHETIC}")
    assert code == 0
    for db in (family.db(), family.db(SYNTHETIC)):
        for item in (i for c in db.checklists for i in c.items):
            assert f"[{db.name}] {item.text}" in out
    code, _, err = cli(capsys, "checklist", "--db", PRIVATE)
    assert code == 2 and "not public" in one_line_error(err)
    code, _, err = cli(capsys, "terms", "--db", PRIVATE)
    assert code == 2 and "not public" in one_line_error(err)
    code, out, _ = cli(capsys, "terms", "--db", SYNTHETIC, "1.2")
    assert code == 0 and family.db(SYNTHETIC).agreement.clause("1.2").text in out


# The language: --lang, the locale ---------------------------------------------------------------


@pytest.mark.parametrize(
    "argv", [["subject", "131"], ["checklist"], ["terms", "3.5"], ["databases"], ["cite"]]
)
def test_lang_en_and_an_english_locale_are_the_default_output(argv, capsys, monkeypatch):
    default = cli(capsys, *argv)
    assert cli(capsys, "--lang", "en", *argv) == default
    assert cli(capsys, argv[0], "--lang=en", *argv[1:]) == default
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert cli(capsys, *argv) == default


def test_every_command_takes_lang_and_says_which_languages(capsys):
    shipped = ", ".join(x["code"] for x in c3.load_family().shipped)
    for argv in (["--help"], *[[n, "--help"] for n in ("subject", "cite", "checklist", "terms")]):
        out = cli(capsys, *argv)[1]
        assert "--lang LANG" in out and shipped in " ".join(out.split())


@pytest.mark.parametrize("asked", ["xx", "english", "zh-Hant", ""])
def test_an_unknown_language_is_one_line_exit_2(asked, capsys):
    code, out, err = cli(capsys, "subject", "--lang", asked, "131")
    line = one_line_error(err)
    assert (code, out) == (2, "") and f"unknown language {asked!r}" in line


def test_a_locale_we_do_not_ship_is_english_without_complaint(capsys, monkeypatch):
    monkeypatch.setenv("LANG", "tlh_KL.UTF-8")
    code, out, err = cli(capsys, "subject", "131")
    assert (code, err) == (1, "") and out.startswith("restricted: ")
