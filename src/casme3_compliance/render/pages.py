"""Markdown and HTML for the site's pages, rendered from the knowledge base.

The macros in macros/main.py only pass the knowledge base and a link maker; everything shown
comes from here, so the pages, the CLI and the downloads cannot disagree. Links to other pages
are Markdown links (`terms.md#clause-3-4`) so that `mkdocs build --strict` checks them.
"""

from __future__ import annotations

import re
from html import escape

from casme3_compliance.knowledge.model import Clause, Database, Rule, SubjectPart, anchor_for
from casme3_compliance.render.markdown import (
    Link,
    clause_link,
    clause_links,
    md_escape,
    verdict_headings,
)

COLUMNS = {
    "permissions": "Permissions",
    "conditions": "Conditions",
    "limitations": "Limitations",
}
DOWNLOADS = {
    "downloads/casme3-checklist.pdf": "Checklist, printable PDF with check boxes",
    "downloads/casme3-checklist.md": "Checklist, Markdown task list",
    "downloads/casme3-checklist.json": "Checklist, JSON",
    "downloads/casme3.bib": "Citation, BibTeX",
    "downloads/casme3.ris": "Citation, RIS",
    "downloads/CITATION.cff": "Citation, CITATION.cff snippet",
}


def notice(kb: Database) -> dict[str, str]:
    """The one notice every page carries (docs/overrides/main.html), as escaped HTML: what the
    site is not, whose clause numbers these are, which LA text it follows."""
    a = kb.agreement
    return {
        "title": escape("Our reading, not the license agreement."),
        "text": escape(f"{kb.disclaimer} {a.numbering}"),
        "provenance": escape(f"{a.provenance.line()}."),
        "terms": escape("Read the verbatim terms"),
        "source": escape("Where this text comes from"),
    }


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
    if clause.fields:  # the LA's form: its fields, one per line as on the paper
        parts = ["<ul>" + "".join(f"<li>{escape(f)}</li>" for f in clause.fields) + "</ul>"]
    else:
        parts = [f"<p>{_linked(clause.text)}</p>"]
    if clause.items:
        parts.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in clause.items) + "</ul>")
    return "<blockquote>" + "".join(parts) + "</blockquote>"


def readings(clause: Clause) -> str:
    """A sentence that admits two readings: both, and the one we follow, labelled as ours."""
    r = clause.readings
    if r is None:
        return ""
    options = "\n".join(f"{i}. {md_escape(o)}" for i, o in enumerate(r.options, 1))
    return (
        f"**This sentence admits {len(r.options)} readings:** {md_escape(r.why)}\n\n"
        f"{options}\n\n**The reading we follow (ours, not the LA):** {md_escape(r.ours)}\n"
    )


def _clause_block(kb: Database, clause: Clause, link: Link) -> str:
    extra = ""
    if clause.subjects:
        part = kb.subjects.part(clause.subjects)
        numbers = part.restricted()
        cells = ", ".join(
            f"[{part.numbering.replace('<n>', str(n))}]({link('subjects.md#' + part.anchor(n))})"
            for n in numbers
        )
        extra = (
            f"\n<div class='la-clause__subjects' markdown>\n\n"
            f"{len(numbers)} restricted {part.name} subjects (see the "
            f"[subject tables]({link('subjects.md')})): {cells}\n\n</div>\n"
        )
    a = kb.agreement
    if clause.id == a.application.la_clause:
        extra += (
            f"\n<p class='la-clause__status' markdown='span'>{md_escape(a.application.la_status)} "
            f"See [How to apply]({link('apply.md#steps')}).</p>\n"
        )
    return (
        f'<div class="la-clause la-clause--{clause.kind}" id="{clause.anchor}" markdown>\n'
        f'<div class="la-clause__text" markdown>\n\n'
        f'[{clause.id}](#{clause.anchor}){{.la-clause__id title="Link to clause {clause.id}"}}'
        f' <span class="la-kind">{clause.kind}</span>'
        f' <span class="la-where">{escape(str(clause.where))}</span>\n\n'
        f"{_verbatim(clause)}\n{extra}\n{readings(clause)}\n</div>\n"
        f'<div class="la-clause__summary" markdown>\n\n'
        f"**Our reading, not the LA:** {md_escape(clause.summary)}\n\n</div>\n</div>\n"
    )


def provenance(kb: Database, link: Link) -> str:
    """Which document the text is: the LA has no version, so say what it was compared with."""
    a = kb.agreement
    p, f = a.provenance, a.application.filename
    return (
        f"The LA carries no version number or date. The text on this page is "
        f"{md_escape(p.text.description[0].lower() + p.text.description[1:])} "
        f"{md_escape(p.compared)}\n\n"
        f"- The lab's blank PDF: [{md_escape(p.pdf.path.rsplit('/', 1)[-1])}]({p.pdf.url}), "
        f"created {p.pdf.created}, sha256 `{p.pdf.sha256}` (repository {p.pdf.repository}, "
        f"commit {p.pdf.commit}).\n"
        f"- The file name of the signed scan: the LA text writes `{f.text}`, the PDF writes "
        f"`{f.pdf}` ({clause_link(a.application.la_clause, link)}). "
        f"[How to apply]({link('apply.md#file-name')}) shows both.\n"
        f"- Our copy of the text: sha256 `{p.text.sha256}`.\n"
    )


