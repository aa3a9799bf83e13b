"""Markdown and HTML for the site's pages, rendered from the family's data.

The macros in macros/main.py only pass a database (or the family) and a link maker; everything
shown comes from here, so the pages, the CLI and the downloads cannot disagree. Links to other
pages are Markdown links (`casme3/terms.md#clause-3-4`) so that `mkdocs build --strict` checks
them.

Which pages a database has is data too (page_set): a terms page where its agreement is public,
a subjects page where the agreement has a rule for subjects' images, and so on. The hooks
(macros/hooks.py) generate them, so a database is added as files under data/, not as pages.

Every word of ours is a message (data/i18n/<lang>/messages/site.yaml, `kb.t("site.…")`), in the
language of the database or family passed in: a whole sentence with its slots, so another
language orders it as its grammar wants. Anchors and URLs stay here, the same in every language,
so that a language switch keeps the reader's place.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from html import escape

from casme3_compliance.knowledge.model import (
    Clause,
    Database,
    Family,
    Rule,
    SubjectPart,
    anchor_for,
)
from casme3_compliance.render.markdown import (
    Link,
    and_list,
    clause_link,
    clause_links,
    doc,
    listed,
    md_escape,
    paren,
    provenance_line,
    then,
    url,
    verdict_headings,
    where,
)

COLUMNS = ("permissions", "conditions", "limitations")
"""The columns of the at-a-glance page, in order; each is titled `site.glance.<column>`."""

# --- Which pages a database has ---------------------------------------------------------------

SLUGS = ("", "terms", "at-a-glance", "subjects", "cite", "checklist", "apply", "policy")
"""Each page of a database's set, by its slug (`` is the database's own home), in nav order.
Each is titled `site.page.<slug>` in the nav (`site.page.home` for the home) and headed
`site.heading.<slug>` on the page."""


def _key(slug: str) -> str:
    return slug or "home"


def has_policy(kb: Database) -> bool:
    """Whether the agreement is stated as an ODRL policy (data/<id>/policy.yaml)."""
    return kb.policy is not None and kb.agreement is not None


def has_apply(kb: Database) -> bool:
    """Whether there is anything to say on how to apply: the issuer's route, who signs, the
    file name, or a clause of the agreement about applying or its form."""
    a = kb.agreement
    if a is None:
        return False
    app = a.application
    if app.current_steps or app.who_signs or app.filename or app.la_clause:
        return True
    return any({"how-to-apply", "form"} & set(c.topics) or c.fields for c in a.clauses())


def page_set(kb: Database) -> list[tuple[str, str]]:
    """(slug, title) of the pages `kb` has, in nav order: its home, then what its data holds."""
    a = kb.agreement
    have = {
        "": True,
        "terms": a is not None,
        "at-a-glance": a is not None and any(c.glance for c in a.clauses()),
        "subjects": kb.subjects is not None,
        "cite": True,
        "checklist": bool(kb.checklists),
        "apply": has_apply(kb),
        "policy": has_policy(kb),
    }
    return [(slug, kb.t(f"site.page.{_key(slug)}")) for slug in SLUGS if have[slug]]


def has_page(kb: Database, slug: str) -> bool:
    return any(s == slug for s, _ in page_set(kb))


_MACROS = {
    "": "database_home",
    "terms": "terms",
    "at-a-glance": "at_a_glance",
    "subjects": "subjects_page",
    "cite": "cite",
    "checklist": "checklists",
    "apply": "apply_page",
    "policy": "policy_page",
}


def page_source(kb: Database, slug: str) -> str:
    """The Markdown file of one of `kb`'s pages as a macro call: its title, then the macro
    (`{{ terms('casme3') }}`), for a page written by hand."""
    title = page_heading(kb, slug)
    return f"# {title}\n\n{{{{ {_MACROS[slug]}({kb.id!r}) }}}}\n"


def page_markdown(
    kb: Database, slug: str, link: Link, render: Callable[[Database, Link], str] | None = None
) -> str | None:
    """One of `kb`'s pages, rendered: its title, then what `render` (by default this module's
    function its macro is named after, `_MACROS`) makes of it. The hooks write generated pages
    so, and no Jinja pass of mkdocs-macros runs over them. None when there is no such function
    here and none is given: the page is then written as its macro call (page_source)."""
    render = render or globals().get(_MACROS[slug])
    if render is None:
        return None
    return f"# {page_heading(kb, slug)}\n\n{render(kb, link)}\n"


def linker(src_uri: str, prefix: str = "") -> Link:
    """The link maker of the page at `src_uri` (`zh/casme3/terms.md`) in the edition whose
    folder is `prefix` (`zh/`, `` for the default one): a target of that edition
    (`casme3/terms.md#clause-3-4`, relative to the edition's folder) as a Markdown link from
    the page."""
    here = posixpath.dirname(src_uri)

    def link(target: str) -> str:
        path, _, anchor = target.partition("#")
        path = prefix + path if path else ""
        rel = posixpath.relpath(path, here or ".") if path else ""
        return rel + (f"#{anchor}" if anchor else "")

    return link


def page_heading(kb: Database, slug: str) -> str:
    return kb.t(f"site.heading.{_key(slug)}", name=md_escape(kb.name))


def site_nav(family: Family, nav: list | None) -> list:
    """mkdocs.yml's nav with its `Databases` entry replaced by one section per database, and
    its `Scan rules` entry by the rules' index and one page per rule (titled in the family's
    language)."""
    out: list = []
    for entry in nav or []:
        title = next(iter(entry)) if isinstance(entry, dict) else None
        if title == "Databases":
            out += [
                {db.name: [{t: doc(db, slug)} for slug, t in page_set(db)]}
                for db in family.databases
            ]
        elif title == "Scan rules":
            rules = [{f"{r.code} {r.name}": f"rules/{r.code}.md"} for r in family.rules]
            out.append({family.t("site.rules.title"): ["rules/index.md", *rules]})
        else:
            out.append(entry)
    return out


MOVED = ("terms", "at-a-glance", "subjects", "cite", "checklist", "apply")
"""The pages the site had at its root before the family of databases."""


def redirects(family: Family) -> dict[str, str]:
    """Old URL -> new URL, from the site's root. Before the family, the default database's pages
    were the site's own (`terms/`); they live under its id now (`casme3/terms/`)."""
    db = family.db()
    return {f"{slug}/": url(db, slug) for slug, _ in page_set(db) if slug in MOVED}


