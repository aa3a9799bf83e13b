"""mkdocs-macros entry point: registers the package's page renderers as macros, nothing more.

A macro about one database takes its id (`{{ terms("casme3") }}`; the family's default when
left out); the pages about every database take none.
"""

from __future__ import annotations

import posixpath
from typing import Any

from mkdocs.exceptions import PluginError

from casme3_compliance import DataError, load_family
from casme3_compliance.render import pages, widgets


def define_env(env: Any) -> None:
    # Once per build: define_env runs again on every rebuild of `mkdocs serve`.
    try:
        family = load_family()
    except DataError as e:  # one line naming file:line, no traceback, no site
        raise PluginError(str(e)) from None

    def link(target: str) -> str:
        """A docs-relative target as a Markdown link from the page being rendered."""
        here = posixpath.dirname(env.page.file.src_uri)
        path, _, anchor = target.partition("#")
        rel = posixpath.relpath(path, here or ".") if path else ""
        return rel + (f"#{anchor}" if anchor else "")

    def page_url(target: str) -> str:
        """A URL from the site's root (`self-check/`) as a URL from the page being rendered,
        for HTML that MkDocs does not rewrite (a form's action)."""
        here = env.page.url
        rel = posixpath.relpath(target or ".", here or ".")
        return "./" if rel == "." else rel + ("/" if target.endswith("/") else "")

    def per_database(name: str, render: Any) -> None:
        env.macro(lambda db=None: render(family.db(db), link), name)

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
    env.macro(lambda: pages.hub(family, link, page_url), "hub")
    env.macro(lambda: pages.compare(family, link), "compare")
    env.macro(lambda: pages.rules_index(family, link), "rules_index")
    env.macro(lambda: widgets.subject_lookup_family(family, link), "subject_lookup")
    env.macro(lambda: widgets.self_check(family, link), "self_check")
    env.macro(lambda code: pages.rule_page(family, family.rule(code), link), "rule_page")
