"""The scanner fails closed: it never hangs, never answers clean for what it could not look at.

No timed assertions: work is counted (bytes the scanner measures to place a match), memory is
measured with tracemalloc, and sizes are compared (a 10x input must not cost 100x).
"""

from __future__ import annotations

import codecs
import errno
import io
import json
import os
import re
import struct
import tarfile
import tracemalloc
import zipfile

import pytest
from test_cli import check_sarif, cli, one_line_error
from test_scan_support import FAKE, rel, run, tree

from casme3_compliance.render import citation
from casme3_compliance.scan import archives as A
from casme3_compliance.scan import engine as E
from casme3_compliance.scan import scan
from casme3_compliance.scan import text as T
from casme3_compliance.scan.findings import CAP, NOTE_KINDS


@pytest.fixture
def subject(kb) -> int:
    """A restricted Parts A/B subject, from the data."""
    return kb.subjects.part("AB").restricted()[0]


@pytest.fixture
def allowed(kb) -> int:
    """A Parts A/B subject the LA does not restrict, from the data."""
    part = kb.subjects.part("AB")
    return next(n for n in part.numbers() if not part.is_restricted(n))


@pytest.fixture
def part_c(kb) -> int:
    """A restricted Part C subject, from the data."""
    return kb.subjects.part("C").restricted()[0]


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


# 3. What could not be checked is a finding (CM001), not a note --------------------------------


def _not_checked(root, report) -> list[tuple[str, int, str]]:
    return [(rel(root, f), f.line, f.message) for f in report.findings if f.code == "CM001"]


def test_not_checked_is_a_rule_of_the_data(kb):
    rule = kb.rule("CM001")
    assert (rule.name, rule.severity, kb.clauses_for(rule)) == ("not-checked", "error", ())


def _refusing(monkeypatch, ending: str, error: OSError) -> None:
    real = T._open

    def refusing(fs: str):
        if fs.endswith(ending):
            raise error
        return real(fs)

    monkeypatch.setattr(T, "_open", refusing)


def test_an_unreadable_file_is_not_checked(subject, kb, tmp_path, monkeypatch):
    tree(tmp_path, {"secret.tex": "x\n", "open.tex": f"spNO.{subject}\n"})
    _refusing(monkeypatch, "secret.tex", PermissionError(errno.EACCES, "Permission denied"))
    report = run(tmp_path, kb)
    assert _not_checked(tmp_path, report) == [
        ("secret.tex", 1, "not checked: cannot read: Permission denied")
    ]
    assert [rel(tmp_path, f) for f in report.findings if f.code == "CM301"] == ["open.tex"]
    assert report.notes == []


def test_a_file_that_vanishes_or_fails_mid_read_is_not_checked(kb, tmp_path, monkeypatch):
    tree(tmp_path, {"gone.md": "x\n", "eio.txt": "y" * 10_000, "ok.txt": "z\n"})
    _refusing(monkeypatch, "gone.md", FileNotFoundError(errno.ENOENT, "No such file"))
    real = T._open

    class Failing(io.RawIOBase):
        def __init__(self):
            self.calls = 0

        def readable(self) -> bool:
            return True

        def readinto(self, b) -> int:
            self.calls += 1
            if self.calls > 1:
                raise OSError(errno.EIO, "Input/output error")
            b[:10] = b"y" * 10
            return 10

    monkeypatch.setattr(T, "CHUNK", 10)
    monkeypatch.setattr(
        T, "_open", lambda fs: io.BufferedReader(Failing()) if fs.endswith("eio.txt") else real(fs)
    )
    assert _not_checked(tmp_path, run(tmp_path, kb)) == [
        ("eio.txt", 1, "not checked: cannot read: Input/output error"),
        ("gone.md", 1, "not checked: vanished during the scan"),
    ]


def test_a_file_deleted_between_listing_and_reading(kb, tmp_path, monkeypatch):
    tree(tmp_path, {"a.tex": "x\n", "b.txt": "y\n"})
    real = E.collect

    def collect_then_delete(*args, **kwargs):
        out = real(*args, **kwargs)
        out.entries = list(out.entries)  # listed (a folder's entries are streamed)
        os.unlink(tmp_path / "a.tex")
        return out

    monkeypatch.setattr(E, "collect", collect_then_delete)
    assert _not_checked(tmp_path, run(tmp_path, kb)) == [
        ("a.tex", 1, "not checked: vanished during the scan")
    ]


