"""The scanner's plumbing: which files, what it survives, streaming, codes, the .bib reader."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import tracemalloc

import bibtexparser
import pytest
from conftest import DB
from test_scan_support import FAKE, codes, rel, run, tree

from casme3_compliance.scan import ScanError, resolve_codes, scan
from casme3_compliance.scan import text as T

HAS_GIT = shutil.which("git") is not None


def git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    if not HAS_GIT:
        pytest.fail("git is needed by these tests (apt-get install git)")
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.email", "t@example.org")
    git(tmp_path, "config", "user.name", "t")
    return tmp_path


# Which files -----------------------------------------------------------------------------------


def test_in_git_only_what_would_be_published(kb, repo):
    tree(
        repo,
        {
            ".gitignore": "data/\n",
            "data/part_A/spNO.1/a/color/0001.jpg": FAKE,  # ignored: stays local
            "tracked.txt": "spNO.131\n",
            "untracked.md": "spNO.135\n",  # not ignored: git add . would publish it
        },
    )
    git(repo, "add", "tracked.txt", ".gitignore")
    published = scan([str(repo)], kb)
    assert sorted(rel(repo, f) for f in published.findings) == ["tracked.txt", "untracked.md"]
    everything = scan([str(repo)], kb, all_files=True)
    assert "data/part_A/" in {rel(repo, f) for f in everything.findings}


def test_an_ignored_folder_is_an_error_not_a_clean_scan(kb, repo):
    tree(repo, {".gitignore": "data/\n", "data/part_A/spNO.1/a/color/0001.jpg": FAKE})
    message = "data: git would publish nothing here (ignored?): --all scans every file"
    with pytest.raises(ScanError, match=re.escape(message)):
        scan([str(repo / "data")], kb)
    with pytest.raises(ScanError, match="data: git would publish nothing"):
        scan([str(repo), str(repo / "data")], kb)  # one wrong folder among others
    assert codes(scan([str(repo / "data")], kb, all_files=True)) == ["CM303"]


def test_git_folder_itself_is_never_scanned(kb, repo):
    tree(repo, {"a.txt": "spNO.131\n"})
    (repo / ".git" / "spNO.1.txt").write_text("spNO.131\n")
    assert [rel(repo, f) for f in run(repo, kb).findings] == ["a.txt"]


def test_outside_git_every_file_and_relative_paths(kb, tmp_path, monkeypatch):
    tree(tmp_path, {"a/b/c.txt": "spNO.131\n", ".hidden/d.md": "spNO.131\n"})
    monkeypatch.chdir(tmp_path)
    report = scan(["."], kb)
    assert [f.path for f in report.findings] == [".hidden/d.md", "a/b/c.txt"]
    assert report.files == 2


def test_files_given_one_by_one(kb, tmp_path, monkeypatch):
    tree(tmp_path, {"a.txt": "spNO.131\n", "b.txt": "spNO.131\n", "c.txt": "spNO.131\n"})
    monkeypatch.chdir(tmp_path)
    assert [f.path for f in scan(["b.txt", "./a.txt", "a.txt"], kb).findings] == ["a.txt", "b.txt"]


def test_the_scanned_folders_own_name_is_not_judged(kb, tmp_path, monkeypatch):
    root = tree(tmp_path / "spNO.131", {"a/b.txt": "x", "a/color/1.jpg": FAKE})
    assert run(root, kb).findings == []
    frames = tree(tmp_path / "part_C" / "sub12", {"spNO.1/a/color/1.jpg": FAKE})
    [f] = run(frames, kb).findings
    assert (f.code, f.path) == ("CM303", f"{frames}/")
    monkeypatch.chdir(frames)
    assert [f.path for f in scan(["."], kb).findings] == ["./"]
    # A file named on the command line: a relative path is judged whole, an absolute one by name.
    monkeypatch.chdir(tmp_path)
    assert codes(scan(["spNO.131/a/b.txt"], kb)) == ["CM301"]
    assert codes(scan([str(root / "a" / "b.txt")], kb)) == []


def test_missing_path_is_a_scan_error(kb, tmp_path):
    with pytest.raises(ScanError, match="no-such: no such file"):
        scan([str(tmp_path / "no-such")], kb)


def test_changed_file_is_checked_against_the_rest_of_its_repository(kb, repo, monkeypatch):
    """A pre-commit hook passes only changed files: the .bib and \\cite may be elsewhere."""
    from casme3_compliance.render import citation

    tree(
        repo,
        {
            "main.tex": "CAS(ME)$^3$ \\cite{li2023casme3}\n",
            "chapter.tex": "More on CAS(ME)$^3$.\n",
            "refs.bib": citation.render(kb.citation, "bibtex"),
        },
    )
    git(repo, "add", ".")
    monkeypatch.chdir(repo)
    assert codes(scan(["chapter.tex"], kb)) == []
    (repo / "main.tex").write_text("CAS(ME)$^3$\n")
    [f] = scan(["chapter.tex"], kb).findings
    assert (f.path, f.code) == ("chapter.tex", "CM401") and "never cited" in f.message


# What it survives ------------------------------------------------------------------------------


def test_symlink_loop_is_a_note(kb, tmp_path):
    os.symlink("loop-b", tmp_path / "loop-a")
    os.symlink("loop-a", tmp_path / "loop-b")
    os.symlink("spNO.131", tmp_path / "spNO.131")  # a loop onto itself, with a telling name
    os.symlink(".", tmp_path / "again")  # a folder loop: never followed
    report = run(tmp_path, kb)
    loops = sorted(rel(tmp_path, n) for n in report.notes if n.kind == "symlink-loop")
    assert loops == ["loop-a", "loop-b", "spNO.131"]
    assert [(f.code, rel(tmp_path, f)) for f in report.findings] == [("CM301", "spNO.131")]


def test_fifo_is_not_read(kb, tmp_path):
    os.mkfifo(tmp_path / "spNO.131.tex")  # opening it would block forever
    report = run(tmp_path, kb)
    assert [n.kind for n in report.notes] == ["not-regular"]
    assert codes(report) == ["CM301"]


def test_unreadable_file_is_not_checked(kb, tmp_path, monkeypatch):
    # Tests run as root, for whom chmod 000 changes nothing: make opening refuse one file.
    tree(tmp_path, {"secret/spNO.131.tex": "spNO.135\n", "open.tex": "spNO.135\n"})
    real_open = T._open

    def refusing_open(path):
        if str(path).endswith("spNO.131.tex"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path)

    monkeypatch.setattr(T, "_open", refusing_open)
    report = run(tmp_path, kb)
    assert report.notes == []
    # Its name is still checked; its text is not (a CM001 finding says so); other files are.
    assert sorted((rel(tmp_path, f), f.line, f.code) for f in report.findings) == [
        ("open.tex", 1, "CM301"),
        ("secret/spNO.131.tex", 1, "CM001"),
        ("secret/spNO.131.tex", 1, "CM301"),
    ]


def test_a_folder_that_cannot_be_listed_is_an_error(kb, tmp_path, monkeypatch):
    tree(tmp_path, {"a/x.txt": "spNO.131\n"})
    real_scandir = os.scandir

    def refusing(path="."):
        if str(path).endswith("/a"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    with pytest.raises(
        ScanError, match=r"/a: nothing to scan \(cannot read the folder: Permission denied\)"
    ):
        scan([str(tmp_path / "a")], kb, all_files=True)


def test_unreadable_folder_is_not_checked(kb, tmp_path, monkeypatch):
    tree(tmp_path, {"a/x.txt": "spNO.131\n", "b/y.txt": "spNO.131\n"})
    real_scandir = os.scandir

    def refusing(path="."):
        if str(path).endswith("/a"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    report = run(tmp_path, kb)
    assert report.notes == []
    assert [(rel(tmp_path, f), f.code) for f in report.findings] == [
        ("a/", "CM001"),
        ("b/y.txt", "CM301"),
    ]


def test_invalid_utf8_is_a_note_and_still_checked(kb, tmp_path):
    tree(tmp_path, {"bad.tex": b"caf\xe9 \xff\xfe\nsee spNO.131\n", "ok.md": "café spNO.131\n"})
    report = run(tmp_path, kb)
    assert [(rel(tmp_path, n), n.kind) for n in report.notes] == [("bad.tex", "not-utf8")]
    assert "byte 3" in report.notes[0].message
    assert [(rel(tmp_path, f), f.line, f.column) for f in report.findings] == [
        ("bad.tex", 2, 5),
        ("ok.md", 1, 6),
    ]


def test_binary_files_are_checked_by_name_only(kb, tmp_path):
    tree(tmp_path, {"fig.png": b"\x89PNG spNO.131 CASME3", "spNO.135.pdf": b"%PDF spNO.131"})
    assert [(f.code, rel(tmp_path, f)) for f in run(tmp_path, kb).findings] == [
        ("CM301", "spNO.135.pdf")
    ]


def test_empty_files_and_empty_tree(kb, tmp_path):
    with pytest.raises(ScanError, match=r": nothing to scan \(no files here\)$"):
        run(tmp_path, kb)
    (tmp_path / "only" / "folders").mkdir(parents=True)
    with pytest.raises(ScanError, match="nothing to scan"):
        run(tmp_path, kb)
    tree(tmp_path, {"a.tex": "", "b.bib": "", "c.md": b"\n\n"})
    report = run(tmp_path, kb)
    assert (report.findings, report.notes, report.files) == ([], [], 3)


# Streaming -------------------------------------------------------------------------------------


def _big_text(lines: int) -> str:
    out = []
    for i in range(lines):
        if i % 997 == 0:
            out.append(f"line {i} é spNO.131 and CASME3 and Part C subject 12\n")
        else:
            out.append(f"line {i} {'ü' * (i % 7)} nothing to see here, just filler text\n")
    return "".join(out)


def test_small_chunks_find_the_same_as_one_read(kb, tmp_path, monkeypatch):
    tree(tmp_path, {"big.tex": _big_text(20_000)})
    whole = run(tmp_path, kb, ignore="CM401").findings
    assert len(whole) == 3 * 21  # lines 0, 997, ... 19940
    for chunk in (T.CHUNK, 5_000, 4_099, 1_000):
        monkeypatch.setattr(T, "CHUNK", chunk)
        assert run(tmp_path, kb, ignore="CM401").findings == whole, chunk


def test_a_match_across_a_chunk_boundary(kb, tmp_path, monkeypatch):
    monkeypatch.setattr(T, "CHUNK", 5_000)
    for at in range(5_000 - 12, 5_000 + 2):
        text = "ä" * 3 + "x" * (at - 6) + " spNO.131 y\n"
        tree(tmp_path, {"b.txt": text.encode()})
        [f] = run(tmp_path, kb).findings
        assert (f.line, f.column) == (1, 3 + at - 6 + 2), at


def test_memory_stays_bounded_on_a_huge_file(kb, tmp_path, monkeypatch):
    monkeypatch.setattr(T, "CHUNK", 1 << 20)
    monkeypatch.setattr(T, "LARGE", 8 << 20)
    path = tmp_path / "huge.txt"
    with path.open("w") as f:
        for i in range(24):
            f.write(("filler " * 149 + "\n") * 1000)
            f.write(f"spNO.{131 if i % 2 else 21}\n")
    size = path.stat().st_size
    assert size > 20 << 20
    tracemalloc.start()
    report = run(tmp_path, kb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(report.findings) == 12
    assert [n.kind for n in report.notes] == ["large-file"]
    assert peak < 8 << 20, f"peak {peak >> 20} MiB while reading {size >> 20} MiB"


# Rule selection ---------------------------------------------------------------------------------


def test_select_and_ignore(kb):
    every = tuple(r.code for r in kb.rules)
    assert every[:4] == ("CM001", "CM301", "CM302", "CM303")
    assert resolve_codes(kb, None, None) == every
    third = tuple(c for c in every if c.startswith("CM3"))
    fourth = tuple(c for c in every if c.startswith("CM4"))
    # CM001 (not checked) runs whatever --select says; only --ignore turns it off.
    assert resolve_codes(kb, "cm3", "CM303") == ("CM001", *(c for c in third if c != "CM303"))
    assert resolve_codes(kb, "CM401, CM402,", None) == ("CM001", "CM401", "CM402")
    assert resolve_codes(kb, None, "CM4") == ("CM001", *third)
    assert resolve_codes(kb, "CM4", None) == ("CM001", *fourth)
    assert resolve_codes(kb, None, "CM0") == every[1:]
    assert resolve_codes(kb, "CM001", None) == ("CM001",)
    for bad in ("CM999", "XX", "CM3O1"):
        with pytest.raises(ScanError, match=f"unknown rule code '{bad}' in --select"):
            resolve_codes(kb, bad, None)
    with pytest.raises(ScanError, match="in --ignore"):
        resolve_codes(kb, None, "nope")


# The .bib reader, against bibtexparser's own resolution --------------------------------------


def test_bib_reader_agrees_with_bibtexparser(kb):
    """Our reading of raw values (macros, quotes, braces) finds the entries bibtexparser's
    default middlewares would: the paper's DOI written every way a .bib writes it."""
    from casme3_compliance.render import citation
    from casme3_compliance.scan import bib

    doi = kb.citation.doi
    biblatex = citation.render(kb.citation, "biblatex").replace(kb.citation.key, "second")
    entries = [citation.render(kb.citation, "bibtex"), biblatex]
    entries += [
        "@article{plain, title = {Other}, doi = {10.1000/182}}",
        f'@Book{{ Caps:2020 ,\n  DOI = "{doi.lower()}",\n  title={{x}}}}',
        f"@comment{{not an entry, doi = {{{doi}}}}}",
        f"@string{{thedoi = {{https://doi.org/{doi}}}}}",
        "@misc{bymacro, doi = thedoi}",
        f"@misc(paren, doi = {{doi:{doi.upper()}}})",
        "@misc{nodoi, note = {10.1109/TPAMI.2022.3174895 in a note is not its DOI}}",
    ]
    text = "\n\n".join(entries) + "\n"
    paper = bib.Paper.of(doi, kb.citation.title)
    ours = [e.key for e in bib.read_bib(text, (paper,)).papers]
    library = bibtexparser.parse_string(text)
    theirs = [
        e.key
        for e in library.entries
        if bib.normalise_doi(
            next((f.value for f in e.fields if f.key.lower() == "doi"), "")  # names ignore case
        )
        == paper.doi
    ]
    assert ours == theirs == ["li2023casme3", "second", "Caps:2020", "bymacro", "paren"]
    assert library.failed_blocks == [] and bib.read_bib(text, (paper,)).failed == []


