"""HTML of the site's interactive tools: subject lookup, the paper's check, apply helper.

The package renders every word a tool shows, in the family's language, from the message
catalogues (data/i18n/<lang>/messages/ui.yaml); docs/assets/javascripts/casme3*.js only parse,
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
"""The checklist the paper's check makes interactive (its id in checklists.yaml)."""
STORAGE = "casme3-self-check"
"""Where the paper's check keeps the reader's answers in the browser (local storage)."""


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


# --- Our texts, from the family's message catalogue -------------------------------------------


def fill(template: str, **slots: str) -> str:
    """`template` with each `{slot}` replaced, as casme3.js's fill does (no other brace is
    read, so a slot's value may hold any text)."""
    for key, value in slots.items():
        template = template.replace("{" + key + "}", value)
    return template


def html(kb: Database, key: str, **slots: str) -> str:
    """Our text `key` as HTML: the text escaped, then its `{slots}` filled with HTML."""
    return fill(escape(kb.texts[key], quote=False), **slots)


def md(kb: Database, key: str, **slots: str) -> str:
    """Our text `key`, which may hold Markdown, with its `{slots}` filled with Markdown."""
    return fill(kb.texts[key], **slots)


def join(kb: Database, key: str, items: list[str]) -> str:
    """`items` joined as the template `key` (`{a}, {b}`) joins two: a list, alternatives,
    sentences (each language joins them its own way)."""
    before, _, rest = kb.texts[key].partition("{a}")
    between, _, after = rest.partition("{b}")
    return before + between.join(items) + after if items else ""


def gap(kb: Database) -> str:
    """What stands between two sentences: a space in English, nothing in Chinese."""
    return join(kb, "ui.join.sentences", ["", ""])


def example(kb: Database) -> str:
    """One reference `kb`'s grammar reads: a listed subject where there is a list."""
    if kb.subjects is None:
        return "1"
    part = kb.subjects.parts[0]
    return part.name_of(part.list[0] if part.list else part.min or 1)


def examples(kb: Database) -> str:
    """Each part's way of writing a subject, from the data: `Parts A and B: spNO.1 (1 to 219).`"""
    if kb.subjects is None:
        unknown = kb.texts["verdict.unknown"].rstrip(".")
        return html(kb, "ui.lookup.not_public", name=escape(kb.name), verdict=escape(unknown))
    out = []
    for part in kb.subjects.parts:
        n = part.list[0] if part.list else part.min or 1
        forms = [part.name_of(n)] + ([part.short.replace("{n}", str(n))] if part.short else [])
        shown = join(kb, "ui.join.or", [f"<code>{escape(f)}</code>" for f in forms])
        if part.max is not None:
            out.append(
                html(
                    kb,
                    "ui.lookup.forms_range",
                    part=escape(part.name),
                    forms=shown,
                    min=str(part.min),
                    max=str(part.max),
                )
            )
        else:
            out.append(html(kb, "ui.lookup.forms", part=escape(part.name), forms=shown))
    return join(kb, "ui.join.sentences", out)


def lookup_databases(family: Family) -> list[Database]:
    """The databases a lookup can answer for: a rule for subjects, or an agreement we do not
    have (answered "unknown")."""
    return [db for db in family.databases if db.subjects is not None or not db.public]


def _texts(kb: Database) -> dict[str, str]:
    """What an answer about a subject says around the data's sentences (casme3.js answer())."""
    return {
        **verdict_headings(kb),
        "clause": kb.texts["ui.answer.clause"],
        "ask": kb.texts["ui.answer.ask"],
        "database": kb.texts["ui.answer.database"],
        "named": kb.texts["ui.answer.named"],
        "sentences": kb.texts["ui.join.sentences"],
        "list": kb.texts["ui.join.list"],
    }


def search(family: Family) -> dict[str, object]:
    """What casme3-search.js needs to put a subject's verdict first, in the family's language:
    the words of an answer, the default database, the prefix that names another."""
    return {"texts": _texts(family.db()), "default": family.default, "prefix": PREFIX}


def ui(family: Family) -> dict[str, str]:
    """The joins every script of a page may need (the comparison's list of databases)."""
    kb = family.db()
    return {"list": kb.texts["ui.join.list"], "sentences": kb.texts["ui.join.sentences"]}


def _hints(kb: Database, dbs: list[Database]) -> str:
    """Each database's way of writing a subject, only `kb`'s shown; each followed by the gap
    between two sentences."""
    return "".join(
        f'<span class="la-hint" data-db="{db.id}"{"" if db.id == kb.id else " hidden"}>'
        f"{examples(db)}</span>{gap(kb)}"
        for db in dbs
    )


