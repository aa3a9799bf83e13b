"""The Markdown pieces every page and tool is made of: a link from the page being rendered,
a clause's link, text shown literally, and the words for each verdict."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from casme3_compliance.knowledge.model import Database, anchor_for

Link = Callable[[str], str]
"""Turns a docs-relative target (`casme3/terms.md#clause-3-4`) into a link from the current
page."""

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


def clause_link(clause_id: str, link: Link, kb: Database, title: bool = True) -> str:
    """`[3.5](casme3/terms.md#clause-3-5 "LA section 3, paragraph 3")`: the clause on its
    database's terms page, with the agreement's own place as the link's title."""
    where = f' "{kb.agreement.clause(clause_id).where}"' if title else ""
    return f"[{clause_id}]({link(doc(kb, 'terms') + '#' + anchor_for(clause_id))}{where})"


def clause_links(
    ids: tuple[str, ...] | list[str], link: Link, kb: Database, title: bool = True
) -> str:
    word = "clause" if len(ids) == 1 else "clauses"
    return f"{word} " + ", ".join(clause_link(i, link, kb, title) for i in ids)
