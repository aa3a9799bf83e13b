"""MkDocs hooks: each database's pages, the downloads, /api/ and the rule pages, generated as
MkDocs files from the family's data, in every language the site is built in; the moved pages'
redirects; each page's Content-Security-Policy.

Generated in `on_files` (not written after the build) so the strict build checks every link to
them and the search index sees the pages. A database is added as data: its pages, its nav
section, its documents and its downloads follow from data/.

One build, every edition. The default language (data/i18n/languages.yaml) is at the site's root;
each other language built is a whole edition under a folder named by its code (`zh/casme3/
terms/`): its pages, downloads and /api/ documents rendered from the family in that language,
its own nav, notices, search index and sitemap, and the words of the theme in that language. A
language is built when its status is `complete`; a draft only when CASME3_PREVIEW_LANGUAGES
names it (the tests and previews of a translation in progress). Every edition has the same
pages, at the same paths below its folder, with the same element ids.
"""

from __future__ import annotations

import copy
import gzip
import json
import logging
import os
import re
from html import escape
from pathlib import Path
from typing import Any

import rcssmin
import rjsmin
import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section

from casme3_compliance import DataError, load_family
from casme3_compliance.knowledge.paths import data_dir
from casme3_compliance.render import (
    api,
    checklist,
    citation,
    croissant,
    csp,
    pages,
    policy,
    widgets,
)

RESERVED = {
    "api",
    "assets",
    "downloads",
    "rules",
    "search",
    "usage",
    "compare",
    "self-check",
    "policy",
}
"""Folders of the site itself: no database can have one of these as its id (nor a language's
code, the folder of its edition)."""

PREVIEW = "CASME3_PREVIEW_LANGUAGES"
"""Draft languages to build as well, comma-separated codes of data/i18n/languages.yaml: for
tests and previews only. A draft says in English what it does not say yet; it is never shipped
(its status becomes `complete` when it is)."""

_state: dict[str, Any] = {}
"""What one build has worked out (the hooks module is loaded once for every `mkdocs serve`
rebuild, so on_config starts it afresh)."""


def editions(family: Any) -> list[dict[str, str]]:
    """The languages the site is built in, the default first: each language of languages.yaml
    (`code`, `name`, `html`, `theme`, `search`, `status`) with `prefix`, the folder of its
    edition (`` for the default language, `zh/` for Chinese)."""
    wanted = [c.strip() for c in os.environ.get(PREVIEW, "").split(",") if c.strip()]
    known = [x["code"] for x in family.languages]
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise PluginError(
            f"{PREVIEW}: no language {unknown[0]!r} in i18n/languages.yaml "
            f"(known: {', '.join(known)})"
        )
    shipped = {x["code"] for x in family.shipped}
    built = [x for x in family.languages if x["code"] in shipped | set(wanted) | {family.lang}]
    built.sort(key=lambda x: x["code"] != family.lang)
    return [{**x, "prefix": "" if x["code"] == family.lang else f"{x['code']}/"} for x in built]


def edition_of(src_uri: str) -> dict[str, str]:
    """The edition a file belongs to, by the folder it is in."""
    built = _state["editions"]
    return next((e for e in built[1:] if src_uri.startswith(e["prefix"])), built[0])


def _titled(nav: list, family: Any) -> list:
    """mkdocs.yml's nav with each page written by hand titled in the family's language
    (`usage/cli.md`: the message ui.nav.usage.cli)."""
    out: list = []
    for entry in nav or []:
        key = ""
        if isinstance(entry, str):
            key = "ui.nav." + entry.removesuffix(".md").replace("/", ".")
        out.append({family.t(key): entry} if key in family.texts else entry)
    return out


def _prefixed(nav: Any, prefix: str) -> Any:
    """A nav with every page's path moved into an edition's folder."""
    if isinstance(nav, list):
        return [_prefixed(x, prefix) for x in nav]
    if isinstance(nav, dict):
        return {k: _prefixed(v, prefix) for k, v in nav.items()}
    return prefix + nav if isinstance(nav, str) and "://" not in nav else nav


def _la(family: Any, edition: dict[str, str], built: list[dict[str, str]]) -> dict[str, Any]:
    """What the templates (docs/overrides/) show of one edition, in its language."""
    return {
        "edition": edition,
        "editions": built,
        "notices": {
            "": pages.family_notice(family),
            **{db.id: pages.notice(db) for db in family.databases},
        },
        "search": widgets.search(family),
        "ui": widgets.ui(family),
        "palette": {
            scheme: escape(family.t(f"ui.site.palette.{scheme}")) for scheme in ("default", "slate")
        },
        "made_with": escape(family.t("ui.site.made_with")),
        "notice_link": escape(family.t("ui.site.notice_link")),
        "gap": widgets.gap(family.db()),
        "source": escape(family.t("ui.site.source")),
        "source_title": escape(family.t("ui.site.source_title")),
        "logo": escape(family.t("ui.site.logo")),
    }