def test_an_unreadable_folder_is_not_checked(subject, kb, tmp_path, monkeypatch):
    tree(tmp_path, {"a/x.txt": "x\n", "b/y.txt": f"spNO.{subject}\n"})
    real_scandir = os.scandir

    def refusing(path="."):
        if str(path).endswith("/a"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    report = run(tmp_path, kb)
    assert _not_checked(tmp_path, report) == [
        ("a/", 1, "not checked: cannot read the folder: Permission denied")
    ]
    assert report.notes == []


def test_a_path_longer_than_path_max_is_not_checked(subject, kb, tmp_path):
    """Made with a folder descriptor at each level, as no path string can reach it."""
    name = "d" * 250
    fd = os.open(tmp_path, os.O_RDONLY)
    depth = 0
    try:
        while depth * (len(name) + 1) < 4096 + 512:
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd, depth = inner, depth + 1
        with os.fdopen(os.open("x.txt", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as f:
            f.write(f"spNO.{subject}\n")
    finally:
        os.close(fd)
    (tmp_path / "top.txt").write_text("fine\n")
    [(path, _, message)] = _not_checked(tmp_path, run(tmp_path, kb))
    assert path.startswith(name + "/") and path.endswith("/")
    assert message == "not checked: cannot read the folder: File name too long"


def test_a_bibliography_too_large_is_not_checked(kb, tmp_path, monkeypatch):
    from casme3_compliance.scan import bib

    monkeypatch.setattr(bib, "MAX_BYTES", 1000)
    tree(tmp_path, {"refs.bib": "@misc{x, title = {Something}}\n" * 100})
    assert _not_checked(tmp_path, run(tmp_path, kb)) == [
        ("refs.bib", 1, "not checked: larger than 1,000 bytes: not read for the paper's entry")
    ]


def test_each_bib_block_that_fails_to_parse_is_not_checked(kb, tmp_path):
    bib = (
        "@misc{a, title = {A}}\n"
        "@misc{b, title = {B}\n\n"  # never closed
        "@misc{c, title = {C}}\n"
        "@misc{d title = {D}}\n"  # no comma after the key
        "@misc{e, title = {E}}\n"
    )
    tree(tmp_path, {"refs.bib": bib})
    found = _not_checked(tmp_path, run(tmp_path, kb))
    assert [(path, line) for path, line, _ in found] == [("refs.bib", 2), ("refs.bib", 5)]
    for _, _, message in found:
        assert message.startswith("not checked: this BibTeX block could not be parsed (")
        assert message.endswith("): an entry here is not taken as the paper's")


def test_not_checked_counts_in_every_format(capsys, kb, tmp_path, monkeypatch):
    tree(tmp_path, {"secret.md": "x\n"})
    _refusing(monkeypatch, "secret.md", PermissionError(errno.EACCES, "Permission denied"))
    monkeypatch.chdir(tmp_path)
    line = "secret.md:1:1: CM001 not checked: cannot read: Permission denied"
    code, out, _ = cli(capsys, "scan", "-f", "lines")
    assert (code, out) == (1, line + "\n")
    code, out, _ = cli(capsys, "scan")
    assert code == 1 and out.startswith(line.replace("CM001", "CM001 [error]") + "\n")
    assert "Found 1 finding (1 error, 0 warnings)" in out
    code, out, _ = cli(capsys, "scan", "-f", "json")
    [f] = json.loads(out)["findings"]
    assert (code, f["code"], f["severity"], f["clause"]) == (1, "CM001", "error", "")
    code, out, _ = cli(capsys, "scan", "-f", "sarif")
    log = json.loads(out)
    check_sarif(log)
    [result] = log["runs"][0]["results"]
    assert (code, result["ruleId"], result["level"]) == (1, "CM001", "error")
    rule = log["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["properties"]["clauses"] == [] and "LA clauses" not in rule["help"]["text"]


def test_not_checked_runs_whatever_select_says(kb, tmp_path, monkeypatch):
    """Only --ignore turns it off: --select CM301 must not make an unreadable file pass."""
    tree(tmp_path, {"secret.md": "x\n", "fig.png": FAKE})
    _refusing(monkeypatch, "secret.md", PermissionError(errno.EACCES, "Permission denied"))
    report = run(tmp_path, kb, select="CM301")
    assert [f.code for f in report.findings] == ["CM001"]
    assert report.codes == ("CM001", "CM301")
    assert run(tmp_path, kb, select="CM301", ignore="CM001").findings == []
    assert [f.code for f in run(tmp_path, kb, select="CM001").findings] == ["CM001"]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--select", ""], "--select '' selects no rule"),
        (["--select", " , "], "--select ' , ' selects no rule"),
        (["--ignore", "CM"], "--select and --ignore leave no rule to run"),
        (["--select", "CM301", "--ignore", "CM3"], "--select and --ignore leave no rule to run"),
    ],
)
def test_a_selection_that_leaves_no_rule_is_a_usage_error(argv, words, capsys, tmp_path):
    tree(tmp_path, {"a.md": "x\n"})
    code, out, err = cli(capsys, "scan", *argv, str(tmp_path))
    assert (code, out) == (2, "")
    assert words in one_line_error(err)


# 2. Encodings: never fail open -----------------------------------------------------------------

BOMS = {
    "UTF-16LE": (codecs.BOM_UTF16_LE, "utf-16-le"),
    "UTF-16BE": (codecs.BOM_UTF16_BE, "utf-16-be"),
    "UTF-32LE": (codecs.BOM_UTF32_LE, "utf-32-le"),
    "UTF-32BE": (codecs.BOM_UTF32_BE, "utf-32-be"),
}


@pytest.mark.parametrize("label", BOMS)
@pytest.mark.parametrize("ext", [".txt", ".md", ".tex", ".bib"])
def test_utf16_and_utf32_with_a_bom_are_read(label, ext, subject, kb, tmp_path):
    bom, codec = BOMS[label]
    text = f"Première ligne 😀\r\nsee “spNO.{subject}” here\n"
    tree(tmp_path, {f"doc{ext}": bom + text.encode(codec)})
    report = run(tmp_path, kb, select="CM301")
    assert [(f.code, f.line, f.column) for f in report.findings] == [("CM301", 2, 6)]
    assert [(n.kind, n.message) for n in report.notes] == [
        ("encoding", f"{label} (byte order mark): read as text")
    ]


@pytest.mark.parametrize("label", BOMS)
def test_a_bibliography_in_utf16_or_utf32_holds_the_paper(label, kb, tmp_path):
    bom, codec = BOMS[label]
    bib = citation.render(kb.citation, "bibtex")
    manuscript = f"We use CAS(ME)$^3$~\\cite{{{kb.citation.key}}}.\n"
    files = {"main.tex": manuscript, "refs.bib": bib}
    tree(tmp_path, {name: bom + text.encode(codec) for name, text in files.items()})
    assert [f.code for f in run(tmp_path, kb).findings] == []
    tree(tmp_path, {"main.tex": bom + "We use CAS(ME)$^3$.\n".encode(codec)})
    [f] = run(tmp_path, kb).findings
    assert f.code == "CM401" and f"holds its paper as '{kb.citation.key}'" in f.message


def test_a_utf8_bom_is_not_a_character(subject, kb, tmp_path):
    tree(tmp_path, {"a.md": codecs.BOM_UTF8 + f"spNO.{subject}\n".encode()})
    report = run(tmp_path, kb)
    assert [(f.line, f.column) for f in report.findings] == [(1, 1)] and report.notes == []


def test_invalid_utf16_is_read_with_replacement_and_noted(subject, kb, tmp_path):
    bom, codec = BOMS["UTF-16LE"]
    data = bom + "a".encode(codec) + b"\x00\xd8" + f" spNO.{subject}\n".encode(codec)
    tree(tmp_path, {"a.txt": data})
    report = run(tmp_path, kb)
    assert [(f.code, f.column) for f in report.findings] == [("CM301", 4)]
    assert [n.message for n in report.notes] == [
        "UTF-16LE (byte order mark): read as text",
        "not valid UTF-16LE (byte 4): read with replacement characters",
    ]


@pytest.mark.parametrize(
    "data",
    [
        "see spNO.{n}\n".encode("utf-16-le"),  # UTF-16 without its byte order mark
        b"text\x00\x01\x02binary spNO.{n}",
    ],
    ids=["utf16-without-bom", "binary"],
)
def test_a_text_file_with_nul_bytes_is_not_checked(data, subject, kb, tmp_path):
    tree(tmp_path, {"a.txt": data.replace(b"{n}", str(subject).encode())})
    [f] = [f for f in run(tmp_path, kb).findings if f.code == "CM001"]
    first = data.index(b"\x00")
    assert f.message == (
        f"not checked: NUL bytes (the first at byte {first}): not text in an encoding casme3 "
        "reads (UTF-8; UTF-16 or UTF-32 with a byte order mark)"
    )


# 5. Symlinks are never followed ------------------------------------------------------------------


@pytest.fixture
def outside(kb, tmp_path, subject):
    """A folder outside the scanned one: the paper's .bib, a manuscript naming a subject."""
    return tree(
        tmp_path / "outside",
        {
            "refs.bib": citation.render(kb.citation, "bibtex"),
            "secret.tex": f"spNO.{subject}\n",
        },
    )


def test_a_file_argument_does_not_take_its_bibliography_through_a_symlink(
    kb, tmp_path, outside, monkeypatch
):
    """`casme3 scan paper.md` (as a hook runs it) looks at the .bib files beside it."""
    proj = tree(tmp_path / "proj", {"paper.md": f"We use CAS(ME)³ [@{kb.citation.key}].\n"})
    os.symlink(outside / "refs.bib", proj / "refs.bib")
    monkeypatch.chdir(proj)
    [f] = scan(["paper.md"], kb).findings
    assert f.code == "CM401" and "no .bib or .bbl entry in the tree" in f.message


def test_a_declared_bibliography_that_is_a_symlink_is_not_read(kb, tmp_path, outside):
    manuscript = f"We use CAS(ME)$^3$~\\cite{{{kb.citation.key}}}.\n\\bibliography{{refs,more}}\n"
    proj = tree(tmp_path / "proj", {"main.tex": manuscript})
    os.symlink(outside / "refs.bib", proj / "refs.bib")
    os.symlink(outside, proj / "linked")
    (proj / "main.tex").write_text(manuscript.replace("refs,more", "refs,linked/refs"))
    [f] = run(proj, kb).findings
    assert f.code == "CM401"
    links = f"{proj}/refs.bib, {proj}/linked/refs.bib are symlinks: casme3 does not follow them"
    assert links in f.message


def test_a_symlink_named_on_the_command_line_is_checked_by_name(kb, tmp_path, outside):
    os.symlink(outside / "secret.tex", tmp_path / "link.tex")
    report = scan([str(tmp_path / "link.tex")], kb)
    assert report.findings == []
    assert [(n.kind, n.message) for n in report.notes] == [
        ("symlink", "a symlink: checked by its name only (symlinks are not followed)")
    ]


def test_a_file_swapped_for_a_symlink_while_scanning_is_not_read(kb, tmp_path, outside):
    tree(tmp_path / "proj", {"a.tex": "nothing\n"})
    real = E.collect

    def collect_then_swap(*args, **kwargs):
        out = real(*args, **kwargs)
        out.entries = list(out.entries)  # listed (a folder's entries are streamed)
        os.unlink(tmp_path / "proj" / "a.tex")
        os.symlink(outside / "secret.tex", tmp_path / "proj" / "a.tex")
        return out

    E.collect = collect_then_swap
    try:
        report = run(tmp_path / "proj", kb)
    finally:
        E.collect = real
    assert [(f.code, f.message) for f in report.findings] == [
        ("CM001", "not checked: it became a symlink during the scan (not followed)")
    ]


# 4. Archives: member names are judged like paths -------------------------------------------------


def _members(subject: int, allowed: int, part_c: int) -> dict[str, bytes]:
    """Synthetic members (fake bytes under realistic names): one per path rule, near misses."""
    return {
        f"figs/spNO.{subject}/apex.png": FAKE,
        f"data/part_A/spNO.{allowed}/a/color/0001.jpg": FAKE,
        f"data/part_A/spNO.{allowed}/a/color/0002.jpg": FAKE,
        f"part_C/sub{part_c}/onset.png": FAKE,
        "annotations/CAS(ME)3_part_A_v2.xls": FAKE,
        f"figs/spNO.{allowed}/apex.png": FAKE,  # allowed: nothing
        "paper.tex": f"spNO.{subject}\n".encode(),  # contents are not read
    }


def _zip(path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


def _tar(path, members: dict[str, bytes], mode: str = "w", fmt=tarfile.PAX_FORMAT) -> None:
    with tarfile.open(path, mode, format=fmt) as t:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))


ARCHIVES = {
    "a.zip": _zip,
    "a.tar": _tar,
    "a.tar.gz": lambda p, m: _tar(p, m, "w:gz"),
    "a.tgz": lambda p, m: _tar(p, m, "w:gz"),
    "a.tar.bz2": lambda p, m: _tar(p, m, "w:bz2"),
    "a.tar.xz": lambda p, m: _tar(p, m, "w:xz"),
}


@pytest.mark.parametrize("name", ARCHIVES)
def test_archive_member_names_are_judged_like_paths(name, subject, allowed, part_c, kb, tmp_path):
    ARCHIVES[name](tmp_path / name, _members(subject, allowed, part_c))
    report = run(tmp_path, kb)
    found = sorted((f.code, rel(tmp_path, f)) for f in report.findings)
    assert found == [
        ("CM301", f"{name}!/figs/spNO.{subject}/"),
        ("CM302", f"{name}!/part_C/sub{part_c}/"),
        ("CM303", f"{name}!/annotations/CAS(ME)3_part_A_v2.xls"),
        ("CM303", f"{name}!/data/part_A/"),
    ]
    assert report.notes == []


@pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_tar_names_are_read_as_tarfile_reads_them(fmt, tmp_path):
    long = "/".join(["folder-with-a-long-name"] * 6) + "/spNO.1_a_1/x.jpg"  # > 100 bytes
    names = {"a.txt": b"x", long: FAKE, "ü/é.png": FAKE, "d/": b""}
    if fmt == tarfile.USTAR_FORMAT:
        names.pop("ü/é.png")  # ustar names are ASCII
    path = tmp_path / "a.tar"
    with tarfile.open(path, "w", format=fmt) as t:
        for name, data in names.items():
            info = tarfile.TarInfo(name.rstrip("/"))
            info.type = tarfile.DIRTYPE if name.endswith("/") else tarfile.REGTYPE
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    ours = A.list_names(str(path), "tar", A.Budget()).names
    with tarfile.open(path) as t:
        theirs = [m.name + ("/" if m.isdir() else "") for m in t.getmembers()]
    assert ours == theirs == list(names)


def test_zip_names_are_read_as_zipfile_reads_them(tmp_path):
    names = ["a.txt", "d/", "ü/é.png", "x/" * 40 + "y.jpg"]
    _zip(tmp_path / "a.zip", dict.fromkeys(names, b"x"))
    (tmp_path / "stub.zip").write_bytes(b"#!/bin/sh\n" + (tmp_path / "a.zip").read_bytes())
    for name in ("a.zip", "stub.zip"):  # a self-extracting stub before the zip shifts offsets
        with zipfile.ZipFile(tmp_path / name) as z:
            assert A.list_names(str(tmp_path / name), "zip", A.Budget()).names == z.namelist()


def _raw_zip(names: list[bytes], zip64: bool = False) -> bytes:
    """A zip of empty stored members, written directly (zipfile takes seconds for 10**5)."""
    local, central = [], []
    offset = 0
    for name in names:
        header = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0)
        central.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
        local.append(header + name)
        offset += len(header) + len(name)
    body, directory = b"".join(local), b"".join(central)
    end = b""
    count = len(names)
    if zip64:
        at = len(body) + len(directory)
        end += struct.pack(
            "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(directory), len(body)
        )
        end += struct.pack("<4sLQL", b"PK\x06\x07", 0, at, 1)
        count = 0xFFFF
    end += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(body), 0)
    return body + directory + end


