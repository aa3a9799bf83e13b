"""The paper the LA asks users to cite (clause 4.2), in the forms people paste into their work.

Every renderer reads the `Citation` model only: the record lives in data/citation.yaml, checked
once by the loader, so a correction there reaches every format and no format can drift from the
others. The tables below are format conventions (month names, type names), not facts about the
paper.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from casme3_compliance.model import Author, Citation

FORMATS: tuple[str, ...] = ("bibtex", "biblatex", "ris", "apa", "ieee", "csl-json", "cff")

DOI_RESOLVER = "https://doi.org/"

# The twelve month macros every BibTeX style defines; unquoted, so styles print them their way.
# fmt: off
_BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun",
                  "jul", "aug", "sep", "oct", "nov", "dec")
# Month abbreviations of the IEEE Editorial Style Manual.
_IEEE_MONTHS = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "June",
                "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
# fmt: on
# The record's `type` in each format's vocabulary.
_TYPES: dict[str, dict[str, str]] = {
    "article": {"bibtex": "article", "ris": "JOUR", "csl": "article-journal", "cff": "article"},
}
# APA 7 lists up to 20 authors; past that, the first 19, an ellipsis and the last.
_APA_MAX_AUTHORS = 20
# After these a new sentence starts, so APA's sentence case capitalises the next word.
_SENTENCE_BREAKS = (":", "?", "!", "\u2014")


def render(citation: Citation, fmt: str) -> str:
    """The citation as text in `fmt`, one of FORMATS."""
    try:
        renderer = _RENDERERS[fmt]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown citation format {fmt!r} (choose from {', '.join(FORMATS)})"
        ) from None
    return renderer(citation)


# --- names --------------------------------------------------------------------------------------


def initials(given: str) -> str:
    """`Jean-Luc` -> `J.-L.`, `Mary Ann` -> `M. A.`: APA and IEEE keep a given name's hyphen."""
    return " ".join(
        "-".join(part[0] + "." for part in word.split("-") if part) for word in given.split()
    )


def apa_name(author: Author) -> str:
    """`Picard, J.-L.`: APA's family name first, then initials."""
    return f"{author.family}, {initials(author.given)}"


def ieee_name(author: Author) -> str:
    """`J.-L. Picard`: IEEE's initials first, then family name."""
    return f"{initials(author.given)} {author.family}"


def _inverted(author: Author) -> str:
    """`Picard, Jean-Luc`: BibTeX and RIS parse it without guessing where the family name is."""
    return f"{author.family}, {author.given}"


# --- title case -------------------------------------------------------------------------------


def _is_acronym(word: str) -> bool:
    """A capital past a part's first letter (IEEE, 3D, RGB-D) marks a word no style may lower."""
    core = word.strip("()[]{}\"'\u201c\u201d\u2018\u2019.,:;?!")
    return any(len(part) > 1 and part[1:] != part[1:].lower() for part in core.split("-"))


def _capitalised(word: str) -> str:
    for i, ch in enumerate(word):
        if ch.isalpha():
            return word[:i] + ch.upper() + word[i + 1 :]
    return word


def sentence_case(title: str, keep: Iterable[str] = ()) -> str:
    """APA 7 article titles: every word lower-case except the first, the first after a colon
    (or ?, !, em dash), acronyms, and words containing one of `keep` (the database's name)."""
    keep = tuple(k for k in keep if k)
    out: list[str] = []
    new_sentence = True
    for word in title.split(" "):
        if not word:
            out.append(word)
            continue
        if any(k in word for k in keep) or _is_acronym(word):
            out.append(word)
        elif new_sentence:
            out.append(_capitalised(word.lower()))
        else:
            out.append(word.lower())
        new_sentence = word.endswith(_SENTENCE_BREAKS)
    return " ".join(out)


def _end(text: str, mark: str = ".") -> str:
    """`text` closed by `mark` unless it already ends a sentence (a title ending in `?`)."""
    return text if text.endswith((".", "?", "!")) else text + mark


# --- BibTeX and biblatex ------------------------------------------------------------------------


def _tex(text: str) -> str:
    """Plain text (names, journal) made safe inside a BibTeX field."""
    return re.sub(r"([&%$#_])", r"\\\1", text)


# A title word: opening brackets, the word, closing punctuation.
_TOKEN = re.compile(r"([(\[]*)(.*?)([.,:;?!)\]]*)", re.DOTALL)