def _site_texts(family: Any) -> dict[str, str]:
    """The config's own texts (the site's name, description, footer) in the family's language."""
    return {
        "site_name": family.t("ui.site.name"),
        "site_description": family.t("ui.site.description"),
        "copyright": family.t("ui.site.copyright"),
    }


def _segment_terms(built: list[dict[str, str]]) -> None:
    """The glossary's terms (data/i18n/<lang>/glossary.yaml) are words to jieba, which the search
    plugin segments Chinese with: 受限 and 被试 are found as the glossary writes them."""
    try:
        import jieba
    except ImportError:  # the search plugin would index Chinese as runs of unsplit characters
        raise PluginError("jieba is not installed: pip install -e '.[site]'") from None
    jieba.setLogLevel(logging.WARNING)  # not its "Building prefix dict" lines in every build
    for edition in built:
        path = data_dir() / "i18n" / edition["code"] / "glossary.yaml"
        if path.is_file():
            for term in yaml.safe_load(path.read_text("utf-8"))["terms"]:
                jieba.add_word(term[edition["code"]])


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _state.clear()
    try:
        family = load_family()
        built = editions(family)
        families = {
            e["code"]: family if e["code"] == family.lang else load_family(lang=e["code"])
            for e in built
        }
    except DataError as e:  # One line naming file:line, and no site written.
        raise PluginError(str(e)) from None
    reserved = RESERVED | {x["code"] for x in family.languages}
    taken = (reserved | {old.strip("/") for old in pages.redirects(family)}) & set(family.ids)
    if taken:
        raise PluginError(f"databases.yaml: database ids {sorted(taken)} name the site's own pages")
    _state.update(editions=built, families=families, texts={}, la={})
    nav: list = []
    for edition in built:
        ours = families[edition["code"]]
        _state["la"][edition["code"]] = _la(ours, edition, built)
        _state["texts"][edition["code"]] = _site_texts(ours)
        # Each database's pages and each rule's are generated, so their nav entries come from
        # the data too; each edition's nav is a section of the one nav, shown alone on its
        # pages (on_page_context).
        section = _prefixed(pages.site_nav(ours, _titled(config.nav, ours)), edition["prefix"])
        nav += [{edition["name"]: section}] if edition["prefix"] else section
    config.nav = nav
    default = built[0]["code"]
    config.update(_state["texts"][default])
    # A heading's permanent link is titled in the default language by Markdown's toc, in each
    # other edition's language by on_page_content.
    config.mdx_configs.setdefault("toc", {})["permalink_title"] = families[default].t(
        "ui.site.permalink"
    )
    config.extra["la"] = _state["la"][default]
    if len(built) > 1:
        _segment_terms(built[1:])
    return config


class Download(File):
    """A generated file served as it is, even when its name ends in .md or .html."""

    def is_documentation_page(self) -> bool:
        return False


def _rendered(markdown: str, meta: str = "") -> str:
    """A generated page, already rendered by the package: mkdocs-macros leaves it as it is
    (`render_macros: false`), so no Jinja pass runs over it and nothing in it (BibTeX's `{{`)
    is read as a template."""
    return f"---\nrender_macros: false\n{meta}---\n{markdown}"