def test_a_zip_made_directly_reads_as_zipfile_reads_it(tmp_path):
    for zip64 in (False, True):
        (tmp_path / "a.zip").write_bytes(_raw_zip([b"a.txt", b"b/spNO.1.png"], zip64))
        with zipfile.ZipFile(tmp_path / "a.zip") as z:
            assert z.namelist() == ["a.txt", "b/spNO.1.png"]
        assert A.list_names(str(tmp_path / "a.zip"), "zip", A.Budget()).names == z.namelist()


def test_an_archive_of_too_many_members_is_not_checked_past_the_limit(subject, kb, tmp_path):
    n = A.MAX_MEMBERS + 5_000
    names = [f"f/{i}.png".encode() for i in range(n - 1)] + [f"spNO.{subject}.png".encode()]
    (tmp_path / "many.zip").write_bytes(_raw_zip(names, zip64=True))
    tracemalloc.start()
    report = run(tmp_path, kb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [(f.code, rel(tmp_path, f), f.message) for f in report.findings] == [
        (
            "CM001",
            "many.zip",
            f"not checked: more than {A.MAX_MEMBERS:,} members: the names past them were not read",
        )
    ]  # the restricted subject is the last member: past the limit, so not checked
    assert peak < 96 << 20, f"peak {peak >> 20} MiB"


def test_findings_in_one_archive_are_capped(subject, kb, tmp_path):
    names = [f"f{i}/spNO.{subject}.png".encode() for i in range(CAP + 50)]
    (tmp_path / "a.zip").write_bytes(_raw_zip(names))
    report = run(tmp_path, kb)
    assert len(report.findings) == CAP
    [note] = report.notes
    assert (rel(tmp_path, note), note.kind) == ("a.zip", "capped")
    assert note.message.startswith("CM301: 50 more findings in this file not shown")


def test_a_compressed_tar_is_decompressed_only_so_far(subject, kb, tmp_path, monkeypatch):
    """A tar.gz bomb: a huge member of zeros; its names past the limit are not checked."""
    monkeypatch.setattr(A, "MAX_UNPACKED", 4 << 20)
    with tarfile.open(tmp_path / "bomb.tar.gz", "w:gz") as t:
        info = tarfile.TarInfo("zeros.bin")
        info.size = 64 << 20
        t.addfile(info, io.BytesIO(bytes(info.size)))
        info = tarfile.TarInfo(f"after/spNO.{subject}/a/color/0001.jpg")
        t.addfile(info, io.BytesIO(b""))
    [f] = run(tmp_path, kb).findings
    assert (f.code, f.message) == (
        "CM001",
        "not checked: more than 4 MiB once decompressed: the member names past that were not read",
    )


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("bad.zip", b"PK\x03\x04 not really a zip", "no zip central directory"),
        ("bad.tar", b"x" * 1024, "not a tar archive, or corrupt"),
        ("bad.tar.gz", b"\x1f\x8b\x08\x00garbage", "corrupt archive"),
        ("bad.tar.bz2", b"BZh9garbage", "corrupt archive"),
        ("bad.tar.xz", b"\xfd7zXZ\x00garbage", "corrupt archive"),
    ],
)
def test_a_corrupt_archive_is_not_checked(name, data, why, kb, tmp_path):
    tree(tmp_path, {name: data})
    [f] = run(tmp_path, kb).findings
    assert f.code == "CM001" and f.message.startswith(
        f"not checked: cannot list the archive: {why}"
    )


