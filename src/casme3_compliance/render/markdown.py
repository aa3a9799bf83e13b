"""The Markdown pieces every page and tool is made of: a link from the page being rendered,
a clause's link, text shown literally, and the words for each verdict.

Every word of ours comes from the message catalogues (data/i18n/<lang>/messages/site.yaml), in
the language of the database or family passed in: a list's joiners, the clause-locator words
(`LA section 3, paragraph 2`), `clause 3.5` and `clauses 3.8, 3.9`. Grammar that differs
between languages is a whole template with slots, never a branch per language.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from casme3_compliance.knowledge.model import Database, Family, Where, anchor_for

Link = Callable[[str], str]
"""Turns a docs-relative target (`casme3/terms.md#clause-3-4`) into a link from the current
page."""

Texts = Database | Family
"""Whatever speaks our texts (`.t(key, **slots)`): a database, or the family."""

VERDICTS = ("restricted", "allowed", "approval", "unknown", "invalid")


def verdict_headings(kb: Database) -> dict[str, str]:
    """`Restricted.`, `Not restricted.`, ...: the heading of each kind of answer (i18n)."""
    return {v: kb.texts[f"verdict.{v}"] for v in VERDICTS}


def md_escape(text: str) -> str:
    """Text shown literally inside Markdown: no emphasis, links or HTML from LA punctuation."""
    out = escape(text, quote=False)
    for ch in "\\`*_[]#|":
        out = out.replace(ch, "\\" + ch)
    return out


def doc(kb: Database, page: str = "") -> str:
    """The Markdown source of one of a database's pages: `casme3/terms.md`, `casme3/index.md`."""
    return f"{kb.id}/{page or 'index'}.md"


def url(kb: Database, page: str = "") -> str:
    """The same page's URL from the site's root: `casme3/terms/`, `casme3/`."""
    return f"{kb.id}/{page + '/' if page else ''}"


# --- Joining pieces, in the reader's language ----------------------------------------------------


def listed(kb: Texts, items: list[str]) -> str:
    """`a, b, c`: items side by side (`site.list.sep`)."""
    return kb.t("site.list.sep").join(items)


def and_list(kb: Texts, items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c` (`site.list.and`)."""
    if len(items) == 1:
        return items[0]
    return kb.t("site.list.and", first=listed(kb, items[:-1]), last=items[-1])


def then(kb: Texts, first: str, second: str) -> str:
    """Two sentences one after the other (`site.join`); `first` alone if there is no second."""
    return kb.t("site.join", first=first, second=second) if second else first


def paren(kb: Texts, text: str) -> str:
    """` (text)` after what it explains (`site.paren`)."""
    return kb.t("site.paren", text=text)


def where(kb: Texts, w: Where) -> str:
    """An agreement's own place for a clause, in words: `LA section 3, paragraph 2`, `the LA's
    form`. Each further detail wraps what comes before it (`site.where.*`)."""
    la = w.abbreviation
    if w.part == "form":
        return kb.t("site.where.part.form", la=la)
    if w.part:
        out = kb.t(f"site.where.part.{w.part}", la=la)
    elif w.bullet:
        out = kb.t("site.where.bullet", la=la, n=w.bullet)
    else:
        out = kb.t("site.where.section", la=la, n=w.section)
    for detail in ("condition", "paragraph", "sentence"):
        if getattr(w, detail):
            out = kb.t(f"site.where.{detail}", where=out, n=getattr(w, detail))
    return out


def provenance_line(kb: Database) -> str:
    """One line for every page: the document the terms were read from."""
    pdf = kb.agreement.provenance.pdf
    return kb.t("site.provenance.line", created=pdf.created, sha=pdf.sha256[:12])


# --- Clauses ----------------------------------------------------------------------------------


def clause_link(clause_id: str, link: Link, kb: Database, title: bool = True) -> str:
    """`[3.5](casme3/terms.md#clause-3-5 "LA section 3, paragraph 3")`: the clause on its
    database's terms page, with the agreement's own place as the link's title."""
    w = f' "{where(kb, kb.agreement.clause(clause_id).where)}"' if title else ""
    return f"[{clause_id}]({link(doc(kb, 'terms') + '#' + anchor_for(clause_id))}{w})"


def clause_links(
    ids: tuple[str, ...] | list[str], link: Link, kb: Database, title: bool = True
) -> str:
    """`clause 3.5`, `clauses 3.8, 3.9`, each linked."""
    links = [clause_link(i, link, kb, title) for i in ids]
    if len(links) == 1:
        return kb.t("site.clause.one", ref=links[0])
    return kb.t("site.clause.many", refs=listed(kb, links))
