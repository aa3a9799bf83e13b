"""Markdown and HTML for the site's pages, rendered from the family's data.

The macros in macros/main.py only pass a database (or the family) and a link maker; everything
shown comes from here, so the pages, the CLI and the downloads cannot disagree. Links to other
pages are Markdown links (`casme3/terms.md#clause-3-4`) so that `mkdocs build --strict` checks
them.

Which pages a database has is data too (page_set): a terms page where its agreement is public,
a subjects page where the agreement has a rule for subjects' images, and so on. The hooks
(macros/hooks.py) generate them, so a database is added as files under data/, not as pages.
"""

from __future__ import annotations

import json
import re
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
    clause_link,
    clause_links,
    doc,
    md_escape,
    url,
    verdict_headings,
)

COLUMNS = {
    "permissions": "Permissions",
    "conditions": "Conditions",
    "limitations": "Limitations",
}

# --- Which pages a database has ---------------------------------------------------------------

TITLES = {
    "": "Overview",
    "terms": "Terms",
    "at-a-glance": "At a glance",
    "subjects": "Subjects",
    "cite": "Cite",
    "checklist": "Checklist",
    "apply": "Apply",
}
"""Each page of a database's set, by its slug (`` is the database's own home), in nav order."""


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
    }
    return [(slug, title) for slug, title in TITLES.items() if have[slug]]


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
}


def page_source(kb: Database, slug: str) -> str:
    """The Markdown file of one of `kb`'s pages: its title, then one macro call."""
    title = page_heading(kb, slug)
    return f"# {title}\n\n{{{{ {_MACROS[slug]}({kb.id!r}) }}}}\n"


def page_heading(kb: Database, slug: str) -> str:
    name = md_escape(kb.name)
    return {
        "": name,
        "terms": f"{name}: the terms, verbatim",
        "at-a-glance": f"{name} at a glance",
        "subjects": f"{name}: subjects and their images",
        "cite": f"Cite {name}",
        "checklist": f"{name}: compliance checklists",
        "apply": f"{name}: how to apply",
    }[slug]


def site_nav(family: Family, nav: list | None) -> list:
    """mkdocs.yml's nav with its `Databases` entry replaced by one section per database, and
    its `Scan rules` entry by the rules' index and one page per rule."""
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
            out.append({"Scan rules": ["rules/index.md", *rules]})
        else:
            out.append(entry)
    return out


def redirects(family: Family) -> dict[str, str]:
    """Old URL -> new URL, from the site's root. Before the family, the default database's pages
    were the site's own (`terms/`); they live under its id now (`casme3/terms/`)."""
    db = family.db()
    return {f"{slug}/": url(db, slug) for slug, _ in page_set(db) if slug}


