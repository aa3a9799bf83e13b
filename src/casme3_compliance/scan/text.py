"""Read one text file as a bounded stream of bytes and collect what the rules need from it.

A file is read in chunks of CHUNK bytes; each chunk is searched together with the last
patterns.MAX_MATCH bytes of the one before, so no match is lost at a boundary and memory stays
bounded whatever the file's size. Matches are turned into 1-based lines and columns (columns in
characters) only when found, so a clean file costs one fast pass per pattern over its bytes.
"""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from casme3_compliance.scan import bib as B
from casme3_compliance.scan import patterns as P

CHUNK = 8 << 20
LARGE = 64 << 20  # Files above this size get a note saying they were streamed.
_CONTEXT = 256  # Bytes kept before a chunk for look-behinds and "is this a comment" checks.


@dataclass
class Hit:
    """A match, located: `kind` names the pattern, `groups` its groups (bytes or None)."""

    kind: str
    line: int
    column: int
    text: bytes
    groups: tuple[bytes | None, ...]
    # "image" in an image path; "caret"/"math" for CAS(ME)^3; "plain" for CAS(ME)3 in LaTeX text
    context: str = ""


@dataclass(frozen=True)
class Directive:
    """A `casme3: ignore[...] -- reason` comment: its line, the codes as written (None when
    it has no brackets) and the reason ("" when none is given)."""

    line: int
    codes: str | None
    reason: str


@dataclass
class TextResult:
    hits: list[Hit] = field(default_factory=list)
    cites: set[str] = field(default_factory=set)
    bib_files: list[str] = field(default_factory=list)  # bibliographies a manuscript declares
    bibliography: B.Bibliography | None = None  # of a .bib or .bbl
    directives: list[Directive] = field(default_factory=list)
    has_doi: bool = False
    invalid_utf8_at: int | None = None
    size: int = 0


@dataclass(frozen=True)
class Want:
    """What to look for: the paper (its DOI also as lower-case bytes, to find it in a
    manuscript's text), and the bibliography keys whose citing counts."""

    doi: bytes
    paper: B.Paper
    cite_keys: frozenset[str] = frozenset()


_WORD_START = {"spno", "partc-path", "partc-text", "name-plain"}
_IMAGES = {"tex": P.INCLUDEGRAPHICS, "md": P.MD_IMAGE}
_CITES = {"tex": P.TEX_CITE, "md": P.PANDOC_CITE}
_NOT_IN_COMMENTS = {"name", "name-plain", "cite", "bib-file"}
_TEX_COMMENT = re.compile(rb"(?<!\\)%")
_ESCAPED_DOLLAR = re.compile(rb"\\\$")


def scan_file(fs: str, kind: str, want: Want) -> TextResult:
    """Everything the rules need from one file; OSError if it cannot be opened or read."""
    result = TextResult()
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(fs, "rb") as f:
        for chunk in _chunks(f, result, decoder):
            _search(chunk, kind, want, result)
    if kind in B.KINDS:
        result.bibliography = B.read(fs, kind, want.paper)
    return result


def _search(chunk: _Chunk, kind: str, want: Want, result: TextResult) -> None:
    raw = chunk.buf
    low = raw.lower()
    found = [("spno", P.SPNO, low)]
    if P.PART_C_GATE.search(low, chunk.start):
        found += [
            ("partc-path", P.PART_C_PATH, low),
            ("partc-text", P.PART_C_TEXT, low),
            ("partc-text", P.SUBJECT_OF_PART_C, low),
        ]
    if kind in ("tex", "md"):
        found.append(("name-gate", P.NAME_GATE, low))
        if want.cite_keys and any(k.encode() in low for k in want.cite_keys):
            found.append(("cite", _CITES[kind], raw))
        if kind == "tex" and b"bib" in raw:
            found.append(("bib-file", P.TEX_BIBLIOGRAPHY, raw))
        elif kind == "md" and chunk.start == 0 and chunk.line0 == 1:
            result.bib_files += _front_matter_bibliography(raw)
    if b"casme3:" in low:
        found.append(("directive", P.DIRECTIVE, low))
    names_before = len(result.hits)
    for name, pattern, data in found:
        for m in pattern.finditer(data, chunk.start):
            if m.start() >= chunk.end:
                break
            _take(result, chunk, name, m, kind, low, want)
    if kind in ("tex", "md") and not result.has_doi:
        # Only files that name the database need to know whether they give its DOI.
        named = any(h.kind.startswith("name") for h in result.hits[names_before:])
        if (named or not chunk.whole) and want.doi in low:
            result.has_doi = True


def _take(result, chunk, name: str, m: re.Match[bytes], kind: str, low: bytes, want: Want):
    start = m.start()
    if name == "name-gate":  # CASME3 (upper case only) or CAS(ME)...
        if low[start + 3] == ord("m"):
            name, full = "name-plain", P.CASME_PLAIN.match(chunk.buf, start)
        else:
            name, full = "name", P.CASME_PAREN.match(low, start)
        if full is None:
            return
        m = full
    if start and name in _WORD_START and low[start - 1] in P.WORD_BYTES:
        return
    if kind == "tex" and name in _NOT_IN_COMMENTS and chunk.in_tex_comment(start):
        return
    if name == "cite":
        if kind == "md" and start and chunk.buf[start - 1] in P.CITE_BEFORE:
            return
        for keys in _cite_key_lists(chunk.buf, m, kind):
            for key in keys.split(b","):
                k = key.strip().rstrip(b".:;,/?").decode("utf-8", "replace").lower()
                if k in want.cite_keys:
                    result.cites.add(k)
        return
    if name == "directive":
        if _in_comment(chunk, start, kind):
            result.directives.append(_directive(chunk, m, kind))
        return
    if name == "bib-file":
        names = m.group(1).decode("utf-8", "replace").split(",")
        result.bib_files += [n.strip() for n in names if n.strip()]
        return
    line, column = chunk.locate(start)
    hit = Hit(name, line, column, chunk.buf[start : m.end()], m.groups())
    if name in ("spno", "partc-path") and kind in _IMAGES:
        hit.context = chunk.image_context(start, _IMAGES[kind], low)
    elif name == "name" and m.group(1) is not None and m.group(2) is None:
        hit.context = "math" if chunk.in_math(start) else "caret"
    elif name == "name" and m.group(3) is not None and kind == "tex":
        # A plain 3 in LaTeX text is not raised; in math, or in a file name, it is not the name.
        after = chunk.buf[m.end() : m.end() + 2]
        in_name = (len(after) > 0 and after[0] in P.FILE_NAME_BYTES) or after == b"\\_"
        if not in_name and not chunk.in_math(start):
            hit.context = "plain"
    result.hits.append(hit)


