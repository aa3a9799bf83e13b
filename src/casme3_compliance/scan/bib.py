"""Which entries of a bibliography are the papers the databases' agreements ask to cite (or
that are customarily cited), and under which keys.

CM401 must not be fooled by the file's layout: a `.bib` is read entry by entry with a real
BibTeX parser (bibtexparser v2), so a field can never be taken for the next entry's. `@string`
macros and `#` concatenation are resolved here (the library resolves only a field that is a
macro as a whole). A `.bbl` (the compiled bibliography LaTeX reads, all an arXiv upload may
have) is read item by item: `\\bibitem[...]{key}` (BibTeX styles) or `\\entry{key}` (biber).

Blocks the parser gives up on are reported, never trusted: a broken entry holding the DOI does
not count as the paper.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from casme3_compliance.scan.findings import Say, say

MAX_BYTES = 32 << 20  # A bibliography larger than this is not parsed (memory), but noted.
KINDS = ("bib", "bbl")  # files.TEXT_KINDS values read as bibliographies


@dataclass(frozen=True)
class Paper:
    """What identifies a database's paper: its DOI and its title, both normalised."""

    doi: str
    title: str
    db: str = ""

    @classmethod
    def of(cls, doi: str, title: str, db: str = "") -> Paper:
        return cls(normalise_doi(doi), title_key(title), db)


@dataclass(frozen=True)
class BibEntry:
    """An entry (or `.bbl` item) that is a database's paper: its key and the line it starts
    on."""

    key: str
    line: int
    db: str = ""


@dataclass
class Bibliography:
    """What CM401 needs from one bibliography file."""

    papers: list[BibEntry] = field(default_factory=list)
    # (line, why): the parser's own words, or ours (a Say) when it stopped
    failed: list[tuple[int, str | Say]] = field(default_factory=list)
    # failed blocks naming a paper's DOI: (line, the paper's database)
    failed_with_doi: list[tuple[int, str]] = field(default_factory=list)
    too_large: bool = False


_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_LATEX_COMMAND = re.compile(r"\\(?:[A-Za-z]+\*?|.)")
_HTML_SUP = re.compile(r"</?sup>", re.IGNORECASE)


def normalise_doi(value: str) -> str:
    """`https://doi.org/10.1/X`, `doi:10.1/x`, `{10.1/X}` all give `10.1/x`."""
    v = value.replace("{", "").replace("}", "").replace("\\_", "_").strip().lower()
    return _DOI_PREFIX.sub("", v).strip().rstrip(".")


def title_key(text: str) -> str:
    """Letters and digits only, lower case, accents dropped, LaTeX and `<sup>` markup gone:
    `CAS(ME)$^3$`, `CAS(ME)\\textsuperscript{3}`, `{CAS(ME)³}` and `CAS(ME)^{3}` all give
    `casme3`."""
    text = _LATEX_COMMAND.sub("", _HTML_SUP.sub("", text))
    text = unicodedata.normalize("NFKD", text)  # ³ -> 3, é -> e + accent
    return "".join(ch for ch in text.lower() if ch.isalnum() and not unicodedata.combining(ch))


def read(fs: str, kind: str, papers: tuple[Paper, ...]) -> Bibliography:
    """The papers' entries in a `.bib` or `.bbl` file (never through a symlink, in UTF-8 or the
    UTF-16/32 its byte order mark names); OSError if it cannot be read."""
    from casme3_compliance.scan import source

    with source.open_nofollow(fs) as f:
        reader = source.Utf8Reader(f)
        parts, size = [], 0
        while size <= MAX_BYTES and (data := reader.read(MAX_BYTES + 1 - size)):
            parts.append(data)
            size += len(data)
    return parse(b"".join(parts), kind, papers)


def parse(data: bytes, kind: str, papers: tuple[Paper, ...]) -> Bibliography:
    """The papers' entries in the UTF-8 bytes of a `.bib` or `.bbl` file; too_large, and not
    parsed, past MAX_BYTES."""
    if len(data) > MAX_BYTES:
        return Bibliography(too_large=True)
    text = data.decode("utf-8", "replace")
    return read_bbl(text, papers) if kind == "bbl" else read_bib(text, papers)


# .bib ------------------------------------------------------------------------------------------


def read_bib(text: str, papers: tuple[Paper, ...]) -> Bibliography:
    """Parse BibTeX `text` entry by entry; a paper is the entry with its DOI or its title."""
    out = Bibliography()
    try:
        library = _parse(text)
    except Exception as e:  # a third-party parser on arbitrary input: never a traceback
        out.failed.append((1, say("scan.bib.parser_stopped", error=_first_line(e))))
        return out
    strings = {s.key.lower(): s.value for s in library.strings if isinstance(s.value, str)}
    for entry in library.entries:
        fields = _fields(entry)
        doi = normalise_doi(_resolve(fields.get("doi", ""), strings))
        url = normalise_doi(_resolve(fields.get("url", ""), strings))
        title = title_key(_resolve(fields.get("title", ""), strings))
        for paper in papers:
            if paper.doi in (doi, url) or (title and title == paper.title):
                out.papers.append(BibEntry(entry.key, _line(entry), paper.db))
    for block in library.failed_blocks:
        out.failed.append((_line(block), _first_line(block.error)))
        raw = normalise_doi(block.raw or "")
        out.failed_with_doi += [(_line(block), p.db) for p in papers if p.doi in raw]
    return out


