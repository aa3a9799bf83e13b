"""HTML of the site's interactive tools: subject lookup, the paper's check, apply helper.

The package renders every word a tool shows; docs/assets/javascripts/casme3*.js only parse,
compare and fill the `{slots}` of the sentences found here (`data-la-text`) and in
/api/<id>/*.json. Each tool is rendered `hidden` and revealed by the script, so a reader without
JavaScript meets no dead control: the `<noscript>` says what to use instead (the script shows
the same note when the data cannot load), and the tables, checklists and steps stay static
HTML. A tool that reads subjects fetches its database's grammar when the reader first turns to
it (focus, pointer), not with the page.

A tool that serves several databases reads a reference as `<id>:<reference>` (`casme2:sub12`)
when it starts with a database's id and a colon (PREFIX), else in the database its selector
names. Links are Markdown inside `markdown` blocks (md_in_html) so that `mkdocs build --strict`
checks them and MkDocs rewrites them for the page's depth.
"""

from __future__ import annotations

import json
import re
from html import escape

from casme3_compliance.knowledge.model import Database, Family
from casme3_compliance.render.markdown import (
    Link,
    clause_links,
    doc,
    md_escape,
    verdict_headings,
)

PREFIX = r"^[ \t]*([A-Za-z][A-Za-z0-9-]*)[ \t]*:(.*)$"
"""A reference that names its database first: `casme2:sub12`, `CASME2 : sub12`. Group 1 is the
database's id (any case), group 2 the reference. Read alike by Python and JavaScript."""
PUBLISH = "publish"
STORAGE = "casme3-self-check"
"""Where the paper's check keeps the reader's answers in the browser (local storage)."""
"""The checklist the paper's check makes interactive (its id in checklists.yaml)."""


def split_prefix(text: str, ids: list[str] | tuple[str, ...]) -> tuple[str | None, str]:
    """(database id, reference) when `text` starts with a known id and a colon, else
    (None, text): what casme3.js does before it parses a reference."""
    m = re.match(PREFIX, text, re.DOTALL)
    if m and m[1].lower() in ids:
        return m[1].lower(), m[2]
    return None, text


def _text(texts: dict[str, str]) -> str:
    """The sentences a tool fills in, as an HTML attribute value."""
    return escape(json.dumps(texts, ensure_ascii=False), quote=True)


def example(kb: Database) -> str:
    """One reference `kb`'s grammar reads: a listed subject where there is a list."""
    if kb.subjects is None:
        return "1"
    part = kb.subjects.parts[0]
    return part.name_of(part.list[0] if part.list else part.min or 1)


def examples(kb: Database) -> str:
    """Each part's way of writing a subject, from the data: `Parts A and B: spNO.1 (1 to 219).`"""
    if kb.subjects is None:
        return (
            f"{escape(kb.name)}'s agreement is not public: any subject is answered "
            f"“{escape(kb.texts['verdict.unknown'].rstrip('.'))}”."
        )
    out = []
    for part in kb.subjects.parts:
        n = part.list[0] if part.list else part.min or 1
        forms = [part.name_of(n)] + ([part.short.replace("{n}", str(n))] if part.short else [])
        known = f" ({part.min} to {part.max})" if part.max is not None else ""
        shown = " or ".join(f"<code>{escape(f)}</code>" for f in forms)
        out.append(f"{escape(part.name)}: {shown}{known}")
    return ". ".join(out) + "."


def lookup_databases(family: Family) -> list[Database]:
    """The databases a lookup can answer for: a rule for subjects, or an agreement we do not
    have (answered "unknown")."""
    return [db for db in family.databases if db.subjects is not None or not db.public]


def _texts(kb: Database) -> dict[str, str]:
    return {
        **verdict_headings(kb),
        "clause": "Read clause {id}.",
        "ask": "How to ask the issuer.",
    }


