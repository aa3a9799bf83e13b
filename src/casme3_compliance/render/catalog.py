"""What is known of each database, in one document: `casme3 databases` and /api/databases.json.

For a database whose agreement is public: its title, the document its text was read from, how
its subjects' images are ruled; for one whose agreement is not: that it is not, and how to ask.
Our words for these are messages (data/i18n/<lang>/messages/cli.yaml, `cli.rule.*`), in the
database's language; ids, names and the agreements' titles stay as they are.
"""

from __future__ import annotations

from typing import Any

from casme3_compliance.knowledge.model import Database, Family
from casme3_compliance.knowledge.verdicts import join, provenance_line, provenance_stamp


def _subjects(db: Database) -> str:
    if db.subjects is None:
        return db.t("cli.rule.unknown")
    parts = [
        db.t("cli.rule.part", name=p.name, rule=db.t(f"cli.rule.{p.rule}"))
        for p in db.subjects.parts
    ]
    return join(db, parts, "cli.rule.parts", "cli.rule.parts")


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
        out["source"] = provenance_line(db, db.agreement.provenance)
        out["provenance"] = provenance_stamp(db, db.agreement.provenance)
    else:
        out["ask"] = db.ask
    out["subjects"] = _subjects(db)
    c = db.citation
    out["citation"] = db.t(
        "cli.databases.citation", author=c.authors[0].family, year=c.year, doi=c.doi
    )
    out["citation_required"] = c.required
    return out


def databases(family: Family) -> dict[str, Any]:
    return {"default": family.default, "databases": [entry(db) for db in family.databases]}