REDIRECT = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<link rel="canonical" href="{canonical}">
<noscript><meta http-equiv="refresh" content="0; url={href}"></noscript>
</head>
<body>
<p>{moved}</p>
<script>location.replace(document.getElementById("la-moved").href+location.search+location.hash)</script>
</body>
</html>
"""
"""A moved page: its script keeps the anchor (`#clause-3-4`) and query, which a refresh would
drop; without JavaScript the refresh and the link lead to the page itself. The script is the
same on every such page, so one hash in its Content-Security-Policy allows it."""


def redirect_page(
    old: str, new: str, title: str, site_url: str, family: Family | None = None
) -> str:
    """The HTML of `old` (a URL from the site's root) sending the reader on to `new`, in the
    language of `family` (default: the data's default family)."""
    if family is None:
        from casme3_compliance import load_family

        family = load_family()
    depth = old.count("/")
    href = "../" * depth + new
    canonical = (site_url.rstrip("/") + "/" + new) if site_url else href
    lang = next((x["html"] for x in family.languages if x["code"] == family.lang), family.lang)
    anchor = f'<a id="la-moved" href="{escape(href)}">{escape(title)}</a>'
    return REDIRECT.format(
        lang=escape(lang),
        title=escape(title),
        href=escape(href),
        canonical=escape(canonical),
        moved=family.t("site.redirect.moved", link=anchor),
    )


# --- The notice every page carries -------------------------------------------------------------


def notice(kb: Database) -> dict[str, str]:
    """The one notice every page of a database carries (docs/overrides/main.html), as escaped
    HTML: what the site is not, whose clause numbers these are, which agreement text it
    follows; for an agreement that is not public, that the site shows none of its terms."""
    a = kb.agreement
    if a is None:
        return {
            "title": escape(kb.t("site.notice.title")),
            "text": escape(kb.t("site.notice.not_public", disclaimer=kb.disclaimer, name=kb.name)),
            "provenance": "",
            "terms": escape(kb.t("site.notice.ask", who=kb.issuer_short)),
            "path": url(kb),
            "fragment": "not-public",
        }
    return {
        "title": escape(kb.t("site.notice.title")),
        "text": escape(kb.t("site.notice.text", disclaimer=kb.disclaimer, numbering=a.numbering)),
        "provenance": escape(
            kb.t("site.notice.provenance", name=kb.name, line=provenance_line(kb))
        ),
        "terms": escape(kb.t("site.notice.terms")),
        "source": escape(kb.t("site.notice.source")),
        "path": url(kb, "terms"),
        "fragment": "",
        "here": doc(kb, "terms"),
    }


def family_notice(family: Family) -> dict[str, str]:
    """The notice of the pages about every database: the disclaimer, and where each database's
    terms and the text they follow are."""
    db = family.db()
    return {
        "title": escape(family.t("site.notice.family.title")),
        "text": escape(family.t("site.notice.family.text", disclaimer=db.disclaimer)),
        "provenance": "",
        "terms": escape(family.t("site.notice.family.terms")),
        "path": "",
        "fragment": "databases",
    }


# --- Terms ------------------------------------------------------------------------------------

_URL = re.compile(r"<(https?://[^>\s]+)>")


def _linked(text: str) -> str:
    """Verbatim text as HTML, with the URLs the LA writes in angle brackets made links."""
    out, at = [], 0
    for m in _URL.finditer(text):
        out.append(escape(text[at : m.start()]))
        out.append(f'<a href="{escape(m[1])}">{escape(m[1])}</a>')
        at = m.end()
    return "".join(out) + escape(text[at:])


def _verbatim(clause: Clause) -> str:
    if clause.fields:  # the agreement's form: its fields, one per line as on the paper
        parts = ["<ul>" + "".join(f"<li>{escape(f)}</li>" for f in clause.fields) + "</ul>"]
    else:
        parts = [f"<p>{_linked(clause.text)}</p>"]
    if clause.items:
        parts.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in clause.items) + "</ul>")
    return "<blockquote>" + "".join(parts) + "</blockquote>"


def ours(kb: Database, text: str, emphasis: str = "strong") -> str:
    """Our summary of something of the agreement's, labelled as ours, not the agreement."""
    la = md_escape(kb.agreement.abbreviation)
    return kb.t(f"site.ours.{emphasis}", la=la, text=md_escape(text))


def readings(kb: Database, clause: Clause) -> str:
    """A sentence that admits two readings: both, and the one we follow, labelled as ours."""
    r = clause.readings
    if r is None:
        return ""
    a = md_escape(kb.agreement.abbreviation)
    options = "\n".join(f"{i}. {md_escape(o)}" for i, o in enumerate(r.options, 1))
    intro = kb.t("site.readings.intro", count=len(r.options), why=md_escape(r.why))
    follow = kb.t("site.readings.ours", la=a, ours=md_escape(r.ours))
    return f"{intro}\n\n{options}\n\n{follow}\n"