def test_file_names_that_are_not_utf8(kb, tmp_path, capsys):
    """Linux names are bytes: reports show them escaped, SARIF percent-encodes their bytes."""
    from casme3_compliance.cli import main

    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, b"caf\xe9 spNO.131.txt"), "wb") as f:
        f.write(b"\xff spNO.135\n")
    for fmt in ("text", "lines", "json", "sarif"):
        assert main(["scan", "-f", fmt, str(tmp_path)]) == 1
        out = capsys.readouterr().out
        out.encode("utf-8")  # no lone surrogates: the output is valid UTF-8
        if fmt == "sarif":
            uris = {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in json.loads(out)["runs"][0]["results"]
            }
            assert {u.rsplit("/", 1)[1] for u in uris} == {"caf%E9%20spNO.131.txt"}
        elif fmt == "json":
            paths = {f["path"] for f in json.loads(out)["findings"]}
            assert {p.rsplit("/", 1)[1] for p in paths} == {"caf\\xe9 spNO.131.txt"}
        else:
            assert "caf\\xe9 spNO.131.txt" in out


def test_the_agreements_own_text_is_known_and_a_changed_copy_is_not(kb, tmp_path):
    """The LA lists its restricted subjects: its own stored text (known by size and SHA-256)
    is not a figure. A copy with one byte changed is any other file, and is scanned."""
    p = kb.agreement.provenance
    for name in (p.text.file, p.pdf.extracted):
        (tmp_path / os.path.basename(name)).write_bytes((DB / name).read_bytes())
    changed = (DB / p.text.file).read_bytes().replace(b"Warranty", b"Warranties")
    (tmp_path / "edited.txt").write_bytes(changed)
    report = scan([str(tmp_path)], kb, select="CM301")
    assert {rel(tmp_path, f) for f in report.findings} == {"edited.txt"}
    assert sorted(rel(tmp_path, n) for n in report.notes if n.kind == "agreement") == sorted(
        os.path.basename(n) for n in (p.text.file, p.pdf.extracted)
    )


def test_an_identifier_holding_the_name_is_not_a_misspelt_name(kb, tmp_path):
    tree(tmp_path, {"README.md": "Set `CASME3_SITE_URL` to build for another address.\n"})
    assert scan([str(tmp_path)], kb, select="CM402").findings == []
    tree(tmp_path, {"README.md": "Results on CASME3, CASME_3 and CASME-3.\n"})
    assert len(scan([str(tmp_path)], kb, select="CM402").findings) == 3
