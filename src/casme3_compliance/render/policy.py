"""The pages of the machine-readable terms: each database's policy in plain words beside its
JSON-LD, and the profile's page for tool builders (each term at its IRI's anchor).

The rules are croissant.rules(), the same list the JSON-LD is written from; the plain words are
the summaries of the clauses each rule states (ours, in the page's language), and the JSON-LD
shown is the file's own (in the data's default language, the same file in every edition).
"""

from __future__ import annotations

from typing import Any

from casme3_compliance.knowledge.model import Database, Family
from casme3_compliance.render import croissant
from casme3_compliance.render.markdown import (
    Link,
    and_list,
    clause_link,
    clause_links,
    doc,
    md_escape,
)
from casme3_compliance.render.pages import policy_file

ODRL_VOCABULARY = "https://www.w3.org/TR/odrl-vocab/#term-"
"""Where W3C documents each ODRL term (`#term-use`)."""


def _labels(texts: Database | Family) -> dict[str, str]:
    """Every term's words, by its compact IRI (`odrl:use`, `mep:showImages`, `odrl:isAnyOf`)."""
    p = texts.profile
    out = {f"odrl:{t['id']}": t["label"] for t in p["odrl"]}
    out |= {f"odrl:{o['id']}": o["label"] for o in p["operators"]}
    out |= {f"{p['prefix']}:{t['id']}": t["label"] for t in p["terms"]}
    return out


def _fence_json(node: Any) -> str:
    text = croissant.dumps(node).rstrip("\n")
    return f"```json\n{text}\n```\n"


def _target(kb: Database, link: Link, target: croissant.Target) -> str:
    part = target.part
    if part is None:
        return kb.t("policy.target.database")
    name = md_escape(part.name)
    if target.operator is None:
        return kb.t("policy.target.all", part=name)
    if len(target.numbers) <= 10:
        subjects = and_list(kb, [md_escape(part.name_of(n)) for n in target.numbers])
    else:
        many = kb.t("policy.target.many", count=len(target.numbers))
        subjects = f"[{many}]({link(doc(kb, 'subjects') + '#' + part.section)})"
    key = "policy.target.listed" if target.operator == "isAnyOf" else "policy.target.unlisted"
    return kb.t(key, subjects=subjects, part=name)


def _constraint(kb: Database, labels: dict[str, str], c: dict[str, Any]) -> str:
    right = c["right"] if isinstance(c["right"], list) else [c["right"]]
    return kb.t(
        "policy.constraint",
        left=labels[c["left"]],
        operator=labels[f"odrl:{c['operator']}"],
        right=and_list(kb, [labels[r] for r in right]),
    )


def _duty(kb: Database, link: Link, labels: dict[str, str], duty: dict[str, Any]) -> str:
    action = labels[duty["action"]]
    if "clause" in duty:
        return kb.t(
            "policy.duty.clause", action=action, clause=clause_link(duty["clause"], link, kb)
        )
    value = next((v for k, v in duty.items() if k != "action"), None)
    if value is None:
        return action
    return kb.t("policy.duty.value", action=action, value=f"`{value}`")