def generated(
    family: Any, site_url: str = "", prefix: str = "", documents: dict[str, dict] | None = None
) -> tuple[dict[str, str], dict[str, str | bytes]]:
    """(the pages, the other files), each by its path: Markdown pages under docs/, downloads,
    API documents and the moved pages' redirects as they are served; for the edition under the
    folder `prefix` (`zh/`), in the family's language. `documents` are the Croissant documents
    by database (the same in every edition).

    Each page is written already rendered by the package (no mkdocs-macros pass, _rendered);
    a page of a database's set whose renderer is neither in render/pages.py nor given here is
    written as its macro call, for mkdocs-macros to render."""
    documents = documents or {}
    # The renderers of pages.py take (database, link); these need more.
    renderers = {"policy": lambda kb, link: policy.policy_page(kb, link, documents[kb.id])}
    docs: dict[str, str] = {}
    files: dict[str, str | bytes] = {}
    for db in family.databases:
        # The default database's pages come first in the search where every database's page
        # says the same words (引用 on every citation page): it is the site's default.
        boost = "search:\n  boost: 2\n" if db.id == family.default else ""
        for slug, _ in pages.page_set(db):
            path = f"{db.id}/{slug or 'index'}.md"
            link = pages.linker(prefix + path, prefix)
            body = pages.page_markdown(db, slug, link, renderers.get(slug))
            if body is None:
                docs[path] = (f"---\n{boost}---\n" if boost else "") + pages.page_source(db, slug)
            else:
                docs[path] = _rendered(body, boost)
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
            elif name.endswith(".croissant.json"):
                text = croissant.dumps(documents[db.id])
                files[path] = files[f"api/{db.id}/croissant.json"] = text
    files.update(api.files(family))
    if documents:
        link = pages.linker(prefix + "policy/index.md", prefix)
        docs["policy/index.md"] = _rendered(
            f"# {family.t('policy.profile.heading')} {{ #profile }}\n\n"
            + policy.profile_page(family, link, documents)
            + "\n"
        )
    index = pages.rules_index(family, pages.linker(prefix + "rules/index.md", prefix))
    docs["rules/index.md"] = _rendered(
        f"# {family.t('ui.rules.title')} {{ #scan-rules }}\n\n{family.t('ui.rules.intro')}\n\n"
        + index
    )
    for rule in family.rules:
        path = f"rules/{rule.code}.md"
        docs[path] = _rendered(pages.rule_page(family, rule, pages.linker(prefix + path, prefix)))
    if prefix:
        return (
            {prefix + path: text for path, text in docs.items()},
            {prefix + path: data for path, data in files.items()},
        )
    # Before the family, the default database's CITATION.cff was the only one.
    files["downloads/CITATION.cff"] = files[f"downloads/{family.default}/CITATION.cff"]
    default = family.db()
    for old, new in pages.redirects(family).items():
        slug = new.rstrip("/").rsplit("/", 1)[-1]
        title = pages.page_heading(default, slug)
        page = pages.redirect_page(old, new, title, site_url)
        files[f"{old}index.html"] = csp.add_meta(page)
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


_PALETTE_FILE = re.compile(r"assets/stylesheets/palette\.\w+\.min\.css")
_PALETTE_LINK = re.compile(r'<link rel="stylesheet" href="[^"]*' + _PALETTE_FILE.pattern + '">\n?')
_COLOR = re.compile(r"\[data-md-color-([\w-]+)=\"?([\w-]+)\"?\]")


