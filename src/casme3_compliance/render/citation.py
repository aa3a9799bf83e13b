"""The paper to cite for a database, in the forms people paste into their work.

Every renderer reads the `Citation` model only: the record lives in data/<id>/citation.yaml,
checked once by the loader, so a correction there reaches every format and no format can drift
from the others. A field no record confirmed is absent from the data, and every format leaves it
out rather than guess. The tables below are format conventions (month names, type names), not
facts about a paper.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from casme3_compliance.knowledge.model import Author, Citation
from casme3_compliance.knowledge.verdicts import join

TYPE_CHECKING = False
if TYPE_CHECKING:
    from casme3_compliance.knowledge.verdicts import Texts

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
    "inproceedings": {
        "bibtex": "inproceedings",
        "ris": "CPAPER",
        "csl": "paper-conference",
        "cff": "conference-paper",
    },
}
# Where each format puts the container: a journal, or the proceedings of a conference.
_CONTAINER = {
    "article": {"bibtex": "journal", "biblatex": "journaltitle", "cff": "journal"},
    "inproceedings": {"bibtex": "booktitle", "biblatex": "booktitle", "cff": "collection-title"},
}
# APA 7 lists up to 20 authors; past that, the first 19, an ellipsis and the last.
_APA_MAX_AUTHORS = 20
# After these a new sentence starts, so APA's sentence case capitalises the next word.
_SENTENCE_BREAKS = (":", "?", "!", "\u2014")


def render(citation: Citation | Sequence[Citation], fmt: str, texts: Texts | None = None) -> str:
    """The citation (or several: one bibliography for every database a paper uses) as text in
    `fmt`, one of FORMATS. `texts` (a database or the family; default: the data's default
    language) says our own words, the comment above a CFF block; the record's fields are the
    paper's own and read the same in every language."""
    try:
        renderer = _RENDERERS[fmt]
    except (KeyError, TypeError):
        said = _texts(texts)
        choices = join(said, FORMATS, "cli.list.comma")
        raise ValueError(
            said.t("cli.error.cite_format", value=repr(fmt), choices=choices)
        ) from None
    if fmt == "cff":
        return _cff_all([citation] if isinstance(citation, Citation) else citation, texts)
    if isinstance(citation, Citation):
        return renderer(citation)
    if fmt == "csl-json":
        return json.dumps([as_csl(c) for c in citation], indent=2, ensure_ascii=False) + "\n"
    return "\n".join(renderer(c) for c in citation)


def _texts(texts: Texts | None) -> Texts:
    if texts is not None:
        return texts
    from casme3_compliance.knowledge.loader import load_family

    return load_family()


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


def _pages(c: Citation, dash: str = "--") -> str | None:
    if c.first_page is None:
        return None
    if c.last_page is None or c.last_page == c.first_page:
        return str(c.first_page)
    return f"{c.first_page}{dash}{c.last_page}"


def _present(fields: list[tuple[str, str | None, bool]]) -> list[tuple[str, str, bool]]:
    return [(name, value, macro) for name, value, macro in fields if value]


def _bibtex(c: Citation) -> str:
    return _bib_entry(
        _kind(c, "bibtex"),
        c.key,
        _present(
            [
                ("author", _bib_authors(c), False),
                ("title", bibtex_title(c), False),
                (_CONTAINER[c.type]["bibtex"], _tex(c.container), False),
                ("year", str(c.year), False),
                ("volume", c.volume, False),
                ("number", c.number, False),
                ("pages", _pages(c), False),
                ("month", _BIBTEX_MONTHS[c.month - 1] if c.month else None, True),
                ("publisher", c.publisher and _tex(c.publisher), False),
                ("address", c.address and _tex(c.address), False),
                ("doi", c.doi, False),
            ]
        ),
    )


def _biblatex(c: Citation) -> str:
    return _bib_entry(
        _kind(c, "bibtex"),
        c.key,
        _present(
            [
                ("author", _bib_authors(c), False),
                ("title", bibtex_title(c), False),
                (_CONTAINER[c.type]["biblatex"], _tex(c.container), False),
                ("date", iso_date(c), False),
                ("volume", c.volume, False),
                ("number", c.number, False),
                ("pages", _pages(c), False),
                ("publisher", c.publisher and _tex(c.publisher), False),
                ("location", c.address and _tex(c.address), False),
                ("doi", c.doi, False),
            ]
        ),
    )


# --- RIS -----------------------------------------------------------------------------------------


def _ris(c: Citation) -> str:
    """RIS (2011 spec): T2 is the journal or the proceedings and J2 the journal's abbreviation;
    JO is left out because readers disagree on it (Zotero imports JO as the abbreviation)."""
    tags: list[tuple[str, str | None]] = [("TY", _kind(c, "ris"))]
    tags += [("AU", _inverted(a)) for a in c.authors]
    last = c.last_page if c.last_page not in (None, c.first_page) else None
    tags += [
        ("TI", c.title),
        ("T2", c.container),
        ("J2", c.container_abbrev),
        ("PY", str(c.year)),
        ("DA", _ris_date(c)),
        ("VL", c.volume),
        ("IS", c.number),
        ("SP", None if c.first_page is None else str(c.first_page)),
        ("EP", None if last is None else str(last)),
        ("PB", c.publisher),
        ("CY", c.address),
        ("DO", c.doi),
        ("UR", c.url),
    ]
    lines = [f"{tag}  - {value}\n" for tag, value in tags if value]
    return "".join(lines) + "ER  - \n"


def _ris_date(c: Citation) -> str | None:
    """`2023/03/01`, `2013/04//`: RIS writes the parts it has, and slashes for the rest."""
    if c.month is None:
        return None
    day = f"{c.day:02d}" if c.day else ""
    return f"{c.year:04d}/{c.month:02d}/{day}" + ("" if day else "/")


