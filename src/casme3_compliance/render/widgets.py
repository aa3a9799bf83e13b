"""HTML of the site's interactive tools: subject lookup, publication self-check, apply helper.

The package renders every word a tool shows; docs/assets/javascripts/casme3.js only parses,
compares and fills the `{slots}` of the sentences found here (`data-la-text`) and in
/api/*.json. Each tool is rendered `hidden` and revealed by the script once its data has loaded,
so a reader without JavaScript meets no dead control: the `<noscript>` says what to use instead
(the script shows the same note when the data cannot load), and the tables, checklists and steps
stay static HTML.

Links are Markdown inside `markdown` blocks (md_in_html) so that `mkdocs build --strict` checks
them and MkDocs rewrites them for the page's depth; the script takes the URL of the terms page
from the rendered `.la-terms-link`.
"""

from __future__ import annotations

import json
from html import escape

from casme3_compliance.knowledge.model import Database
from casme3_compliance.render.markdown import Link, clause_links, md_escape, verdict_headings


def _text(texts: dict[str, str]) -> str:
    """The sentences a tool fills in, as an HTML attribute value."""
    return escape(json.dumps(texts, ensure_ascii=False), quote=True)


def _examples(kb: Database) -> str:
    """Each part's way of writing a subject, from the data: `Parts A and B: spNO.1 (1 to 219).`"""
    out = []
    for part in kb.subjects.parts:
        n = part.list[0] if part.list else part.min or 1
        forms = [part.name_of(n)] + ([part.short.replace("{n}", str(n))] if part.short else [])
        known = f" ({part.min} to {part.max})" if part.max is not None else ""
        shown = " or ".join(f"<code>{escape(f)}</code>" for f in forms)
        out.append(f"{part.name}: {shown}{known}")
    return ". ".join(out) + "."


def _lookup(kb: Database, link: Link, compact: bool) -> str:
    texts = {**verdict_headings(kb), "clause": "Read clause {id}."}
    label = "Look up a subject" if compact else "Subject"
    tables = "the tables below" if not compact else f"the [subject tables]({link('subjects.md')})"
    examples = _examples(kb)
    return (
        f'<div class="la-widget la-lookup{" la-lookup--compact" if compact else ""}" '
        f'data-la-widget="subject-lookup" data-la-text="{_text(texts)}" hidden markdown>\n'
        f'<p class="la-lookup__field">'
        f'<label for="subject-lookup">{label}</label> '
        f'<input type="text" id="subject-lookup" autocomplete="off" autocapitalize="off" '
        f'spellcheck="false" aria-describedby="subject-lookup-hint"></p>\n'
        f'<p id="subject-lookup-hint" class="la-lookup__hint" markdown="span">{examples} '
        f"The answer appears as you type and links the "
        f"[clause]({link('terms.md')}){{.la-terms-link}} that decides it.</p>\n"
        f'<p id="subject-lookup-result" class="la-lookup__result" aria-live="polite"></p>\n'
        f"</div>\n"
        f'<noscript markdown="1">\n\n'
        f"The lookup cannot run here: look the subject up in {tables}.\n\n</noscript>\n"
    )


def subject_lookup(kb: Database, link: Link) -> str:
    """The full lookup for /subjects/: a field, the accepted forms, the answer as you type."""
    return _lookup(kb, link, compact=False)


def subject_lookup_compact(kb: Database, link: Link) -> str:
    """The same lookup for the home page, pointing at the tables for readers without JavaScript."""
    return _lookup(kb, link, compact=True)


def self_check(kb: Database, link: Link) -> str:
    """Subjects answered one by one, the "Before you publish" items as check boxes, a status."""
    checklist = kb.checklist("publish")
    a = kb.agreement
    texts = {
        **verdict_headings(kb),
        "clause": "Read clause {id}.",
        "none": "No subject listed.",
        "ready": "Ready, by this checklist: no restricted subject, every entry is a subject, "
        "every item is ticked. The LA you signed governs.",
        "not_ready": "Not ready.",
        "restricted_block": "Restricted subjects in the list: {list}.",
        "invalid_block": "Entries that are not subjects: {list}.",
        "unticked_block": "Items not ticked: {n} of {total}.",
        "md_title": "CAS(ME)³ publication self-check",
        "md_meta": "Filled in on {date} against the CAS(ME)³ license agreement: {source}.",
        "md_subjects": "Subjects whose images appear",
        "md_status": "Status:",
        "md_clause": "clause {ids}",
        "md_clauses": "clauses {ids}",
        "md_file": "casme3-self-check-{date}.md",
    }
    items = "\n".join(
        f'<li class="la-check__item" markdown="span">'
        f'<input type="checkbox" id="self-check-{item.id}" data-item="{item.id}"> '
        f'<label for="self-check-{item.id}">{md_escape(item.text)}</label> '
        f"({clause_links(item.clauses, link)})</li>"
        for item in checklist.items
    )
    return (
        f'<noscript markdown="1">\n\n'
        f"The self-check cannot run here, so subjects are not checked and ticks are not saved: "
        f"look each subject up in the [subject tables]({link('subjects.md')}), tick the list "
        f"below as you go, or print the [PDF checklist]({link('downloads/casme3-checklist.pdf')})."
        f"\n\n"
        f"</noscript>\n"
        f'<div class="la-widget la-self-check" data-la-widget="self-check" '
        f'data-la-text="{_text(texts)}" hidden markdown>\n'
        f'<div class="la-self-check__field"><label for="self-check-subjects">Every subject whose '
        f"image appears in the paper, its supplement or its slides</label>\n"
        f'<textarea id="self-check-subjects" rows="4" autocomplete="off" spellcheck="false" '
        f'aria-describedby="self-check-subjects-hint"></textarea></div>\n'
        f'<p id="self-check-subjects-hint" class="la-lookup__hint" markdown="span">'
        f"Separate them with commas, semicolons or new lines. {_examples(kb)} Each answer links "
        f"the [clause]({link('terms.md')}){{.la-terms-link}} that decides it.</p>\n"
        f'<ul id="self-check-results" class="la-self-check__results" aria-live="polite"></ul>\n'
        f"</div>\n"
        f'<fieldset class="la-check" id="{checklist.id}" data-checklist="{checklist.id}" markdown>'
        f"\n<legend>{escape(checklist.title)}</legend>\n"
        f'<p markdown="span">{md_escape(checklist.intro)}</p>\n'
        f'<ul class="la-check__items" markdown>\n{items}\n</ul>\n</fieldset>\n'
        f'<div class="la-widget la-self-check__end" data-la-widget="self-check-end" hidden>\n'
        f'<p id="self-check-status" class="la-self-check__status" aria-live="polite"></p>\n'
        f'<p class="la-self-check__actions">'
        f'<button type="button" class="md-button md-button--primary" id="self-check-download">'
        f"Download my checklist</button> "
        f'<button type="button" class="md-button" id="self-check-reset">Reset</button></p>\n'
        f'<p class="la-lookup__hint">Your answers stay in this browser (local storage) and are '
        f"never sent anywhere. The download is a Markdown file with the date and the LA text it "
        f"was checked against ({escape(a.provenance.line())}).</p>\n"
        f"</div>\n"
    )


