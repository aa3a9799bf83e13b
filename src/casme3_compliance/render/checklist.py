"""The researcher checklists (data/<id>/checklists.yaml) as plain text, Markdown, JSON and a
fillable PDF.

Every text comes from the data, so the three downloads cannot drift from the site or each other;
the words around it (title, version line, "clause", the PDF's footer) are messages of
data/i18n/<lang>/messages/checklist.yaml, in the first database's language.
The PDF is drawn by checklist_pdf.py, imported only when a PDF must really be drawn.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

from casme3_compliance.knowledge.model import ChecklistItem, Database, Record
from casme3_compliance.knowledge.verdicts import join, provenance_line, provenance_stamp
from casme3_compliance.terminal import columns

FORMATS = ("text", "md", "json", "pdf")


def _dbs(kb: Database | Sequence[Database]) -> list[Database]:
    return [kb] if isinstance(kb, Database) else list(kb)


def _texts(kb: Database | Sequence[Database]) -> Database:
    """Whose language the words around the data are in: the first database's (the family's)."""
    return _dbs(kb)[0]


def title(kb: Database | Sequence[Database]) -> str:
    """One title for every format, so a printout and a download say the same thing."""
    dbs = _dbs(kb)
    if len(dbs) == 1:
        return dbs[0].t("checklist.title", title=dbs[0].agreement.short_title)
    return dbs[0].t("checklist.title_many", names=join(dbs[0], [db.name for db in dbs]))


def clause_refs(item: ChecklistItem, texts: Database | None = None) -> str:
    """`clause 1.1` or `clauses 3.1, 3.2` (in `texts`' language, default: the default
    database's): plain text, so the files work offline and on paper."""
    if texts is None:
        from casme3_compliance.knowledge.loader import load

        texts = load()
    key = "checklist.clause" if len(item.clauses) == 1 else "checklist.clauses"
    return texts.t(key, clauses=join(texts, item.clauses, "cli.list.comma"))


def version_line(kb: Database | Sequence[Database]) -> str:
    """Which agreement texts the checklists were read from: a reader holding another text
    must re-check."""
    dbs = _dbs(kb)
    texts = dbs[0]
    if len(dbs) == 1:
        return texts.t(
            "checklist.based_on", line=provenance_line(texts, dbs[0].agreement.provenance)
        )
    lines = [
        texts.t(
            "checklist.source", name=db.name, line=provenance_line(texts, db.agreement.provenance)
        )
        for db in dbs
    ]
    return texts.t(
        "checklist.based_on_many",
        lines=join(texts, lines, "checklist.sources", "checklist.sources"),
    )


class Entry(Record):
    """A checklist item as the merged lists show it: which database, its text and its clauses
    in words (naming the database when there are several)."""

    database: str
    name: str
    item: ChecklistItem
    prefixed: bool
    text: str
    refs: str

    @property
    def id(self) -> str:
        return f"{self.database}:{self.item.id}" if self.prefixed else self.item.id


def _entry(texts: Database, db: Database, item: ChecklistItem, many: bool) -> Entry:
    refs = clause_refs(item, texts)
    if many:
        text = texts.t("checklist.item_of", name=db.name, text=item.text)
        refs = texts.t("checklist.refs_of", name=db.name, refs=refs)
        return Entry(db.id, db.name, item, many, text, refs)
    return Entry(db.id, db.name, item, many, item.text, refs)


class Section(Record):
    id: str
    title: str
    intro: str
    entries: tuple[Entry, ...]


def sections(kb: Database | Sequence[Database]) -> list[Section]:
    """The checklists of every database merged by id (apply, keep, publish: in the order they
    first appear); with several databases each item names its database."""
    dbs = [db for db in _dbs(kb) if db.checklists]
    many = len(dbs) > 1
    texts = _texts(kb)
    order: dict[str, Section] = {}
    for db in dbs:
        for checklist in db.checklists:
            entries = tuple(_entry(texts, db, item, many) for item in checklist.items)
            if checklist.id in order:
                s = order[checklist.id]
                order[checklist.id] = s.replace(entries=s.entries + entries)
            else:
                order[checklist.id] = Section(
                    checklist.id, checklist.title, checklist.intro, entries
                )
    return list(order.values())


def render(kb: Database | Sequence[Database], fmt: str) -> str | bytes:
    """The checklists in `fmt` (one of FORMATS): str for text, md and json, bytes for pdf."""
    if fmt == "text":
        return render_text(kb)
    if fmt == "md":
        return render_markdown(kb)
    if fmt == "json":
        return render_json(kb)
    if fmt == "pdf":
        return render_pdf(kb)
    choices = join(_texts(kb), FORMATS, "cli.list.comma")
    raise ValueError(_texts(kb).t("cli.error.checklist_format", value=repr(fmt), choices=choices))


# --- Plain text -------------------------------------------------------------------------------


def render_text(kb: Database | Sequence[Database]) -> str:
    """For a terminal or a .txt file: the data's texts as they are (nothing escaped), and
    `[ ]` boxes to tick on paper."""
    head = title(kb)
    texts = _texts(kb)
    out = [head, "=" * columns(head), "", version_line(kb), "", *texts.disclaimer.splitlines()]
    for s in sections(kb):
        out += ["", s.title, "-" * columns(s.title), "", s.intro, ""]
        out += ["[ ] " + texts.t("checklist.item", text=e.text, refs=e.refs) for e in s.entries]
    return "\n".join(out) + "\n"


# --- Markdown ---------------------------------------------------------------------------------

# Python-Markdown (the site) and CommonMark (GitHub) both honour these backslash escapes and
# entities. `<` and every `&` become entities (a backslash stops neither Python-Markdown's raw
# HTML nor an entity written without its semicolon). A `{` that would open Jinja syntax (`{{`,
# `{%`, `{#`) becomes `&#123;`: the site passes pages through Jinja, and `\{%` still holds `{%`.
# docs/assets/javascripts/casme3.js escapes the self-check's download by the same rule.
_MD_ESCAPES = re.compile(r"(?P<jinja>\{(?=[{%#]))|(?P<entity>&)|(?P<lt><)|(?P<md>[\\`*_{}\[\]])")


def md_escape(text: str) -> str:
    """Text that a Markdown renderer shows literally (`<signer's name>` would be eaten as HTML)."""

    def one(m: re.Match[str]) -> str:
        if m["jinja"]:
            return "&#123;"
        if m["entity"]:
            return "&amp;"
        if m["lt"]:
            return "&lt;"
        return "\\" + m["md"]

    return _MD_ESCAPES.sub(one, text)


def render_markdown(kb: Database | Sequence[Database]) -> str:
    """GitHub/MkDocs task lists, one `- [ ] ` line per item, ticked off in any Markdown editor."""
    texts = _texts(kb)
    out = [f"# {md_escape(title(kb))}", "", md_escape(version_line(kb)), ""]
    out += [f"> {md_escape(line)}" for line in texts.disclaimer.splitlines()]
    for s in sections(kb):
        out += ["", f"## {md_escape(s.title)}", "", md_escape(s.intro), ""]
        out += [
            "- [ ] " + texts.t("checklist.item", text=md_escape(e.text), refs=md_escape(e.refs))
            for e in s.entries
        ]
    return "\n".join(out) + "\n"


# --- JSON -------------------------------------------------------------------------------------


def render_json(kb: Database | Sequence[Database]) -> str:
    return json.dumps(document(kb), indent=2, ensure_ascii=False) + "\n"


def document(kb: Database | Sequence[Database]) -> dict[str, object]:
    """A machine-readable copy; `done` is there for tools that keep a researcher's progress.
    Each item names its database, and `sources` which agreement text each was read from."""
    dbs = _dbs(kb)
    texts = dbs[0]
    doc: dict[str, object] = {"title": title(kb)}
    if len(dbs) == 1:
        doc["la_source"] = provenance_stamp(texts, dbs[0].agreement.provenance)
    doc["sources"] = {
        db.id: provenance_stamp(texts, db.agreement.provenance) for db in dbs if db.agreement
    }
    doc["disclaimer"] = texts.disclaimer
    doc["checklists"] = [
        {
            "id": s.id,
            "title": s.title,
            "intro": s.intro,
            "items": [
                {
                    "id": e.id,
                    "database": e.database,
                    "text": e.item.text,
                    "clauses": list(e.item.clauses),
                    "done": False,
                }
                for e in s.entries
            ],
        }
        for s in sections(kb)
    ]
    return doc


def sheet(kb: Database | Sequence[Database]) -> dict[str, object]:
    """Everything the PDF says, in the first database's language (checklist_pdf.Sheet)."""
    dbs = _dbs(kb)
    texts, first = dbs[0], dbs[0].agreement
    line = provenance_line(texts, first.provenance)
    footer = (
        texts.t("checklist.pdf.footer", title=first.short_title, line=line)
        if len(dbs) == 1
        else title(kb)
    )
    return {
        "title": title(kb),
        "version": version_line(kb),
        "disclaimer": texts.disclaimer,
        "footer": footer,
        "page": texts.t("checklist.pdf.page"),
        "continued": texts.t("checklist.pdf.continued"),
        "box": texts.t("checklist.pdf.box"),
        "sections": [
            {
                "title": s.title,
                "intro": s.intro,
                "items": [
                    {
                        "id": e.id,
                        "text": e.text,
                        "refs": e.refs
                        if e.prefixed
                        else texts.t("checklist.pdf.refs", la=first.abbreviation, refs=e.refs),
                    }
                    for e in s.entries
                ],
            }
            for s in sections(kb)
        ],
    }


def render_pdf(kb: Database | Sequence[Database]) -> bytes:
    """The printable PDF, reused from the cache when neither the data nor the drawing changed.

    Drawing it (and importing reportlab) is most of what the data adds to a site build; the
    bytes depend only on the inputs hashed here, as the PDF is written with `invariant=1`.
    """
    from casme3_compliance.knowledge.loader import cache_dir

    content = sheet(kb)
    drawer = Path(__file__).with_name("checklist_pdf.py")
    inputs = json.dumps([content, version("reportlab")], ensure_ascii=False).encode()
    key = hashlib.sha256(inputs + drawer.read_bytes()).hexdigest()
    cached = cache_dir() / f"checklist-{key}.pdf"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    from casme3_compliance.render.checklist_pdf import draw

    pdf = draw(content)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_bytes(pdf)
        tmp.replace(cached)
    except OSError:
        pass  # A read-only cache only costs time.
    return pdf