def _clause_block(kb: Database, clause: Clause, link: Link) -> str:
    a = kb.agreement
    extra = ""
    if clause.subjects and kb.subjects is not None:
        part = kb.subjects.part(clause.subjects)
        numbers = part.restricted()
        cells = listed(
            kb,
            [
                f"[{md_escape(part.name_of(n))}]"
                f"({link(doc(kb, 'subjects') + '#' + part.anchor(n))})"
                for n in numbers
            ],
        )
        if numbers:
            said = kb.t(
                "site.terms.subjects",
                count=len(numbers),
                part=md_escape(part.name),
                href=link(doc(kb, "subjects")),
                cells=cells,
            )
            extra = f"\n<div class='la-clause__subjects' markdown>\n\n{said}\n\n</div>\n"
    if clause.id == a.application.la_clause and a.application.la_status:
        see = (
            kb.t("site.terms.see_apply", href=link(doc(kb, "apply") + "#steps"))
            if has_page(kb, "apply") and a.application.current_steps
            else ""
        )
        extra += (
            f"\n<p class='la-clause__status' markdown='span'>"
            f"{then(kb, md_escape(a.application.la_status), see)}</p>\n"
        )
    title = kb.t("site.terms.link_title", id=clause.id)
    return (
        f'<div class="la-clause la-clause--{clause.kind}" id="{clause.anchor}" markdown>\n'
        f'<div class="la-clause__text" markdown>\n\n'
        f'[{clause.id}](#{clause.anchor}){{.la-clause__id title="{title}"}}'
        f' <span class="la-kind">{kb.t("site.kind." + clause.kind)}</span>'
        f' <span class="la-where">{escape(where(kb, clause.where))}</span>\n\n'
        f"{_verbatim(clause)}\n{extra}\n{readings(kb, clause)}\n</div>\n"
        f'<div class="la-clause__summary" markdown>\n\n'
        f"{ours(kb, clause.summary)}"
        f"\n\n</div>\n</div>\n"
    )


def _within(sentence: str) -> str:
    """A sentence written to stand alone, inside another: its first word in lower case if it is
    a capitalised word (`The LA text` -> `the LA text`), never an acronym or a name (`LA`)
    and never a script without case."""
    if sentence[:1].isupper() and sentence[1:2].islower():
        return sentence[0].lower() + sentence[1:]
    return sentence


def provenance(kb: Database, link: Link) -> str:
    """Which document the text is: agreements carry no version, so say what it was compared
    with."""
    a = kb.agreement
    p, f = a.provenance, a.application.filename
    abbr = md_escape(a.abbreviation)
    out = (
        kb.t(
            "site.provenance.intro",
            la=abbr,
            description=md_escape(_within(p.text.description)),
            compared=md_escape(p.compared),
        )
        + "\n\n- "
        + kb.t(
            "site.provenance.pdf",
            file=md_escape(p.pdf.path.rsplit("/", 1)[-1]),
            url=p.pdf.url,
            created=p.pdf.created,
            sha=p.pdf.sha256,
            repository=md_escape(p.pdf.repository),
            commit=p.pdf.commit,
        )
        + "\n"
    )
    if f is not None and f.pdf:
        at = (
            paren(kb, clause_link(a.application.la_clause, link, kb))
            if a.application.la_clause
            else ""
        )
        apply = (
            kb.t("site.provenance.apply", href=link(doc(kb, "apply") + "#file-name"))
            if has_page(kb, "apply")
            else ""
        )
        names = kb.t("site.provenance.filename", la=abbr, text=f.text, pdf=f.pdf, where=at)
        out += f"- {then(kb, names, apply)}\n"
    return out + "- " + kb.t("site.provenance.copy", sha=p.text.sha256) + "\n"


def _first_numbered(kb: Database) -> Clause:
    return next(
        (c for p in kb.agreement.sections for c in p.clauses), kb.agreement.parts[0].clauses[0]
    )


def terms(kb: Database, link: Link) -> str:
    """The whole agreement, part by part, each clause verbatim beside our reading of it."""
    a = kb.agreement
    example = _first_numbered(kb)
    out = [
        kb.t(
            "site.terms.intro",
            la=md_escape(a.abbreviation),
            id=example.id,
            anchor=example.anchor,
        )
        + "\n",
        f"<p class='la-title'>{escape(a.title)}</p>\n",
        kb.t("site.terms.owner", owner=md_escape(a.owner), short=md_escape(a.owner_short)) + "\n",
        kb.t("site.terms.numbering", numbering=md_escape(a.numbering)) + "\n",
        f"## {kb.t('site.terms.provenance')} {{#provenance}}\n",
        provenance(kb, link),
    ]
    if has_policy(kb):
        out.append(policy_link(kb, link) + "\n")
    for part in a.parts:
        out.append(f"## {md_escape(part.heading)} {{#{part.anchor}}}\n")
        if part.note:
            out.append(f"*{md_escape(part.note)}*\n")
        out.extend(_clause_block(kb, c, link) for c in part.clauses)
    return "\n".join(out)


def at_a_glance(kb: Database, link: Link) -> str:
    """Permissions, conditions and limitations in three columns, each entry linked to its clause."""
    abbr = md_escape(kb.agreement.abbreviation)
    out = [
        kb.t("site.glance.intro", la=abbr) + "\n",
        '<div class="la-glance" markdown>\n',
    ]
    for column in COLUMNS:
        entries = [
            (g.label, c.id) for c in kb.agreement.clauses() for g in c.glance if g.column == column
        ]
        out.append(f'<section class="la-glance__col la-glance__col--{column}" markdown>\n')
        out.append(f"## {kb.t('site.glance.' + column)}\n")
        out.extend(
            f"- [{md_escape(label)}]({link(doc(kb, 'terms') + '#' + anchor_for(cid))}) "
            f"<span class='la-glance__ref'>{cid}</span>"
            for label, cid in entries
        )
        if not entries:
            out.append(kb.t("site.glance.empty", la=abbr))
        out.append("\n</section>\n")
    out.append("</div>\n")
    return "\n".join(out)