def test_an_encrypted_or_corrupt_central_directory_is_not_checked(kb, tmp_path):
    data = bytearray(_raw_zip([b"a.txt", b"b.txt"]))
    data[data.index(b"PK\x01\x02") : data.index(b"PK\x01\x02") + 4] = b"\x8a\x13\x00\x7f"
    (tmp_path / "enc.zip").write_bytes(bytes(data))
    [f] = run(tmp_path, kb).findings
    assert f.message == (
        "not checked: cannot list the archive: its central directory is corrupt or encrypted "
        "(member 1)"
    )


def test_archives_inside_archives_are_judged_by_name_only(subject, kb, tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr(f"spNO.{subject}.png", FAKE)
    _zip(tmp_path / "outer.zip", {"inner.zip": inner.getvalue(), "CAS(ME)3_part_A.zip": FAKE})
    report = run(tmp_path, kb)
    assert [(f.code, rel(tmp_path, f)) for f in report.findings] == [
        ("CM303", "outer.zip!/CAS(ME)3_part_A.zip")
    ]
    assert [(n.kind, n.message) for n in report.notes] == [
        ("archive", "2 archives inside it are checked by name only")
    ]


def test_the_databases_own_archive_is_reported_not_opened(subject, kb, tmp_path):
    _zip(tmp_path / "CAS(ME)3_part_A.zip", {f"spNO.{subject}/a/color/0001.jpg": FAKE})
    report = run(tmp_path, kb)
    assert [(f.code, rel(tmp_path, f)) for f in report.findings] == [
        ("CM303", "CAS(ME)3_part_A.zip")
    ]


# 6. Never scan our own reports -------------------------------------------------------------------


def _count(capsys, *argv: str) -> int:
    code, out, err = cli(capsys, "scan", "-f", "json", *argv)
    assert code in (0, 1), err
    return len(json.loads(out)["findings"])


def _findings_in(fmt: str, report: str) -> int:
    if fmt == "json":
        return len(json.loads(report)["findings"])
    if fmt == "sarif":
        return len(json.loads(report)["runs"][0]["results"])
    return sum(1 for line in report.splitlines() if re.match(r"\S+:\d+:\d+: CM\d{3} ", line))


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("text", "report.txt"), ("lines", "report.md"), ("json", "report.md"), ("sarif", "r.tex")],
)
def test_the_report_being_written_is_not_scanned(fmt, name, subject, capsys, tmp_path, monkeypatch):
    """`casme3 scan -o report.txt .` run again and again: it reports the same each time."""
    tree(tmp_path, {"a.md": f"spNO.{subject}\n"})
    monkeypatch.chdir(tmp_path)
    for _ in range(3):  # each run writes its report where the next one looks
        code, out, _ = cli(capsys, "scan", "-f", fmt, "-o", name, ".")
        assert (code, out) == (1, "")
        assert _findings_in(fmt, (tmp_path / name).read_text("utf-8")) == 1


