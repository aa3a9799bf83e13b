"""What is known of each database, in one document: `casme3 databases` and /api/databases.json.

For a database whose agreement is public: its title, the document its text was read from, how
its subjects' images are ruled; for one whose agreement is not: that it is not, and how to ask.
"""

from __future__ import annotations

from typing import Any

from casme3_compliance.knowledge.model import Database, Family

RULES = {
    "deny": "a list of restricted subjects",
    "allow": "only the listed subjects are not restricted",
    "all": "no list: the same conditions for every subject",
    "approval": "every image needs the issuer's approval",
}
"""Our words for each shape of a subject rule."""


def _subjects(db: Database) -> str:
    if db.subjects is None:
        return "unknown: the agreement is not public"
    return "; ".join(f"{p.name}: {RULES[p.rule]}" for p in db.subjects.parts)


def entry(db: Database) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": db.id,
        "name": db.name,
        "full_name": db.full_name,
        "issuer": db.issuer,
        "agreement": "public" if db.public else "not-public",
    }
    if db.agreement is not None:
        out["agreement_title"] = db.agreement.title
        out["source"] = db.agreement.provenance.line()
        out["provenance"] = db.agreement.provenance.stamp()
    else:
        out["ask"] = db.ask
    out["subjects"] = _subjects(db)
    c = db.citation
    out["citation"] = f"{c.authors[0].family} et al., {c.year}, doi:{c.doi}"
    out["citation_required"] = c.required
    return out


def databases(family: Family) -> dict[str, Any]:
    return {"default": family.default, "databases": [entry(db) for db in family.databases]}