def _lookup(kb: Database, dbs: list[Database], link: Link, compact: bool, tables: str) -> str:
    label = html(kb, "ui.lookup.subject")
    select = ""
    if len(dbs) > 1:
        options = "".join(
            f'<option value="{db.id}"{" selected" if db.id == kb.id else ""}>'
            f"{escape(db.name)}</option>"
            for db in dbs
        )
        select = (
            f'<p class="la-lookup__field"><label for="subject-lookup-db">'
            f"{html(kb, 'ui.lookup.database')}</label> "
            f'<select id="subject-lookup-db">{options}</select></p>\n'
        )
    hint = html(kb, "ui.lookup.hint")
    if len(dbs) > 1:
        other = _other(kb, dbs)
        code = f"<code>{escape(other.id)}:{escape(example(other))}</code>"
        hint = join(kb, "ui.join.sentences", [hint, html(kb, "ui.lookup.prefix", example=code)])
    return (
        f'<div class="la-widget la-lookup{" la-lookup--compact" if compact else ""}" '
        f'data-la-widget="subject-lookup" data-db="{kb.id}" data-la-prefix="{escape(PREFIX)}" '
        f'data-la-text="{_text(_texts(kb))}" hidden markdown>\n'
        f"{select}"
        f'<p class="la-lookup__field">'
        f'<label for="subject-lookup">{label}</label> '
        f'<input type="text" id="subject-lookup" autocomplete="off" autocapitalize="off" '
        f'spellcheck="false" aria-describedby="subject-lookup-hint"></p>\n'
        f'<p id="subject-lookup-hint" class="la-lookup__hint">{_hints(kb, dbs)}{hint}</p>\n'
        f'<p id="subject-lookup-result" class="la-lookup__result" aria-live="polite"></p>\n'
        f"</div>\n"
        f'<noscript markdown="1">\n\n'
        f"{md(kb, 'ui.lookup.noscript', tables=tables)}\n\n</noscript>\n"
    )


def _other(kb: Database, dbs: list[Database]) -> Database:
    """A database other than `kb`, for an example of a prefix (`kb` itself if none)."""
    return next((db for db in dbs if db.id != kb.id and db.subjects), kb)


def subject_lookup(kb: Database, link: Link) -> str:
    """The lookup on a database's subjects page: a field, the accepted forms, the answer."""
    return _lookup(kb, [kb], link, compact=False, tables=md(kb, "ui.lookup.tables_below"))


def subject_lookup_family(family: Family, link: Link) -> str:
    """The lookup on the home page: any database, the default one chosen; without JavaScript,
    each database's subject tables."""
    dbs = lookup_databases(family)
    kb = family.db()
    tables = join(
        kb,
        "ui.join.list",
        [f"[{md_escape(db.name)}]({link(doc(db, 'subjects'))})" for db in dbs if db.subjects],
    )
    return _lookup(kb, dbs, link, compact=True, tables=md(kb, "ui.lookup.tables_of", links=tables))


def _box_id(family: Family, db: Database, item_id: str) -> str:
    """The default database keeps the ids its check boxes had before the family."""
    return f"self-check-{item_id}" if db.id == family.default else f"self-check-{db.id}-{item_id}"


def _checklist_section(family: Family, db: Database, link: Link) -> str:
    chosen = " data-chosen" if db.id == family.default else ""
    head = f'<section class="la-check-db" data-db="{db.id}"{chosen} markdown>\n'
    if db.agreement is None:
        note = md(
            db, "ui.check.not_public", name=md_escape(db.name), href=link(doc(db) + "#not-public")
        )
        return head + f'<p class="la-check-db__note" markdown="span">{note}</p>\n</section>\n'
    checklist = next((c for c in db.checklists if c.id == PUBLISH), None)
    if checklist is None:
        note = md(db, "ui.check.no_checklist", name=md_escape(db.name), href=link(doc(db, "terms")))
        return head + f'<p class="la-check-db__note" markdown="span">{note}</p>\n</section>\n'
    items = "\n".join(
        f'<li class="la-check__item" markdown="span">'
        f'<input type="checkbox" id="{_box_id(family, db, item.id)}" data-item="{item.id}" '
        f'data-db="{db.id}"> '
        + md(
            db,
            "ui.with_clauses",
            text=f'<label for="{_box_id(family, db, item.id)}">{md_escape(item.text)}</label>',
            clauses=clause_links(item.clauses, link, db, title=False),
        )
        + "</li>"
        for item in checklist.items
    )
    fieldset_id = checklist.id if db.id == family.default else f"{db.id}-{checklist.id}"
    legend = html(db, "ui.check.legend", title=escape(checklist.title), name=escape(db.name))
    return (
        head + f'<fieldset class="la-check" id="{fieldset_id}" data-checklist="{checklist.id}" '
        f'data-db="{db.id}" markdown>\n'
        f"<legend>{legend}</legend>\n"
        f'<p markdown="span">{md_escape(checklist.intro)}</p>\n'
        f'<ul class="la-check__items" markdown>\n{items}\n</ul>\n</fieldset>\n</section>\n'
    )


