"""Read one text file as a bounded stream of bytes and collect what the rules need from it.

A file is read in chunks of CHUNK bytes; each chunk is searched together with the last
patterns.MAX_MATCH bytes of the one before, so no match is lost at a boundary and memory stays
bounded whatever the file's size. Matches are turned into 1-based lines and columns (columns in
characters) only when found, so a clean file costs one fast pass per pattern over its bytes.

Work stays linear in the file however many matches a line holds: a _Cursor walks each window
forward, counting characters and noting comments and math as it goes, instead of looking back
from every match to the start of its line. Memory stays bounded however many matches there are:
only the subjects the LA restricts and the misspelt names are kept, CAP of each per file, and the
rest are counted.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from casme3_compliance.scan import bib as B
from casme3_compliance.scan import patterns as P
from casme3_compliance.scan import source as S
from casme3_compliance.scan.findings import CAP

CHUNK = 8 << 20
LARGE = 64 << 20  # Files above this size get a note saying they were streamed.
_CONTEXT = 256  # Bytes kept before a chunk for look-behinds and "is this a comment" checks.
MAX_DIRECTIVES = 1_000  # Suppression comments read per file; later ones suppress nothing.
MAX_REASON = 300  # Bytes of a suppression's reason kept (the rest of a long line is not one).
MAX_BIB_FILES = 64  # Bibliography names a manuscript may declare.


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
    # What the rules report: restricted subjects ("spno", "partc") and misspelt names ("name"),
    # at most CAP per group; `more` counts those past the cap.
    hits: list[Hit] = field(default_factory=list)
    more: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    first_name: Hit | None = None  # where the database is first named, however it is written
    cites: set[str] = field(default_factory=set)
    bib_files: list[str] = field(default_factory=list)  # bibliographies a manuscript declares
    bibliography: B.Bibliography | None = None  # of a .bib or .bbl
    directives: list[Directive] = field(default_factory=list)
    has_doi: bool = False
    # True when every line that is not blank is a line of a casme3 text or lines report
    # (None until a line was seen): such a file is our own output, not the user's.
    report: bool | None = None
    invalid_utf8_at: int | None = None
    encoding: str | None = None  # the UTF-16 or UTF-32 its byte order mark named
    invalid_at: int | None = None  # the first byte not valid in `encoding`
    nul_at: int | None = None  # the first NUL in the text (a byte offset when not transcoded)
    size: int = 0
    directives_dropped: int = 0  # suppression comments past MAX_DIRECTIVES

    def room(self, group: str) -> bool:
        """Whether one more hit of `group` is kept; if not, it is counted in `more`."""
        if self.kept.get(group, 0) < CAP:
            return True
        self.more[group] = self.more.get(group, 0) + 1
        return False

    def keep(self, group: str, hit: Hit) -> None:
        self.kept[group] = self.kept.get(group, 0) + 1
        self.hits.append(hit)


@dataclass(frozen=True)
class Want:
    """What to look for: the paper (its DOI also as lower-case bytes, to find it in a
    manuscript's text), and the bibliography keys whose citing counts."""

    doi: bytes
    paper: B.Paper
    cite_keys: frozenset[str] = frozenset()
    # The subjects the LA restricts (from the knowledge base): only their matches are kept.
    restricted_ab: frozenset[int] = frozenset()
    restricted_c: frozenset[int] = frozenset()


_WORD_START = {"spno", "partc-path", "partc-text", "name-plain"}
_IMAGES = {"tex": P.INCLUDEGRAPHICS, "md": P.MD_IMAGE}
_CITES = {"tex": P.TEX_CITE, "md": P.PANDOC_CITE}
_NOT_IN_COMMENTS = {"name", "name-plain", "cite", "bib-file"}
_TEX_COMMENT = re.compile(rb"(?<!\\)%")
# A line of a casme3 text or lines report (report.py): a finding, its rule page, a note (on
# stdout, or on stderr as `casme3: note:`), the summary. A file of such lines only is a report.
_REPORT_LINE = (
    rb"(?:.+:\d+:\d+: CM\d{3} .*"
    rb"|  see \S+/rules/CM\d{3}/"
    rb"|(?:casme3: )?note: .*"
    rb"|Found [\d,]+ findings? \(.*\) in [\d,]+ files?.*\."
    rb"|No findings in [\d,]+ files?.*\.)"
)
_NOT_REPORT_LINE = re.compile(rb"^(?!" + _REPORT_LINE + rb"\r?$)[^\n]*\S", re.M)
_TEXT = re.compile(rb"\S")
_REPORT_KINDS = ("txt", "md", "tex")


def scan_file(fs: str, kind: str, want: Want) -> TextResult:
    """Everything the rules need from one file; OSError if it cannot be opened or read."""
    result = TextResult()
    bib: list[bytes] | None = [] if kind in B.KINDS else None
    with _open(fs) as f:
        reader = S.Utf8Reader(f)
        for chunk in _chunks(reader, result, bib):
            _search(chunk, kind, want, result)
    result.encoding, result.invalid_at = reader.encoding, reader.invalid_at
    if bib is not None:
        result.bibliography = B.parse(b"".join(bib), kind, want.paper)
    return result


def _open(fs: str) -> BinaryIO:
    """The file, never through a symlink (tests replace this to make reads fail)."""
    return S.open_nofollow(fs)


def _search(chunk: _Chunk, kind: str, want: Want, result: TextResult) -> None:
    raw = chunk.buf
    if kind in _REPORT_KINDS and result.report is not False:
        _report_lines(chunk, result)
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
            result.bib_files += _front_matter_bibliography(raw)[:MAX_BIB_FILES]
    if b"casme3:" in low:
        found.append(("directive", P.DIRECTIVE, low))
    for name, pattern, data in found:
        for m in pattern.finditer(data, chunk.start):
            if m.start() >= chunk.end:
                break
            _take(result, chunk, name, m, kind, low, want)
    if kind in ("tex", "md") and not result.has_doi:
        # Only files that name the database need to know whether they give its DOI.
        named = result.first_name is not None
        if (named or not chunk.whole) and want.doi in low:
            result.has_doi = True


def _report_lines(chunk: _Chunk, result: TextResult) -> None:
    """Whether the lines starting in this window are all report lines (a line longer than the
    window's read-ahead is not one: such a file is scanned as any other)."""
    other = _NOT_REPORT_LINE.search(chunk.buf, chunk.start)
    if other is not None and other.start() < chunk.end:
        result.report = False
    elif result.report is None and _TEXT.search(chunk.buf, chunk.start, chunk.end):
        result.report = True


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
            if len(result.directives) < MAX_DIRECTIVES:
                result.directives.append(_directive(chunk, m, kind))
            else:
                result.directives_dropped += 1
        return
    if name == "bib-file":
        names = m.group(1).decode("utf-8", "replace").split(",")
        for n in (n.strip() for n in names):
            if n and n not in result.bib_files and len(result.bib_files) < MAX_BIB_FILES:
                result.bib_files.append(n)
        return
    group = _group(name, m, want)
    if group is None or (group != "name" and not result.room(group)):
        return  # a subject the LA allows, or one more past the cap: counted, not placed
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
    if group == "name":
        if result.first_name is None:
            result.first_name = hit
        if not misnamed(hit) or not result.room(group):
            return
    result.keep(group, hit)


def _group(name: str, m: re.Match[bytes], want: Want) -> str | None:
    """The group a match reports under, or None for a subject the LA does not restrict."""
    if name == "spno":
        return "spno" if int(m.group(1)) in want.restricted_ab else None
    if name in ("partc-path", "partc-text"):
        return "partc" if int(m.group(1)) in want.restricted_c else None
    return "name"


def misnamed(hit: Hit) -> bool:
    """Whether a name hit writes the database otherwise than the LA (CM402): CASME3 and the
    like, a bare caret outside math, a plain 3 in LaTeX text."""
    return hit.kind == "name-plain" or (hit.kind == "name" and hit.context in ("caret", "plain"))


_COMMENT_STARTS = ("md", "txt")


def _in_comment(chunk: _Chunk, pos: int, kind: str) -> bool:
    """Whether `pos` is inside a comment of its file's kind: `%` in LaTeX and bibliographies,
    `<!-- -->` in Markdown, `#` in other text."""
    if kind not in _COMMENT_STARTS:
        return chunk.in_tex_comment(pos)
    facts = chunk.cursor.facts(pos)
    if kind == "md":
        return facts.md_comment(chunk.buf, pos)
    return facts.hash_comment(chunk.buf, pos)


def _directive(chunk: _Chunk, m: re.Match[bytes], kind: str) -> Directive:
    """The directive at `m`: its codes, and the reason after ` -- ` (up to `-->` in Markdown;
    at most MAX_REASON bytes, so a line of many directives costs linear work)."""
    line = chunk.locate(m.start())[0]
    end = min(chunk.cursor.line_end(), m.end() + MAX_REASON)
    rest = chunk.buf[m.end() : end].rstrip(b"\r")
    if kind == "md" and b"-->" in rest:
        rest = rest[: rest.index(b"-->")]
    rest = rest.strip()
    reason = rest[2:].strip() if rest.startswith(b"--") else b""
    codes = m.group(1)
    return Directive(
        line,
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
        self._cursor: _Cursor | None = None

    @property
    def cursor(self) -> _Cursor:
        if self._cursor is None:
            self._cursor = _Cursor(self)
        return self._cursor

    def locate(self, pos: int) -> tuple[int, int]:
        """1-based line and column (in characters) of `pos`."""
        return self.cursor.locate(pos)

    def in_tex_comment(self, pos: int) -> bool:
        return self.cursor.facts(pos).tex_comment(self.buf, pos)

    def in_math(self, pos: int) -> bool:
        return self.cursor.facts(pos).in_math(self.buf, pos)

    def image_context(self, pos: int, pattern: re.Pattern[bytes], low: bytes) -> str:
        return self.cursor.image_context(pos, pattern, low)


class _Cursor:
    """Line, column and what the line holds before a position, for positions that only grow.

    Each pattern's matches come in order, so the cursor walks forward from the last one and
    looks at each byte a bounded number of times: a pass is linear in the window however many
    matches one line holds. A position before the last one (the next pattern's pass) starts
    over from the window's start.
    """

    def __init__(self, chunk: _Chunk):
        self.buf, self.line0, self.col0 = chunk.buf, chunk.line0, chunk.col0
        self._reset()

    def _reset(self) -> None:
        self.pos, self.line, self.col = 0, self.line0, self.col0
        self.line_start = 0  # the window's start may be inside a line: col0 says where
        self._line_end = -1  # of the current line, once asked for
        self._facts: _Facts | None = None  # of the current line, once asked for
        self._images: tuple[re.Pattern[bytes], Iterator[re.Match[bytes]]] | None = None
        self._image: re.Match[bytes] | None = None

    def seek(self, pos: int) -> None:
        if pos < self.pos:
            self._reset()
        buf = self.buf
        newline = buf.rfind(b"\n", self.pos, pos)
        if newline < 0:
            self.col += _chars(buf[self.pos : pos])
        else:
            self.line += buf.count(b"\n", self.pos, newline + 1)
            self.line_start = newline + 1
            self.col = _chars(buf[newline + 1 : pos])
            self._line_end = -1
            self._facts = None
            self._images = None
        self.pos = pos

    def locate(self, pos: int) -> tuple[int, int]:
        self.seek(pos)
        return self.line, self.col + 1

    def line_end(self) -> int:
        """Where the current line ends in the window (its newline, or the window's end)."""
        if self._line_end < 0:
            end = self.buf.find(b"\n", self.pos)
            self._line_end = len(self.buf) if end < 0 else end
        return self._line_end

    def facts(self, pos: int) -> _Facts:
        """What the current line holds (ask it about the bytes before `pos`)."""
        self.seek(pos)
        if self._facts is None:
            self._facts = _Facts(self.line_start)
        return self._facts

    def image_context(self, pos: int, pattern: re.Pattern[bytes], low: bytes) -> str:
        """ "image" when `pos` is inside the path of an image (`pattern`) on its line."""
        self.seek(pos)
        if self._images is None or self._images[0] is not pattern:
            found = pattern.finditer(low, self.line_start, self.line_end())
            self._images, self._image = (pattern, found), next(found, None)
        m = self._image
        while m is not None and m.end(1) <= pos:
            m = next(self._images[1], None)
        self._image = m
        return "image" if m is not None and m.start(1) <= pos else ""


class _Facts:
    """What the bytes of one line hold from its start up to a position, each fact brought up
    to date only when asked (and only from where it was last asked): the first unescaped `%`,
    the first `#`, the last `<!--` and `-->`, the unescaped `$` and the last `\\(` and `\\)`."""

    __slots__ = ("at", "hash", "math", "md_close", "md_open", "percent", "start")

    def __init__(self, start: int):
        self.start = start  # the line's start in the window
        self.at = {"percent": start, "hash": start, "md": start, "math": start}
        self.percent = self.hash = self.md_open = self.md_close = -1
        self.math = [0, -1, -1]  # unescaped dollars, last \\(, last \\)

    def _span(self, fact: str, pos: int, back: int) -> tuple[int, int] | None:
        """The bytes not yet looked at for `fact` (from `back` bytes earlier, for marks that
        may straddle the last position), or None when there are none."""
        done = self.at[fact]
        if pos <= done:
            return None
        self.at[fact] = pos
        return done, max(self.start, done - back)

    def tex_comment(self, buf: bytes, pos: int) -> bool:
        span = self._span("percent", pos, 0) if self.percent < 0 else None
        if span is not None:
            m = _TEX_COMMENT.search(buf, span[0], pos)
            self.percent = m.start() if m else -1
        return self.percent >= 0

    def hash_comment(self, buf: bytes, pos: int) -> bool:
        span = self._span("hash", pos, 0) if self.hash < 0 else None
        if span is not None:
            self.hash = buf.find(b"#", span[0], pos)
        return self.hash >= 0

    def md_comment(self, buf: bytes, pos: int) -> bool:
        span = self._span("md", pos, 3)
        if span is not None:
            self.md_open = max(self.md_open, buf.rfind(b"<!--", span[1], pos))
            self.md_close = max(self.md_close, buf.rfind(b"-->", span[1], pos))
        return self.md_open >= 0 and self.md_close < self.md_open

    def in_math(self, buf: bytes, pos: int) -> bool:
        span = self._span("math", pos, 1)
        m = self.math
        if span is not None:
            done, back = span
            m[0] += buf.count(b"$", done, pos) - buf.count(b"\\$", back, pos)
            m[1] = max(m[1], buf.rfind(b"\\(", back, pos))
            m[2] = max(m[2], buf.rfind(b"\\)", back, pos))
        return m[0] % 2 == 1 or m[1] > m[2]


def _chars(b: bytes) -> int:
    return len(b) if b.isascii() else len(b.decode("utf-8", "replace"))


def _chunks(f: S.Utf8Reader, result: TextResult, bib: list[bytes] | None) -> Iterator[_Chunk]:
    """The file as overlapping windows; records its size, the first invalid UTF-8 byte and the
    first NUL, and keeps the text of a bibliography in `bib` (up to just past B.MAX_BYTES).

    One chunk is read ahead, so the last window (and a file that fits in one) is known as such.
    """
    carry, start, line0, col0, offset = b"", 0, 1, 0, f.start
    decoder = codecs.getincrementaldecoder("utf-8")() if f.encoding is None else None
    kept = 0
    data = f.read(CHUNK)
    first = True
    while True:
        ahead = f.read(CHUNK) if data else b""
        eof = not ahead
        if decoder is not None:
            _check_utf8(result, decoder, data, offset, final=eof)
        if result.nul_at is None and (nul := data.find(b"\0")) >= 0:
            result.nul_at = offset + nul
        if bib is not None and kept <= B.MAX_BYTES:
            bib.append(data[: B.MAX_BYTES + 1 - kept])
            kept += len(bib[-1])
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
    result.size = f.raw


def _check_utf8(result: TextResult, decoder, data: bytes, offset: int, final: bool) -> None:
    if result.invalid_utf8_at is not None:
        return
    if data.isascii() and not decoder.getstate()[0]:
        return  # ASCII is valid UTF-8, and nothing is pending from the last chunk.
    try:
        decoder.decode(data, final)
    except UnicodeDecodeError as e:
        result.invalid_utf8_at = offset + e.start
