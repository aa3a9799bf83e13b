"""Each database's agreement as Croissant 1.1 metadata, its terms an ODRL policy (`usageInfo`).

The rules come from the data, each naming the clauses it states: whose images may be shown
and on what terms from subjects.yaml (a deny-list is a prohibition on the listed subjects and a
permission for the others; an allow-list the reverse; "needs the issuer's approval" a
permission with that duty), the other clauses from policy.yaml, the duties to cite, name and
acknowledge from citation.yaml. Where ODRL has no term (a subject's number, the issuer's
approval), the term is our profile's (data/profile.yaml), documented on its page at `mep:`'s
IRI. `rules()` is shared by the JSON-LD and the page that says the same rules in plain words.

A subject is picked out by refinements on its part's asset collection (`mep:subjectNumber`
with ODRL's operators), and each part says how a reference to one of its subjects is written
(`mep:referencePattern`): a tool that reads only this file can answer whether a subject's
images may be shown (tests/test_croissant.py does, with SPARQL, for every subject of every
database, and compares with `casme3 subject`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from casme3_compliance.knowledge.model import Database, Family, Record, SubjectPart, anchor_for
from casme3_compliance.knowledge.verdicts import cite_clause, place

CROISSANT = "http://mlcommons.org/croissant/1.1"
ODRL = "http://www.w3.org/ns/odrl/2/"
CONTEXT: dict[str, Any] = {
    # Croissant 1.1's context (its spec's Appendix 1, as mlcroissant writes it), then ODRL's
    # namespace and ours (added in document()).
    "@language": "en",
    "@vocab": "https://schema.org/",
    "sc": "https://schema.org/",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "dct": "http://purl.org/dc/terms/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "name": {"@container": "@language"},
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
    "odrl": ODRL,
}
FORMATS = ("croissant",)
"""What `casme3 export` writes."""
RAI_FIELDS = ("personalSensitiveInformation", "dataUseCases", "dataLimitations")
"""Croissant's Responsible-AI fields a policy.yaml may fill with its agreement's clauses."""
TYPES = {"permission": "Permission", "prohibition": "Prohibition", "obligation": "Duty"}
"""Each rule's ODRL class; a policy holds them under odrl:<type>."""


class Target(Record):
    """What a rule is about: the database, or the images of a part's subjects, those whose
    numbers are (`isAnyOf`) or are not (`isNoneOf`) in `numbers`, or all of them."""

    part: SubjectPart | None = None
    operator: str | None = None
    numbers: tuple[int, ...] = ()


class Rule(Record):
    """One rule of a policy: its type, action, target, constraints, duties and clauses."""

    id: str
    type: str
    action: str
    target: Target
    clauses: tuple[str, ...]
    constraints: tuple[dict[str, Any], ...] = ()
    duties: tuple[dict[str, Any], ...] = ()
    values: dict[str, str] = {}  # noqa: RUF012 - what a duty of ours names (mep:citation, ...)


def rules(db: Database, profile: dict[str, Any]) -> list[Rule]:
    """Every rule of `db`'s policy, in the order the page and the file list them: subjects'
    images part by part, then the rest of policy.yaml, then citation, name, acknowledgement."""
    assert db.policy is not None and db.agreement is not None
    show, abide = _ours(profile, "showImages"), _ours(profile, "abide")
    images = db.policy.get("images") or {}
    out: list[dict[str, Any]] = []
    for part in db.subjects.parts if db.subjects else ():
        listed = tuple(sorted(part.list))
        permit_clauses = tuple(
            dict.fromkeys(x for x in (part.allowed_clause, part.permission) if x)
        )
        asks = images.get(part.permission or part.clause, {})
        duties = [dict(d) for d in asks.get("duties", ())]
        if part.rule == "approval":
            duties.insert(0, {"action": _ours(profile, "obtainApproval")})
        duties += [{"action": abide, "clause": c} for c in part.conditions]
        permit = {
            "type": "permission",
            "action": show,
            "constraints": tuple(asks.get("constraints", ())),
            "duties": tuple(duties),
        }
        if part.rule in ("deny", "allow"):
            shut, open_ = (
                ("isAnyOf", "isNoneOf") if part.rule == "deny" else ("isNoneOf", "isAnyOf")
            )
            out.append(
                {
                    "type": "prohibition",
                    "action": show,
                    "target": Target(part, shut, listed),
                    "clauses": (part.clause,),
                }
            )
            out.append({**permit, "target": Target(part, open_, listed), "clauses": permit_clauses})
        else:
            clauses = permit_clauses or (part.clause,)
            out.append({**permit, "target": Target(part), "clauses": (part.clause, *clauses)})
    for rule in db.policy["rules"]:
        out.append({**rule, "target": Target(), "clauses": tuple(rule["clauses"])})
    cit = db.citation
    if cit.obligation:
        cited = tuple(dict.fromkeys(x for x in (cit.obligation, cit.clause) if x))
        out.append(_duty(profile, "cite", cited, citation=cit.url))
    if cit.name_clause and cit.name_forms:
        out.append(_duty(profile, "nameAs", (cit.name_clause,), name=cit.name_forms["unicode"]))
    if cit.acknowledgement_clause and cit.acknowledgement:
        clauses = (cit.acknowledgement_clause,)
        out.append(_duty(profile, "acknowledge", clauses, sentence=cit.acknowledgement))
    return [
        Rule(
            id=f"rule-{i}",
            type=r["type"],
            action=r["action"],
            target=r["target"],
            clauses=tuple(dict.fromkeys(r["clauses"])),
            constraints=tuple(r.get("constraints", ())),
            duties=tuple(r.get("duties", ())),
            values=r.get("values", {}),
        )
        for i, r in enumerate(out, 1)
    ]