# --- Subjects ---------------------------------------------------------------------------------


def _table(kind: str, caption: str, head: str, rows: list[str]) -> str:
    """A data table laid out to fit its column at every width, so it needs no scroll region."""
    return (
        f'<table class="la-table la-subjects {kind}">'
        f"<caption>{caption}</caption><thead>{head}</thead>"
        f"<tbody>{' '.join(rows)}</tbody></table>\n"
    )


def subjects_page(kb: Database, link: Link) -> str:
    """The subjects page: how references are written, the lookup, then the tables."""
    from casme3_compliance.render import widgets

    return (
        kb.t("site.subjects.intro", name=md_escape(kb.name))
        + "\n\n"
        + f"## {kb.t('site.subjects.lookup')} {{#lookup}}\n\n"
        f"{widgets.subject_lookup(kb, link)}\n"
        f"{subject_tables(kb, link)}"
    )


def subject_tables(kb: Database, link: Link) -> str:
    """Each part of the database's subjects as its rule calls for: a deny-list as a grid by tens
    and last digit, an allow-list over a known range as a grid of every subject with its
    verdict, a rule without a list as its sentence; then the permission and its conditions, and
    each source once. Verdict sentences are the data's (verdicts.templates), the clauses the
    agreement's own."""
    from casme3_compliance.knowledge.verdicts import templates

    s, a = kb.subjects, kb.agreement
    out: list[str] = []
    for part in s.parts:
        out += _part_section(kb, part, templates(kb, part), link)
    permissions = list(dict.fromkeys(p.permission for p in s.parts if p.permission))
    conditions = list(dict.fromkeys(c for p in s.parts for c in p.conditions))
    if permissions or conditions:
        labels = [a.clause(c).label or c for c in conditions]
        title = (
            kb.t("site.subjects.conditions", list=and_list(kb, labels))
            if conditions
            else kb.t("site.subjects.permission")
        )
        out.append(f"## {title} {{#conditions}}\n")
        out.append(
            kb.t(
                "site.subjects.conditions_intro",
                refs=clause_links([*permissions, *conditions], link, kb),
            )
            + "\n"
        )
        out.extend(f"> {md_escape(a.clause(c).text)}\n>" for c in permissions)
        out.extend(f"> - {md_escape(a.clause(c).text)}" for c in conditions)
    out.append(f"\n## {kb.t('site.subjects.sources')} {{#sources}}\n")
    rules = kb.t(
        "site.subjects.rules",
        refs=clause_links(list(dict.fromkeys(p.clause for p in s.parts)), link, kb),
    )
    sources: dict = {p.range_source: [] for p in s.parts if p.range_source}
    for m in (m for p in s.parts for m in p.members):
        sources.setdefault(m.source, []).append(
            kb.t("site.subjects.member", part=m.part, description=md_escape(m.description))
        )
    if sources:
        out.append(kb.t("site.join.line", first=rules, second=kb.t("site.subjects.named")) + "\n")
        out.extend(
            "- "
            + kb.t(
                "site.subjects.source",
                title=md_escape(x.title),
                where=md_escape(x.where),
                note=md_escape(x.note),
            )
            + "".join(f"\n    - {item}" for item in items)
            for x, items in sources.items()
        )
    else:
        out.append(kb.t("site.join.line", first=rules, second=kb.t("site.subjects.unnamed")) + "\n")
    if s.counts:
        out.append(f"\n{md_escape(s.counts)}")
    return "\n".join(out) + "\n"


def subject_links(kb: Database) -> dict[str, dict[str, str]]:
    """Where the site's search sends a subject, by part and verdict (`{n}`: its number), from
    the site's root, as subject_tables renders them: a subject with a cell of its own goes to
    it, any other to its part's section. A database without a public agreement has no parts:
    every subject goes to its home's note on how to ask the issuer (part `""`)."""
    if kb.subjects is None:
        return {"": {"unknown": url(kb) + "#not-public"}} if not kb.public else {}
    links = {}
    page = url(kb, "subjects")
    for part in kb.subjects.parts:
        own = f"{page}#{part.anchor('{n}')}"
        section = f"{page}#{part.section}"
        links[part.key] = {
            verdict: own
            if (part.rule == "deny" and verdict == "restricted")
            or (part.rule == "allow" and (part.max is not None or verdict == "allowed"))
            else section
            for verdict in ("restricted", "allowed", "approval")
        }
    return links


def _bare(heading: str) -> str:
    """A verdict's heading without its full stop (`Restricted`), as a grid cell shows it."""
    return heading.rstrip(".\u3002")


def _label(part: SubjectPart, n: int) -> str:
    """Only the number shows; the rest of the label (`spNO.`) is read out, not shown."""
    before, _, after = (escape(x) for x in part.name_of(n).partition(str(n).zfill(part.pad)))
    hidden = '<span class="la-vh">{}</span>'
    return (
        (hidden.format(before) if before else "")
        + str(n).zfill(part.pad)
        + (hidden.format(after) if after else "")
    )


