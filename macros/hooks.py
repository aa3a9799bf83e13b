"""MkDocs hooks: each database's pages, the downloads, /api/ and the rule pages, generated as
MkDocs files from the family's data; the moved pages' redirects; each page's
Content-Security-Policy.

Generated in `on_files` (not written after the build) so the strict build checks every link to
them and the search index sees the pages. A database is added as data: its pages, its nav
section, its documents and its downloads follow from data/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import rcssmin
import rjsmin
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from casme3_compliance import DataError, load_family
from casme3_compliance.render import api, checklist, citation, csp, pages, widgets

RESERVED = {"api", "assets", "downloads", "rules", "search", "usage", "compare", "self-check"}
"""Folders of the site itself: no database can have one of these as its id."""


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    try:
        family = load_family()
    except DataError as e:  # One line naming file:line, and no site written.
        raise PluginError(str(e)) from None
    taken = (RESERVED | {old.strip("/") for old in pages.redirects(family)}) & set(family.ids)
    if taken:
        raise PluginError(f"databases.yaml: database ids {sorted(taken)} name the site's own pages")
    config.extra["la"] = {
        "notices": {
            "": pages.family_notice(family),
            **{db.id: pages.notice(db) for db in family.databases},
        },
        "search": widgets.search(family),
        "ui": widgets.ui(family),
    }
    # Each database's pages and each rule's are generated, so their nav entries come from the
    # data too.
    config.nav = pages.site_nav(family, config.nav)
    return config


class Download(File):
    """A generated file served as it is, even when its name ends in .md or .html."""

    def is_documentation_page(self) -> bool:
        return False


def generated(family: Any, site_url: str = "") -> tuple[dict[str, str], dict[str, str | bytes]]:
    """(the pages, the other files), each by its path: Markdown pages under docs/, downloads,
    API documents and the moved pages' redirects as they are served."""
    docs: dict[str, str] = {}
    files: dict[str, str | bytes] = {}
    for db in family.databases:
        for slug, _ in pages.page_set(db):
            docs[f"{db.id}/{slug or 'index'}.md"] = pages.page_source(db, slug)
        for path in pages.downloads(db):
            name = path.rsplit("/", 1)[-1]
            if name.endswith("-checklist.md"):
                files[path] = checklist.render(db, "md")
            elif name.endswith("-checklist.json"):
                files[path] = checklist.render(db, "json")
            elif name.endswith("-checklist.pdf"):
                files[path] = checklist.render(db, "pdf")
            elif name.endswith(".bib"):
                files[path] = citation.render(db.citation, "bibtex")
            elif name.endswith(".ris"):
                files[path] = citation.render(db.citation, "ris")
            elif name == "CITATION.cff":
                files[path] = citation.render(db.citation, "cff")
    # Before the family, the default database's CITATION.cff was the only one.
    files["downloads/CITATION.cff"] = files[f"downloads/{family.default}/CITATION.cff"]
    files.update(api.files(family))
    docs["rules/index.md"] = (
        f"# {family.t('ui.rules.title')}\n\n{family.t('ui.rules.intro')}\n\n"
        "{{ rules_index() }}\n"
    )
    for rule in family.rules:
        docs[f"rules/{rule.code}.md"] = f'{{{{ rule_page("{rule.code}") }}}}\n'
    default = family.db()
    for old, new in pages.redirects(family).items():
        slug = new.rstrip("/").rsplit("/", 1)[-1]
        title = pages.page_heading(default, slug)
        html = pages.redirect_page(old, new, title, site_url)
        files[f"{old}index.html"] = csp.add_meta(html)
    return docs, files


# Our own script and style sheet, served minified (the theme's are already); sources stay readable.
MINIFIED = {
    "assets/javascripts/casme3.js": rjsmin.jsmin,
    "assets/javascripts/casme3-search.js": rjsmin.jsmin,
    "assets/javascripts/casme3-check.js": rjsmin.jsmin,
    "assets/javascripts/casme3-parse.js": rjsmin.jsmin,
    "assets/javascripts/casme3-apply.js": rjsmin.jsmin,
    "assets/stylesheets/casme3.css": rcssmin.cssmin,
}


def on_files(files: Files, config: MkDocsConfig) -> Files:
    docs, other = generated(load_family(), config.site_url or "")
    for path, content in docs.items():
        files.append(File.generated(config, path, content=content))
    for path, content in other.items():
        files.append(Download.generated(config, path, content=content))
    for path, minify in MINIFIED.items():
        source = files.get_file_from_path(path)
        if source is not None:
            files.remove(source)
            text = Path(source.abs_src_path).read_text("utf-8")
            files.append(Download.generated(config, path, content=minify(text)))
    return files


def on_post_page(output: str, page: Any, config: MkDocsConfig) -> str:
    """Every page carries its Content-Security-Policy (casme3_compliance.render.csp)."""
    return csp.add_meta(output)
