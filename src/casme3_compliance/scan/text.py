"""Read one text file as a bounded stream of bytes and collect what the rules need from it.

A file is read in chunks of CHUNK bytes; each chunk is searched together with the bytes around
it (the last _CONTEXT bytes of the one before, patterns.MAX_MATCH read ahead), so no match is
lost at a boundary and memory stays bounded whatever the file's size. Matches are turned into
1-based lines and columns (columns in characters) only when found, so a clean file costs one
fast pass per pattern over its bytes.

What is looked for is data (scan/spec.py compiles it from each database's scan.yaml), searched
literal-first: the names of every database once per literal they start with, each subject form
once however many databases share it, a form that needs a context only where a database using it
is named. A subject id that needs a context counts when a name of its database is in the same
sentence or the same figure, no further than CONTEXT_MAX bytes from it; a path naming the
database is such a name, and so is a composite label row's dataset field.

Work stays linear in the file however many matches a line holds: a _Cursor walks each window
forward, counting characters and noting comments and math as it goes, instead of looking back
from every match to the start of its line; a context is decided by bisecting sorted positions.
Memory stays bounded however many matches there are: only what a rule reports is kept, CAP of
each per file, and the rest are counted.
"""

from __future__ import annotations

import bisect
import codecs
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from casme3_compliance.scan import bib as B
from casme3_compliance.scan import patterns as P
from casme3_compliance.scan import source as S
from casme3_compliance.scan import spec as SP
from casme3_compliance.scan.findings import CAP

CHUNK = 8 << 20
LARGE = 64 << 20  # Files above this size get a note saying they were streamed.
CONTEXT_MAX = 2048  # A name ties a subject id in its sentence or figure only this close to it.
# Bytes kept before a chunk: for look-behinds, "is this a comment", and the names around a
# subject id near the chunk's start (patterns.MAX_MATCH, read ahead, covers those after it).
_CONTEXT = CONTEXT_MAX + 256
MAX_DIRECTIVES = 1_000  # Suppression comments read per file; later ones suppress nothing.
MAX_REASON = 300  # Bytes of a suppression's reason kept (the rest of a long line is not one).
MAX_BIB_FILES = 64  # Bibliography names a manuscript may declare.
MANUSCRIPT_KINDS = ("tex", "md")


@dataclass
class Hit:
    """What a rule reports from a file: a subject (`applies` names the rule it falls under) or
    a misspelt name (`applies` is "name") of database `db`, located."""

    kind: str  # "subject" or "name"
    db: str
    line: int
    column: int
    text: bytes
    applies: str
    # "image" in an image path; for a name: "wrong", "caret" (CAS(ME)^3 outside math) or
    # "plain" (CAS(ME)3 in LaTeX text)
    context: str = ""
    part: str | None = None
    number: int = 0
    via: str = ""  # "row" for a composite label file's row


@dataclass(frozen=True)
class Figure:
    """A figure tied to database `db`, which asks for a copyright notice, without it."""

    db: str
    line: int
    column: int


@dataclass(frozen=True)
class Directive:
    """A `casme3: ignore[...] -- reason` comment: its line, the codes as written (None when
    it has no brackets) and the reason ("" when none is given)."""

    line: int
    codes: str | None
    reason: str


@dataclass
class TextResult:
    # What the rules report, at most CAP per group (a rule's `applies`); `more` counts the rest.
    hits: list[Hit] = field(default_factory=list)
    more: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    # Where each database is first named in prose, however it is written.
    first_names: dict[str, Hit] = field(default_factory=dict)
    dois: set[str] = field(default_factory=set)  # databases whose paper's DOI the text gives
    acks: set[str] = field(default_factory=set)  # databases whose acknowledgement it holds
    figures: list[Figure] = field(default_factory=list)
    paper_at: tuple[int, int] | None = None  # a LaTeX \documentclass or a Markdown header
    cites: set[str] = field(default_factory=set)
    cited_at: dict[str, tuple[int, int]] = field(default_factory=dict)  # a key's first \cite
    bib_files: list[str] = field(default_factory=list)  # bibliographies a manuscript declares
    bibliography: B.Bibliography | None = None  # of a .bib or .bbl
    directives: list[Directive] = field(default_factory=list)
    has_doi: bool = False  # the text gives the DOI of a database it names
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
    """What to look for: the forms of the databases scanned (spec.TextSpec, their DOIs
    among them), their papers (to find in bibliographies), the
    bibliography keys whose citing counts, the databases whose agreement asks for a spelling of
    its name or a copyright notice, and whether papers count as using the databases forced."""

    spec: SP.TextSpec
    papers: tuple[B.Paper, ...] = ()
    cite_keys: frozenset[str] = frozenset()
    name_dbs: frozenset[str] = frozenset()
    notice_dbs: frozenset[str] = frozenset()
    forced: bool = False
    # The lines that are not a casme3 report's (report.report_lines): a file without one is a
    # report, not read; None: no file is taken for one.
    not_report: re.Pattern[bytes] | None = None