def _part_section(kb: Database, part: SubjectPart, t: dict[str, str], link: Link) -> list[str]:
    headings = verdict_headings(kb)
    see = kb.t("site.subjects.see_conditions") if part.permission or part.conditions else ""
    rule = clause_link(part.clause, link, kb)
    name = md_escape(part.name)
    kinds = f"la-subjects--{part.key.lower()} la-subjects--{part.rule}"
    if part.rule == "deny":
        out = [f"## {kb.t('site.subjects.deny.heading', name=name)} {{#{part.section}}}\n"]
        out.append(
            kb.t("site.subjects.deny.intro", count=len(part.list), name=name, rule=rule) + "\n"
        )
        numbers = part.numbers() or range(min(part.list), max(part.list) + 1)
        digit = escape(kb.t("site.subjects.digit"))
        head = f'<tr><th scope="col">{escape(kb.t("site.subjects.numbers"))}</th> ' + " ".join(
            f'<th scope="col"><span class="la-vh">{digit}</span>{d}</th>' for d in range(10)
        )
        rows = []
        first, last = numbers[0], numbers[-1]
        for start in range(first - first % 10, last + 1, 10):
            tens = [n for n in range(start, start + 10) if first <= n <= last]
            if not any(part.is_restricted(n) for n in tens):
                continue
            cells = " ".join(
                f'<td id="{part.anchor(n)}">{_label(part, n)}</td>'
                if n in tens and part.is_restricted(n)
                else "<td></td>"
                for n in range(start, start + 10)
            )
            rows.append(f'<tr><th scope="row">{tens[0]}–<wbr>{tens[-1]}</th> {cells}</tr>')
        caption = kb.t(
            "site.subjects.deny.caption",
            name=escape(part.name),
            numbering=escape(part.numbering),
        )
        out.append(_table(kinds, caption, head + "</tr>", rows))
        other = (
            kb.t("site.subjects.other_range", min=part.min, max=part.max)
            if part.max is not None
            else kb.t("site.subjects.other")
        )
        out.append(
            kb.t("site.join", first=md_escape(t["allowed"].replace("{label}", other)), second=see)
            + "\n"
        )
        return out
    if part.rule == "allow":
        out = [f"## {kb.t('site.subjects.all.heading', name=name)} {{#{part.section}}}\n"]
        names = and_list(kb, [part.name_of(n) for n in part.list])
        out.append(
            kb.t("site.subjects.allow.intro", names=md_escape(names), name=name, rule=rule) + "\n"
        )
        numbers = part.numbers() or part.list
        cells = []
        for n in numbers:
            verdict = part.verdict(n)
            cells.append(
                f'<li id="{part.anchor(n)}" data-verdict="{verdict}">{_label(part, n)} '
                f'<span class="la-cgrid__verdict">{_bare(headings[verdict])}'
                "</span></li>"
            )
        label = kb.t("site.subjects.allow.grid", name=escape(part.name))
        out.append(f'<ol class="la-cgrid" aria-label="{label}">{" ".join(cells)}</ol>\n')
        out.extend(
            kb.t(
                "site.join",
                first=md_escape(t["allowed"].replace("{label}", part.name_of(n))),
                second=see,
            )
            + "\n"
            for n in part.list
        )
        return out
    sentence = t["approval" if part.rule == "approval" else "allowed"]
    every = kb.t("site.subjects.every", name=part.name)
    return [
        f"## {kb.t('site.subjects.all.heading', name=name)} {{#{part.section}}}\n",
        kb.t("site.join", first=md_escape(sentence.replace("{label}", every)), second=see) + "\n",
    ]


# --- Cite, checklists, apply -------------------------------------------------------------------


_DOWNLOADS = (
    ("checklist", "{id}-checklist.pdf", "pdf"),
    ("checklist", "{id}-checklist.md", "md"),
    ("checklist", "{id}-checklist.json", "json"),
    ("citation", "{id}.bib", "bibtex"),
    ("citation", "{id}.ris", "ris"),
    ("citation", "{id}/CITATION.cff", "cff"),
    ("policy", "{id}.croissant.json", "croissant"),
)
"""Each file a database's pages may offer: what it is, its path under downloads/, its format
(`site.download.<format>`)."""


def _downloads(kb: Database) -> list[tuple[str, str, str]]:
    """(path from the site's root, what it is, the format's words) of each of `kb`'s files."""
    return [
        (f"downloads/{name.format(id=kb.id)}", what, kb.t(f"site.download.{fmt}"))
        for what, name, fmt in _DOWNLOADS
        if (what != "checklist" or kb.checklists) and (what != "policy" or has_policy(kb))
    ]


def downloads(kb: Database) -> dict[str, str]:
    """The files a database's pages offer, by path from the site's root, with their labels."""
    return {path: kb.t(f"site.download.{what}", format=fmt) for path, what, fmt in _downloads(kb)}


def _fence(text: str, lang: str = "") -> str:
    ticks = "````" if "```" in text else "```"
    return f"{ticks}{lang}\n{text.rstrip(chr(10))}\n{ticks}\n"


def _indent(text: str, by: str = "    ") -> str:
    return "".join(by + line if line.strip() else line for line in text.splitlines(True))