def policy_page(kb: Database, link: Link, document: dict[str, Any]) -> str:
    """One database's policy: what the page is, the download, then each rule, its plain
    words beside its JSON-LD; what is not stated, and how subjects are referenced."""
    assert kb.agreement is not None
    labels = _labels(kb)
    prefix = kb.profile["prefix"]
    path = policy_file(kb)
    name = path.rsplit("/", 1)[-1]
    api = f"api/{kb.id}/croissant.json"
    out = [
        kb.t("policy.page.intro", title=md_escape(kb.agreement.title)) + "\n",
        kb.t(
            "policy.page.download",
            file=name,
            href=link(path),
            api=f"/{api}",
            api_href=link(api),
            id=kb.id,
        )
        + "\n",
        kb.t(
            "policy.page.profile",
            href=link("policy/index.md"),
            prefix=prefix,
        )
        + "\n",
        kb.t("policy.page.checked") + "\n",
    ]
    nodes = {
        n["@id"].rsplit("#", 1)[-1]: n
        for key in ("odrl:permission", "odrl:prohibition", "odrl:obligation")
        for n in document["usageInfo"].get(key, [])
    }
    for i, rule in enumerate(croissant.rules(kb, kb.profile), 1):
        kind = kb.t(f"policy.type.{rule.type}")
        heading = kb.t("policy.rule.heading", n=i, kind=kind, action=labels[rule.action])
        lines = [kb.t("policy.rule.target", target=_target(kb, link, rule.target))]
        if rule.constraints:
            said = [_constraint(kb, labels, c) for c in rule.constraints]
            lines.append(kb.t("policy.rule.constraints", constraints=and_list(kb, said)))
        duties = [_duty(kb, link, labels, d) for d in rule.duties]
        duties += [
            kb.t("policy.duty.value", action=labels[rule.action], value=f"`{v}`")
            for k, v in rule.values.items()
            if k != "citation"
        ]
        if duties:
            lines.append(kb.t("policy.rule.duties", duties=and_list(kb, duties)))
        lines.append(kb.t("policy.rule.clauses", clauses=clause_links(rule.clauses, link, kb)))
        plain = [md_escape(kb.agreement.clause(c).summary) for c in rule.clauses]
        out += [
            f"## {heading} {{#{rule.id}}}\n",
            '<div class="la-policy" markdown>',
            '<div class="la-policy-plain" markdown>\n',
            "\n".join(f"- {line}" for line in lines) + "\n",
            f"**{kb.t('policy.rule.plain')}** " + " ".join(plain) + "\n",
            "</div>",
            f'<div class="la-policy-json" markdown>\n\n*{kb.t("policy.rule.json")}*\n',
            _fence_json(nodes[rule.id]),
            "</div>",
            "</div>\n",
        ]
    reasons = {r["id"]: r["text"] for r in kb.profile["reasons"]}
    out += [
        f"## {kb.t('policy.not_stated.heading')} {{#not-stated}}\n",
        kb.t("policy.not_stated.intro", prefix=prefix) + "\n",
        *(
            "- "
            + kb.t(
                "policy.not_stated.item",
                clauses=clause_links(tuple(g["clauses"]), link, kb),
                reason=md_escape(reasons[g["reason"]]),
            )
            for g in kb.policy["not_stated"]  # type: ignore[index]
        ),
        "",
    ]
    if kb.subjects is not None:
        out += [
            f"## {kb.t('policy.parts.heading')} {{#subject-parts}}\n",
            kb.t("policy.parts.intro") + "\n",
        ]
        for form in kb.subjects.forms:
            part = kb.subjects.part(form.part)
            numbers = (
                kb.t("policy.parts.range", min=part.min, max=part.max)
                if part.max is not None
                else kb.t("policy.parts.from", min=part.min)
            )
            source = part.range_source
            said = f"{source.title} ({source.where})" if source else ""
            out.append(
                "- "
                + kb.t(
                    "policy.parts.item",
                    part=md_escape(part.name),
                    label=f"`{part.label}`",
                    pattern=form.pattern,
                    numbers=numbers,
                    source=kb.t("policy.parts.source", source=md_escape(said)) if said else "",
                )
            )
        out.append("")
    return "\n".join(out) + "\n"


def profile_page(family: Family, link: Link, documents: dict[str, dict[str, Any]]) -> str:
    """The profile: what it adds to ODRL and why, the policies, how to answer for a subject
    (in words, then as the SPARQL query), each term at its anchor, and ODRL's terms used."""
    p = family.profile
    prefix = p["prefix"]
    first = next(iter(documents.values()))
    iri = first["usageInfo"]["odrl:profile"]["@id"]
    links = [
        f"[{md_escape(family.db(i).name)}]({link(doc(family.db(i), 'policy'))})" for i in documents
    ]
    kinds = {
        "action": "action",
        "leftOperand": "left-operand",
        "value": "value",
        "property": "property",
    }
    out = [
        family.t("policy.profile.intro", prefix=prefix, iri=iri, version=p["version"]) + "\n",
        family.t("policy.profile.policies", links=and_list(family, links)) + "\n",
        f"## {family.t('policy.profile.evaluate.heading')} {{#evaluate}}\n",
        family.t("policy.profile.evaluate.steps", prefix=prefix) + "\n",
        family.t("policy.profile.query") + "\n",
        f"```sparql\nPREFIX {prefix}: <{iri}#>\n{p['query'].rstrip()}\n```\n",
        f"## {family.t('policy.profile.terms.heading')} {{#terms}}\n",
    ]
    for term in p["terms"]:
        out.append(f"### `{prefix}:{term['id']}` {{#{term['id']}}}\n")
        said = family.t(
            "policy.profile.term",
            curie=f"{prefix}:{term['id']}",
            kind=family.t(f"policy.profile.kind.{kinds[term['kind']]}"),
            label=md_escape(term["label"]),
            definition=md_escape(term["definition"]),
        )
        if term.get("included_in"):
            said += " " + family.t("policy.profile.included", action=term["included_in"])
        out.append(said + "\n")
    out.append(f"## {family.t('policy.profile.odrl.heading')} {{#odrl}}\n")
    out += [
        "- "
        + family.t(
            "policy.profile.odrl.item",
            id=t["id"],
            href=ODRL_VOCABULARY + t["id"],
            label=md_escape(t["label"]),
        )
        for t in [*p["odrl"], *p["operators"]]
    ]
    return "\n".join(out) + "\n"