def _top_level(text: str, sep: str) -> list[str]:
    """`text` split at each `sep` outside parentheses (a selector list: `a:not(b,c),d`)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == sep and not depth:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def palette_subset(css: str, used: dict[str, set[str]]) -> str:
    """The rules of Material's minified palette style sheet that the site's palette can match:
    a selector naming `[data-md-color-primary=red]` is kept only when `red` is among
    `used["primary"]` (likewise scheme and accent); a selector naming no color, or an attribute
    not in `used`, is kept. At-rules (`@media`) keep what is left inside them."""
    out: list[str] = []
    i = 0
    while i < len(css):
        start = css.find("{", i)
        if start < 0:
            break
        depth, end = 1, start + 1
        while depth:
            depth += (css[end] == "{") - (css[end] == "}")
            end += 1
        head, body = css[i:start], css[start + 1 : end - 1]
        if head.lstrip().startswith("@"):
            inner = palette_subset(body, used)
            if inner:
                out.append(f"{head}{{{inner}}}")
        else:
            kept = [
                s
                for s in _top_level(head, ",")
                if all(v in used.get(k, {v}) for k, v in _COLOR.findall(s))
            ]
            if kept:
                out.append(",".join(kept) + "{" + body + "}")
        i = end
    return "".join(out)


def _palette_used(config: MkDocsConfig) -> dict[str, set[str]]:
    """The schemes, primary and accent colors the theme's palette names (`default` is the
    scheme of a palette entry that names none)."""
    palette = config.theme.get("palette") or []
    entries = [palette] if isinstance(palette, dict) else palette
    used: dict[str, set[str]] = {"scheme": set(), "primary": set(), "accent": set()}
    for entry in entries:
        for key in used:
            used[key].add(str(entry.get(key) or "default").replace(" ", "-").lower())
    return used


def on_files(files: Files, config: MkDocsConfig) -> Files:
    built = _state["editions"]
    # The pages written by hand for a language that is not built (a draft) are left out.
    codes = {e["code"] for e in built}
    for x in load_family().languages:
        if x["code"] not in codes:
            for file in [f for f in files if f.src_uri.startswith(f"{x['code']}/")]:
                files.remove(file)
    documents = croissant.documents(config.site_url)
    for edition in built:
        family = _state["families"][edition["code"]]
        docs, other = generated(family, config.site_url or "", edition["prefix"], documents)
        for path, content in docs.items():
            files.append(File.generated(config, path, content=content))
        for path, content in other.items():
            files.append(Download.generated(config, path, content=content))
    # Material's palette style sheet holds every color it offers (2 KiB gzipped on each first
    # visit, and a request that blocks rendering): the rules the site's palette can match go
    # at the head of our own style sheet, and the pages link no palette sheet (on_post_page).
    # The theme's own pages (404.html) still link it: it is served with those rules only.
    palette = ""
    for file in [f for f in files if _PALETTE_FILE.fullmatch(f.src_uri)]:
        if config.theme.get("palette") and config.extra_css:
            files.remove(file)
            text = Path(file.abs_src_path).read_text("utf-8")
            palette = palette_subset(text, _palette_used(config))
            files.append(Download.generated(config, file.src_uri, content=palette))
    _state["palette"] = palette
    for path, minify in MINIFIED.items():
        source = files.get_file_from_path(path)
        if source is not None:
            files.remove(source)
            text = minify(Path(source.abs_src_path).read_text("utf-8"))
            if path == config.extra_css[0]:
                text = palette + text
            files.append(Download.generated(config, path, content=text))
    return files


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    """Each edition's own nav (its section of the one nav), home and page order: no link from
    one edition's pages leads into another's, but the language switch."""
    built = _state["editions"]
    sections = {item.title: item for item in nav.items if isinstance(item, Section) and item.title}
    navs = {}
    for edition in built:
        if edition["prefix"]:
            items = sections[edition["name"]].children
        else:
            others = {e["name"] for e in built[1:]}
            items = [i for i in nav.items if not (isinstance(i, Section) and i.title in others)]
        own = [p for p in nav.pages if edition_of(p.file.src_uri) is edition]
        navs[edition["code"]] = Navigation(items, own)
        navs[edition["code"]].homepage = next(
            (p for p in own if p.file.src_uri == edition["prefix"] + "index.md"), None
        )
        for page in own:
            if page.previous_page and edition_of(page.previous_page.file.src_uri) is not edition:
                page.previous_page = None
            if page.next_page and edition_of(page.next_page.file.src_uri) is not edition:
                page.next_page = None
    _state["navs"] = navs
    return nav


def on_page_context(context: dict, page: Any, config: MkDocsConfig, nav: Navigation) -> dict:
    """A page is shown in its edition: its nav, and the config's texts in its language."""
    edition = edition_of(page.file.src_uri)
    context["nav"] = _state["navs"][edition["code"]]
    if edition["prefix"]:
        configs = _state.setdefault("configs", {})
        if edition["code"] not in configs:
            localized = copy.copy(config)
            localized.update(_state["texts"][edition["code"]])
            localized["extra"] = {**config.extra, "la": _state["la"][edition["code"]]}
            configs[edition["code"]] = localized
        context["config"] = configs[edition["code"]]
    return context


def on_template_context(context: dict, template_name: str, config: MkDocsConfig) -> dict:
    """The theme's own pages (404.html) are the default edition's: its nav only."""
    if "navs" in _state:
        context["nav"] = _state["navs"][_state["editions"][0]["code"]]
    return context


_HEADING = re.compile(r'<h[1-6] id="([^"]*)"')


def on_page_content(content: str, page: Any, config: MkDocsConfig, files: Files) -> str:
    """An edition's headings: the ids of the default edition's twin (Markdown's toc derives
    them from the words, so `## 许可事项` would be #_1 where `## Permissions` is #permissions),
    and their permanent links titled in the edition's language. A default-edition page is
    rendered before its twins (generated in that order, docs/zh/ after docs/)."""
    edition = edition_of(page.file.src_uri)
    path = page.file.src_uri.removeprefix(edition["prefix"])
    ids = _HEADING.findall(content)
    if not edition["prefix"]:
        _state.setdefault("ids", {})[path] = ids
        return content
    theirs = _state.get("ids", {}).get(path)
    if theirs and len(theirs) == len(ids):
        renamed = {old: new for old, new in zip(ids, theirs, strict=True) if old != new}
        if renamed:
            swap = re.compile(r'(id="|href="#)(' + "|".join(map(re.escape, renamed)) + ')"')
            content = swap.sub(lambda m: f'{m[1]}{renamed[m[2]]}"', content)
            _rename_toc(page.toc, renamed)
    default = escape(_state["families"][_state["editions"][0]["code"]].t("ui.site.permalink"))
    title = escape(_state["families"][edition["code"]].t("ui.site.permalink"))
    link = re.compile(rf'(<a class="headerlink" href="[^"]*" title="){re.escape(default)}"')
    return link.sub(lambda m: f'{m[1]}{title}"', content)