def cite(kb: Database, link: Link) -> str:
    """BibTeX first (with the theme's copy button), the other formats in tabs, the downloads."""
    from casme3_compliance.render import citation

    cit = kb.citation
    out = []
    if cit.obligation and kb.agreement is not None:
        asks = kb.agreement.clause(cit.obligation)
        out.append(
            kb.t(
                "site.cite.asks",
                ref=clause_link(asks.id, link, kb),
                text=md_escape(asks.text),
            )
            + "\n"
        )
    else:
        out.append(f"{md_escape(cit.basis)}\n")
    if cit.la_sentence and cit.clause and kb.agreement is not None:
        by = kb.t("site.quote.by", ref=clause_link(cit.clause, link, kb))
        out.append(f"> {md_escape(cit.la_sentence)}\n>\n> {by}\n")
    out += [
        kb.t("site.cite.checked") + "\n",
        *(
            "- "
            + kb.t("site.cite.checked_item", fields=md_escape(c.fields), where=md_escape(c.where))
            for c in cit.checked
        ),
        "",
        "## BibTeX {#bibtex}\n",
        _fence(citation.render(cit, "bibtex"), "bibtex"),
        f"## {kb.t('site.cite.other')} {{#other-formats}}\n",
    ]
    names = {
        "biblatex": ("BibLaTeX", "bibtex"),
        "ris": ("RIS", "text"),
        "apa": ("APA", "text"),
        "ieee": ("IEEE", "text"),
        "csl-json": ("CSL-JSON", "json"),
        "cff": ("CITATION.cff", "yaml"),
    }
    for fmt, (title, lang) in names.items():
        out.append(f'=== "{title}"\n\n' + _indent(_fence(citation.render(cit, fmt), lang)))
    forms = cit.name_forms
    if forms and cit.name_clause and kb.agreement is not None:
        out.append(f"## {kb.t('site.cite.name.heading')} {{#name}}\n")
        out.append(
            kb.t(
                "site.cite.name.text",
                name=md_escape(forms["unicode"]),
                ref=clause_link(cit.name_clause, link, kb),
                latex=forms["latex"],
                latex_text=forms["latex_text"],
                html=forms["html"],
                plain=forms["plain"],
            )
            + "\n"
        )
    if cit.acknowledgement and cit.acknowledgement_clause and kb.agreement is not None:
        out.append(f"## {kb.t('site.cite.ack.heading')} {{#acknowledgement}}\n")
        out.append(
            kb.t("site.cite.ack.text", ref=clause_link(cit.acknowledgement_clause, link, kb))
            + f"\n\n> {md_escape(cit.acknowledgement)}\n"
        )
    out.append(f"## {kb.t('site.cite.downloads')} {{#downloads}}\n")
    out.extend(
        f"- [{label}]({link(path)})"
        for path, label in downloads(kb).items()
        if "-checklist." not in path
    )
    return "\n".join(out) + "\n"


def policy_file(kb: Database) -> str:
    """The Croissant file's path from the site's root (`downloads/casme3.croissant.json`)."""
    return next(p for p, what, _ in _downloads(kb) if what == "policy")


def policy_link(kb: Database, link: Link) -> str:
    """The machine-readable terms: the download, and the page that says them in plain words."""
    path = policy_file(kb)
    return kb.t(
        "policy.link",
        file=path.rsplit("/", 1)[-1],
        href=link(path),
        page=link(doc(kb, "policy")),
    )


def checklists(kb: Database, link: Link) -> str:
    """Every checklist as a read-only task list; the self-check page makes them interactive."""
    files = [f"[{fmt}]({link(path)})" for path, what, fmt in _downloads(kb) if what == "checklist"]
    out = [
        kb.t("site.checklists.intro", href=link("self-check.md")) + "\n",
        kb.t("site.checklists.download", files=" · ".join(files)) + "\n",
    ]
    for checklist in kb.checklists:
        out.append(f"## {md_escape(checklist.title)} {{#{checklist.id}}}\n")
        out.append(f"{md_escape(checklist.intro)}\n")
        out.extend(
            f"- [ ] {md_escape(item.text)}"
            + paren(kb, clause_links(item.clauses, link, kb, title=False))
            for item in checklist.items
        )
        out.append("")
    return "\n".join(out) + "\n"


def quote(kb: Database, clause_id: str, link: Link) -> str:
    """One clause verbatim with its reading, for pages that explain a single topic."""
    c = kb.agreement.clause(clause_id)
    reading = readings(kb, c)
    by = kb.t(
        "site.quote.by_where",
        ref=clause_link(c.id, link, kb, title=False),
        where=where(kb, c.where),
    )
    return (
        f"> {md_escape(c.text)}\n"
        + "".join(f">\n> - {md_escape(i)}\n" for i in c.items)
        + f">\n> {by}\n\n"
        + (f"{reading}\n" if reading else ours(kb, c.summary, "em") + "\n")
    )


def apply_page(kb: Database, link: Link) -> str:
    """The helper (who signs, the file name) where the data has them, then the steps."""
    from casme3_compliance.render import widgets

    app = kb.agreement.application
    head = ""
    if app.who_signs or app.filename:
        head = f"## {kb.t('site.apply.helper')} {{ #helper }}\n\n" + widgets.apply_helper(kb, link)
    return head + "\n" + apply_steps(kb, link)