def _parse(text: str):
    """bibtexparser without its middlewares (values stay raw, resolved by _resolve) and
    without its log messages on stderr: failed blocks become notes instead."""
    import logging

    import bibtexparser

    log = logging.getLogger("bibtexparser")
    saved = log.propagate
    quiet = logging.NullHandler()
    log.addHandler(quiet)
    log.propagate = False
    try:
        return bibtexparser.parse_string(text, parse_stack=[])
    finally:
        log.removeHandler(quiet)
        log.propagate = saved


def _fields(entry) -> dict[str, str]:
    """Field name (lower case) to raw value. A `% comment` line before a field is glued to the
    field's name by the parser: keep the name's last word."""
    out: dict[str, str] = {}
    for f in entry.fields:
        lines = [ln for ln in f.key.splitlines() if not ln.lstrip().startswith("%")]
        words = " ".join(lines).split()
        if words and isinstance(f.value, str):
            out.setdefault(words[-1].lower(), f.value)
    return out


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _resolve(value: str, strings: dict[str, str], depth: int = 0) -> str:
    """A raw BibTeX value as text: `{...}` and `"..."` opened, macros replaced, `#` joined."""
    out = []
    for part in _concatenated(value):
        if len(part) >= 2 and (part[0], part[-1]) in (("{", "}"), ('"', '"')):
            out.append(part[1:-1])
        elif part.isdigit():
            out.append(part)
        elif part.lower() in strings and depth < 16:  # a bound on macro cycles
            out.append(_resolve(strings[part.lower()], strings, depth + 1))
        elif part.lower() in _MONTHS:
            out.append(part)
    return "".join(out)


def _concatenated(value: str) -> list[str]:
    """The parts of `a # "b" # {c}`, split on `#` outside braces and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(value):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(value[start:i].strip())
            start = i + 1
    parts.append(value[start:].strip())
    return [p for p in parts if p]


def _line(block) -> int:
    return (block.start_line or 0) + 1  # bibtexparser counts lines from 0


def _first_line(error: object) -> str:
    """The first line of an error's message (bibtexparser keeps some in `abort_reason`)."""
    message = getattr(error, "abort_reason", None) or getattr(error, "message", None) or error
    lines = str(message).strip().splitlines()
    text = lines[0] if lines else type(error).__name__
    return text if len(text) <= 120 else text[:119] + "…"


# .bbl ------------------------------------------------------------------------------------------

_ITEM = re.compile(r"\\(bibitem|entry)(?![A-Za-z])")
_ITEMS_END = re.compile(r"\\end\s*\{thebibliography\}|\\endentry(?![A-Za-z])")


def read_bbl(text: str, papers: tuple[Paper, ...]) -> Bibliography:
    """`\\bibitem[label]{key} text` or biber's `\\entry{key}{type}{...} ... \\endentry`: a
    paper is the item whose text holds its DOI or its title."""
    out = Bibliography()
    starts = [(m.start(), m.end()) for m in _ITEM.finditer(text)]
    for i, (start, after) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        closing = _ITEMS_END.search(text, after, end)
        if closing:
            end = closing.start()
        key, body = _item_key(text, after, end)
        if key is None:
            continue
        item = text[body:end]
        lowered, titled = item.lower().replace("\\_", "_"), title_key(item)
        for paper in papers:
            if paper.doi in lowered or paper.title in titled:
                out.papers.append(BibEntry(key, text.count("\n", 0, start) + 1, paper.db))
    return out


def _item_key(text: str, pos: int, end: int) -> tuple[str | None, int]:
    """The `{key}` after an optional `[label]` (which may hold braces and brackets)."""
    pos = _skip_space(text, pos, end)
    if pos < end and text[pos] == "[":
        pos = _balanced(text, pos, end, "[", "]")
        if pos < 0:
            return None, end
        pos = _skip_space(text, pos, end)
    if pos >= end or text[pos] != "{":
        return None, end
    close = _balanced(text, pos, end, "{", "}")
    if close < 0:
        return None, end
    key = text[pos + 1 : close - 1].strip()
    return (key or None), close


def _balanced(text: str, pos: int, end: int, opening: str, closing: str) -> int:
    """The index after the `closing` that matches `text[pos]`, braces nested; -1 if none."""
    depth = 0  # brace depth inside a [label]
    level = 0
    i = pos
    while i < end:
        ch = text[i]
        if ch == "\\":  # \{ \] ...: an escaped character opens and closes nothing
            i += 2
            continue
        if opening == "[" and ch in "{}":
            depth += 1 if ch == "{" else -1
        elif depth == 0 and ch == opening:
            level += 1
        elif depth == 0 and ch == closing:
            level -= 1
            if level == 0:
                return i + 1
        i += 1
    return -1


def _skip_space(text: str, pos: int, end: int) -> int:
    while pos < end and text[pos] in " \t\r\n%":
        if text[pos] == "%":  # a comment runs to the end of its line
            nl = text.find("\n", pos, end)
            pos = end if nl < 0 else nl
        pos += 1
    return min(pos, end)