_IMAGES = {"tex": P.INCLUDEGRAPHICS, "md": P.MD_IMAGE}
_CITES = {"tex": P.TEX_CITE, "md": P.PANDOC_CITE}
_NOT_IN_COMMENTS = {"cite", "bib-file"}
_TEX_COMMENT = re.compile(rb"(?<!\\)%")
_TEXT = re.compile(rb"\S")
_REPORT_KINDS = ("txt", "md", "tex")
# Where a sentence ends: . ! ? (and the brackets or quotes closing on it) before a space, or a
# blank line; in LaTeX also where an environment, a section or an item begins or ends; in a CSV
# file, every line.
_SENTENCE_END = re.compile(rb"[.!?][)\]}\"'*_]*(?=\s)|\n[ \t]*\r?\n")
_TEX_SENTENCE_END = re.compile(
    _SENTENCE_END.pattern
    + rb"|\\(?:begin|end|par|item|chapter|(?:sub)*section|(?:sub)?paragraph)(?![a-z])"
)
_LINE_END = re.compile(rb"\n")
_ENDS = {"csv": _LINE_END, "tex": _TEX_SENTENCE_END}
_PARAGRAPH_END = re.compile(rb"\n[ \t]*\r?\n")
# Figures: LaTeX's figure environments (figure*, subfigure, ...) and HTML's <figure>.
_TEX_FIGURE = re.compile(
    rb"\\(begin|end)[ \t]*\{(?:figure\*?|subfigure|wrapfigure|sidewaysfigure|SCfigure)\}"
)
_HTML_FIGURE = re.compile(rb"<(/?)figure(?=[\s>])")
# A copyright sign right before a notice's holder: ©, \copyright, \textcopyright, &copy;, (c).
_MARK = re.compile(rb"(?:\xc2\xa9|\\(?:text)?copyright|\(c\)|&copy;|&#169;|copyright)[\s~{}]*\Z")
_FIELD_START = frozenset(b"\n\r,;\t \"'")


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
        result.bibliography = B.parse(b"".join(bib), kind, want.papers)
    return result


def _open(fs: str) -> BinaryIO:
    """The file, never through a symlink (tests replace this to make reads fail)."""
    return S.open_nofollow(fs)


def _search(chunk: _Chunk, kind: str, want: Want, result: TextResult) -> None:
    raw = chunk.buf
    if kind in _REPORT_KINDS and result.report is not False and want.not_report is not None:
        _report_lines(chunk, result, want.not_report)
    low = raw.lower()
    ctx = _Context(chunk, kind, low)
    spec = want.spec
    _names(ctx, want, result)
    ctx.sort_names()
    for row in spec.rows:
        if ctx.has(row.dataset):
            _rows(ctx, row, want, result)
    gates: dict[bytes, bool] = {}  # forms share a gate: it is searched once
    if ctx.names:
        # What a form naming its database reads is kept from the others when one will run.
        ctx.keep_owned = any(not u.alone and u.db in ctx.names for f in spec.forms for u in f.uses)
        forms = [(f, [u for u in f.uses if u.alone or u.db in ctx.names]) for f in spec.forms]
    else:  # no database named here: only the forms that name their database
        forms = spec.alone
    for form, uses in forms:
        if not uses:
            continue
        gate = form.gate
        if gate is not None and gate.pattern not in gates:
            gates[gate.pattern] = gate.search(low, chunk.start) is not None
        if gate is None or gates[gate.pattern]:
            _subjects(ctx, form, uses, want, result)
    found: list[tuple[str, re.Pattern[bytes], bytes]] = []
    if kind in MANUSCRIPT_KINDS:
        if want.notice_dbs.intersection(ctx.names):
            _figures(ctx, want, result)
        _manuscript(ctx, want, result)
        if want.cite_keys and any(k.encode() in low for k in want.cite_keys):
            found.append(("cite", _CITES[kind], raw))
        if kind == "tex" and b"bib" in raw:
            found.append(("bib-file", P.TEX_BIBLIOGRAPHY, raw))
        elif kind == "md" and chunk.start == 0 and chunk.line0 == 1:
            result.bib_files += _front_matter_bibliography(raw)[:MAX_BIB_FILES]
    if ctx.has(b"casme3:"):
        found.append(("directive", P.DIRECTIVE, low))
    for name, pattern, data in found:
        for m in pattern.finditer(data, chunk.start):
            if m.start() >= chunk.end:
                break
            _take(result, chunk, name, m, kind, want)