def apply_steps(kb: Database, link: Link) -> str:
    """Who signs, how to apply today and what the agreement asks, the file name, the form: each
    where the data has it."""
    a = kb.agreement
    app = a.application
    abbr = md_escape(a.abbreviation)
    out: list[str] = []
    who = (
        list(app.who_signs.clauses) if app.who_signs else [c.id for c in a.with_topic("who-signs")]
    )
    if who:
        out.append(f"## {kb.t('site.apply.who')} {{#who-signs}}\n")
        out.extend(quote(kb, cid, link) for cid in who)
    src = app.current_source
    steps = a.clause(app.la_clause) if app.la_clause else None
    asks = [c for c in a.with_topic("how-to-apply") if c is not steps]
    if src or steps or asks:
        out.append(f"## {kb.t('site.apply.today')} {{#steps}}\n")
    if src:
        out.append(
            kb.t(
                "site.apply.source",
                title=md_escape(src.title),
                url=src.url,
                read=src.read,
                repository=md_escape(src.repository),
                path=src.path,
                commit=src.commit,
            )
            + "\n"
        )
        out.extend(
            f"{i}. {md_escape(s.text)}" + (f" <{s.url}>" if s.url else "")
            for i, s in enumerate(app.current_steps, 1)
        )
    if steps is not None:
        out.append(f"\n### {kb.t('site.apply.la_asks', la=abbr)} {{#la-steps}}\n")
        if steps.steps:
            out.append(
                kb.t("site.apply.la_steps", la=abbr, refs=clause_links([steps.id], link, kb)) + "\n"
            )
            out.extend(f"{i}. {md_escape(s)}" for i, s in enumerate(steps.steps, 1))
        else:
            out.append(quote(kb, steps.id, link))
        given = kb.t("site.apply.la_link", la=abbr, url=app.la_url) if app.la_url else ""
        status = md_escape(app.la_status) if app.la_status else ""
        if given and status:
            out.append("\n" + kb.t("site.join.line", first=given, second=status) + "\n")
        elif given:
            out.append(f"\n{given}")
        elif status:
            out.append(f" {status}\n")
    out.extend(quote(kb, c.id, link) for c in asks)
    if app.advice:
        out.append(f"\n{ours(kb, app.advice)}\n")
    names = app.filename
    if names is not None:
        out.append(f"## {kb.t('site.apply.filename')} {{#file-name}}\n")
        at = paren(kb, clause_link(steps.id, link, kb)) if steps is not None else ""
        if names.pdf:
            out.append(
                kb.t("site.apply.two_names")
                + "\n\n- "
                + kb.t("site.apply.name_la", la=abbr, where=at, name=names.text)
                + "\n- "
                + kb.t("site.apply.name_pdf", name=names.pdf)
                + "\n"
            )
        else:
            out.append(kb.t("site.apply.one_name", la=abbr, where=at, name=names.text) + "\n")
        out.append(
            "\n" + kb.t("site.apply.replace", placeholder=md_escape(names.placeholder)) + "\n"
        )
    form = next((c for c in a.clauses() if c.fields), None)
    if form is not None:
        out.append(f"## {kb.t('site.apply.form')} {{#form}}\n")
        out.append(kb.t("site.apply.form_asks", la=abbr, ref=clause_link(form.id, link, kb)) + "\n")
        out.extend(f"- {md_escape(f)}" for f in form.fields)
    return "\n".join(out) + "\n"


# --- A database's home ------------------------------------------------------------------------


def database_home(kb: Database, link: Link) -> str:
    """What the database is, whose agreement it has, and its pages; for an agreement that is
    not public, that this site shows none of its terms and how to ask the issuer. What each
    page holds is `site.about.<slug>`."""
    out = [
        kb.t(
            "site.home.issued",
            full_name=md_escape(kb.full_name),
            by=md_escape(kb.issuer),
            short=md_escape(kb.issuer_short),
        )
        + "\n"
    ]
    if kb.about:
        out.append(f"{md_escape(kb.about)}\n")
    if kb.agreement is None:
        out += [
            f"## {kb.t('site.home.not_public.heading')} {{#not-public}}\n",
            kb.t(
                "site.home.not_public.text",
                name=md_escape(kb.name),
                unknown=md_escape(kb.texts["verdict.unknown"]),
            )
            + "\n",
            kb.t("site.home.ask", ask=md_escape(kb.ask or kb.issuer)) + "\n",
        ]
    else:
        a = kb.agreement
        out += [
            f"## {kb.t('site.home.agreement.heading')} {{#agreement}}\n",
            kb.t(
                "site.home.agreement.text",
                title=md_escape(a.title),
                owner=md_escape(a.owner),
                line=md_escape(provenance_line(kb)),
            )
            + "\n",
        ]
    out.append(f"## {kb.t('site.home.pages')} {{#pages}}\n")
    out.extend(
        "- "
        + kb.t(
            "site.home.page",
            title=title,
            href=link(doc(kb, slug)),
            about=kb.t(f"site.about.{slug}"),
        )
        for slug, title in page_set(kb)
        if slug
    )
    out.append("- " + kb.t("site.home.self_check", href=link("self-check.md")) + "\n")
    out.append(f"## {kb.t('site.home.data')} {{#data}}\n")
    from casme3_compliance.render.api import documents

    out.extend(
        f"- [{kb.t('site.home.document.' + name)}]({link(path)})"
        for name, path in documents(kb).items()
    )
    return "\n".join(out) + "\n"


# --- The home page, the comparison, the rules --------------------------------------------------


def hub(family: Family, link: Link, page_url: Link) -> str:
    """The home page's first question: which databases does your work use? A plain form (it
    works without JavaScript) that sends the choice to the paper's check or to the comparison;
    beside each database, its own pages."""
    items = []
    for db in family.databases:
        status = family.t("site.hub.public" if db.public else "site.hub.not_public")
        about = family.t("site.hub.about", who=escape(db.issuer_short), status=status)
        links = " · ".join(f"[{t}]({link(doc(db, slug))})" for slug, t in page_set(db))
        items.append(
            f'<li class="la-db" markdown="span">'
            f'<input type="checkbox" name="db" value="{db.id}" id="choose-{db.id}"> '
            f'<label for="choose-{db.id}">{escape(db.name)}</label> '
            f'<span class="la-db__about">{about}</span> '
            f'<span class="la-db__pages">{links}</span></li>'
        )
    return (
        f'<form class="la-choose" action="{page_url("self-check/")}" method="get" markdown>\n'
        f'<fieldset class="la-choose__dbs" markdown><legend>{family.t("site.hub.legend")}'
        "</legend>\n"
        f'<ul class="la-dbs" markdown>\n' + "\n".join(items) + "\n</ul>\n</fieldset>\n"
        '<p class="la-choose__go">'
        f'<button type="submit" class="md-button md-button--primary">{family.t("site.hub.check")}'
        "</button> "
        f'<button type="submit" class="md-button" formaction="{page_url("compare/")}">'
        f"{family.t('site.hub.compare')}</button></p>\n"
        "</form>\n"
    )