def _lookup(kb: Database, dbs: list[Database], link: Link, compact: bool, tables: str) -> str:
    label = "Subject"
    select = ""
    if len(dbs) > 1:
        options = "".join(
            f'<option value="{db.id}"{" selected" if db.id == kb.id else ""}>'
            f"{escape(db.name)}</option>"
            for db in dbs
        )
        select = (
            '<p class="la-lookup__field"><label for="subject-lookup-db">Database</label> '
            f'<select id="subject-lookup-db">{options}</select></p>\n'
        )
    hints = "".join(
        f'<span class="la-hint" data-db="{db.id}"{"" if db.id == kb.id else " hidden"}>'
        f"{examples(db)}</span> "
        for db in dbs
    )
    prefix = (
        f" Or write the database first: <code>{escape(_other(kb, dbs).id)}:"
        f"{escape(example(_other(kb, dbs)))}</code>."
        if len(dbs) > 1
        else ""
    )
    return (
        f'<div class="la-widget la-lookup{" la-lookup--compact" if compact else ""}" '
        f'data-la-widget="subject-lookup" data-db="{kb.id}" data-la-prefix="{escape(PREFIX)}" '
        f'data-la-text="{_text(_texts(kb))}" hidden markdown>\n'
        f"{select}"
        f'<p class="la-lookup__field">'
        f'<label for="subject-lookup">{label}</label> '
        f'<input type="text" id="subject-lookup" autocomplete="off" autocapitalize="off" '
        f'spellcheck="false" aria-describedby="subject-lookup-hint"></p>\n'
        f'<p id="subject-lookup-hint" class="la-lookup__hint">{hints}'
        f"The answer appears as you type and links the clause that decides it.{prefix}</p>\n"
        f'<p id="subject-lookup-result" class="la-lookup__result" aria-live="polite"></p>\n'
        f"</div>\n"
        f'<noscript markdown="1">\n\n'
        f"The lookup cannot run here: look the subject up in {tables}.\n\n</noscript>\n"
    )


def _other(kb: Database, dbs: list[Database]) -> Database:
    """A database other than `kb`, for an example of a prefix (`kb` itself if none)."""
    return next((db for db in dbs if db.id != kb.id and db.subjects), kb)


def subject_lookup(kb: Database, link: Link) -> str:
    """The lookup on a database's subjects page: a field, the accepted forms, the answer."""
    return _lookup(kb, [kb], link, compact=False, tables="the tables below")


def subject_lookup_family(family: Family, link: Link) -> str:
    """The lookup on the home page: any database, the default one chosen; without JavaScript,
    each database's subject tables."""
    dbs = lookup_databases(family)
    tables = ", ".join(
        f"[{md_escape(db.name)}]({link(doc(db, 'subjects'))})" for db in dbs if db.subjects
    )
    return _lookup(family.db(), dbs, link, compact=True, tables=f"the subject tables: {tables}")


def _box_id(family: Family, db: Database, item_id: str) -> str:
    """The default database keeps the ids its check boxes had before the family."""
    return f"self-check-{item_id}" if db.id == family.default else f"self-check-{db.id}-{item_id}"


def _checklist_section(family: Family, db: Database, link: Link) -> str:
    chosen = " data-chosen" if db.id == family.default else ""
    head = f'<section class="la-check-db" data-db="{db.id}"{chosen} markdown>\n'
    if db.agreement is None:
        return (
            head + f'<p class="la-check-db__note" markdown="span">**{md_escape(db.name)}**: its '
            f"agreement is not public, so there is nothing of it to tick here; "
            f"[ask the issuer]({link(doc(db) + '#not-public')}).</p>\n</section>\n"
        )
    checklist = next((c for c in db.checklists if c.id == PUBLISH), None)
    if checklist is None:
        return (
            head + f'<p class="la-check-db__note" markdown="span">**{md_escape(db.name)}**: no '
            f"checklist for a publication in this project's data; read "
            f"[its terms]({link(doc(db, 'terms'))}).</p>\n</section>\n"
        )
    items = "\n".join(
        f'<li class="la-check__item" markdown="span">'
        f'<input type="checkbox" id="{_box_id(family, db, item.id)}" data-item="{item.id}" '
        f'data-db="{db.id}"> '
        f'<label for="{_box_id(family, db, item.id)}">{md_escape(item.text)}</label> '
        f"({clause_links(item.clauses, link, db, title=False)})</li>"
        for item in checklist.items
    )
    fieldset_id = checklist.id if db.id == family.default else f"{db.id}-{checklist.id}"
    return (
        head + f'<fieldset class="la-check" id="{fieldset_id}" data-checklist="{checklist.id}" '
        f'data-db="{db.id}" markdown>\n'
        f"<legend>{escape(checklist.title)}: {escape(db.name)}</legend>\n"
        f'<p markdown="span">{md_escape(checklist.intro)}</p>\n'
        f'<ul class="la-check__items" markdown>\n{items}\n</ul>\n</fieldset>\n</section>\n'
    )