def terms(kb: Database, link: Link) -> str:
    """The whole LA, section by section, each clause verbatim beside our reading of it."""
    a = kb.agreement
    out = [
        f"<p class='la-title'>{escape(a.title)}</p>\n",
        f"Owner: {md_escape(a.owner)} ({a.owner_short}).\n",
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
    out = ['<div class="la-glance" markdown>\n']
    for column, title in COLUMNS.items():
        entries = [
            (g.label, c.id) for c in kb.agreement.clauses() for g in c.glance if g.column == column
        ]
        out.append(f'<section class="la-glance__col la-glance__col--{column}" markdown>\n')
        out.append(f"## {title}\n")
        out.extend(
            f"- [{md_escape(label)}]({link('terms.md#' + anchor_for(cid))}) "
            f"<span class='la-glance__ref'>{cid}</span>"
            for label, cid in entries
        )
        out.append("\n</section>\n")
    out.append("</div>\n")
    return "\n".join(out)


def _table(kind: str, caption: str, head: str, rows: list[str]) -> str:
    """A data table laid out to fit its column at every width, so it needs no scroll region."""
    return (
        f'<table class="la-table la-subjects {kind}">'
        f"<caption>{caption}</caption><thead>{head}</thead>"
        f"<tbody>{' '.join(rows)}</tbody></table>\n"
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
    out.append(
        f"The rules are the agreement's ({clause_links([p.clause for p in s.parts], link, kb)}). "
        "The ranges and part descriptions are not in the agreement; each source is named once:\n"
    )
    sources: dict = {p.range_source: [] for p in s.parts if p.range_source}
    for m in (m for p in s.parts for m in p.members):
        sources.setdefault(m.source, []).append(f"Part {m.part}: {md_escape(m.description)}")
    out.extend(
        f"- **{md_escape(x.title)}** ({md_escape(x.where)}): {md_escape(x.note)}"
        + "".join(f"\n    - {item}" for item in items)
        for x, items in sources.items()
    )
    if s.counts:
        out.append(f"\n{md_escape(s.counts)}")
    return "\n".join(out) + "\n"


def subject_links(kb: Database) -> dict[str, dict[str, str]]:
    """Where the site's search sends a subject, by part and verdict (`{n}`: its number), as
    subject_tables renders them: a subject with a cell of its own goes to it, any other to its
    part's section."""
    links = {}
    for part in kb.subjects.parts if kb.subjects else ():
        own = f"subjects/#{part.anchor('{n}')}"
        section = f"subjects/#{part.section}"
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
    if part.rule == "deny":
        out = [f"## {part.name}: restricted subjects {{#{part.section}}}\n"]
        out.append(
            f"The agreement lists {len(part.list)} subjects of {part.name} whose images are "
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
            f"Restricted {part.name} subjects ({escape(part.numbering)}). "
            "An empty cell is a number the agreement does not list."
        )
        out.append(_table(f"la-subjects--{part.key.lower()}", caption, head + "</tr>", rows))
        other = (
            f"Any other subject from {part.min} to {part.max}"
            if part.max is not None
            else "Any other subject"
        )
        out.append(f"{md_escape(t['allowed'].replace('{label}', other))} {see}\n")
        return out
    if part.rule == "allow":
        out = [f"## {part.name}: every subject {{#{part.section}}}\n"]
        names = _and([part.name_of(n) for n in part.list])
        out.append(f"Only the images of {names} are not restricted in {part.name} ({rule}).\n")
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
        f"## {part.name}: every subject {{#{part.section}}}\n",
        f"{md_escape(sentence.replace('{label}', every))} {see}\n",
    ]


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
    if cit.la_sentence and cit.clause:
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
    if forms and cit.name_clause:
        out.append("## Naming the database {#name}\n")
        out.append(
            f"Refer to the data as '{md_escape(forms['unicode'])}' "
            f"({clause_link(cit.name_clause, link, kb)}). Our reading of how to write it: "
            f"LaTeX `{forms['latex']}` or `{forms['latex_text']}`, HTML `{forms['html']}`, "
            f"plain text where no superscript is possible `{forms['plain']}`.\n"
        )
    out.append("## Downloads {#downloads}\n")
    out.extend(
        f"- [{label}]({link(path)})"
        for path, label in DOWNLOADS.items()
        if "casme3-checklist" not in path
    )
    return "\n".join(out) + "\n"


def checklists(kb: Database, link: Link) -> str:
    """Every checklist as a read-only task list; the self-check page makes them interactive."""
    out = [
        "Download: "
        + " · ".join(
            f"[{label.split(', ')[1]}]({link(path)})"
            for path, label in DOWNLOADS.items()
            if "casme3-checklist" in path
        )
        + "\n",
    ]
    for checklist in kb.checklists:
        out.append(f"## {md_escape(checklist.title)} {{#{checklist.id}}}\n")
        out.append(f"{md_escape(checklist.intro)}\n")
        out.extend(
            f"- [ ] {md_escape(item.text)} ({clause_links(item.clauses, link)})"
            for item in checklist.items
        )
        out.append("")
    return "\n".join(out) + "\n"


def quote(kb: Database, clause_id: str, link: Link) -> str:
    """One clause verbatim with its reading, for pages that explain a single topic."""
    c = kb.agreement.clause(clause_id)
    reading = readings(c)
    return (
        f"> {md_escape(c.text)}\n"
        + "".join(f">\n> - {md_escape(i)}\n" for i in c.items)
        + f">\n> — clause {clause_link(c.id, link)}; {c.where}\n\n"
        + (f"{reading}\n" if reading else f"*Our reading, not the LA:* {md_escape(c.summary)}\n")
    )


def apply_steps(kb: Database, link: Link) -> str:
    """Who signs, how to apply today and what the LA asks, the file name, the form."""
    a = kb.agreement
    app = a.application
    steps = a.clause(app.la_clause)
    form = next(c for c in a.clauses() if c.fields)
    src = app.current_source
    out = ["## Who signs {#who-signs}\n"]
    out.extend(quote(kb, cid, link) for cid in app.who_signs.clauses)
    out.append("## How to apply today {#steps}\n")
    out.append(
        f"The issuing lab's own page gives these steps ([{md_escape(src.title)}]({src.url}), "
        f"read {src.read} in its repository {src.repository}, `{src.path}`, commit "
        f"{src.commit}):\n"
    )
    out.extend(
        f"{i}. {md_escape(s.text)}" + (f" <{s.url}>" if s.url else "")
        for i, s in enumerate(app.current_steps, 1)
    )
    out.append("\n### What the LA itself asks {#la-steps}\n")
    out.append(f"The LA ({clause_links([steps.id], link, kb)}) says the LA must be:\n")
    out.extend(f"{i}. {md_escape(s)}" for i, s in enumerate(steps.steps, 1))
    out.append(
        f"\nThe link the LA gives: <{app.la_url}>. {md_escape(app.la_status)}\n\n"
        f"**Our reading, not the LA:** {md_escape(app.advice)}\n"
    )
    out.append("## The file name {#file-name}\n")
    names = app.filename
    out.append(
        "The two documents name the scan differently; both are the issuer's own:\n\n"
        f"- the LA text ({clause_link(steps.id, link, kb)}): `{names.text}`\n"
        f"- the lab's blank PDF: `{names.pdf}`\n\n"
        f"Replace *{md_escape(names.placeholder)}* with the name of the person who signs.\n"
    )
    out.append("## The form {#form}\n")
    out.append(f"The form in the LA ({clause_link(form.id, link, kb)}) asks for:\n")
    out.extend(f"- {md_escape(f)}" for f in form.fields)
    return "\n".join(out) + "\n"


def rule_page(kb: Database, rule: Rule, link: Link) -> str:
    """One page per scan rule, in the manner of ruff's rule pages. A CM0 rule is about the
    scan itself and names no clause."""
    ids = kb.clauses_for(rule)
    clauses = [kb.agreement.clause(c) for c in ids] if kb.agreement else []
    la = clause_links(ids, link) if clauses else "none: this rule is about the scan itself"
    out = [
        f"# {rule.code} {rule.name}\n",
        f"**Severity:** {rule.severity} · **LA:** {la}\n",
        f"{md_escape(rule.summary)}\n",
        "## What it detects\n",
        f"{md_escape(rule.detects)}\n",
        "## Why\n",
        f"{md_escape(rule.why)}\n",
    ]
    out.extend(quote(kb, c.id, link) for c in clauses)
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


def rules_index(kb: Database, link: Link) -> str:
    """One row per rule; on a phone each row shows as a card (`la-stack` in casme3.css)."""
    rows = ["| Code | Name | Severity | LA | What it finds |", "|---|---|---|---|---|"]
    rows += [
        f"| [{r.code}]({link('rules/' + r.code + '.md')}) | {r.name} | {r.severity} | "
        f"{', '.join(clause_link(c, link) for c in kb.clauses_for(r)) or '—'} | "
        f"{md_escape(r.summary)} |"
        for r in kb.rules
    ]
    return '<div class="la-stack la-rules" markdown>\n\n' + "\n".join(rows) + "\n\n</div>\n"