def _report_lines(chunk: _Chunk, result: TextResult, not_report: re.Pattern[bytes]) -> None:
    """Whether the lines starting in this window are all lines of a casme3 text or lines
    report, in any language of ours (a line longer than the window's read-ahead is not one:
    such a file is scanned as any other)."""
    other = not_report.search(chunk.buf, chunk.start)
    if other is not None and other.start() < chunk.end:
        result.report = False
    elif result.report is None and _TEXT.search(chunk.buf, chunk.start, chunk.end):
        result.report = True


class _Context:
    """What decides whether a subject id is tied to a database, for one window: where each
    database is named (its names and path names, over the whole window), where sentences end,
    where figures are; the last two found only when asked for."""

    def __init__(self, chunk: _Chunk, kind: str, low: bytes):
        self.chunk, self.kind, self.low = chunk, kind, low
        self.names: dict[str, array[int]] = {}
        self._unsorted: set[str] = set()
        self.ties: dict[str, list[int]] = {}  # subject ids tied to a database (for figures)
        self.rows: dict[str, tuple[list[int], list[int]]] = {}  # rows read, by dataset
        self._ends: list[int] | None = None
        self._figures: list[tuple[int, int, int]] | None = None
        self._figure_starts: list[int] = []
        self._notices: dict[str, list[int]] = {}
        self.keep_owned = False
        self._owned_starts = array("q")  # ids read by forms naming their database
        self._owned_ends = array("q")
        self._owned_sorted = True
        self._absent: list[bytes] = []  # literals not in the window
        self._present: set[bytes] = set()

    def mark(self, literal: bytes, present: bool) -> None:
        """What a pass found out: whether `literal` is in the window."""
        if present:
            self._present.add(literal)
        else:
            self._absent.append(literal)

    def has(self, literal: bytes) -> bool:
        """Whether `literal` is in the window; known absent, without a search, when a literal
        it starts with is (`casme2` when `cas` is not): one pass per literal at most."""
        if literal in self._present:
            return True
        if any(literal.startswith(a) for a in self._absent):
            return False
        if literal in self.low:
            self._present.add(literal)
            return True
        self._absent.append(literal)
        return False

    def owned(self, start: int, end: int) -> None:
        """An id read by a form that names its database: no other database's form reads it
        (kept as two arrays of positions: bounded memory however many there are)."""
        if self.keep_owned:
            self._owned_starts.append(start)
            self._owned_ends.append(end)
            self._owned_sorted = False

    def in_owned(self, pos: int) -> bool:
        starts = self._owned_starts
        if not starts:
            return False
        if not self._owned_sorted:  # each form's reads are in order; the forms are not
            pairs = sorted(zip(starts, self._owned_ends, strict=True))
            self._owned_starts = array("q", (s for s, _ in pairs))
            self._owned_ends = array("q", (e for _, e in pairs))
            self._owned_sorted = True
        i = bisect.bisect_right(self._owned_starts, pos) - 1
        return i >= 0 and pos < self._owned_ends[i]

    def in_row(self, db: str, pos: int) -> bool:
        """Whether `pos` is in a row whose dataset field is `db`'s (its subject is taken)."""
        starts, ends = self.rows.get(db, ((), ()))
        i = bisect.bisect_right(starts, pos) - 1
        return i >= 0 and pos < ends[i]

    def named(self, db: str, pos: int) -> None:
        """A name of `db` at `pos` (positions kept as an array: 8 bytes a name)."""
        positions = self.names.get(db)
        if positions is None:
            self.names[db] = positions = array("q")
        elif positions[-1] > pos:
            self._unsorted.add(db)  # two gates found its names
        positions.append(pos)

    def sort_names(self) -> None:
        for db in self._unsorted:
            self.names[db] = array("q", sorted(self.names[db]))

    def ends(self) -> list[int]:
        if self._ends is None:
            pattern = _ENDS.get(self.kind, _SENTENCE_END)
            self._ends = [m.start() for m in pattern.finditer(self.low)]
        return self._ends

    def figures(self) -> list[tuple[int, int, int]]:
        """The figures of the window as (start, end, where to report), sorted, overlaps merged:
        LaTeX figure environments and HTML figures (a figure still open at the window's edge
        runs to it), and in Markdown the paragraph around each image."""
        if self._figures is None:
            spans: list[tuple[int, int, int]] = []
            if self.kind == "tex" and (b"\\begin" in self.chunk.buf or b"\\end" in self.chunk.buf):
                spans += _environments(_TEX_FIGURE.finditer(self.chunk.buf), len(self.low))
            if self.kind == "md":
                if b"<figure" in self.low or b"</figure" in self.low:
                    spans += _environments(_HTML_FIGURE.finditer(self.low), len(self.low), "/")
                if b"![" in self.low:
                    spans += self._image_paragraphs()
            spans.sort()
            merged: list[tuple[int, int, int]] = []
            for span in spans:
                if merged and span[0] < merged[-1][1]:
                    last = merged[-1]
                    merged[-1] = (last[0], max(last[1], span[1]), last[2])
                else:
                    merged.append(span)
            self._figures = merged
            self._figure_starts = [s for s, _, _ in merged]
        return self._figures

    def _image_paragraphs(self) -> list[tuple[int, int, int]]:
        breaks = [m.start() for m in _PARAGRAPH_END.finditer(self.low)]
        out = []
        for m in P.MD_IMAGE.finditer(self.low):
            i = bisect.bisect_right(breaks, m.start())
            start = breaks[i - 1] + 1 if i else 0
            end = breaks[i] if i < len(breaks) else len(self.low)
            if not out or out[-1][0] != start:
                out.append((start, end, m.start()))
        return out

    def figure_at(self, pos: int) -> tuple[int, int, int] | None:
        figures = self.figures()
        i = bisect.bisect_right(self._figure_starts, pos) - 1
        return figures[i] if i >= 0 and pos < figures[i][1] else None

    def tied(self, db: str, pos: int) -> bool:
        """Whether a name of `db` is in the sentence or the figure of `pos`, close enough."""
        names = self.names.get(db)
        if not names:
            return False
        i = bisect.bisect_left(names, pos)
        ends = self.ends()
        for q in (names[i - 1] if i else None, names[i] if i < len(names) else None):
            if q is None or abs(q - pos) > CONTEXT_MAX:
                continue
            a, b = min(q, pos), max(q, pos)
            k = bisect.bisect_left(ends, a)
            if k == len(ends) or ends[k] >= b:
                return True  # no sentence ends between them
        figure = self.figure_at(pos)
        return figure is not None and _any_in(
            names, max(figure[0], pos - CONTEXT_MAX), min(figure[1], pos + CONTEXT_MAX)
        )

    def notices(self, notice: SP.Notice) -> list[int]:
        if notice.db not in self._notices:
            found = []
            if self.has(notice.literal):
                for m in notice.holder.finditer(self.low):
                    if _MARK.search(self.low, max(0, m.start() - 24), m.start()):
                        found.append(m.start())
            self._notices[notice.db] = found
        return self._notices[notice.db]