def test_naming_only_the_report_is_nothing_to_scan(capsys, tmp_path, monkeypatch):
    tree(tmp_path, {"r.txt": "x\n"})
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "scan", "-o", "r.txt", "r.txt")
    assert (code, out) == (2, "")
    assert one_line_error(err) == "casme3: r.txt: nothing to scan (the report this run writes)"


@pytest.mark.parametrize("fmt", ["text", "lines"])
def test_a_casme3_report_in_the_tree_is_recognised(fmt, subject, capsys, kb, tmp_path):
    tree(tmp_path, {"a.md": f"spNO.{subject}\n", "sub/b.tex": "CASME3\n"})
    os.symlink("nowhere", tmp_path / "loop")
    os.symlink("loop", tmp_path / "nowhere")
    code, out, err = cli(capsys, "scan", "-f", fmt, str(tmp_path))
    assert code == 1
    (tmp_path / "old-report.txt").write_text(out + err.replace("casme3: note", "note"))
    report = run(tmp_path, kb)
    assert [n.message for n in report.notes if n.path.endswith("old-report.txt")] == [
        "a casme3 report (each line is one of its finding, see, note or summary lines): not scanned"
    ]
    assert [f.path for f in report.findings if f.path.endswith("report.txt")] == []


def test_a_text_that_only_quotes_report_lines_is_scanned(subject, kb, tmp_path):
    text = f"a.md:1:1: CM301 spNO.{subject} ...\nBut this line is prose: spNO.{subject}\n"
    tree(tmp_path, {"notes.txt": text})
    assert len(run(tmp_path, kb).findings) == 2


