"""The /api/ documents: the data for tools and for the site's own scripts.

`/api/databases.json` lists the family; each database has `/api/<id>/citation.json` and, where
its data has them, `agreement.json`, `subjects.json` and `checklists.json` (a database whose
agreement is not public has a `subjects.json` too, that answers every subject "unknown").
`/api/*.json` are the default database's, as before the family. The site's JavaScript reads
these instead of a second hand-written copy, so subject numbers, ranges, clause links and
verdict sentences have one source; each page fetches only the documents of the databases it
asks about.
"""

from __future__ import annotations

import json
from typing import Any

from casme3_compliance.knowledge.model import Database, Family, anchor_for
from casme3_compliance.knowledge.verdicts import (
    MESSAGES,
    NOTES,
    SYNTAX,
    UNKNOWN,
    UNKNOWN_FORM,
    range_message,
    syntax_message,
    templates,
)
from casme3_compliance.render import checklist, pages
from casme3_compliance.render.markdown import provenance_line, url, where

FILENAME_RULES = {
    # Characters no file name may hold on Windows, macOS or Linux, and the controls that would
    # make one lie about itself: bidirectional overrides (`Jane\u202efdp.exe` shows as
    # `Janeexe.pdf`), zero-width and other invisible format characters.
    "forbidden": r'[/\\:*?"<>|\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e'
    r"\u2060-\u2069\ufeff]",
    # A name must show something: not only spaces and blank characters (Hangul fillers, the
    # blank Braille pattern) that pass for letters.
    "blank": r"^[\t-\r \x85\xa0\u115f\u1160\u1680\u2000-\u200f\u2028-\u202f\u205f-\u206f"
    r"\u2800\u3000\u3164\uffa0\ufeff]*$",
    # The whole file name in UTF-8: most file systems stop at 255 bytes.
    "max_bytes": 255,
}
"""How the apply helper judges a signer's name as part of a file name (RegExps for Python and
JavaScript alike: no construct whose meaning differs between the two)."""
FILENAME_FORBIDDEN = FILENAME_RULES["forbidden"]


def _meta(kb: Database) -> dict[str, Any]:
    """Which database, and which agreement text every document was made from (the agreements
    carry no version of their own)."""
    meta: dict[str, Any] = {"database": kb.id, "name": kb.name}
    if kb.agreement is not None:
        # `line` is for people (the paper's check quotes it): in the family's language.
        meta["la_source"] = {**kb.agreement.provenance.stamp(), "line": provenance_line(kb)}
    return meta


def agreement(kb: Database) -> dict[str, Any]:
    return {
        **_meta(kb),
        "title": kb.agreement.title,
        "owner": kb.agreement.owner,
        "disclaimer": kb.disclaimer,
        "numbering": kb.agreement.numbering,
        "application": kb.agreement.application.as_dict(),
        "filename_templates": kb.agreement.application.filename.templates()
        if kb.agreement.application.filename
        else {},
        "filename_rules": FILENAME_RULES,
        "sections": [
            {
                "number": part.number,
                "anchor": part.anchor,
                "title": part.title,
                "clauses": [
                    {
                        "id": c.id,
                        "anchor": c.anchor,
                        "kind": c.kind,
                        "where": where(kb, c.where),
                        "topics": list(c.topics),
                        "text": c.text,
                        "items": list(c.items),
                        "summary": c.summary,
                        **({"readings": c.readings.as_dict()} if c.readings else {}),
                    }
                    for c in part.clauses
                ],
            }
            for part in kb.agreement.parts
        ],
    }


def _pages(kb: Database) -> dict[str, str]:
    """The database's pages by slug (`home` for its own), as URLs from the site's root."""
    return {slug or "home": url(kb, slug) for slug, _ in pages.page_set(kb)}


