"""Properties: the scanner never raises, whatever the bytes and the file names."""

from __future__ import annotations

import atexit
import codecs
import io
import json
import os
import pathlib
import re
import shutil
import tarfile
import tempfile
import zipfile

import pytest
from conftest import DATA
from family_support import with_family
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import casme3_compliance as c3
from casme3_compliance.scan import ScanError, scan
from casme3_compliance.scan import text as T
from casme3_compliance.scan.report import FORMATS, render

KB = c3.load(DATA, cache=False)
# The whole family (stand-ins where data/ has no files of a database yet, and the synthetic
# seventh database): every database's forms are in play.
_FAMILY_DIR = tempfile.mkdtemp(prefix="casme3-props-")
atexit.register(shutil.rmtree, _FAMILY_DIR, True)
FAMILY = c3.load_family(with_family(pathlib.Path(_FAMILY_DIR), synthetic=True), cache=False)

# Pieces that reach every branch of the rules, mixed with arbitrary bytes.
PIECES = [
    b"spNO.131",
    b"spno 21",
    b"SPNO_1",
    b"Part C subject 12",
    b"subject 3 of part C",
    b"part_C/sub12/x.png",
    b"CAS(ME)$^3$",
    b"CAS(ME)^3",
    b"CAS(ME)^3^",
    b"CASME-3",
    b"CASME III",
    b"\\cite{li2023casme3}",
    b"[@li2023casme3]",
    b"@article{li2023casme3,",
    b"@string{x = ",
    b" # ",
    b"\\bibitem[{Li}]{li2023casme3}",
    b"\\bibliography{refs}",
    b"% casme3: ignore[CM301, CM402] -- a reason",
    b"<!-- casme3: ignore[CM999] -->",
    b"% casme3: ignore[CM305] -- approved",
    # The family: names, tied ids, rows, figures, notices, acknowledgements.
    b"CASME II",
    b"CASME",
    b"CASME-MG",
    b"CASMEMG",
    b"CAS(ME)$^2$",
    b"SMIC",
    b"SAMM",
    b"MMEW",
    b"ZMED",
    b"sub12",
    b"sub_01",
    b"subject 07",
    b"s01",
    b"S03-01-002",
    b"006_1_2",
    b"z03",
    b"casme2,sub12,EP01_02,0\n",
    b"smic,s01,s01_ne_01,0\n",
    b"samm,6,006_1_2,0\n",
    b",,,\n",
    b"figs/casme2_sub12_EP01.png",
    b"\\begin{figure}",
    b"\\end{figure}",
    b"\\caption{",
    b"<figure>",
    b"</figure>",
    b"\xc2\xa9Xiaolan Fu",
    b"\\textcopyright Xiaolan~Fu",
    b"(c) Zebra Lab",
    b"Portions of the research in this paper use MMEW database collected by Shandong University",
    b". ",
    b"\n\n",
    b"# casme3: ignore",
    b"---\nbibliography: refs.bib\n---\n",
    b"doi = {10.1109/TPAMI.2022.3174895}",
    b"title = {CAS(ME)3: A Third Generation",
    b"\\includegraphics{",
    b"![x](",
    b"%",
    b"$",
    b"\n",
    b"\r\n",
    "³é–".encode(),
    b"\xff\xfe",
    b"\xe2\x82",  # a UTF-8 sequence cut short
    b"\x00",
]
content = st.lists(st.sampled_from(PIECES) | st.binary(max_size=40), max_size=30).map(b"".join)
name = (
    st.binary(min_size=1, max_size=40)
    .filter(lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b".."))
    .map(os.fsdecode)
)
ext = st.sampled_from(
    ["", ".tex", ".md", ".txt", ".bib", ".bbl", ".jpg", ".xlsx", ".TEX", ".csv", ".mat", ".bmp"]
)
folders = st.lists(
    st.sampled_from(
        [
            "part_A",
            "spNO.1",
            "a",
            "color",
            "part_C",
            "sub12",
            "spNO.131_a_1",
            "x y",
            "CASME2",
            "EP01_02",
            "MMEW",
            "S03",
            "happiness",
            "S03-01-002",
            "SAMM",
            "006",
            "006_1_2",
            "rawpic",
            "s15",
            "15_0101x",
            "CASMEMG",
            "07",
            "ZMED",
            "z03",
            "HS",
            "micro",
        ]
    ),
    max_size=4,
).map("/".join)
files = st.lists(st.tuples(folders, name, ext, content), max_size=8)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=files, chunk=st.sampled_from([T.CHUNK, 4_100, 5_000]))
def test_scanner_never_raises(files, chunk):
    saved = T.CHUNK
    T.CHUNK = chunk
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for folder, base, suffix, data in files:
                path = os.path.join(tmp, folder, base + suffix)
                try:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    if not os.path.isdir(path):
                        with open(path, "wb") as f:
                            f.write(data)
                except OSError:  # a name too long for the file system, a file where a folder is
                    continue
            if not any(names for _, _, names in os.walk(tmp)):
                with pytest.raises(ScanError, match="nothing to scan"):
                    scan([tmp], FAMILY, all_files=True)
                return
            report = scan([tmp], FAMILY, all_files=True)
            for f in report.findings:
                assert f.line >= 1 and f.column >= 1 and f.code in report.codes
                assert f.path.startswith(tmp)
                assert (f.database is None) == (f.code == "CM001")
            for fmt in FORMATS:
                out = render(report, fmt, FAMILY, c3.__version__)
                if fmt in ("json", "sarif"):
                    json.loads(out)
    finally:
        T.CHUNK = saved