REDIRECT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<link rel="canonical" href="{canonical}">
<noscript><meta http-equiv="refresh" content="0; url={href}"></noscript>
</head>
<body>
<p>This page moved to <a id="la-moved" href="{href}">{title}</a>.</p>
<script>location.replace(document.getElementById("la-moved").href+location.search+location.hash)</script>
</body>
</html>
"""
"""A moved page: its script keeps the anchor (`#clause-3-4`) and query, which a refresh would
drop; without JavaScript the refresh and the link lead to the page itself. The script is the
same on every such page, so one hash in its Content-Security-Policy allows it."""


def redirect_page(old: str, new: str, title: str, site_url: str) -> str:
    """The HTML of `old` (a URL from the site's root) sending the reader on to `new`."""
    depth = old.count("/")
    href = "../" * depth + new
    canonical = (site_url.rstrip("/") + "/" + new) if site_url else href
    return REDIRECT.format(title=escape(title), href=escape(href), canonical=escape(canonical))


# --- The notice every page carries -------------------------------------------------------------


def notice(kb: Database) -> dict[str, str]:
    """The one notice every page of a database carries (docs/overrides/main.html), as escaped
    HTML: what the site is not, whose clause numbers these are, which agreement text it
    follows; for an agreement that is not public, that the site shows none of its terms."""
    a = kb.agreement
    if a is None:
        return {
            "title": escape("Our reading, not the license agreement."),
            "text": escape(
                f"{kb.disclaimer} {kb.name}'s agreement is not public: this site shows none of "
                "its terms."
            ),
            "provenance": "",
            "terms": escape(f"How to ask {kb.issuer_short}"),
            "path": url(kb),
            "fragment": "not-public",
        }
    return {
        "title": escape("Our reading, not the license agreement."),
        "text": escape(f"{kb.disclaimer} {a.numbering}"),
        "provenance": escape(f"{kb.name}: {a.provenance.line()}."),
        "terms": escape("Read the verbatim terms"),
        "source": escape("Where this text comes from"),
        "path": url(kb, "terms"),
        "fragment": "",
        "here": doc(kb, "terms"),
    }


def family_notice(family: Family) -> dict[str, str]:
    """The notice of the pages about every database: the disclaimer, and where each database's
    terms and the text they follow are."""
    db = family.db()
    return {
        "title": escape("Our reading, not the license agreements."),
        "text": escape(
            f"{db.disclaimer} Clause numbers are our locators; each clause also gives its place "
            "in its agreement, and each database's pages say which agreement text they follow."
        ),
        "provenance": "",
        "terms": escape("The agreements, database by database"),
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


def readings(kb: Database, clause: Clause) -> str:
    """A sentence that admits two readings: both, and the one we follow, labelled as ours."""
    r = clause.readings
    if r is None:
        return ""
    a = md_escape(kb.agreement.abbreviation)
    options = "\n".join(f"{i}. {md_escape(o)}" for i, o in enumerate(r.options, 1))
    return (
        f"**This sentence admits {len(r.options)} readings:** {md_escape(r.why)}\n\n"
        f"{options}\n\n**The reading we follow (ours, not the {a}):** {md_escape(r.ours)}\n"
    )


def _clause_block(kb: Database, clause: Clause, link: Link) -> str:
    a = kb.agreement
    extra = ""
    if clause.subjects and kb.subjects is not None:
        part = kb.subjects.part(clause.subjects)
        numbers = part.restricted()
        cells = ", ".join(
            f"[{md_escape(part.name_of(n))}]({link(doc(kb, 'subjects') + '#' + part.anchor(n))})"
            for n in numbers
        )
        if numbers:
            extra = (
                f"\n<div class='la-clause__subjects' markdown>\n\n"
                f"{len(numbers)} restricted {md_escape(part.name)} subjects (see the "
                f"[subject tables]({link(doc(kb, 'subjects'))})): {cells}\n\n</div>\n"
            )
    if clause.id == a.application.la_clause and a.application.la_status:
        see = (
            f" See [How to apply]({link(doc(kb, 'apply') + '#steps')})."
            if has_page(kb, "apply") and a.application.current_steps
            else ""
        )
        extra += (
            f"\n<p class='la-clause__status' markdown='span'>"
            f"{md_escape(a.application.la_status)}{see}</p>\n"
        )
    return (
        f'<div class="la-clause la-clause--{clause.kind}" id="{clause.anchor}" markdown>\n'
        f'<div class="la-clause__text" markdown>\n\n'
        f'[{clause.id}](#{clause.anchor}){{.la-clause__id title="Link to clause {clause.id}"}}'
        f' <span class="la-kind">{clause.kind}</span>'
        f' <span class="la-where">{escape(str(clause.where))}</span>\n\n'
        f"{_verbatim(clause)}\n{extra}\n{readings(kb, clause)}\n</div>\n"
        f'<div class="la-clause__summary" markdown>\n\n'
        f"**Our reading, not the {md_escape(a.abbreviation)}:** {md_escape(clause.summary)}"
        f"\n\n</div>\n</div>\n"
    )


def provenance(kb: Database, link: Link) -> str:
    """Which document the text is: agreements carry no version, so say what it was compared
    with."""
    a = kb.agreement
    p, f = a.provenance, a.application.filename
    abbr = md_escape(a.abbreviation)
    out = (
        f"The {abbr} carries no version number or date. The text on this page is "
        f"{md_escape(p.text.description[0].lower() + p.text.description[1:])} "
        f"{md_escape(p.compared)}\n\n"
        f"- The issuer's blank PDF: [{md_escape(p.pdf.path.rsplit('/', 1)[-1])}]({p.pdf.url}), "
        f"created {p.pdf.created}, sha256 `{p.pdf.sha256}` (repository "
        f"{md_escape(p.pdf.repository)}, commit {p.pdf.commit}).\n"
    )
    if f is not None and f.pdf:
        where = (
            f" ({clause_link(a.application.la_clause, link, kb)})"
            if a.application.la_clause
            else ""
        )
        apply = (
            f" [How to apply]({link(doc(kb, 'apply') + '#file-name')}) shows both."
            if has_page(kb, "apply")
            else ""
        )
        out += (
            f"- The file name of the signed scan: the {abbr} text writes `{f.text}`, the PDF "
            f"writes `{f.pdf}`{where}.{apply}\n"
        )
    return out + f"- Our copy of the text: sha256 `{p.text.sha256}`.\n"


def _first_numbered(kb: Database) -> Clause:
    return next(
        (c for p in kb.agreement.sections for c in p.clauses), kb.agreement.parts[0].clauses[0]
    )


def terms(kb: Database, link: Link) -> str:
    """The whole agreement, part by part, each clause verbatim beside our reading of it."""
    a = kb.agreement
    example = _first_numbered(kb)
    out = [
        f"Each clause of the {md_escape(a.abbreviation)}, word for word, with its number, its "
        f"kind and our plain reading beside it. Link to a clause with its number, for example "
        f"[{example.id}](#{example.anchor}).\n",
        f"<p class='la-title'>{escape(a.title)}</p>\n",
        f"Owner: {md_escape(a.owner)} ({md_escape(a.owner_short)}).\n",
        f"**Clause numbers are ours.** {md_escape(a.numbering)}\n",
        "## Which text this is {#provenance}\n",
        provenance(kb, link),
    ]
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
        f"What the {abbr} permits, what it asks of you, and what it rules out. Each entry is our "
        "short label for a clause; follow it to the clause's verbatim text.\n",
        '<div class="la-glance" markdown>\n',
    ]
    for column, title in COLUMNS.items():
        entries = [
            (g.label, c.id) for c in kb.agreement.clauses() for g in c.glance if g.column == column
        ]
        out.append(f'<section class="la-glance__col la-glance__col--{column}" markdown>\n')
        out.append(f"## {title}\n")
        out.extend(
            f"- [{md_escape(label)}]({link(doc(kb, 'terms') + '#' + anchor_for(cid))}) "
            f"<span class='la-glance__ref'>{cid}</span>"
            for label, cid in entries
        )
        if not entries:
            out.append(f"*No clause of the {abbr} is in this column.*")
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
        f"Before a face from {md_escape(kb.name)} goes into a figure, check its subject here.\n\n"
        "## Look up a subject {#lookup}\n\n"
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
        title = "Conditions " + (_and(labels) if labels else "") if conditions else "Permission"
        out.append(f"## {title} {{#conditions}}\n")
        out.append(
            "What the agreement says of the images of subjects that are not restricted "
            f"({clause_links([*permissions, *conditions], link, kb)}):\n"
        )
        out.extend(f"> {md_escape(a.clause(c).text)}\n>" for c in permissions)
        out.extend(f"> - {md_escape(a.clause(c).text)}" for c in conditions)
    out.append("\n## Where these facts come from {#sources}\n")
    rules = list(dict.fromkeys(p.clause for p in s.parts))
    out.append(f"The rules are the agreement's ({clause_links(rules, link, kb)}).")
    sources: dict = {p.range_source: [] for p in s.parts if p.range_source}
    for m in (m for p in s.parts for m in p.members):
        sources.setdefault(m.source, []).append(f"Part {m.part}: {md_escape(m.description)}")
    if sources:
        out.append(
            " The ranges and part descriptions are not in the agreement; each source is named "
            "once:\n"
        )
        out.extend(
            f"- **{md_escape(x.title)}** ({md_escape(x.where)}): {md_escape(x.note)}"
            + "".join(f"\n    - {item}" for item in items)
            for x, items in sources.items()
        )
    else:
        out.append(
            " No public record of the subjects' numbers is named here, so any number the "
            "grammar reads is answered by the rule alone, which does not say that a subject "
            "with that number exists.\n"
        )
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


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}"


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
    see = "See [the conditions](#conditions)." if part.permission or part.conditions else ""
    rule = clause_link(part.clause, link, kb)
    name = md_escape(part.name)
    kinds = f"la-subjects--{part.key.lower()} la-subjects--{part.rule}"
    if part.rule == "deny":
        out = [f"## {name}: restricted subjects {{#{part.section}}}\n"]
        out.append(
            f"The agreement lists {len(part.list)} subjects of {name} whose images are "
            f"restricted ({rule}). Find a number in the row of its tens, under its last digit.\n"
        )
        numbers = part.numbers() or range(min(part.list), max(part.list) + 1)
        head = '<tr><th scope="col">Numbers</th> ' + " ".join(
            f'<th scope="col"><span class="la-vh">Last digit </span>{d}</th>' for d in range(10)
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
        caption = (
            f"Restricted {escape(part.name)} subjects ({escape(part.numbering)}). "
            "An empty cell is a number the agreement does not list."
        )
        out.append(_table(kinds, caption, head + "</tr>", rows))
        other = (
            f"Any other subject from {part.min} to {part.max}"
            if part.max is not None
            else "Any other subject"
        )
        out.append(f"{md_escape(t['allowed'].replace('{label}', other))} {see}\n")
        return out
    if part.rule == "allow":
        out = [f"## {name}: every subject {{#{part.section}}}\n"]
        names = _and([part.name_of(n) for n in part.list])
        out.append(
            f"Only the images of {md_escape(names)} are not restricted in {name} ({rule}).\n"
        )
        numbers = part.numbers() or part.list
        cells = []
        for n in numbers:
            verdict = part.verdict(n)
            cells.append(
                f'<li id="{part.anchor(n)}" data-verdict="{verdict}">{_label(part, n)} '
                f'<span class="la-cgrid__verdict">{headings[verdict].rstrip(".")}'
                "</span></li>"
            )
        out.append(
            f'<ol class="la-cgrid" aria-label="{escape(part.name)} subjects">'
            f"{' '.join(cells)}</ol>\n"
        )
        out.extend(
            f"{md_escape(t['allowed'].replace('{label}', part.name_of(n)))} {see}\n"
            for n in part.list
        )
        return out
    sentence = t["approval" if part.rule == "approval" else "allowed"]
    every = f"Every subject of {part.name}"
    return [
        f"## {name}: every subject {{#{part.section}}}\n",
        f"{md_escape(sentence.replace('{label}', every))} {see}\n",
    ]


# --- Cite, checklists, apply -------------------------------------------------------------------


def downloads(kb: Database) -> dict[str, str]:
    """The files a database's pages offer, by path from the site's root, with their labels."""
    out = {}
    if kb.checklists:
        out[f"downloads/{kb.id}-checklist.pdf"] = "Checklist, printable PDF with check boxes"
        out[f"downloads/{kb.id}-checklist.md"] = "Checklist, Markdown task list"
        out[f"downloads/{kb.id}-checklist.json"] = "Checklist, JSON"
    out[f"downloads/{kb.id}.bib"] = "Citation, BibTeX"
    out[f"downloads/{kb.id}.ris"] = "Citation, RIS"
    out[f"downloads/{kb.id}/CITATION.cff"] = "Citation, CITATION.cff snippet"
    return out


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
            f"The agreement asks ({clause_link(asks.id, link, kb)}): *{md_escape(asks.text)}*\n"
        )
    else:
        out.append(f"{md_escape(cit.basis)}\n")
    if cit.la_sentence and cit.clause and kb.agreement is not None:
        out.append(
            f"> {md_escape(cit.la_sentence)}\n>\n> — clause {clause_link(cit.clause, link, kb)}\n"
        )
    out += [
        "Which fields of the record below were checked, and where:\n",
        *(f"- {md_escape(c.fields)}: {md_escape(c.where)}." for c in cit.checked),
        "",
        "## BibTeX {#bibtex}\n",
        _fence(citation.render(cit, "bibtex"), "bibtex"),
        "## Other formats {#other-formats}\n",
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
        out.append("## Naming the database {#name}\n")
        out.append(
            f"Refer to the data as '{md_escape(forms['unicode'])}' "
            f"({clause_link(cit.name_clause, link, kb)}). Our reading of how to write it: "
            f"LaTeX `{forms['latex']}` or `{forms['latex_text']}`, HTML `{forms['html']}`, "
            f"plain text where no superscript is possible `{forms['plain']}`.\n"
        )
    if cit.acknowledgement and cit.acknowledgement_clause and kb.agreement is not None:
        out.append("## Acknowledgement {#acknowledgement}\n")
        out.append(
            f"The agreement asks for this sentence "
            f"({clause_link(cit.acknowledgement_clause, link, kb)}):\n\n"
            f"> {md_escape(cit.acknowledgement)}\n"
        )
    out.append("## Downloads {#downloads}\n")
    out.extend(
        f"- [{label}]({link(path)})"
        for path, label in downloads(kb).items()
        if "-checklist." not in path
    )
    return "\n".join(out) + "\n"


def checklists(kb: Database, link: Link) -> str:
    """Every checklist as a read-only task list; the self-check page makes them interactive."""
    out = [
        "Work through these before you apply, while you keep the data, and before you publish. "
        "The [paper's check](" + link("self-check.md") + ") also checks your subjects and "
        "remembers your answers.\n",
        "Download: "
        + " · ".join(
            f"[{label.split(', ')[1]}]({link(path)})"
            for path, label in downloads(kb).items()
            if "-checklist." in path
        )
        + "\n",
    ]
    for checklist in kb.checklists:
        out.append(f"## {md_escape(checklist.title)} {{#{checklist.id}}}\n")
        out.append(f"{md_escape(checklist.intro)}\n")
        out.extend(
            f"- [ ] {md_escape(item.text)} ({clause_links(item.clauses, link, kb, title=False)})"
            for item in checklist.items
        )
        out.append("")
    return "\n".join(out) + "\n"


def quote(kb: Database, clause_id: str, link: Link) -> str:
    """One clause verbatim with its reading, for pages that explain a single topic."""
    c = kb.agreement.clause(clause_id)
    reading = readings(kb, c)
    abbr = md_escape(kb.agreement.abbreviation)
    return (
        f"> {md_escape(c.text)}\n"
        + "".join(f">\n> - {md_escape(i)}\n" for i in c.items)
        + f">\n> — clause {clause_link(c.id, link, kb, title=False)}; {c.where}\n\n"
        + (
            f"{reading}\n"
            if reading
            else f"*Our reading, not the {abbr}:* {md_escape(c.summary)}\n"
        )
    )


def apply_page(kb: Database, link: Link) -> str:
    """The helper (who signs, the file name) where the data has them, then the steps."""
    from casme3_compliance.render import widgets

    app = kb.agreement.application
    head = ""
    if app.who_signs or app.filename:
        head = "## Who signs, and the file name { #helper }\n\n" + widgets.apply_helper(kb, link)
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
        out.append("## Who signs {#who-signs}\n")
        out.extend(quote(kb, cid, link) for cid in who)
    src = app.current_source
    steps = a.clause(app.la_clause) if app.la_clause else None
    asks = [c for c in a.with_topic("how-to-apply") if c is not steps]
    if src or steps or asks:
        out.append("## How to apply today {#steps}\n")
    if src:
        out.append(
            f"The issuer's own page gives these steps ([{md_escape(src.title)}]({src.url}), "
            f"read {src.read} in its repository {md_escape(src.repository)}, `{src.path}`, "
            f"commit {src.commit}):\n"
        )
        out.extend(
            f"{i}. {md_escape(s.text)}" + (f" <{s.url}>" if s.url else "")
            for i, s in enumerate(app.current_steps, 1)
        )
    if steps is not None:
        out.append(f"\n### What the {abbr} itself asks {{#la-steps}}\n")
        if steps.steps:
            out.append(
                f"The {abbr} ({clause_links([steps.id], link, kb)}) says the {abbr} must be:\n"
            )
            out.extend(f"{i}. {md_escape(s)}" for i, s in enumerate(steps.steps, 1))
        else:
            out.append(quote(kb, steps.id, link))
        if app.la_url:
            out.append(f"\nThe link the {abbr} gives: <{app.la_url}>.")
        if app.la_status:
            out.append(f" {md_escape(app.la_status)}\n")
    out.extend(quote(kb, c.id, link) for c in asks)
    if app.advice:
        out.append(f"\n**Our reading, not the {abbr}:** {md_escape(app.advice)}\n")
    names = app.filename
    if names is not None:
        out.append("## The file name {#file-name}\n")
        where = f" ({clause_link(steps.id, link, kb)})" if steps is not None else ""
        if names.pdf:
            out.append(
                "The two documents name the scan differently; both are the issuer's own:\n\n"
                f"- the {abbr} text{where}: `{names.text}`\n"
                f"- the issuer's blank PDF: `{names.pdf}`\n"
            )
        else:
            out.append(f"The {abbr}{where} names the scan `{names.text}`.\n")
        out.append(
            f"\nReplace *{md_escape(names.placeholder)}* with the name of the person who signs.\n"
        )
    form = next((c for c in a.clauses() if c.fields), None)
    if form is not None:
        out.append("## The form {#form}\n")
        out.append(f"The form in the {abbr} ({clause_link(form.id, link, kb)}) asks for:\n")
        out.extend(f"- {md_escape(f)}" for f in form.fields)
    return "\n".join(out) + "\n"


# --- A database's home ------------------------------------------------------------------------

_ABOUT = {
    "terms": "the whole agreement, clause by clause, verbatim, with our plain reading beside it.",
    "at-a-glance": "permissions, conditions and limitations in three columns.",
    "subjects": "whose images the agreement restricts, subject by subject, and a lookup.",
    "cite": "the paper to cite, ready to copy, and in other formats.",
    "checklist": "before you apply, while you keep the data, before you publish.",
    "apply": "who signs, the steps, the file name and the form.",
}


def database_home(kb: Database, link: Link) -> str:
    """What the database is, whose agreement it has, and its pages; for an agreement that is
    not public, that this site shows none of its terms and how to ask the issuer."""
    out = [
        f"{md_escape(kb.full_name)}. Issued by {md_escape(kb.issuer)} "
        f"({md_escape(kb.issuer_short)}).\n"
    ]
    if kb.about:
        out.append(f"{md_escape(kb.about)}\n")
    if kb.agreement is None:
        out += [
            "## Its agreement is not public {#not-public}\n",
            f"{md_escape(kb.name)}'s agreement is not public, so this site shows none of its "
            "terms, and the lookup and the paper's check answer every subject of it "
            f'"{md_escape(kb.texts["verdict.unknown"])}"\n',
            f"**How to ask the issuer:** {md_escape(kb.ask or kb.issuer)}\n",
        ]
    else:
        a = kb.agreement
        out += [
            "## Its agreement {#agreement}\n",
            f"*{md_escape(a.title)}*, by {md_escape(a.owner)}; the text here is the "
            f"{md_escape(a.provenance.line())}.\n",
        ]
    out.append("## Its pages {#pages}\n")
    out.extend(
        f"- [{title}]({link(doc(kb, slug))}): {_ABOUT[slug]}"
        for slug, title in page_set(kb)
        if slug
    )
    out.append(
        f"- [The paper's check]({link('self-check.md')}): the subjects of a paper and the items "
        "to tick before it goes out, for this database and the others the paper uses.\n"
    )
    out.append("## Data for tools {#data}\n")
    from casme3_compliance.render.api import documents

    out.extend(f"- [{name}]({link(path)})" for name, path in documents(kb).items())
    return "\n".join(out) + "\n"


# --- The home page, the comparison, the rules --------------------------------------------------


def hub(family: Family, link: Link, page_url: Link) -> str:
    """The home page's first question: which databases does your work use? A plain form (it
    works without JavaScript) that sends the choice to the paper's check or to the comparison;
    beside each database, its own pages."""
    items = []
    for db in family.databases:
        status = "agreement public" if db.public else "agreement not public"
        links = " · ".join(f"[{t}]({link(doc(db, slug))})" for slug, t in page_set(db))
        items.append(
            f'<li class="la-db" markdown="span">'
            f'<input type="checkbox" name="db" value="{db.id}" id="choose-{db.id}"> '
            f'<label for="choose-{db.id}">{escape(db.name)}</label> '
            f'<span class="la-db__about">{escape(db.issuer_short)}, {status}</span> '
            f'<span class="la-db__pages">{links}</span></li>'
        )
    return (
        f'<form class="la-choose" action="{page_url("self-check/")}" method="get" markdown>\n'
        f'<fieldset class="la-choose__dbs" markdown><legend>Tick the databases your paper, '
        "poster, talk or code uses</legend>\n"
        f'<ul class="la-dbs" markdown>\n' + "\n".join(items) + "\n</ul>\n</fieldset>\n"
        '<p class="la-choose__go">'
        '<button type="submit" class="md-button md-button--primary">Check a paper that uses them'
        "</button> "
        f'<button type="submit" class="md-button" formaction="{page_url("compare/")}">'
        "Compare their agreements</button></p>\n"
        "</form>\n"
    )


COMPARE = {
    "commercial": "Commercial use",
    "who-signs": "Who signs",
    "distribution": "Distribution",
    "images": "Images in publications",
    "where-images": "Where images may be used",
    "notice": "Copyright notice",
    "citation": "Citation",
    "how-to-apply": "How to apply",
}
"""The rows of the comparison: clause topics (data/schema/agreement.schema.json), in order."""


def compare(family: Family, link: Link) -> str:
    """Every agreement's rules side by side, topic by topic: for each database the clauses of
    that topic, each our summary linked to its verbatim clause."""
    texts = {"some": "Shown: {list}.", "all": "Show every database."}
    out = [
        f'<p id="compare-shown" class="la-compare-shown" markdown="span">Every database is shown. '
        f"[Choose yours on the home page]({link('index.md#databases')}).</p>\n",
        # The script shows only the databases the address names (?db=...), and says so above.
        f'<div data-la-widget="compare" data-la-text="{escape(json.dumps(texts), quote=True)}" '
        "hidden></div>\n",
    ]
    for topic, label in COMPARE.items():
        out.append(f"## {label} {{#{topic}}}\n")
        out.append('<div class="la-compare" markdown>\n')
        for db in family.databases:
            out.append(f'<section class="la-compare__cell" data-db="{db.id}" markdown>\n')
            out.append(
                f'<p class="la-compare__db" markdown="span">'
                f"[{md_escape(db.name)}]({link(doc(db))})</p>\n"
            )
            if db.agreement is None:
                out.append(
                    f"*Agreement not public:* [how to ask the issuer]"
                    f"({link(doc(db) + '#not-public')}).\n"
                )
            else:
                clauses = db.agreement.with_topic(topic)
                if not clauses:
                    out.append(
                        f"*No clause of the {md_escape(db.agreement.abbreviation)} is about "
                        "this.*\n"
                    )
                out.extend(
                    f"- {clause_link(c.id, link, db)}: {md_escape(c.summary)}" for c in clauses
                )
                if topic == "how-to-apply" and has_page(db, "apply"):
                    out.append(f"\n[How to apply]({link(doc(db, 'apply'))})\n")
            out.append("\n</section>\n")
        out.append("</div>\n")
    return "\n".join(out)


def rule_page(family: Family, rule: Rule, link: Link) -> str:
    """One page per scan rule, in the manner of ruff's rule pages: the clauses it stands for in
    each agreement. A CM0 rule is about the scan itself and names no clause."""
    found = _rule_clauses(family, rule)
    la = (
        "; ".join(
            f"{md_escape(db.name)} {clause_links(ids, link, db, title=False)}" for db, ids in found
        )
        if found
        else "none: this rule is about the scan itself"
    )
    out = [
        f"# {rule.code} {rule.name}\n",
        f"**Severity:** {rule.severity} · **Agreements:** {la}\n",
        f"{md_escape(rule.summary)}\n",
        "## What it detects\n",
        f"{md_escape(rule.detects)}\n",
        "## Why\n",
        f"{md_escape(rule.why)}\n",
    ]
    if found:
        out.append("## What the agreements say {#agreements}\n")
    for db, ids in found:
        out.append(f"### {md_escape(db.name)}\n")
        out.extend(quote(db, c, link) for c in ids)
    out += [
        "## How to fix\n",
        f"{md_escape(rule.fix)}\n",
        "## Example\n",
        f"Triggers {rule.code}, in `{rule.bad.file}`:\n",
        _fence(rule.bad.content or "(any content: the path alone triggers the rule)", "text"),
        f"Does not trigger it, in `{rule.good.file}`:\n",
        _fence(rule.good.content, "text"),
    ]
    return "\n".join(out)


def _rule_clauses(family: Family, rule: Rule) -> list[tuple[Database, tuple[str, ...]]]:
    # rule.database names only the database the examples are written for.
    return [(db, ids) for db in family.databases if (ids := db.clauses_for(rule))]


def rules_index(family: Family, link: Link) -> str:
    """One row per rule; on a phone each row shows as a card (`la-stack` in casme3.css)."""
    rows = ["| Code | Name | Severity | Clauses | What it finds |", "|---|---|---|---|---|"]
    for r in family.rules:
        found = _rule_clauses(family, r)
        clauses = "; ".join(
            f"{md_escape(db.name)} " + ", ".join(clause_link(c, link, db, title=False) for c in ids)
            for db, ids in found
        )
        rows.append(
            f"| [{r.code}]({link('rules/' + r.code + '.md')}) | {r.name} | {r.severity} | "
            f"{clauses or '—'} | {md_escape(r.summary)} |"
        )
    return '<div class="la-stack la-rules" markdown>\n\n' + "\n".join(rows) + "\n\n</div>\n"
