"""mkdocs-macros entry point: registers the package's page renderers as macros, nothing more."""

from __future__ import annotations

import posixpath
from typing import Any

from casme3_compliance import load
from casme3_compliance.render import pages, widgets


def define_env(env: Any) -> None:
    def link(target: str) -> str:
        """A docs-relative target as a Markdown link from the page being rendered."""
        here = posixpath.dirname(env.page.file.src_uri)
        path, _, anchor = target.partition("#")
        rel = posixpath.relpath(path, here or ".") if path else ""
        return rel + (f"#{anchor}" if anchor else "")

    def register(name: str, render: Any) -> None:
        env.macro(lambda *args: render(load(), *args, link), name)

    register("terms", pages.terms)
    register("at_a_glance", pages.at_a_glance)
    register("subject_tables", pages.subject_tables)
    register("cite", pages.cite)
    register("checklists", pages.checklists)
    register("apply_steps", pages.apply_steps)
    register("rules_index", pages.rules_index)
    register("subject_lookup", widgets.subject_lookup)
    register("subject_lookup_compact", widgets.subject_lookup_compact)
    register("self_check", widgets.self_check)
    register("apply_helper", widgets.apply_helper)
    env.macro(lambda code: pages.rule_page(load(), load().rule(code), link), "rule_page")