# The fuzz target: the scanner fails closed on anything -------------------------------------------

# Names as Linux allows them: any bytes but "/" and NUL, control characters and bytes that are
# not UTF-8 among them, up to the 255 bytes a name may take.
_CONTROLS = [
    b"\x1b]0;t\x07",
    b"\x1b[2J",
    b"\r",
    b"\n",
    b"\t",
    "\u202e".encode(),
    b"\xc2\x9b",
    b"\x7f",
]
fuzz_name = st.lists(
    st.sampled_from([*_CONTROLS, b"spNO.131", b"part_C", b"x", b"casme2_sub12", b"SAMM", b"img1"])
    | st.binary(max_size=12)
).map(b"".join).map(lambda b: b.replace(b"/", b"_").replace(b"\0", b"_")[:200] or b"n").filter(
    lambda b: b not in (b".", b"..")
) | st.just(b"L" * 250)
fuzz_ext = st.sampled_from(
    [
        b"",
        b".tex",
        b".md",
        b".txt",
        b".bib",
        b".bbl",
        b".png",
        b".zip",
        b".tar",
        b".tar.gz",
        b".csv",
    ]
)
# How the bytes are written: as they are, or as text in an encoding with its byte order mark.
_ENCODINGS = [None, "utf-8-sig", "utf-16", "utf-16-be", "utf-32", "utf-32-le"]
fuzz_text = st.tuples(
    content, st.sampled_from(_ENCODINGS), st.sampled_from([1, 1, 2, 5_000])
)  # the content, its encoding, how many times it is repeated (a huge line)
fuzz_entry = st.one_of(
    st.tuples(st.just("file"), folders, fuzz_name, fuzz_ext, fuzz_text),
    st.tuples(st.just("link"), folders, fuzz_name, fuzz_ext, st.sampled_from(["self", "up", "0"])),
    st.tuples(
        st.just("archive"),
        folders,
        fuzz_name,
        st.sampled_from([b".zip", b".tar.gz"]),
        st.lists(fuzz_name, max_size=5),
    ),
)
RAW_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def _encoded(text: tuple[bytes, str | None, int]) -> bytes:
    data, encoding, times = text
    data = data * times
    if encoding is None:
        return data
    decoded = data.decode("utf-8", "replace")
    if encoding in ("utf-16-be", "utf-32-le"):  # these codecs write no mark: add it
        bom = codecs.BOM_UTF16_BE if encoding == "utf-16-be" else codecs.BOM_UTF32_LE
        return bom + decoded.encode(encoding, "surrogatepass")
    return decoded.encode(encoding, "surrogatepass")