def _environments(
    marks: Iterator[re.Match[bytes]], size: int, closing: str = "end"
) -> list[tuple[int, int, int]]:
    """Spans of the environments `marks` open and close (group 1: "begin"/"" or the closing
    word), nested ones inside the outermost; an end without its begin in the window starts at
    the window's start, a begin without its end runs to the window's end."""
    spans, depth, start = [], 0, 0
    for m in marks:
        if m.group(1) != closing.encode():
            if depth == 0:
                start = m.start()
            depth += 1
        else:
            if depth <= 1:
                spans.append((start if depth else 0, m.end(), start if depth else 0))
            depth = max(0, depth - 1)
    if depth:
        spans.append((start, size, start))
    return spans


def _any_in(positions: array[int] | list[int] | None, a: int, b: int) -> bool:
    if not positions:
        return False
    i = bisect.bisect_left(positions, a)
    return i < len(positions) and positions[i] < b


def _names(ctx: _Context, want: Want, result: TextResult) -> None:
    """Every name of every database in the window: where (for contexts); in the window's own
    bytes, where a manuscript first names each database, and its misspelt names. Each gate is
    one pass over the window, whatever the number of databases."""
    groups = want.spec.names
    skip = [-1] * len(groups)
    for gate in want.spec.gates:
        seen = set()
        for m in gate.pattern.finditer(ctx.low):
            i, offset = gate.at[m.lastgroup]
            pos = m.start() - offset
            seen.add(i)
            if pos >= skip[i]:
                skip[i] = _name_at(ctx, groups[i], pos, want, result)
        for i, _ in gate.at.values():
            ctx.mark(groups[i].literal, i in seen)