def apply_helper(kb: Database, link: Link) -> str:
    """Who signs, from the role and the work email (the table in data/agreement.yaml, our
    reading of clauses 2.1-2.5), and the file name of the scan as both documents write it."""
    app = kb.agreement.application
    who = app.who_signs
    texts = {
        "empty": "Type the name of the person who signs.",
        "forbidden": "A file name cannot contain {chars}: leave such characters out of the name.",
        "blank": "The name has no visible character.",
        "too_long": "The file name would be {bytes} bytes long; most file systems allow {max}. "
        "Shorten the name.",
        "copied": "Copied: {filename}",
        "copy_failed": "Copying is not allowed here: select the file name and copy it.",
    }
    outcomes = "\n".join(
        f'<p data-case="{case}" markdown="span" hidden>{md_escape(o.text)} '
        f"({clause_links(o.clauses, link, kb)})</p>"
        for case, o in who.outcomes.items()
    )

    def option(name: str, value: str, label: str, data: str = "") -> str:
        return (
            f'<span class="la-apply__option"><input type="radio" name="{name}" '
            f'id="{name}-{value}" value="{value}"{data}> '
            f'<label for="{name}-{value}">{escape(label)}</label></span>'
        )

    roles = " ".join(
        option(
            "apply-role",
            r.id,
            r.label,
            f' data-with-email="{r.with_email}" data-without-email="{r.without_email}"',
        )
        for r in who.roles
    )
    email = option("apply-email", "yes", "Yes") + " " + option("apply-email", "no", "No")
    names = app.filename
    outputs = "\n".join(
        f'<p class="la-apply__filename">{label}: <output id="{output}" '
        f'for="apply-signer-name" data-template="{escape(template)}" aria-live="polite"></output> '
        f'<button type="button" class="md-button" id="{output}-copy" data-copy="{output}" '
        f"disabled>Copy</button></p>"
        for output, label, template in (
            ("apply-filename", "As the agreement's text writes it", names.templates()["text"]),
            ("apply-filename-pdf", "As the issuer's blank PDF writes it", names.templates()["pdf"]),
        )
    )
    return (
        f'<noscript markdown="1">\n\n'
        f"The helper cannot run here: [who signs](#who-signs) is below, clause by clause, and "
        f"the file name is under [The file name](#file-name).\n\n</noscript>\n"
        f'<div class="la-widget la-apply" data-la-widget="apply" data-la-text="{_text(texts)}" '
        f"hidden markdown>\n"
        f'<p class="la-lookup__hint" markdown="span">Our reading of '
        f"{clause_links(who.clauses, link, kb)}, not legal advice"
        + "".join(
            f": {clause_links([c], link, kb)} admits two readings, and this helper follows the "
            "cautious one"
            for c in who.clauses
            if kb.agreement.clause(c).readings
        )
        + ".</p>\n"
        f'<fieldset class="la-apply__question"><legend>Which describes you?</legend> {roles}'
        f"</fieldset>\n"
        f'<fieldset class="la-apply__question"><legend>Do you have a fixed email address at your '
        f"university or company?</legend> {email}</fieldset>\n"
        f'<div id="apply-signer" class="la-apply__signer" aria-live="polite" markdown>\n'
        f'<p data-case="unknown" markdown="span">Answer both questions to see who signs.</p>\n'
        f"{outcomes}\n</div>\n"
        f'<p class="la-apply__field"><label for="apply-signer-name">Name of the person who signs '
        f"(you, or your supervisor)</label> "
        f'<input type="text" id="apply-signer-name" autocomplete="name" '
        f'aria-describedby="apply-filename-hint apply-filename-error"></p>\n'
        f'<p id="apply-filename-hint" class="la-lookup__hint">The LA text and the lab\'s blank '
        f"PDF name the scan differently (a superscript 3 and a space, or a 3 and an underscore); "
        f"both are the issuer's own, so both are shown.</p>\n"
        f"{outputs}\n"
        f'<p id="apply-filename-error" class="la-apply__error" aria-live="assertive"></p>\n'
        f'<p id="apply-copy-status" class="la-lookup__hint" aria-live="polite"></p>\n'
        f"</div>\n"
    )