def _archive(ext: bytes, names: list[bytes]) -> bytes:
    out = io.BytesIO()
    if ext == b".zip":
        with zipfile.ZipFile(out, "w") as z:
            for name in dict.fromkeys(n.decode("utf-8", "replace") for n in names):
                z.writestr(name, b"x")
    else:
        with tarfile.open(fileobj=out, mode="w:gz") as t:
            for name in names:
                t.addfile(tarfile.TarInfo(os.fsdecode(name)), io.BytesIO(b""))
    return out.getvalue()


def _build(root: bytes, entries: list) -> dict[bytes, bytes | None]:
    """Write the entries under `root`; what was written, path -> bytes (None for a symlink)."""
    written: dict[bytes, bytes | None] = {}
    for what, folder, base, ext, extra in entries:
        path = os.path.join(root, os.fsencode(folder), base + ext)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if os.path.lexists(path):
                continue
            if what == "link":
                target = {"self": base + ext, "up": b"../../..", "0": b"0"}[extra]
                os.symlink(target, path)
                written[path] = None
            else:
                data = _encoded(extra) if what == "file" else _archive(ext, extra)
                with open(path, "wb") as f:
                    f.write(data)
                written[path] = data
        except OSError:  # a name too long with its folder, a file where a folder is
            continue
    return written


def _unchecked_nul(data: bytes) -> bool:
    """Bytes holding NUL that no byte order mark explains: text casme3 cannot read."""
    return b"\0" in data and not data.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
    )


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,  # the same examples in every run: CI is reproducible
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(entries=st.lists(fuzz_entry, max_size=8), chunk=st.sampled_from([T.CHUNK, 4_100]))
def test_scanner_fails_closed_on_anything(entries, chunk):
    """Whatever the tree: no exception, work linear in its bytes, every file accounted for (a
    text file holding NUL bytes is not checked, never clean), every format serialises, and the
    human-readable ones hold no raw control character."""
    counted = [0]
    real_chars, saved = T._chars, T.CHUNK

    def counting(b: bytes) -> int:
        counted[0] += len(b)
        return real_chars(b)

    T._chars, T.CHUNK = counting, chunk
    try:
        with tempfile.TemporaryDirectory() as tmp:
            written = _build(os.fsencode(tmp), entries)
            if not written:
                with pytest.raises(ScanError, match="nothing to scan"):
                    scan([tmp], FAMILY, all_files=True)
                return
            report = scan([tmp], FAMILY, all_files=True)
            _check(tmp, written, report, counted[0])
    finally:
        T._chars, T.CHUNK = real_chars, saved


def _check(tmp: str, written: dict[bytes, bytes | None], report, work: int) -> None:
    size = sum(len(d) for d in written.values() if d is not None)
    assert work <= 16 * size + 4096, (work, size)  # bounded work: linear in the bytes
    assert report.files == len(written)  # every file is accounted for
    unchecked = {os.fsencode(f.path) for f in report.findings if f.code == "CM001"}
    # Files of a database folder are reported as such, by CM303 (or CM306 when its agreement
    # is not public): their text is not read.
    database = [
        os.fsencode(f.path)
        for f in report.findings
        if f.code == "CM303" or (f.code == "CM306" and " in the tree" in f.message)
    ]
    for path, data in written.items():
        kind = os.path.splitext(path)[1].decode("latin-1").lower()
        texts = (".tex", ".md", ".txt", ".bib", ".bbl")
        if data is not None and kind in texts and _unchecked_nul(data):
            # Not text it can read: never clean.
            assert path in unchecked or any(path.startswith(d) for d in database), path
    for f in report.findings:
        assert f.line >= 1 and f.column >= 1 and f.code in report.codes
    for fmt in FORMATS:
        out = render(report, fmt, FAMILY, c3.__version__)
        if fmt in ("json", "sarif"):
            json.loads(out)
        else:
            lines = out.split("\n")
            assert not any(RAW_CONTROL.search(line) for line in lines), fmt
            if fmt == "lines":
                assert len(lines) == len(report.findings) + 1  # one record per finding