def _ours(profile: dict[str, Any], term: str) -> str:
    return f"{profile['prefix']}:{term}"


def _duty(profile: dict[str, Any], action: str, clauses: tuple[str, ...], **values: str) -> dict:
    return {
        "type": "obligation",
        "action": _ours(profile, action),
        "target": Target(),
        "clauses": clauses,
        "values": values,
    }


# --- The JSON-LD ------------------------------------------------------------------------------


class Iris(Record):
    """The IRIs of one database's document: every one a page of the site or an anchor on it."""

    site: str
    db: str
    profile: str

    @classmethod
    def of(cls, db: Database, profile: dict[str, Any], site_url: str) -> Iris:
        site = site_url.rstrip("/") + "/"
        return cls(site, f"{site}{db.id}/", site + profile["path"])

    @property
    def policy(self) -> str:
        return f"{self.db}policy/"

    def clause(self, clause_id: str) -> str:
        return f"{self.db}terms/#{anchor_for(clause_id)}"


def documents(site_url: str | None = None) -> dict[str, dict[str, Any]]:
    """Every database's document that has a policy, by id: what the site serves and `casme3
    export` writes, whatever the language of the run. In the data's default language, the
    descriptions also in every other shipped one (never a draft's); the IRIs from `site_url`,
    else from the profile's."""
    from casme3_compliance.knowledge.loader import load_family
    from casme3_compliance.render.pages import has_policy

    first = load_family()
    others = [x["code"] for x in first.shipped if x["code"] != first.lang]
    every = [first, *(load_family(lang=code) for code in others)]
    site = site_url or first.profile["site_url"]
    return {db.id: document(every, db.id, site) for db in first.databases if has_policy(db)}


def document(families: list[Family], db_id: str, site_url: str) -> dict[str, Any]:
    """The Croissant JSON-LD of database `db_id`: in the first family's language (the data's
    default), its descriptions also in the others'."""
    family = families[0]
    dbs = [f.db(db_id) for f in families]
    db = dbs[0]
    assert db.agreement is not None and db.policy is not None
    profile = family.profile
    iri = Iris.of(db, profile, site_url)
    prefix = profile["prefix"]
    context = {**CONTEXT, prefix: f"{iri.profile}#"}
    issuer = {"@type": ["Organization", "odrl:Party"], "@id": f"{iri.db}#issuer", "name": db.issuer}
    agreement = db.agreement
    app = agreement.application
    pdf = agreement.provenance.pdf
    policy: dict[str, Any] = {
        "@type": ["CreativeWork", "odrl:Offer"],
        "@id": f"{iri.policy}#policy",
        "name": {"en": db.t("policy.jsonld.name", name=db.name)},
        "description": {d.lang: d.t("policy.jsonld.policy", title=agreement.title) for d in dbs},
        "url": iri.policy,
        "odrl:profile": {"@id": iri.profile},
        "odrl:conflict": {"@id": "odrl:prohibit"},
        "odrl:assigner": issuer,
        "isBasedOn": {
            "@type": "DigitalDocument",
            "name": {"en": agreement.title},
            "url": pdf.url,
            "sha256": pdf.sha256,
        },
    }
    parts = []
    for order, form in enumerate(db.subjects.forms if db.subjects else (), 1):
        part = db.subjects.part(form.part)  # type: ignore[union-attr]
        parts.append(_collection(db, iri, prefix, part, form.pattern, order))
    if parts:
        policy[f"{prefix}:subjectParts"] = parts
    for rule in rules(db, profile):
        node = _rule(db, iri, prefix, rule)
        key = "odrl:obligation" if rule.type == "obligation" else f"odrl:{rule.type}"
        policy.setdefault(key, []).append(node)
    reasons = {r["id"]: r["text"] for r in profile["reasons"]}
    policy[f"{prefix}:notStated"] = [
        {**_clause(db, iri, prefix, c), f"{prefix}:reason": reasons[g["reason"]]}
        for g in db.policy["not_stated"]
        for c in g["clauses"]
    ]
    from casme3_compliance.render import citation

    out: dict[str, Any] = {
        "@context": context,
        "@type": "sc:Dataset",
        "conformsTo": CROISSANT,
        "name": {"en": db.name},
        "alternateName": db.full_name,
        "description": {
            d.lang: d.t("policy.jsonld.description", name=d.name, full_name=d.full_name)
            for d in dbs
        },
        "url": app.current_source.url if app.current_source else iri.db,
        "creator": issuer,
        "citeAs": citation.render(db.citation, "bibtex"),
        "license": {
            "@type": "CreativeWork",
            "name": {"en": agreement.title},
            "url": iri.db + "terms/",
        },
    }
    for field in RAI_FIELDS:
        ids = (db.policy.get("rai") or {}).get(field)
        if ids:
            out[f"rai:{field}"] = [_quoted(db, c) for c in ids]
    out["usageInfo"] = policy
    return out