def _name_at(ctx: _Context, group: SP.NameGroup, pos: int, want: Want, result: TextResult) -> int:
    """The name of the group starting at `pos`, if any (the longest; the first listed on a
    tie); where the next may start."""
    chunk, low, raw, kind = ctx.chunk, ctx.low, ctx.chunk.buf, ctx.kind
    if (pos and low[pos - 1] in P.WORD_BYTES) or group.check.match(low, pos) is None:
        return -1
    best: tuple[SP.NameForm, re.Match[bytes]] | None = None
    for form in group.forms:
        found = form.pattern.match(raw if form.sensitive else low, pos)
        if found is not None and (best is None or found.end() > best[1].end()):
            best = (form, found)
    if best is None or (kind == "tex" and chunk.in_tex_comment(pos)):
        return -1
    form, found = best
    ctx.named(form.db, pos)
    if form.form == "path" or not chunk.start <= pos < chunk.end:
        return found.end()
    context = _name_context(chunk, form, found, kind)
    hit = None
    if form.db not in result.first_names:
        hit = _name_hit(chunk, form, found, context)
        result.first_names[form.db] = hit
    wrong = context in ("wrong", "caret", "plain")
    if wrong and kind in MANUSCRIPT_KINDS and form.db in want.name_dbs and result.room("name"):
        result.keep("name", hit or _name_hit(chunk, form, found, context))
    return found.end()


def _name_hit(chunk: _Chunk, form: SP.NameForm, m: re.Match[bytes], context: str) -> Hit:
    line, column = chunk.locate(m.start())
    return Hit("name", form.db, line, column, chunk.buf[m.start() : m.end()], "name", context)


def _name_context(chunk: _Chunk, form: SP.NameForm, m: re.Match[bytes], kind: str) -> str:
    """ "wrong" for a misspelling; for a superscript, "caret" (a bare caret outside math),
    "math" (inside it), "plain" (a plain digit in LaTeX text, not in a file name), or ""."""
    if form.form == "wrong":
        return "wrong"
    if form.form != "superscript":
        return ""
    groups = m.groupdict()
    if groups.get("caret") is not None and groups.get("pandoc") is None:
        return "math" if chunk.in_math(m.start()) else "caret"
    if groups.get("plain") is not None and kind == "tex":
        # A plain digit in LaTeX text is not raised; in math, or in a file name, it is not the name.
        after = chunk.buf[m.end() : m.end() + 2]
        in_name = (len(after) > 0 and after[0] in P.FILE_NAME_BYTES) or after == b"\\_"
        if not in_name and not chunk.in_math(m.start()):
            return "plain"
    return ""


def _rows(ctx: _Context, row: SP.RowForm, want: Want, result: TextResult) -> None:
    """A composite label file's rows: the field after a `dataset` field is its subject."""
    chunk, low = ctx.chunk, ctx.low
    for m in row.pattern.finditer(low, chunk.start):
        pos = m.start()
        if pos >= chunk.end:
            break
        if pos and low[pos - 1] not in _FIELD_START:
            continue
        value = m.group(1)
        subject = row.subject.fullmatch(value.strip())
        if subject is None:
            continue
        at = m.start(1) + len(value) - len(value.lstrip())
        line_end = low.find(b"\n", m.end())
        starts, ends = ctx.rows.setdefault(row.db, ([], []))
        starts.append(pos)
        ends.append(len(low) if line_end < 0 else line_end)
        n = int(subject.group(1))
        _subject(ctx, row.db, row.part, n, at, at + len(value.strip()), want, result, "row")