# CM401 depends only on whether the paper's own entry is cited -----------------------------------

_DOI = KB.citation.doi
_KEYS = st.from_regex(r"[A-Za-z][A-Za-z0-9_:-]{0,10}", fullmatch=True).filter(
    lambda k: k.lower() != "paper"
)
_WORDS = st.lists(
    st.sampled_from(["micro", "expression", "CAS(ME)$^3$", "CASME", "depth", "{A}", "Third"]),
    min_size=1,
    max_size=6,
).map(" ".join)
_OTHER_DOIS = st.sampled_from(["10.1109/TPAMI.2022.3174896", "10.1000/182", _DOI + "x"])
_TYPES = st.sampled_from(["article", "misc", "inproceedings", "Article"])
# Unrelated entries, some built to look like the paper: its title with more words, a DOI one
# digit off, the paper's DOI in a note.
_UNRELATED = st.tuples(_KEYS, _TYPES, _WORDS, st.none() | _OTHER_DOIS, st.booleans())
# Blocks that are no entry, some holding the paper's DOI.
_NOISE = st.sampled_from(
    [
        f"@comment{{doi = {{{_DOI}}}}}\n",
        '@preamble{"\\\\newcommand{\\\\noop}[1]{}"}\n',
        f"% doi = {{{_DOI}}}\n",
        "@string{journal = {IEEE TPAMI}}\n",
    ]
)


def _unrelated_entry(key: str, kind: str, title: str, doi: str | None) -> str:
    fields = [f"title = {{{title}: revisited}}", f"note = {{see {_DOI}}}"]
    if doi:
        fields.append(f"doi = {{{doi}}}")
    return f"@{kind}{{{key},\n  " + ",\n  ".join(fields) + "\n}\n"


def _paper_entry(by_title: bool) -> str:
    if by_title:
        return (
            "@article{paper, title = {{CAS(ME)\\textsuperscript{3}}: A third generation facial "
            "spontaneous micro-expression database with depth information and high ecological "
            "validity}}\n"
        )
    from casme3_compliance.render import citation

    return citation.render(KB.citation, "bibtex").replace(KB.citation.key, "paper", 1)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    unrelated=st.lists(_UNRELATED, max_size=6, unique_by=lambda u: u[0].lower()),
    noise=st.lists(_NOISE, max_size=3, unique=True),
    by_title=st.booleans(),
    paper_cited=st.booleans(),
    files=st.integers(min_value=1, max_value=3),
    data=st.data(),
)
def test_cm401_answer_depends_only_on_citing_the_paper(
    unrelated, noise, by_title, paper_cited, files, data
):
    """Shuffling the entries, spreading them over .bib files, adding unrelated entries (cited
    or not, before or after the paper) never changes CM401's answer."""
    blocks = [_unrelated_entry(k, t, title, doi) for k, t, title, doi, _ in unrelated]
    blocks += [*noise, _paper_entry(by_title)]
    blocks = data.draw(st.permutations(blocks), label="order")
    where = data.draw(
        st.lists(st.integers(0, files - 1), min_size=len(blocks), max_size=len(blocks))
    )
    cited = [k for k, *_, is_cited in unrelated if is_cited] + (["paper"] if paper_cited else [])
    cite = f" \\cite{{{', '.join(cited)}}}" if cited else ""
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "main.tex"), "w", encoding="utf-8") as f:
            f.write(f"We use CAS(ME)$^3${cite}.\n")
        for i in range(files):
            with open(os.path.join(tmp, f"refs{i}.bib"), "w", encoding="utf-8") as f:
                f.write("".join(b for b, w in zip(blocks, where, strict=True) if w == i))
        report = scan([tmp], KB, select="CM401", all_files=True)
    assert [f.code for f in report.findings] == ([] if paper_cited else ["CM401"])
    assert report.notes == []