# --- APA and IEEE --------------------------------------------------------------------------------


def _page_range(c: Citation) -> str | None:
    return _pages(c, "\u2013")


def _apa(c: Citation) -> str:
    names = [apa_name(a) for a in c.authors]
    if len(names) == 1:
        authors = names[0]
    elif len(names) <= _APA_MAX_AUTHORS:
        authors = ", ".join(names[:-1]) + ", & " + names[-1]
    else:
        authors = ", ".join(names[: _APA_MAX_AUTHORS - 1]) + ", . . . " + names[-1]
    title = sentence_case(c.title, keep=c.name_forms.values())
    doi = f"{DOI_RESOLVER}{c.doi}"
    if c.type == "inproceedings":  # APA 7: a paper in published proceedings
        pages = _page_range(c)
        where = c.container + (f" (pp. {pages})" if pages else "")
        publisher = f" {_end(c.publisher)}" if c.publisher else ""
        return f"{authors} ({c.year}). {_end(title)} In {where}.{publisher} {doi}"
    volume = f"{c.volume or ''}{f'({c.number})' if c.number else ''}"
    parts = [c.container, volume, _page_range(c)]
    return f"{authors} ({c.year}). {_end(title)} {', '.join(p for p in parts if p)}. {doi}"


def _ieee(c: Citation) -> str:
    names = [ieee_name(a) for a in c.authors]
    if len(names) <= 2:
        authors = " and ".join(names)
    else:
        authors = ", ".join(names[:-1]) + ", and " + names[-1]
    title = f"\u201c{_end(c.title, ',')}\u201d"
    pages = _page_range(c)
    pages = pages and (("p. " if c.last_page in (None, c.first_page) else "pp. ") + pages)
    date = f"{_IEEE_MONTHS[c.month - 1]} {c.year}" if c.month else str(c.year)
    container = c.container_abbrev or c.container
    if c.type == "inproceedings":
        container = f"in {container}"
    volume = f"vol. {c.volume}" if c.volume else None
    number = f"no. {c.number}" if c.number else None
    place = c.address if c.type == "inproceedings" else None
    fields = [container, place, volume, number, pages, date, f"doi: {c.doi}"]
    return f"{authors}, {title} {', '.join(f for f in fields if f)}."


# --- CSL-JSON and CFF ----------------------------------------------------------------------------


def iso_date(citation: Citation) -> str:
    """`2023-03-01`, `2013-04`, `2014`: the issue date as far as it is known, as biblatex and
    ISO 8601 write it."""
    c = citation
    parts = [f"{c.year:04d}"] + ([f"{c.month:02d}"] if c.month else [])
    return "-".join(parts + ([f"{c.day:02d}"] if c.month and c.day else []))


def as_csl(citation: Citation) -> dict[str, Any]:
    """The CSL-JSON item (what Zotero, Pandoc and citeproc read) as a dict."""
    c = citation
    date = [c.year] + ([c.month] if c.month else []) + ([c.day] if c.month and c.day else [])
    item = {
        "id": c.key,
        "type": _kind(c, "csl"),
        "author": [_csl_name(a) for a in c.authors],
        "title": c.title,
        "container-title": c.container,
        "container-title-short": c.container_abbrev,
        "volume": c.volume,
        "issue": c.number,
        "page": _pages(c, "-"),
        "publisher": c.publisher,
        "publisher-place": c.address,
        "issued": {"date-parts": [date]},
        "DOI": c.doi,
        "URL": c.url,
    }
    return {k: v for k, v in item.items() if v is not None}


def _csl_name(a: Author) -> dict[str, str]:
    return {"family": a.family, "given": a.given} if a.given else {"family": a.family}


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
    entry = {
        "type": _kind(c, "cff"),
        "authors": [
            {"family-names": a.family, **({"given-names": a.given} if a.given else {})}
            for a in c.authors
        ],
        "title": c.title,
        _CONTAINER[c.type]["cff"]: c.container,
        "year": c.year,
        "month": c.month,
        "volume": c.volume and _number(c.volume),
        "issue": c.number and _number(c.number),
        "start": c.first_page,
        "end": c.last_page,
        "publisher": {"name": c.publisher} if c.publisher else None,
        "location": {"name": c.address} if c.address else None,
        "doi": c.doi,
        "url": c.url,
    }
    return {k: v for k, v in entry.items() if v is not None}


def _cff(c: Citation) -> str:
    """A `references:` block to paste at the end of a project's own CITATION.cff."""
    return _cff_all([c])


def _cff_all(citations: Sequence[Citation], texts: Texts | None = None) -> str:
    said = _texts(texts)
    which = join(said, [c.key for c in citations], "cli.list.comma")
    lines = ["# " + said.t("cli.cite.cff", keys=which), "references:"]
    for c in citations:
        lines += _cff_entry(c)
    return "\n".join(lines) + "\n"


def _cff_entry(c: Citation) -> list[str]:
    lines = []
    for i, (key, value) in enumerate(as_cff_reference(c).items()):
        lead = "  - " if i == 0 else "    "
        if key == "authors":
            lines.append(f"{lead}{key}:")
            for author in value:
                for j, (k, v) in enumerate(author.items()):
                    lines.append(f"{'      - ' if j == 0 else '        '}{k}: {_yaml_scalar(v)}")
        elif isinstance(value, dict):
            lines.append(f"{lead}{key}:")
            lines += [f"      {k}: {_yaml_scalar(v)}" for k, v in value.items()]
        else:
            lines.append(f"{lead}{key}: {_yaml_scalar(value)}")
    return lines


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