def _quoted(db: Database, clause_id: str) -> str:
    assert db.agreement is not None
    clause = db.agreement.clause(clause_id)
    return f"{clause.words} ({cite_clause(db, clause_id)})"


def _clause(db: Database, iri: Iris, prefix: str, clause_id: str) -> dict[str, Any]:
    assert db.agreement is not None
    clause = db.agreement.clause(clause_id)
    return {
        "@id": iri.clause(clause_id),
        "dct:identifier": clause_id,
        f"{prefix}:where": place(db, clause.where),
        f"{prefix}:text": clause.words,
    }


def _collection(
    db: Database, iri: Iris, prefix: str, part: SubjectPart, pattern: str, order: int
) -> dict[str, Any]:
    """A part's subjects' images, with how its references are written and, where a public
    record gives it, the range of its numbers (a refinement, with its source)."""
    node: dict[str, Any] = {
        "@id": f"{iri.db}subjects/#{part.section}",
        "@type": "odrl:AssetCollection",
        "name": {"en": part.name},
        f"{prefix}:part": part.key,
        f"{prefix}:referencePattern": pattern,
        f"{prefix}:patternOrder": order,
        f"{prefix}:subjectLabel": part.label,
    }
    bounds = [("gteq", part.min)] + ([("lteq", part.max)] if part.max is not None else [])
    source = part.range_source
    node["odrl:refinement"] = [
        {
            "@type": "odrl:Constraint",
            "odrl:leftOperand": {"@id": f"{prefix}:subjectNumber"},
            "odrl:operator": {"@id": f"odrl:{op}"},
            "odrl:rightOperand": value,
            **({"dct:source": f"{source.title} ({source.where})"} if source else {}),
        }
        for op, value in bounds
    ]
    return node


def _target(iri: Iris, prefix: str, target: Target) -> dict[str, Any]:
    if target.part is None:
        return {"@id": f"{iri.db}#database", "@type": "odrl:Asset"}
    whole = f"{iri.db}subjects/#{target.part.section}"
    if target.operator is None:
        return {"@id": whole}
    which = "listed" if target.operator == "isAnyOf" else "unlisted"
    return {
        "@id": f"{iri.policy}#{target.part.section}-{which}",
        "@type": "odrl:AssetCollection",
        "odrl:partOf": {"@id": whole},
        "odrl:refinement": [
            {
                "@type": "odrl:Constraint",
                "odrl:leftOperand": {"@id": f"{prefix}:subjectNumber"},
                "odrl:operator": {"@id": f"odrl:{target.operator}"},
                "odrl:rightOperand": list(target.numbers),
            }
        ],
    }


def _term(value: str) -> dict[str, str]:
    return {"@id": value}


def _constraint(c: dict[str, Any]) -> dict[str, Any]:
    right = c["right"] if isinstance(c["right"], list) else [c["right"]]
    return {
        "@type": "odrl:Constraint",
        "odrl:leftOperand": _term(c["left"]),
        "odrl:operator": _term(f"odrl:{c['operator']}"),
        "odrl:rightOperand": [_term(r) for r in right],
    }


def _duty_node(db: Database, iri: Iris, prefix: str, duty: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "odrl:Duty", "odrl:action": _term(duty["action"])}
    for key, value in duty.items():
        if key == "clause":
            node[f"{prefix}:clause"] = _clause(db, iri, prefix, value)
        elif key == "citation":
            node[f"{prefix}:citation"] = _term(value)
        elif key != "action":
            node[f"{prefix}:{key}"] = value
    return node


def _rule(db: Database, iri: Iris, prefix: str, rule: Rule) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": f"{iri.policy}#{rule.id}",
        "@type": f"odrl:{TYPES[rule.type]}",
        "odrl:action": _term(rule.action),
        "odrl:target": _target(iri, prefix, rule.target),
    }
    if rule.constraints:
        node["odrl:constraint"] = [_constraint(c) for c in rule.constraints]
    if rule.duties:
        node["odrl:duty"] = [_duty_node(db, iri, prefix, d) for d in rule.duties]
    for key, value in rule.values.items():
        node[f"{prefix}:{key}"] = _term(value) if key == "citation" else value
    node[f"{prefix}:clause"] = [_clause(db, iri, prefix, c) for c in rule.clauses]
    return node


def dumps(document: dict[str, Any]) -> str:
    """Two-space JSON, each list of numbers on one line."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return (
        _NUMBERS.sub(lambda m: "[" + ", ".join(m[1].replace(",", " ").split()) + "]", text) + "\n"
    )


_NUMBERS = re.compile(r"\[\s*((?:-?\d+,?\s*)+)\]")