def _protect_token(token: str, names: tuple[str, ...]) -> str:
    for name in names:
        if name in token:
            return token.replace(name, "{" + name + "}", 1)
    match = _TOKEN.fullmatch(token)
    if match is None:
        return token
    lead, core, trail = match.groups()
    if core and "$" not in core and "\\" not in core and _is_acronym(core):
        return f"{lead}{{{core}}}{trail}"
    return token


def bibtex_title(citation: Citation) -> str:
    """`title_latex` with the database name and any acronym in braces where the data left them
    bare, so styles that change a title's case (APA, sentence-case styles) keep them."""
    names = tuple(
        form for key in ("latex", "latex_text") if (form := citation.name_forms.get(key, ""))
    )
    out: list[str] = []
    depth = 0
    for token in citation.title_latex.split(" "):
        if depth == 0 and "{" not in token and "}" not in token:
            token = _protect_token(token, names)
        depth += token.count("{") - token.count("}")
        out.append(token)
    return " ".join(out)


def _delimited(value: str) -> str:
    """`{value}`, but `"value"` when the value opens with a brace group (the protected name), so
    the entry never holds `{{`: Jinja (MkDocs macros) and Liquid (Jekyll) take that for a tag."""
    if value.startswith("{") and '"' not in value:
        return f'"{value}"'
    return "{" + value + "}"