COMPARE = (
    "commercial",
    "who-signs",
    "distribution",
    "images",
    "where-images",
    "notice",
    "citation",
    "how-to-apply",
)
"""The rows of the comparison: clause topics (data/schema/agreement.schema.json), in order;
each is titled `site.compare.<topic>`."""


def compare(family: Family, link: Link) -> str:
    """Every agreement's rules side by side, topic by topic: for each database the clauses of
    that topic, each our summary linked to its verbatim clause."""
    # Filled by the script: `{list}` is the names of the databases shown.
    texts = {"some": family.t("site.compare.some"), "all": family.t("site.compare.all")}
    shown = family.t("site.compare.shown", href=link("index.md#databases"))
    out = [
        f'<p id="compare-shown" class="la-compare-shown" markdown="span">{shown}</p>\n',
        # The script shows only the databases the address names (?db=...), and says so above.
        f'<div data-la-widget="compare" data-la-text="{escape(json.dumps(texts), quote=True)}" '
        "hidden></div>\n",
    ]
    for topic in COMPARE:
        out.append(f"## {family.t('site.compare.' + topic)} {{#{topic}}}\n")
        out.append('<div class="la-compare" markdown>\n')
        for db in family.databases:
            out.append(f'<section class="la-compare__cell" data-db="{db.id}" markdown>\n')
            out.append(
                f'<p class="la-compare__db" markdown="span">'
                f"[{md_escape(db.name)}]({link(doc(db))})</p>\n"
            )
            if db.agreement is None:
                out.append(
                    db.t("site.compare.not_public", href=link(doc(db) + "#not-public")) + "\n"
                )
            else:
                clauses = db.agreement.with_topic(topic)
                if not clauses:
                    out.append(
                        db.t("site.compare.none", la=md_escape(db.agreement.abbreviation)) + "\n"
                    )
                out.extend(
                    "- "
                    + db.t(
                        "site.compare.item",
                        ref=clause_link(c.id, link, db),
                        summary=md_escape(c.summary),
                    )
                    for c in clauses
                )
                if topic == "how-to-apply" and has_page(db, "apply"):
                    out.append(
                        "\n" + db.t("site.compare.apply", href=link(doc(db, "apply"))) + "\n"
                    )
            out.append("\n</section>\n")
        out.append("</div>\n")
    return "\n".join(out)


def rule_page(family: Family, rule: Rule, link: Link) -> str:
    """One page per scan rule, in the manner of ruff's rule pages: the clauses it stands for in
    each agreement. A CM0 rule is about the scan itself and names no clause."""
    found = _rule_clauses(family, rule)
    la = (
        family.t("site.list.semi").join(
            family.t(
                "site.rule.db_clauses",
                name=md_escape(db.name),
                refs=clause_links(ids, link, db, title=False),
            )
            for db, ids in found
        )
        if found
        else family.t("site.rule.none")
    )
    t = family.t
    out = [
        f"# {rule.code} {rule.name}\n",
        t("site.rule.meta", severity=t(f"site.severity.{rule.severity}"), agreements=la) + "\n",
        f"{md_escape(rule.summary)}\n",
        f"## {t('site.rule.detects')}\n",
        f"{md_escape(rule.detects)}\n",
        f"## {t('site.rule.why')}\n",
        f"{md_escape(rule.why)}\n",
    ]
    if found:
        out.append(f"## {t('site.rule.agreements')} {{#agreements}}\n")
    for db, ids in found:
        out.append(f"### {md_escape(db.name)}\n")
        out.extend(quote(db, c, link) for c in ids)
    out += [
        f"## {t('site.rule.fix')}\n",
        f"{md_escape(rule.fix)}\n",
        f"## {t('site.rule.example')}\n",
        t("site.rule.triggers", code=rule.code, file=rule.bad.file) + "\n",
        _fence(rule.bad.content or t("site.rule.any_content"), "text"),
        t("site.rule.passes", file=rule.good.file) + "\n",
        _fence(rule.good.content, "text"),
    ]
    return "\n".join(out)


def _rule_clauses(family: Family, rule: Rule) -> list[tuple[Database, tuple[str, ...]]]:
    # rule.database names only the database the examples are written for.
    return [(db, ids) for db in family.databases if (ids := db.clauses_for(rule))]


RULE_COLUMNS = ("code", "name", "severity", "clauses", "finds")
"""The columns of the rules' index, each titled `site.rules.<column>`."""


def rules_index(family: Family, link: Link) -> str:
    """One row per rule; on a phone each row shows as a card (`la-stack` in casme3.css)."""
    head = " | ".join(family.t(f"site.rules.{c}") for c in RULE_COLUMNS)
    rows = [f"| {head} |", "|" + "---|" * len(RULE_COLUMNS)]
    for r in family.rules:
        found = _rule_clauses(family, r)
        clauses = family.t("site.list.semi").join(
            family.t(
                "site.rules.db_clauses",
                name=md_escape(db.name),
                refs=listed(db, [clause_link(c, link, db, title=False) for c in ids]),
            )
            for db, ids in found
        )
        severity = family.t(f"site.severity.{r.severity}")
        rows.append(
            f"| [{r.code}]({link('rules/' + r.code + '.md')}) | {r.name} | {severity} | "
            f"{clauses or '—'} | {md_escape(r.summary)} |"
        )
    return '<div class="la-stack la-rules" markdown>\n\n' + "\n".join(rows) + "\n\n</div>\n"
