"""Read one text file as a bounded stream of bytes and collect what the rules need from it.

A file is read in chunks of CHUNK bytes; each chunk is searched together with the last
patterns.MAX_MATCH bytes of the one before, so no match is lost at a boundary and memory stays
bounded whatever the file's size. Matches are turned into 1-based lines and columns (columns in
characters) only when found, so a clean file costs one pass per pattern over its bytes.
"""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from casme3_compliance.scan import patterns as P

CHUNK = 8 << 20
LARGE = 64 << 20  # Files above this size get a note saying they were streamed.


@dataclass
class Hit:
    """A match, located: `kind` names the pattern, `groups` its groups (bytes or None)."""

    kind: str
    line: int
    column: int
    text: bytes
    groups: tuple[bytes | None, ...]
    context: str = ""  # "image" when inside an \includegraphics or Markdown image path


@dataclass
class BibEntry:
    key: str
    line: int
    doi: str | None = None
    title_matches: bool = False


@dataclass
class TextResult:
    hits: list[Hit] = field(default_factory=list)
    cites: set[str] = field(default_factory=set)
    bib: list[BibEntry] = field(default_factory=list)
    has_doi: bool = False
    invalid_utf8_at: int | None = None
    size: int = 0


# Which patterns run on which kind of file: (name, pattern, on lowered bytes?).
_SUBJECTS = [
    ("spno", P.SPNO, True),
    ("partc-path", P.PART_C_PATH, True),
    ("partc-text", P.PART_C_TEXT, True),
    ("partc-text", P.SUBJECT_OF_PART_C, True),
]
_NAMES = [("name", P.CASME_PAREN, True), ("name-plain", P.CASME_PLAIN, False)]
PLAN: dict[str, list[tuple[str, re.Pattern[bytes], bool]]] = {
    "tex": [*_SUBJECTS, *_NAMES, ("cite", P.TEX_CITE, False)],
    "md": [*_SUBJECTS, *_NAMES, ("cite", P.PANDOC_CITE, False)],
    "txt": _SUBJECTS,
    "bib": [*_SUBJECTS, ("bib-entry", P.BIB_ENTRY, True), ("bib-doi", P.BIB_DOI, True)],
}
_IMAGES = {"tex": P.INCLUDEGRAPHICS, "md": P.MD_IMAGE}
_NON_ALNUM = re.compile(rb"[^a-z0-9]+")


def scan_file(fs: str, kind: str, doi: str, title_key: bytes, want_cites: bool) -> TextResult:
    """Everything the rules need from one file; OSError if it cannot be opened or read."""
    result = TextResult()
    plan = PLAN[kind]
    if not want_cites:
        plan = [p for p in plan if p[0] != "cite"]
    doi_b = doi.lower().encode()
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(fs, "rb") as f:
        for chunk in _chunks(f, result, decoder):
            low = chunk.buf.lower()
            if kind in ("tex", "md") and doi_b in low:
                result.has_doi = True
            for name, pattern, lowered in plan:
                for m in pattern.finditer(low if lowered else chunk.buf, chunk.start):
                    if m.start() >= chunk.end:
                        break
                    _take(result, chunk, name, m, kind, low)
            if kind == "bib":
                for m in P.BIB_TITLE.finditer(low, chunk.start):
                    if m.start() >= chunk.end:
                        break
                    if title_key in _NON_ALNUM.sub(b"", m.group(1)):
                        line, _ = chunk.locate(m.start())
                        result.hits.append(Hit("bib-title", line, 1, b"", ()))
    _assign_bib(result, doi)
    return result


def _take(result: TextResult, chunk: _Chunk, name: str, m: re.Match[bytes], kind: str, low: bytes):
    if kind == "tex" and name in ("name", "name-plain", "cite") and chunk.in_tex_comment(m.start()):
        return
    line, column = chunk.locate(m.start())
    if name == "cite":
        for key in m.group(1).split(b","):
            key = key.strip().rstrip(b".:;,/?")
            if key:
                result.cites.add(key.decode("utf-8", "replace").lower())
        return
    context = ""
    if name in ("spno", "partc-path") and kind in _IMAGES:
        context = chunk.image_context(m.start(), _IMAGES[kind], low)
    hit = Hit(name, line, column, chunk.buf[m.start() : m.end()], m.groups(), context)
    if name == "name" and m.group(1) is not None and m.group(2) is None:
        hit.context = "math" if chunk.in_math(m.start()) else "caret"
    result.hits.append(hit)


