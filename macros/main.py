"""mkdocs-macros entry point: registers the package's page renderers as macros, nothing more.

A macro about one database takes its id (`{{ terms("casme3") }}`; the family's default when
left out); the pages about every database take none. A page of another language's edition (a
folder named by a language's code, `zh/casme3/terms.md`) is rendered from the family in that
language, and its links stay in that edition.
"""

from __future__ import annotations

import posixpath
from typing import Any

from mkdocs.exceptions import PluginError

from casme3_compliance import DataError, load_family
from casme3_compliance.render import croissant, pages, policy, widgets


def define_env(env: Any) -> None:
    # Once per build: define_env runs again on every rebuild of `mkdocs serve`.
    try:
        family = load_family()
    except DataError as e:  # one line naming file:line, no traceback, no site
        raise PluginError(str(e)) from None
    codes = {x["code"] for x in family.languages} - {family.lang}
    families = {family.lang: family}

    def edition() -> tuple[Any, str]:
        """The family of the page being rendered, in its edition's language, and the folder of
        that edition (`` for the default language, `zh/`)."""
        first = env.page.file.src_uri.split("/", 1)[0]
        if first not in codes or "/" not in env.page.file.src_uri:
            return family, ""
        if first not in families:
            families[first] = load_family(lang=first)
        return families[first], f"{first}/"

    def link(target: str) -> str:
        """A target of the page's edition (`casme3/terms.md#clause-3-4`, relative to the
        edition's folder) as a Markdown link from the page being rendered."""
        return pages.linker(env.page.file.src_uri, edition()[1])(target)

    def page_url(target: str) -> str:
        """A URL of the page's edition (`self-check/`) as a URL from the page being rendered,
        for HTML that MkDocs does not rewrite (a form's action)."""
        here = env.page.url
        target = edition()[1] + target
        rel = posixpath.relpath(target or ".", here or ".")
        return "./" if rel == "." else rel + ("/" if target.endswith("/") else "")

    def per_database(name: str, render: Any) -> None:
        env.macro(lambda db=None: render(edition()[0].db(db), link), name)

    for name in (
        "database_home",
        "terms",
        "at_a_glance",
        "subjects_page",
        "cite",
        "checklists",
        "apply_page",
    ):
        per_database(name, getattr(pages, name))
    documents: dict[str, dict] = {}

    def croissant_documents() -> dict[str, dict]:
        """Every database's Croissant JSON-LD, as the downloads serve it (once a build)."""
        if not documents:
            documents.update(croissant.documents(env.conf["site_url"]))
        return documents

    env.macro(
        lambda db=None: policy.policy_page(
            edition()[0].db(db), link, croissant_documents()[edition()[0].db(db).id]
        ),
        "policy_page",
    )
    env.macro(
        lambda: policy.profile_page(edition()[0], link, croissant_documents()),
        "profile_page",
    )
    env.macro(lambda: pages.hub(edition()[0], link, page_url), "hub")
    env.macro(lambda: pages.compare(edition()[0], link), "compare")
    env.macro(lambda: pages.rules_index(edition()[0], link), "rules_index")
    env.macro(lambda: widgets.subject_lookup_family(edition()[0], link), "subject_lookup")
    env.macro(lambda: widgets.self_check(edition()[0], link), "self_check")
    env.macro(
        lambda code: pages.rule_page(edition()[0], edition()[0].rule(code), link), "rule_page"
    )