def test_reports_under_their_usual_names_trigger_nothing(subject, capsys, tmp_path, monkeypatch):
    """JSON and SARIF reports are read by name only, and their usual names are innocent."""
    tree(tmp_path, {"a.md": f"spNO.{subject}\n"})
    monkeypatch.chdir(tmp_path)
    before = _count(capsys, ".")
    names = {"json": "casme3.json", "sarif": "casme3.sarif", "text": "casme3.txt"}
    for fmt, name in names.items():
        assert cli(capsys, "scan", "-f", fmt, "-o", name, ".")[0] == 1
    assert _count(capsys, ".") == before


# 7. Terminal injection: what is printed is escaped -----------------------------------------------

# C0 and C1 controls, DEL, the bidi controls, the line and paragraph separators.
RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]"
)
NASTY = "\x1b]0;pwned\x07\x1b]52;c;Y3VybCBldmlsfHNo\x07\r\x1b[2J\u202e\x9b31m\x7f\u2066"


def _no_raw_controls(text: str) -> None:
    """Only newlines that end a record: no other control character reaches the terminal."""
    for line in text.split("\n"):
        assert not RAW_CONTROL.search(line), repr(line)
        assert "\t" not in line, repr(line)


def test_names_and_quoted_text_are_escaped_in_text_and_lines(subject, capsys, kb, tmp_path):
    folder = os.fsencode(tmp_path)
    name = f"spNO.{subject}{NASTY}\nsecond line.png".encode() + b"\xff"
    with open(os.path.join(folder, name), "wb") as f:
        f.write(FAKE)
    key = "paper\x1b[31m"
    bib = citation.render(kb.citation, "bibtex").replace(kb.citation.key, key, 1)
    tree(tmp_path, {"refs.bib": bib, "main.tex": "We use CAS(ME)$^3$.\n"})
    os.symlink(f"loop{NASTY}", tmp_path / f"loop{NASTY}")
    code, out, err = cli(capsys, "scan", "-f", "lines", str(tmp_path))
    assert code == 1 and len(out.splitlines()) == 2  # one record per finding
    _no_raw_controls(out)
    _no_raw_controls(err)
    assert "\\x1b]0;pwned\\x07" in out and "\\u202e" in out and "\\n" in out
    assert "\\xff" in out and "\\x9b" in out and "\\x7f" in out and "\\r" in out
    assert "paper\\x1b[31m" in out  # the key CM401 quotes from the .bib
    assert "casme3: note: " in err and "loop\\x1b]0;pwned" in err
    code, out, _ = cli(capsys, "scan", str(tmp_path))
    _no_raw_controls(out)
    assert len([line for line in out.splitlines() if " CM" in line]) == 2
    code, out, _ = cli(capsys, "scan", "-f", "json", str(tmp_path))
    paths = [f["path"] for f in json.loads(out)["findings"]]
    assert any(NASTY + "\nsecond line.png\\xff" in p for p in paths)  # JSON keeps the data


