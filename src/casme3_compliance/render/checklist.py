"""The researcher checklists (data/checklists.yaml) as plain text, Markdown, JSON and a
fillable PDF.

Every text comes from the data, so the three downloads cannot drift from the site or each other.
The PDF is drawn by checklist_pdf.py, imported only when a PDF must really be drawn.
"""

from __future__ import annotations

import hashlib
import json
import re
from importlib.metadata import version
from pathlib import Path

from casme3_compliance.knowledge.model import ChecklistItem, Database

FORMATS = ("text", "md", "json", "pdf")


def title(kb: Database) -> str:
    """One title for every format, so a printout and a download say the same thing."""
    return f"{kb.agreement.short_title}: checklists"


def clause_refs(item: ChecklistItem) -> str:
    """`clause 1.1` or `clauses 3.1, 3.2`: plain text, so the files work offline and on paper."""
    word = "clause" if len(item.clauses) == 1 else "clauses"
    return f"{word} {', '.join(item.clauses)}"


def version_line(kb: Database) -> str:
    """Which LA the checklists were read from: a reader holding another text must re-check."""
    return f"Based on the {kb.agreement.provenance.line()}."


def render(kb: Database, fmt: str) -> str | bytes:
    """The checklists in `fmt` (one of FORMATS): str for text, md and json, bytes for pdf."""
    if fmt == "text":
        return render_text(kb)
    if fmt == "md":
        return render_markdown(kb)
    if fmt == "json":
        return render_json(kb)
    if fmt == "pdf":
        return render_pdf(kb)
    raise ValueError(f"unknown checklist format {fmt!r} (choose from {', '.join(FORMATS)})")


# --- Plain text -------------------------------------------------------------------------------


def render_text(kb: Database) -> str:
    """For a terminal or a .txt file: the data's texts as they are (nothing escaped, so
    `<signer's name>` reads as written), and `[ ]` boxes to tick on paper."""
    head = title(kb)
    out = [head, "=" * len(head), "", version_line(kb), "", *kb.disclaimer.splitlines()]
    for checklist in kb.checklists:
        out += ["", checklist.title, "-" * len(checklist.title), "", checklist.intro, ""]
        out += [f"[ ] {item.text} ({clause_refs(item)})" for item in checklist.items]
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


def render_markdown(kb: Database) -> str:
    """GitHub/MkDocs task lists, one `- [ ] ` line per item, ticked off in any Markdown editor."""
    out = [f"# {md_escape(title(kb))}", "", md_escape(version_line(kb)), ""]
    out += [f"> {md_escape(line)}" for line in kb.disclaimer.splitlines()]
    for checklist in kb.checklists:
        out += ["", f"## {md_escape(checklist.title)}", "", md_escape(checklist.intro), ""]
        out += [f"- [ ] {md_escape(item.text)} ({clause_refs(item)})" for item in checklist.items]
    return "\n".join(out) + "\n"


# --- JSON -------------------------------------------------------------------------------------


def render_json(kb: Database) -> str:
    return json.dumps(document(kb), indent=2, ensure_ascii=False) + "\n"


def document(kb: Database) -> dict[str, object]:
    """A machine-readable copy; `done` is there for tools that keep a researcher's progress."""
    return {
        "title": title(kb),
        "la_source": kb.agreement.provenance.stamp(),
        "disclaimer": kb.disclaimer,
        "checklists": [
            {
                "id": checklist.id,
                "title": checklist.title,
                "intro": checklist.intro,
                "items": [
                    {"id": item.id, "text": item.text, "clauses": list(item.clauses), "done": False}
                    for item in checklist.items
                ],
            }
            for checklist in kb.checklists
        ],
    }


def render_pdf(kb: Database) -> bytes:
    """The printable PDF, reused from the cache when neither the data nor the drawing changed.

    Drawing it (and importing reportlab) is most of what the data adds to a site build; the
    bytes depend only on the inputs hashed here, as the PDF is written with `invariant=1`.
    """
    from casme3_compliance.knowledge.loader import cache_dir

    a = kb.agreement
    sheet = {
        "title": title(kb),
        "version": version_line(kb),
        "disclaimer": kb.disclaimer,
        "footer": f"{a.short_title} · {a.provenance.line()}",
        "sections": [
            {
                "title": c.title,
                "intro": c.intro,
                "items": [
                    {"id": i.id, "text": i.text, "refs": f"{a.abbreviation} {clause_refs(i)}"}
                    for i in c.items
                ],
            }
            for c in kb.checklists
        ],
    }
    drawer = Path(__file__).with_name("checklist_pdf.py")
    content = json.dumps([sheet, version("reportlab")], ensure_ascii=False).encode()
    key = hashlib.sha256(content + drawer.read_bytes()).hexdigest()
    cached = cache_dir() / f"checklist-{key}.pdf"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    from casme3_compliance.render.checklist_pdf import draw

    pdf = draw(sheet)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_bytes(pdf)
        tmp.replace(cached)
    except OSError:
        pass  # A read-only cache only costs time.
    return pdf
