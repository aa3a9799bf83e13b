"""Properties: the scanner never raises, whatever the bytes and the file names."""

from __future__ import annotations

import json
import os
import tempfile

from conftest import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import casme3_compliance as c3
from casme3_compliance.scan import scan
from casme3_compliance.scan import text as T
from casme3_compliance.scan.report import FORMATS, render

KB = c3.load(DATA, cache=False)

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
ext = st.sampled_from(["", ".tex", ".md", ".txt", ".bib", ".jpg", ".xlsx", ".TEX"])
folders = st.lists(
    st.sampled_from(["part_A", "spNO.1", "a", "color", "part_C", "sub12", "spNO.131_a_1", "x y"]),
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
            report = scan([tmp], KB, all_files=True)
            for f in report.findings:
                assert f.line >= 1 and f.column >= 1 and f.code in report.codes
                assert f.path.startswith(tmp)
            for fmt in FORMATS:
                out = render(report, fmt, KB, c3.__version__)
                if fmt in ("json", "sarif"):
                    json.loads(out)
    finally:
        T.CHUNK = saved