def _rename_toc(toc: Any, renamed: dict[str, str]) -> None:
    for item in toc:
        item.id = renamed.get(item.id, item.id)
        _rename_toc(item.children, renamed)


_KEEP = re.compile(r"<(pre|textarea|script|style|code)\b.*?</\1>", re.S)
_BREAK = re.compile(r"\n\s+")


def compact(html: str) -> str:
    """`html` without the blank lines and indents the theme's templates leave (6% of a page
    gzipped): each run of white space that holds a line break becomes one line break, which
    renders the same; the text of <pre>, <textarea>, <code>, <script> and <style> is kept as
    it is."""
    out, last = [], 0
    for kept in _KEEP.finditer(html):
        out += [_BREAK.sub("\n", html[last : kept.start()]), kept[0]]
        last = kept.end()
    out.append(_BREAK.sub("\n", html[last:]))
    return "".join(out)


_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


def on_post_page(output: str, page: Any, config: MkDocsConfig) -> str:
    """Every page carries its Content-Security-Policy (casme3_compliance.render.csp) and comes
    without the templates' blank lines (compact) nor the palette's sheet (on_files). The
    theme's scripts of an edition's page take its folder for the site's root: its search index,
    its sitemap (which instant navigation keeps to) and the /api/ documents in its language."""
    prefix = edition_of(page.file.src_uri)["prefix"]
    if prefix:

        def rebase(m: re.Match) -> str:
            app = json.loads(m[2])
            app["base"] = f"{app['base'].rstrip('/')}/{prefix}"
            return m[1] + json.dumps(app, separators=(",", ":")) + m[3]

        output = _CONFIG.sub(rebase, output, count=1)
    if _state.get("palette"):  # its rules are in our style sheet (on_files)
        output = _PALETTE_LINK.sub("", output, count=1)
    return compact(csp.add_meta(output))


def on_post_build(config: MkDocsConfig) -> None:
    """Each edition's own search index, with the search languages it needs, and, where there
    are several editions, its own sitemap, in its folder; the root's hold the default edition's
    pages, each sitemap entry naming the same page in every language."""
    built = _state["editions"]
    site = Path(config.site_dir)
    index = json.loads((site / "search" / "search_index.json").read_text("utf-8"))
    own: dict[str, list] = {e["code"]: [] for e in built}
    for entry in index["docs"]:
        edition = edition_of(entry["location"])
        own[edition["code"]].append(
            {**entry, "location": entry["location"].removeprefix(edition["prefix"])}
        )
    for edition in built:
        languages = list(dict.fromkeys([built[0]["search"], edition["search"]]))
        out = {"config": {**index["config"], "lang": languages}, "docs": own[edition["code"]]}
        folder = site / edition["prefix"] / "search"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "search_index.json").write_text(
            json.dumps(out, separators=(",", ":"), default=str), "utf-8"
        )
    if len(built) > 1:
        _sitemaps(site, (config.site_url or "").rstrip("/") + "/", built)


def _sitemaps(site: Path, root: str, built: list[dict[str, str]]) -> None:
    urls = re.findall(r"<url>.*?</url>", (site / "sitemap.xml").read_text("utf-8"), re.S)
    for edition in built:
        mine = []
        for url in urls:
            path = re.search(r"<loc>(.*?)</loc>", url)[1].removeprefix(root)
            if edition_of(path) is not edition:
                continue
            rest = path.removeprefix(edition["prefix"])
            links = "".join(
                f'\n         <xhtml:link rel="alternate" hreflang="{e["html"]}" '
                f'href="{root}{e["prefix"]}{rest}"/>'
                for e in built
            )
            mine.append(url.replace("</loc>", "</loc>" + links, 1))
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n    '
            + "\n    ".join(mine)
            + "\n</urlset>\n"
        )
        (site / edition["prefix"] / "sitemap.xml").write_text(xml, "utf-8")
        (site / edition["prefix"] / "sitemap.xml.gz").write_bytes(
            gzip.compress(xml.encode("utf-8"), mtime=0)
        )