def _subjects(
    ctx: _Context, form: SP.TextForm, uses: list[SP.Use], want: Want, result: TextResult
) -> None:
    """One subject form's matches in the window, for each database using it that they are
    tied to (a form that names its database by itself always is)."""
    chunk, low = ctx.chunk, ctx.low
    for m in form.pattern.finditer(low, chunk.start):
        pos = m.start()
        if pos >= chunk.end:
            break
        if pos and low[pos - 1] in P.WORD_BYTES:
            continue
        n = int(m.group(1))
        for use in uses:
            if use.alone:
                ctx.owned(pos, m.end())
            elif ctx.rows and ctx.in_row(use.db, pos):
                continue  # its row said it already
            elif ctx.in_owned(pos) or not ctx.tied(use.db, pos):
                continue  # read by a form naming its database, or tied to none
            _subject(ctx, use.db, use.part, n, pos, m.end(), want, result)


def _subject(
    ctx: _Context,
    db: str,
    part: str | None,
    n: int,
    pos: int,
    end: int,
    want: Want,
    result: TextResult,
    via: str = "",
) -> None:
    """A subject id tied to `db`: kept when a rule reports it, noted for the figures."""
    if db in want.notice_dbs:
        ctx.ties.setdefault(db, []).append(pos)
    verdicts = want.spec.verdicts.get((db, part))
    applies = verdicts.judge(n) if verdicts is not None else None
    if applies is None or not result.room(applies):
        return  # a subject its agreement allows, or one more past the cap: counted, not placed
    chunk = ctx.chunk
    line, column = chunk.locate(pos)
    hit = Hit("subject", db, line, column, chunk.buf[pos:end], applies, "", part, n, via)
    if ctx.kind in _IMAGES:
        hit.context = chunk.image_context(pos, _IMAGES[ctx.kind], ctx.low)
    result.keep(applies, hit)


def _figures(ctx: _Context, want: Want, result: TextResult) -> None:
    """Each figure beginning in this window that names a database asking for a copyright
    notice, or holds a subject tied to it, and does not carry the notice."""
    chunk = ctx.chunk
    notices = [n for n in want.spec.notices if n.db in want.notice_dbs]
    for start, end, at in ctx.figures():
        if not chunk.start <= start < chunk.end:
            continue  # the window it begins in reports it
        for notice in notices:
            db = notice.db
            tied = _any_in(ctx.names.get(db), start, end) or _any_in(ctx.ties.get(db), start, end)
            if tied and not _any_in(ctx.notices(notice), start, end) and result.room("notice"):
                line, column = chunk.locate(at)
                result.figures.append(Figure(db, line, column))


def _manuscript(ctx: _Context, want: Want, result: TextResult) -> None:
    """What a manuscript says of the databases it names: their DOIs, their acknowledgements,
    and (when databases are forced) whether it is a paper's main file."""
    chunk, low, raw, spec = ctx.chunk, ctx.low, ctx.chunk.buf, want.spec
    # Only the databases a file names need to know whether it gives their DOI: one pass for
    # all of them (a file read in several windows may name them in a later one).
    pending = [
        db
        for db in spec.dbs
        if db not in result.dois and (db in result.first_names or not chunk.whole)
    ]
    if pending and spec.dois is not None:
        for m in spec.dois.finditer(low):
            db = spec.dbs[int(m.lastgroup[1:])]  # type: ignore[index]
            if db in pending:
                result.dois.add(db)
                result.has_doi = True
    for ack in want.spec.acknowledgements:
        # The sentence names its database: only a window naming it can hold it.
        if ack.db in result.acks or ack.db not in ctx.names:
            continue
        if ctx.has(ack.literal) and ack.pattern.search(low):
            result.acks.add(ack.db)
    if want.forced and result.paper_at is None:
        if ctx.kind == "tex":
            at = raw.find(b"\\documentclass", chunk.start, chunk.end)
            if at >= 0 and not chunk.in_tex_comment(at):
                result.paper_at = chunk.locate(at)
        elif chunk.start == 0 and chunk.line0 == 1 and _FRONT_MATTER.match(raw):
            result.paper_at = (1, 1)


def _take(result, chunk, name: str, m: re.Match[bytes], kind: str, want: Want):
    start = m.start()
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
                    if k not in result.cited_at:
                        result.cited_at[k] = chunk.locate(start)
        return
    if name == "directive":
        if _in_comment(chunk, start, kind):
            if len(result.directives) < MAX_DIRECTIVES:
                result.directives.append(_directive(chunk, m, kind))
            else:
                result.directives_dropped += 1
        return
    names = m.group(1).decode("utf-8", "replace").split(",")  # bib-file
    for n in (n.strip() for n in names):
        if n and n not in result.bib_files and len(result.bib_files) < MAX_BIB_FILES:
            result.bib_files.append(n)


_COMMENT_STARTS = ("md", "txt", "csv")


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