def _assign_bib(result: TextResult, doi: str) -> None:
    """Give each DOI and matching title to the entry whose head comes last before it."""
    heads = [h for h in result.hits if h.kind == "bib-entry"]
    fields = [h for h in result.hits if h.kind in ("bib-doi", "bib-title")]
    result.hits = [h for h in result.hits if h.kind not in ("bib-entry", "bib-doi", "bib-title")]
    entries = []
    for h in heads:
        entry_type = (h.groups[0] or b"").decode("ascii", "replace")
        if entry_type in ("comment", "string", "preamble"):
            continue
        key = (h.groups[1] or b"").decode("utf-8", "replace")
        entries.append((h.line, h.column, BibEntry(key, h.line)))
    positions = [(line, column) for line, column, _ in entries]
    for f in fields:
        i = bisect.bisect_right(positions, (f.line, f.column)) - 1
        if i < 0:
            continue
        entry = entries[i][2]
        if f.kind == "bib-doi":
            entry.doi = (f.groups[0] or b"").decode("utf-8", "replace").rstrip(".")
        else:
            entry.title_matches = True
    result.bib = [e for _, _, e in entries]


class _Chunk:
    """A window of the file. Matches are taken when they start in `buf[start:end]`: the bytes
    before `start` are context from the last window (for look-behinds), those after `end` are
    read ahead so that a match starting before `end` can complete."""

    def __init__(self, buf: bytes, start: int, end: int, line0: int, col0: int):
        self.buf, self.start, self.end = buf, start, end
        self.line0, self.col0 = line0, col0  # line number at buf[0]; characters before it
        self._newlines: list[int] | None = None

    def newlines(self) -> list[int]:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer(b"\n", self.buf)]
        return self._newlines

    def locate(self, pos: int) -> tuple[int, int]:
        nls = self.newlines()
        i = bisect.bisect_left(nls, pos)
        if i == 0:
            return self.line0, self.col0 + _chars(self.buf[:pos]) + 1
        return self.line0 + i, _chars(self.buf[nls[i - 1] + 1 : pos]) + 1

    def line_before(self, pos: int) -> bytes:
        return self.buf[self.buf.rfind(b"\n", 0, pos) + 1 : pos]

    def in_tex_comment(self, pos: int) -> bool:
        return _TEX_COMMENT.search(self.line_before(pos)) is not None

    def in_math(self, pos: int) -> bool:
        before = _ESCAPED_DOLLAR.sub(b"", self.line_before(pos))
        return before.count(b"$") % 2 == 1 or before.rfind(b"\\(") > before.rfind(b"\\)")

    def image_context(self, pos: int, pattern: re.Pattern[bytes], low: bytes) -> str:
        line_start = self.buf.rfind(b"\n", 0, pos) + 1
        line_end = self.buf.find(b"\n", pos)
        for m in pattern.finditer(low, line_start, len(low) if line_end < 0 else line_end):
            if m.start(1) <= pos < m.end(1):
                return "image"
        return ""


_TEX_COMMENT = re.compile(rb"(?<!\\)%")
_ESCAPED_DOLLAR = re.compile(rb"\\\$")


def _chars(b: bytes) -> int:
    return len(b) if b.isascii() else len(b.decode("utf-8", "replace"))


def _chunks(f, result: TextResult, decoder: codecs.IncrementalDecoder) -> Iterator[_Chunk]:
    """The file as overlapping windows; records its size and the first invalid UTF-8 byte."""
    carry, start, line0, col0, offset = b"", 0, 1, 0, 0
    while True:
        data = f.read(CHUNK)
        _check_utf8(result, decoder, data, offset, final=not data)
        offset += len(data)
        buf = carry + data
        end = len(buf) if not data else max(start, len(buf) - P.MAX_MATCH)
        if end > start:
            yield _Chunk(buf, start, end, line0, col0)
        if not data:
            break
        # Keep what is not done yet, plus a little context for look-behinds.
        keep = max(0, end - _CONTEXT)
        while keep > 0 and 0x80 <= buf[keep] < 0xC0:  # never split a UTF-8 character
            keep -= 1
        head = buf[:keep]
        n = head.count(b"\n")
        if n:
            line0 += n
            col0 = _chars(head[head.rfind(b"\n") + 1 :])
        else:
            col0 += _chars(head)
        carry, start = buf[keep:], end - keep
    result.size = offset


_CONTEXT = 256


def _check_utf8(result, decoder, data: bytes, offset: int, final: bool) -> None:
    if result.invalid_utf8_at is not None:
        return
    if data.isascii() and not final and not decoder.getstate()[0]:
        return
    try:
        decoder.decode(data, final)
    except UnicodeDecodeError as e:
        result.invalid_utf8_at = offset + e.start