def test_a_bad_path_argument_is_one_escaped_line(capsys, tmp_path):
    code, out, err = cli(capsys, "scan", str(tmp_path / f"no{NASTY}\nsuch"))
    assert (code, out) == (2, "")
    line = one_line_error(err)
    _no_raw_controls(line)
    assert "no\\x1b]0;pwned" in line and "\\nsuch: no such file or directory" in line


# 8. SARIF URIs are relative references -----------------------------------------------------------


def test_sarif_uris_are_relative_references_with_exact_bytes(
    subject, capsys, tmp_path, monkeypatch
):
    from urllib.parse import unquote_to_bytes, urlsplit

    names = [
        f"http:spNO.{subject}.png".encode(),
        f"C:spNO.{subject}.png".encode(),
        f"mailto:x/spNO.{subject}/a.png".encode(),
        b"caf\xe9:" + f"spNO.{subject}.png".encode(),
        f"ok/spNO.{subject}:x.png".encode(),
    ]
    for name in names:
        path = os.path.join(os.fsencode(tmp_path), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(FAKE)
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli(capsys, "scan", "-f", "sarif")
    log = json.loads(out)
    check_sarif(log)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    ]
    assert code == 1 and len(uris) == len(names)
    for uri in uris:
        parts = urlsplit(uri)
        assert (parts.scheme, parts.netloc) == ("", ""), uri  # no scheme: a relative reference
        assert ":" not in uri.split("/")[0], uri  # RFC 3986 4.2: not in a first segment
    # Decoded, each URI gives the exact bytes of its path (the folder, for the one in a folder).
    folder = f"mailto:x/spNO.{subject}/".encode()
    exact = [n for n in names if not n.startswith(b"mailto")] + [folder]
    assert sorted(unquote_to_bytes(u) for u in uris) == sorted(exact)