def self_check(family: Family, link: Link) -> str:
    """The paper's check: the databases it uses, its subjects answered one by one (each in its
    database), each database's "Before you publish" items as check boxes, a status."""
    default = family.db()
    dbs = family.databases
    other = _other(default, lookup_databases(family))
    texts = {
        **_texts(default),
        "none": "No subject listed.",
        "disclaimer": default.disclaimer,
        "ready": "Ready, by these checklists: no subject is restricted or unknown, every entry "
        "is a subject, every item is ticked. The agreements you signed govern.",
        "not_ready": "Not ready.",
        "restricted_block": "Restricted subjects in the list: {list}.",
        "approval_block": "Subjects whose images need the issuer's approval: {list}.",
        "unknown_block": "Subjects of a database whose agreement is not public: {list}.",
        "invalid_block": "Entries that are not subjects: {list}.",
        "unticked_block": "Items not ticked: {n} of {total}.",
        "ambiguous": "several databases are ticked: write the database first, as in {example}",
        "no_subjects": "this project has no rule for the subjects of {name}.",
        "named": "{name} {label}",
        "md_title": "Publication self-check",
        "md_meta": "Filled in on {date}.",
        "md_databases": "Databases, and the agreement texts they were checked against",
        "md_not_public": "its agreement is not public",
        "md_no_checklist": "no checklist for a publication",
        "md_subjects": "Subjects whose images appear",
        "md_status": "Status:",
        "md_clause": "{name}, clause {ids}",
        "md_clauses": "{name}, clauses {ids}",
        "md_file": "self-check-{date}.md",
    }
    boxes = " ".join(
        f'<span class="la-self-check__db"><input type="checkbox" id="self-check-db-{db.id}" '
        f'value="{db.id}"> <label for="self-check-db-{db.id}">{escape(db.name)}</label></span>'
        for db in dbs
    )
    hints = "".join(
        f'<span class="la-hint" data-db="{db.id}"{"" if db.id == default.id else " hidden"}>'
        f"{examples(db)}</span> "
        for db in lookup_databases(family)
    )
    sections = "".join(_checklist_section(family, db, link) for db in dbs)
    # The status of a first visit (no subject, nothing ticked, the default database), as the
    # script words it: shown before the script that checks comes.
    total = len(next((c.items for c in default.checklists if c.id == PUBLISH), ()))
    first = (
        f"{texts['not_ready']} "
        + texts["unticked_block"].replace("{n}", str(total)).replace("{total}", str(total))
        if total
        else texts["ready"]
    )
    return (
        f'<noscript markdown="1">\n\n'
        f"The check cannot run here, so subjects are not checked and ticks are not saved: "
        f"look each subject up in its database's subject tables, tick the lists below as you "
        f"go, or print a database's PDF checklist from its checklist page.\n\n"
        f"</noscript>\n"
        f'<div class="la-widget la-self-check" data-la-widget="self-check" '
        f'data-default="{default.id}" data-la-storage="{STORAGE}" '
        f'data-la-prefix="{escape(PREFIX)}" '
        f'data-la-ids="{" ".join(db.id for db in lookup_databases(family))}" '
        f'data-la-text="{_text(texts)}" hidden markdown>\n'
        f'<fieldset class="la-self-check__dbs" id="self-check-databases"><legend>Databases the '
        f"paper uses</legend> {boxes}</fieldset>\n"
        f'<p class="la-lookup__hint">With none ticked, the check is for {escape(default.name)}.'
        f"</p>\n"
        f'<div class="la-self-check__field"><label for="self-check-subjects">Every subject whose '
        f"image appears in the paper, its supplement or its slides</label>\n"
        f'<textarea id="self-check-subjects" rows="4" autocomplete="off" spellcheck="false" '
        f'aria-describedby="self-check-subjects-hint"></textarea></div>\n'
        f'<p id="self-check-subjects-hint" class="la-lookup__hint">'
        f"Separate them with commas, semicolons or new lines. A subject is read in the database "
        f"ticked; with several ticked, write its database first, as in "
        f"<code>{escape(other.id)}:{escape(example(other))}</code>. {hints}"
        f"Each answer links the clause that decides it.</p>\n"
        f'<ul id="self-check-results" class="la-self-check__results" aria-live="polite"></ul>\n'
        f"</div>\n"
        f'<div class="la-check-dbs" markdown>\n{sections}</div>\n'
        f'<div class="la-widget la-self-check__end" data-la-widget="self-check-end" hidden>\n'
        f'<p id="self-check-status" class="la-self-check__status" aria-live="polite" '
        f'data-status="{"not-ready" if total else "ready"}">{escape(first)}</p>\n'
        f'<p class="la-self-check__actions">'
        f'<button type="button" class="md-button md-button--primary" id="self-check-download">'
        f"Download my checklist</button> "
        f'<button type="button" class="md-button" id="self-check-reset">Reset</button></p>\n'
        f'<p class="la-lookup__hint">Your answers stay in this browser (local storage) and are '
        f"never sent anywhere. The download is a Markdown file with the date and, for each "
        f"database, the agreement text it was checked against.</p>\n"
        f"</div>\n"
    )