_CHECK_TEXTS = (
    "none",
    "ready",
    "not_ready",
    "restricted_block",
    "approval_block",
    "unknown_block",
    "invalid_block",
    "unticked_block",
    "ambiguous",
    "no_subjects",
    "entry",
    "quoted",
    "legend",
    "md_title",
    "md_meta",
    "md_databases",
    "md_database",
    "md_not_public",
    "md_no_checklist",
    "md_subjects",
    "md_subject",
    "md_status",
    "md_clause",
    "md_clauses",
    "md_file",
)
"""The sentences of the paper's check its script fills in (ui.check.<name>)."""


def self_check(family: Family, link: Link) -> str:
    """The paper's check: the databases it uses, its subjects answered one by one (each in its
    database), each database's "Before you publish" items as check boxes, a status."""
    default = family.db()
    dbs = family.databases
    other = _other(default, lookup_databases(family))
    texts = {
        **_texts(default),
        **{name: default.texts[f"ui.check.{name}"] for name in _CHECK_TEXTS},
        "item": default.texts["ui.with_clauses"],
        "disclaimer": default.disclaimer,
    }
    boxes = " ".join(
        f'<span class="la-self-check__db"><input type="checkbox" id="self-check-db-{db.id}" '
        f'value="{db.id}"> <label for="self-check-db-{db.id}">{escape(db.name)}</label></span>'
        for db in dbs
    )
    sections = "".join(_checklist_section(family, db, link) for db in dbs)
    # The status of a first visit (no subject, nothing ticked, the default database), as the
    # script words it: shown before the script that checks comes.
    total = len(next((c.items for c in default.checklists if c.id == PUBLISH), ()))
    unticked = fill(texts["unticked_block"], n=str(total), total=str(total))
    first = (
        join(default, "ui.join.sentences", [texts["not_ready"], unticked])
        if total
        else texts["ready"]
    )
    code = f"<code>{escape(other.id)}:{escape(example(other))}</code>"
    hint = html(default, "ui.check.hint", example=code)
    return (
        f'<noscript markdown="1">\n\n{md(default, "ui.check.noscript")}\n\n</noscript>\n'
        f'<div class="la-widget la-self-check" data-la-widget="self-check" '
        f'data-default="{default.id}" data-la-storage="{STORAGE}" '
        f'data-la-prefix="{escape(PREFIX)}" '
        f'data-la-ids="{" ".join(db.id for db in lookup_databases(family))}" '
        f'data-la-text="{_text(texts)}" hidden markdown>\n'
        f'<fieldset class="la-self-check__dbs" id="self-check-databases"><legend>'
        f"{html(default, 'ui.check.databases')}</legend> {boxes}</fieldset>\n"
        f'<p class="la-lookup__hint">'
        f"{html(default, 'ui.check.default', name=escape(default.name))}</p>\n"
        f'<div class="la-self-check__field"><label for="self-check-subjects">'
        f"{html(default, 'ui.check.subjects')}</label>\n"
        f'<textarea id="self-check-subjects" rows="4" autocomplete="off" spellcheck="false" '
        f'aria-describedby="self-check-subjects-hint"></textarea></div>\n'
        f'<p id="self-check-subjects-hint" class="la-lookup__hint">'
        f"{hint}{gap(default)}{_hints(default, lookup_databases(family))}"
        f"{html(default, 'ui.check.hint_end')}</p>\n"
        f'<ul id="self-check-results" class="la-self-check__results" aria-live="polite"></ul>\n'
        f"</div>\n"
        f'<div class="la-check-dbs" markdown>\n{sections}</div>\n'
        f'<div class="la-widget la-self-check__end" data-la-widget="self-check-end" hidden>\n'
        f'<p id="self-check-status" class="la-self-check__status" aria-live="polite" '
        f'data-status="{"not-ready" if total else "ready"}">{escape(first)}</p>\n'
        f'<p class="la-self-check__actions">'
        f'<button type="button" class="md-button md-button--primary" id="self-check-download">'
        f"{html(default, 'ui.check.download')}</button> "
        f'<button type="button" class="md-button" id="self-check-reset">'
        f"{html(default, 'ui.check.reset')}</button></p>\n"
        f'<p class="la-lookup__hint">{html(default, "ui.check.privacy")}</p>\n'
        f"</div>\n"
    )