_COMMENT_STARTS = {"md": b"<!--", "txt": b"#"}


def _in_comment(chunk: _Chunk, pos: int, kind: str) -> bool:
    """Whether `pos` is inside a comment of its file's kind: `%` in LaTeX and bibliographies,
    `<!-- -->` in Markdown, `#` in other text."""
    if kind not in _COMMENT_STARTS:
        return chunk.in_tex_comment(pos)
    before = chunk.line_before(pos)
    opened = before.rfind(_COMMENT_STARTS[kind])
    return opened >= 0 and (kind != "md" or before.rfind(b"-->") < opened)


def _directive(chunk: _Chunk, m: re.Match[bytes], kind: str) -> Directive:
    """The directive at `m`: its codes, and the reason after ` -- ` (up to `-->` in Markdown)."""
    line_end = chunk.buf.find(b"\n", m.end())
    rest = chunk.buf[m.end() : len(chunk.buf) if line_end < 0 else line_end].rstrip(b"\r")
    if kind == "md" and b"-->" in rest:
        rest = rest[: rest.index(b"-->")]
    rest = rest.strip()
    reason = rest[2:].strip() if rest.startswith(b"--") else b""
    codes = m.group(1)
    return Directive(
        chunk.locate(m.start())[0],
        None if codes is None else chunk.buf[m.start(1) : m.end(1)].decode("utf-8", "replace"),
        reason.decode("utf-8", "replace"),
    )


def _cite_key_lists(buf: bytes, m: re.Match[bytes], kind: str) -> list[bytes]:
    """The key lists of a citation: one, or each `{...}` of biblatex's `\\cites{a}{b}`."""
    if kind != "tex":
        return [m.group(1)]
    lists = [m.group(2)]
    if m.group(1).endswith(b"cites"):
        pos = m.end()
        while (more := P.TEX_CITE_MORE.match(buf, pos)) is not None:
            lists.append(more.group(1))
            pos = more.end()
    return lists


_FRONT_MATTER = re.compile(
    rb"\A---[ \t]*\r?\n(.{0,65536}?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S
)


def _front_matter_bibliography(buf: bytes) -> list[str]:
    """Pandoc's `bibliography:` (a file or a list of files) in a Markdown file's YAML header."""
    m = _FRONT_MATTER.match(buf)
    if m is None or b"bibliography" not in m.group(1):
        return []
    import yaml

    try:
        meta = yaml.safe_load(m.group(1).decode("utf-8", "replace"))
    except (yaml.YAMLError, RecursionError):  # not YAML, or nested past the parser's depth
        return []
    value = meta.get("bibliography") if isinstance(meta, dict) else None
    values = value if isinstance(value, list) else [value]
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


class _Chunk:
    """A window of the file. Matches are taken when they start in `buf[start:end]`: the bytes
    before `start` are context from the last window (for look-behinds), those after `end` are
    read ahead so that a match starting before `end` can complete."""

    def __init__(self, buf: bytes, start: int, end: int, line0: int, col0: int, whole: bool):
        self.buf, self.start, self.end, self.whole = buf, start, end, whole
        self.line0, self.col0 = line0, col0  # line number at buf[0]; characters before it
        self._newlines: list[int] | None = None

    def locate(self, pos: int) -> tuple[int, int]:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer(b"\n", self.buf)]
        nls = self._newlines
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


def _chars(b: bytes) -> int:
    return len(b) if b.isascii() else len(b.decode("utf-8", "replace"))


def _chunks(
    f: BinaryIO, result: TextResult, decoder: codecs.IncrementalDecoder
) -> Iterator[_Chunk]:
    """The file as overlapping windows; records its size and the first invalid UTF-8 byte.

    One chunk is read ahead, so the last window (and a file that fits in one) is known as such.
    """
    carry, start, line0, col0, offset = b"", 0, 1, 0, 0
    data = f.read(CHUNK)
    first = True
    while True:
        ahead = f.read(CHUNK) if data else b""
        eof = not ahead
        _check_utf8(result, decoder, data, offset, final=eof)
        offset += len(data)
        buf = carry + data if carry else data
        end = len(buf) if eof else max(start, len(buf) - P.MAX_MATCH)
        if end > start:
            yield _Chunk(buf, start, end, line0, col0, whole=first and eof)
        if eof:
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
        carry, start, data, first = buf[keep:], end - keep, ahead, False
    result.size = offset


def _check_utf8(result: TextResult, decoder, data: bytes, offset: int, final: bool) -> None:
    if result.invalid_utf8_at is not None:
        return
    if data.isascii() and not decoder.getstate()[0]:
        return  # ASCII is valid UTF-8, and nothing is pending from the last chunk.
    try:
        decoder.decode(data, final)
    except UnicodeDecodeError as e:
        result.invalid_utf8_at = offset + e.start