def apply_helper(kb: Database, link: Link) -> str:
    """Who signs, from the role and the work email (the data's table, our reading of the
    agreement's clauses on who signs), and the file name of the scan as the agreement's
    documents write it: each part where the data has it."""
    app = kb.agreement.application
    who = app.who_signs
    abbr = escape(kb.agreement.abbreviation)
    texts = {
        "empty": "Type the name of the person who signs.",
        "forbidden": "A file name cannot contain {chars}: leave such characters out of the name.",
        "blank": "The name has no visible character.",
        "too_long": "The file name would be {bytes} bytes long; most file systems allow {max}. "
        "Shorten the name.",
        "copied": "Copied: {filename}",
        "copy_failed": "Copying is not allowed here: select the file name and copy it.",
    }

    def option(name: str, value: str, label: str, data: str = "") -> str:
        return (
            f'<span class="la-apply__option"><input type="radio" name="{name}" '
            f'id="{name}-{value}" value="{value}"{data}> '
            f'<label for="{name}-{value}">{escape(label)}</label></span>'
        )

    signer = ""
    if who is not None:
        outcomes = "\n".join(
            f'<p data-case="{case}" markdown="span" hidden>{md_escape(o.text)} '
            f"({clause_links(o.clauses, link, kb)})</p>"
            for case, o in who.outcomes.items()
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
        signer = (
            f'<p class="la-lookup__hint" markdown="span">Our reading of '
            f"{clause_links(who.clauses, link, kb)}, not legal advice"
            + "".join(
                f": {clause_links([c], link, kb)} admits two readings, and this helper follows "
                "the cautious one"
                for c in who.clauses
                if kb.agreement.clause(c).readings
            )
            + ".</p>\n"
            f'<fieldset class="la-apply__question"><legend>Which describes you?</legend> {roles}'
            f"</fieldset>\n"
            f'<fieldset class="la-apply__question"><legend>Do you have a fixed email address at '
            f"your university or company?</legend> {email}</fieldset>\n"
            f'<div id="apply-signer" class="la-apply__signer" aria-live="polite" markdown>\n'
            f'<p data-case="unknown" markdown="span">Answer both questions to see who signs.</p>\n'
            f"{outcomes}\n</div>\n"
        )
    naming = ""
    names = app.filename
    if names is not None:
        forms = [("apply-filename", f"As the {abbr}'s text writes it", names.templates()["text"])]
        if "pdf" in names.templates():
            forms.append(
                (
                    "apply-filename-pdf",
                    "As the issuer's blank PDF writes it",
                    names.templates()["pdf"],
                )
            )
        outputs = "\n".join(
            f'<p class="la-apply__filename">{label}: <output id="{output}" '
            f'for="apply-signer-name" data-template="{escape(template)}" aria-live="polite">'
            f'</output> <button type="button" class="md-button" id="{output}-copy" '
            f'data-copy="{output}" disabled>Copy</button></p>'
            for output, label, template in forms
        )
        differ = (
            f'<p id="apply-filename-hint" class="la-lookup__hint">The {abbr} text and the '
            "issuer's blank PDF name the scan differently; both are the issuer's own, so both are "
            "shown.</p>\n"
            if len(forms) > 1
            else '<p id="apply-filename-hint" class="la-lookup__hint">The name the scan must '
            "have.</p>\n"
        )
        naming = (
            f'<p class="la-apply__field"><label for="apply-signer-name">Name of the person who '
            f"signs{' (you, or your supervisor)' if who else ''}</label> "
            f'<input type="text" id="apply-signer-name" autocomplete="name" '
            f'aria-describedby="apply-filename-hint apply-filename-error"></p>\n'
            f"{differ}{outputs}\n"
            f'<p id="apply-filename-error" class="la-apply__error" aria-live="assertive"></p>\n'
            f'<p id="apply-copy-status" class="la-lookup__hint" aria-live="polite"></p>\n'
        )
    below = ", and ".join(
        x
        for x in (
            "[who signs](#who-signs) is below, clause by clause" if who else "",
            "the file name is under [The file name](#file-name)" if names else "",
        )
        if x
    )
    return (
        f'<noscript markdown="1">\n\n'
        f"The helper cannot run here: {below}.\n\n</noscript>\n"
        f'<div class="la-widget la-apply" data-la-widget="apply" data-db="{kb.id}" '
        f'data-la-text="{_text(texts)}" hidden markdown>\n'
        f"{signer}{naming}"
        f"</div>\n"
    )