def subjects(kb: Database) -> dict[str, Any]:
    """Each part's rule, list, range and verdict sentences, and the grammar; for a database
    whose agreement is not public, no part, and the sentence that answers "unknown"."""
    if kb.subjects is None:
        unknown = UNKNOWN.replace("{name}", kb.name).replace("{ask}", kb.ask or kb.issuer)
        return {
            **_meta(kb),
            "pages": _pages(kb),
            "parts": [],
            "unknown": " ".join(unknown.split()),
            "syntax": syntax(kb),
        }
    parts = []
    for p in kb.subjects.parts:
        allowed = p.allowed_clause or p.clause
        parts.append(
            {
                "key": p.key,
                "name": p.name,
                "numbering": p.numbering,
                "rule": p.rule,
                "list": list(p.list),
                "pad": p.pad,
                "short": p.short,
                "anchor": p.anchor("{n}"),
                "section": p.section,
                "min": p.min,
                "max": p.max,
                "range_source": p.range_source.where if p.range_source else None,
                "restricted": list(p.restricted()),
                "clause": p.clause,
                "clause_anchor": anchor_for(p.clause),
                "allowed_clause": allowed,
                "allowed_clause_anchor": anchor_for(allowed),
                "templates": templates(kb, p),
            }
        )
    return {**_meta(kb), "pages": _pages(kb), "parts": parts, "syntax": syntax(kb)}


def syntax(kb: Database) -> dict[str, Any]:
    """The parser's grammar and messages: the site's script reads references as parse_ref does.

    `forms` are the database's own grammar (data), tried in order; a form's `part` is the part
    its number belongs to, and `bare` marks a number written alone. A database without a public
    agreement has one form, any number (verdicts.UNKNOWN_FORM), of no part."""
    if kb.subjects is None:
        forms = [{"part": "", "pattern": UNKNOWN_FORM, "bare": False}]
        message = (
            MESSAGES["syntax"].replace("{of}", f" of {kb.name}").replace("{examples}", "a number")
        )
        ranges = {}
    else:
        forms = [f.as_dict() for f in kb.subjects.forms]
        message = syntax_message(kb)
        ranges = {p.key: range_message(p) for p in kb.subjects.parts}
    return {
        **SYNTAX,
        "forms": forms,
        "flags": "i",
        "errors": {
            "empty": MESSAGES["empty"],
            "syntax": message,
            "too_long": MESSAGES["too_long"],
            "range": ranges,
        },
        "notes": NOTES,
    }


def citation(kb: Database) -> dict[str, Any]:
    return {**_meta(kb), **kb.citation.as_dict()}


def checklists(kb: Database) -> dict[str, Any]:
    """The checklist download's own document (checklist.document), for the self-check."""
    return {**_meta(kb), **checklist.document(kb)}


DOCUMENTS = {
    "agreement": agreement,
    "subjects": subjects,
    "citation": citation,
    "checklists": checklists,
}
"""Every kind of document a database may have, by name: `/api/<id>/<name>.json`."""


def documents(kb: Database) -> dict[str, str]:
    """The documents `kb` has, by name, as paths from the site's root."""
    have = {
        "agreement": kb.agreement is not None,
        "subjects": kb.subjects is not None or not kb.public,
        "citation": True,
        "checklists": bool(kb.checklists),
    }
    return {name: f"api/{kb.id}/{name}.json" for name in DOCUMENTS if have[name]}


def databases(family: Family) -> dict[str, Any]:
    """The family: each database, whether its agreement is public, its pages and documents, and
    where the site's search sends each of its subjects (`{n}`: the number)."""
    return {
        "default": family.default,
        "databases": [
            {
                "id": db.id,
                "name": db.name,
                "full_name": db.full_name,
                "issuer": db.issuer,
                "issuer_short": db.issuer_short,
                "agreement": "public" if db.public else "not-public",
                **({"ask": db.ask} if db.ask else {}),
                **({"about": db.about} if db.about else {}),
                "pages": _pages(db),
                "api": documents(db),
                "subject_links": pages.subject_links(db),
            }
            for db in family.databases
        ],
    }


def files(family: Family) -> dict[str, str]:
    """Every API document by its path from the site's root; /api/*.json are the default's."""
    out = {"api/databases.json": dumps(databases(family))}
    for db in family.databases:
        for name, path in documents(db).items():
            out[path] = dumps(DOCUMENTS[name](db))
    default = family.db()
    for name in documents(default):
        out[f"api/{name}.json"] = out[f"api/{default.id}/{name}.json"]
    return out


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