_APPLY_TEXTS = ("empty", "forbidden", "blank", "too_long", "copied", "copy_failed")
"""The sentences of the apply helper its script fills in (ui.apply.<name>)."""


def apply_helper(kb: Database, link: Link) -> str:
    """Who signs, from the role and the work email (the data's table, our reading of the
    agreement's clauses on who signs), and the file name of the scan as the agreement's
    documents write it: each part where the data has it."""
    app = kb.agreement.application
    who = app.who_signs
    abbr = escape(kb.agreement.abbreviation)
    texts = {name: kb.texts[f"ui.apply.{name}"] for name in _APPLY_TEXTS}

    def option(name: str, value: str, label: str, data: str = "") -> str:
        return (
            f'<span class="la-apply__option"><input type="radio" name="{name}" '
            f'id="{name}-{value}" value="{value}"{data}> '
            f'<label for="{name}-{value}">{escape(label)}</label></span>'
        )

    signer = ""
    if who is not None:
        outcomes = "\n".join(
            f'<p data-case="{case}" markdown="span" hidden>'
            + md(
                kb,
                "ui.with_clauses",
                text=md_escape(o.text),
                clauses=clause_links(o.clauses, link, kb),
            )
            + "</p>"
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
        email = (
            option("apply-email", "yes", kb.texts["ui.apply.yes"])
            + " "
            + option("apply-email", "no", kb.texts["ui.apply.no"])
        )
        two = [clause_links([c], link, kb) for c in who.clauses if kb.agreement.clause(c).readings]
        clauses = clause_links(who.clauses, link, kb)
        reading = (
            md(kb, "ui.apply.reading_two", clauses=clauses, clause=join(kb, "ui.join.list", two))
            if two
            else md(kb, "ui.apply.reading", clauses=clauses)
        )
        signer = (
            f'<p class="la-lookup__hint" markdown="span">{reading}</p>\n'
            f'<fieldset class="la-apply__question"><legend>{html(kb, "ui.apply.role")}'
            f"</legend> {roles}</fieldset>\n"
            f'<fieldset class="la-apply__question"><legend>{html(kb, "ui.apply.email")}'
            f"</legend> {email}</fieldset>\n"
            f'<div id="apply-signer" class="la-apply__signer" aria-live="polite" markdown>\n'
            f'<p data-case="unknown" markdown="span">{md(kb, "ui.apply.unknown")}</p>\n'
            f"{outcomes}\n</div>\n"
        )
    naming = ""
    names = app.filename
    if names is not None:
        forms = [
            ("apply-filename", html(kb, "ui.apply.as_text", abbr=abbr), names.templates()["text"])
        ]
        if "pdf" in names.templates():
            forms.append(
                ("apply-filename-pdf", html(kb, "ui.apply.as_pdf"), names.templates()["pdf"])
            )
        outputs = "\n".join(
            '<p class="la-apply__filename">'
            + html(
                kb,
                "ui.apply.filename",
                label=label,
                output=f'<output id="{output}" for="apply-signer-name" '
                f'data-template="{escape(template)}" aria-live="polite"></output>',
            )
            + f' <button type="button" class="md-button" id="{output}-copy" '
            f'data-copy="{output}" disabled>{html(kb, "ui.apply.copy")}</button></p>'
            for output, label, template in forms
        )
        differ = (
            html(kb, "ui.apply.differ", abbr=abbr)
            if len(forms) > 1
            else html(kb, "ui.apply.one_name")
        )
        name = html(kb, "ui.apply.name_or_supervisor" if who else "ui.apply.name")
        naming = (
            f'<p class="la-apply__field"><label for="apply-signer-name">{name}</label> '
            f'<input type="text" id="apply-signer-name" autocomplete="name" '
            f'aria-describedby="apply-filename-hint apply-filename-error"></p>\n'
            f'<p id="apply-filename-hint" class="la-lookup__hint">{differ}</p>\n'
            f"{outputs}\n"
            f'<p id="apply-filename-error" class="la-apply__error" aria-live="assertive"></p>\n'
            f'<p id="apply-copy-status" class="la-lookup__hint" aria-live="polite"></p>\n'
        )
    below = join(
        kb,
        "ui.join.and",
        [
            md(kb, key)
            for key, shown in (("ui.apply.below_who", who), ("ui.apply.below_file", names))
            if shown
        ],
    )
    return (
        f'<noscript markdown="1">\n\n'
        f"{md(kb, 'ui.apply.noscript', below=below)}\n\n</noscript>\n"
        f'<div class="la-widget la-apply" data-la-widget="apply" data-db="{kb.id}" '
        f'data-la-text="{_text(texts)}" hidden markdown>\n'
        f"{signer}{naming}"
        f"</div>\n"
    )