def _bib_entry(entry_type: str, key: str, fields: list[tuple[str, str, bool]]) -> str:
    """One entry; fields in the given order, delimited unless the value is a macro (month)."""
    lines = [f"@{entry_type}{{{key},"]
    for i, (name, value, macro) in enumerate(fields):
        comma = "," if i < len(fields) - 1 else ""
        lines.append(f"  {name} = {value if macro else _delimited(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _bib_authors(citation: Citation) -> str:
    return " and ".join(_tex(_inverted(a)) for a in citation.authors)


def _bibtex(c: Citation) -> str:
    return _bib_entry(
        _kind(c, "bibtex"),
        c.key,
        [
            ("author", _bib_authors(c), False),
            ("title", bibtex_title(c), False),
            ("journal", _tex(c.journal), False),
            ("year", str(c.year), False),
            ("volume", c.volume, False),
            ("number", c.number, False),
            ("pages", f"{c.first_page}--{c.last_page}", False),
            ("month", _BIBTEX_MONTHS[c.month - 1], True),
            ("doi", c.doi, False),
        ],
    )


def _biblatex(c: Citation) -> str:
    return _bib_entry(
        _kind(c, "bibtex"),
        c.key,
        [
            ("author", _bib_authors(c), False),
            ("title", bibtex_title(c), False),
            ("journaltitle", _tex(c.journal), False),
            ("date", iso_date(c), False),
            ("volume", c.volume, False),
            ("number", c.number, False),
            ("pages", f"{c.first_page}--{c.last_page}", False),
            ("doi", c.doi, False),
        ],
    )


# --- RIS -----------------------------------------------------------------------------------------


def _ris(c: Citation) -> str:
    """RIS (2011 spec): T2 is the journal and J2 its abbreviation; JO is left out because
    readers disagree on it (Zotero imports JO as the abbreviation)."""
    tags: list[tuple[str, str]] = [("TY", _kind(c, "ris"))]
    tags += [("AU", _inverted(a)) for a in c.authors]
    tags += [
        ("TI", c.title),
        ("T2", c.journal),
        ("J2", c.journal_abbrev),
        ("PY", str(c.year)),
        ("DA", f"{c.year:04d}/{c.month:02d}/{c.day:02d}"),
        ("VL", c.volume),
        ("IS", c.number),
        ("SP", str(c.first_page)),
        ("EP", str(c.last_page)),
        ("DO", c.doi),
        ("UR", c.url),
        ("ER", ""),
    ]
    return "".join(f"{tag}  - {value}\n" for tag, value in tags)


# --- APA and IEEE --------------------------------------------------------------------------------


def _page_range(c: Citation) -> str:
    return (
        str(c.first_page) if c.first_page == c.last_page else f"{c.first_page}\u2013{c.last_page}"
    )


def _apa(c: Citation) -> str:
    names = [apa_name(a) for a in c.authors]
    if len(names) == 1:
        authors = names[0]
    elif len(names) <= _APA_MAX_AUTHORS:
        authors = ", ".join(names[:-1]) + ", & " + names[-1]
    else:
        authors = ", ".join(names[: _APA_MAX_AUTHORS - 1]) + ", . . . " + names[-1]
    title = sentence_case(c.title, keep=c.name_forms.values())
    issue = f"({c.number})" if c.number else ""
    return (
        f"{authors} ({c.year}). {_end(title)} {c.journal}, {c.volume}{issue}, "
        f"{_page_range(c)}. {DOI_RESOLVER}{c.doi}"
    )


def _ieee(c: Citation) -> str:
    names = [ieee_name(a) for a in c.authors]
    if len(names) <= 2:
        authors = " and ".join(names)
    else:
        authors = ", ".join(names[:-1]) + ", and " + names[-1]
    title = f"\u201c{_end(c.title, ',')}\u201d"
    pages = ("p. " if c.first_page == c.last_page else "pp. ") + _page_range(c)
    return (
        f"{authors}, {title} {c.journal_abbrev}, vol. {c.volume}, no. {c.number}, {pages}, "
        f"{_IEEE_MONTHS[c.month - 1]} {c.year}, doi: {c.doi}."
    )


# --- CSL-JSON and CFF ----------------------------------------------------------------------------


def iso_date(citation: Citation) -> str:
    """`2023-03-01`: the issue date as biblatex and ISO 8601 write it."""
    return f"{citation.year:04d}-{citation.month:02d}-{citation.day:02d}"


def as_csl(citation: Citation) -> dict[str, Any]:
    """The CSL-JSON item (what Zotero, Pandoc and citeproc read) as a dict."""
    c = citation
    return {
        "id": c.key,
        "type": _kind(c, "csl"),
        "author": [{"family": a.family, "given": a.given} for a in c.authors],
        "title": c.title,
        "container-title": c.journal,
        "container-title-short": c.journal_abbrev,
        "volume": c.volume,
        "issue": c.number,
        "page": f"{c.first_page}-{c.last_page}",
        "issued": {"date-parts": [[c.year, c.month, c.day]]},
        "DOI": c.doi,
        "URL": c.url,
    }


def _csl_json(c: Citation) -> str:
    return json.dumps([as_csl(c)], indent=2, ensure_ascii=False) + "\n"


def _yaml_scalar(value: str | int) -> str:
    """Integers bare; strings JSON-quoted, which is valid YAML and never retyped (no `3` for
    "3", no date for "2023-03-01")."""
    return str(value) if isinstance(value, int) else json.dumps(value, ensure_ascii=False)


def _number(value: str) -> str | int:
    """CFF examples write volume and issue as integers; keep any other (`045`, `S1`) as text."""
    return int(value) if re.fullmatch(r"[1-9][0-9]*", value) else value


def as_cff_reference(citation: Citation) -> dict[str, Any]:
    """The CFF 1.2.0 `references` entry as a dict, in the order the snippet writes it."""
    c = citation
    return {
        "type": _kind(c, "cff"),
        "authors": [{"family-names": a.family, "given-names": a.given} for a in c.authors],
        "title": c.title,
        "journal": c.journal,
        "year": c.year,
        "month": c.month,
        "volume": _number(c.volume),
        "issue": _number(c.number),
        "start": c.first_page,
        "end": c.last_page,
        "doi": c.doi,
        "url": c.url,
    }


def _cff(c: Citation) -> str:
    """A `references:` block to paste at the end of a project's own CITATION.cff."""
    name = c.name_forms.get("unicode", "")
    lines = [
        f"# The paper the {name} license agreement asks users to cite (clause {c.clause});"
        " merge into an existing references: list.",
        "references:",
    ]
    for i, (key, value) in enumerate(as_cff_reference(c).items()):
        lead = "  - " if i == 0 else "    "
        if key == "authors":
            lines.append(f"{lead}{key}:")
            for author in value:
                for j, (k, v) in enumerate(author.items()):
                    lines.append(f"{'      - ' if j == 0 else '        '}{k}: {_yaml_scalar(v)}")
        else:
            lines.append(f"{lead}{key}: {_yaml_scalar(value)}")
    return "\n".join(lines) + "\n"


def _kind(citation: Citation, vocabulary: str) -> str:
    try:
        return _TYPES[citation.type][vocabulary]
    except KeyError:
        raise ValueError(f"no {vocabulary} type for citation type {citation.type!r}") from None


_RENDERERS: dict[str, Callable[[Citation], str]] = {
    "bibtex": _bibtex,
    "biblatex": _biblatex,
    "ris": _ris,
    "apa": _apa,
    "ieee": _ieee,
    "csl-json": _csl_json,
    "cff": _cff,
}