# Cases the documentation states ------------------------------------------------------------------


def test_matches_past_the_cap_whose_suppression_was_not_read_are_not_checked(subject, kb, tmp_path):
    line = f"spNO.{subject} # casme3: ignore[CM301] -- a drawing, no photo\n"
    tree(tmp_path, {"a.txt": line * (CAP + 10)})
    report = run(tmp_path, kb)
    assert len(report.suppressed) == CAP
    assert [(f.code, f.message) for f in report.findings] == [
        (
            "CM001",
            f"not checked: 10 more CM301 matches past the first {CAP}: whether a comment "
            "suppresses them was not read",
        )
    ]


def test_a_folder_named_on_the_command_line_may_be_a_symlink(subject, kb, tmp_path):
    tree(tmp_path / "real", {"a.txt": f"spNO.{subject}\n"})
    os.symlink(tmp_path / "real", tmp_path / "link")
    os.symlink(tmp_path / "real", tmp_path / "real" / "again")  # below it: never followed
    report = scan([str(tmp_path / "link")], kb, all_files=True)
    assert [(f.code, rel(tmp_path, f)) for f in report.findings] == [("CM301", "link/a.txt")]


def test_a_zip_split_over_several_files_is_not_checked(kb, tmp_path):
    data = bytearray(_raw_zip([b"a.txt"]))
    at = data.rindex(b"PK\x05\x06")
    data[at + 4 : at + 6] = (1).to_bytes(2, "little")  # this is disk 1 of a split zip
    (tmp_path / "a.zip").write_bytes(bytes(data))
    [f] = run(tmp_path, kb).findings
    assert f.message == "not checked: cannot list the archive: a zip split over several files"


def test_the_names_of_one_archive_and_the_members_of_a_scan_are_limited(
    subject, kb, tmp_path, monkeypatch
):
    names = [f"{'n' * 50}{i}/spNO.{subject}.png".encode() for i in range(20)]
    (tmp_path / "a.zip").write_bytes(_raw_zip(names))
    monkeypatch.setattr(A, "MAX_NAME_BYTES", 200)
    [f] = [f for f in run(tmp_path, kb).findings if f.code == "CM001"]
    assert f.message == (
        "not checked: its member names take more than 200 bytes: the names past them were not read"
    )
    monkeypatch.setattr(A, "MAX_NAME_BYTES", 16 << 20)
    (tmp_path / "b.zip").write_bytes(_raw_zip(names))
    budget = A.Budget
    monkeypatch.setattr(A, "Budget", lambda: budget(members=25))
    unchecked = [
        (rel(tmp_path, f), f.message) for f in run(tmp_path, kb).findings if f.code == "CM001"
    ]
    assert unchecked == [
        (
            "b.zip",
            "not checked: the scan has read as many archive members as it may: the names past "
            "them were not read",
        )
    ]


PAGE = os.path.join(os.path.dirname(__file__), "..", "docs", "usage", "cli.md")


def test_the_page_states_the_limits_the_code_has():
    from casme3_compliance.scan import bib, files

    with open(PAGE, encoding="utf-8") as f:
        page = f.read()
    section = page[page.index("## What the scanner checks") : page.index("## Rules")]
    rows = [
        f"| Findings per file and rule | {CAP} |",
        f"| `casme3: ignore` comments per file | {T.MAX_DIRECTIVES:,} |",
        f"| A suppression's reason | {T.MAX_REASON} bytes |",
        f"| A `.bib` or `.bbl` parsed | {bib.MAX_BYTES >> 20} MiB |",
        f"| Members of one archive | {A.MAX_MEMBERS:,} |",
        f"| Bytes of member names of one archive | {A.MAX_NAME_BYTES >> 20} MiB |",
        f"| A compressed tar decompressed | {A.MAX_UNPACKED >> 20} MiB |",
        f"| All compressed tars of a scan decompressed | {A.Budget().unpacked >> 30} GiB |",
        f"| Archive members of a scan | {A.Budget().members:,} |",
    ]
    for row in rows:
        assert row in section, row
    for ext in files.TEXT_KINDS:
        assert f"`{ext}`" in section, ext
    for ext in A.KINDS:
        assert f"`{ext}`" in section, ext
    kinds = page[page.index("Note kinds: ") : page.index("it is a CM001 finding.")]
    assert re.findall(r"`([a-z0-9-]+)`", kinds) == list(NOTE_KINDS)
