"""MkDocs hooks: the downloads, /api/*.json and the rule pages, generated as MkDocs files.

Generated in `on_files` (not written after the build) so the strict build checks every link to
them and the search index sees the rule pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import rcssmin
import rjsmin
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from casme3_compliance import DataError, load
from casme3_compliance.render import api, checklist, citation, csp, pages
from casme3_compliance.render.markdown import verdict_headings


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    try:
        kb = load()
    except DataError as e:  # One line naming file:line, and no site written.
        raise PluginError(str(e)) from None
    config.extra["la"] = {
        "notice": pages.notice(kb),
        "search": {
            "links": pages.subject_links(kb),
            "texts": verdict_headings(kb),
        },
    }
    # The rule pages are generated, so their nav entries come from the data too.
    for i, entry in enumerate(config.nav or []):
        if isinstance(entry, dict) and entry.get("Scan rules") == "rules/index.md":
            rules = [{f"{r.code} {r.name}": f"rules/{r.code}.md"} for r in kb.rules]
            config.nav[i] = {"Scan rules": ["rules/index.md", *rules]}
    return config


class Download(File):
    """A generated file served as it is, even when its name ends in .md."""

    def is_documentation_page(self) -> bool:
        return False


def generated(kb: Any) -> dict[str, str | bytes]:
    """Every generated file by its path under the site root."""
    files: dict[str, str | bytes] = {
        "downloads/casme3-checklist.md": checklist.render(kb, "md"),
        "downloads/casme3-checklist.json": checklist.render(kb, "json"),
        "downloads/casme3-checklist.pdf": checklist.render(kb, "pdf"),
        "downloads/casme3.bib": citation.render(kb.citation, "bibtex"),
        "downloads/casme3.ris": citation.render(kb.citation, "ris"),
        "downloads/CITATION.cff": citation.render(kb.citation, "cff"),
    }
    for name, build in api.DOCUMENTS.items():
        files[f"api/{name}.json"] = api.dumps(build(kb))
    files["rules/index.md"] = (
        "# Scan rules\n\n`casme3 scan` checks a manuscript or a repository against the LA. "
        "The first digit of a code is the LA section the rule enforces; CM0 codes are the "
        "scanner's own (what it could not check).\n\n"
        "{{ rules_index() }}\n"
    )
    for rule in kb.rules:
        files[f"rules/{rule.code}.md"] = f'{{{{ rule_page("{rule.code}") }}}}\n'
    return files


# Our own script and style sheet, served minified (the theme's are already); sources stay readable.
MINIFIED = {
    "assets/javascripts/casme3.js": rjsmin.jsmin,
    "assets/javascripts/casme3-search.js": rjsmin.jsmin,
    "assets/stylesheets/casme3.css": rcssmin.cssmin,
}


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for path, content in generated(load()).items():
        kind = File if path.startswith("rules/") else Download
        files.append(kind.generated(config, path, content=content))
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
