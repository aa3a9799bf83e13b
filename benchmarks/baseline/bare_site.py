"""Build this site and a plain MkDocs Material twin of it, both into temporary directories.

The twin is the baseline of `bench_build.py` and `bench_pages.py`: plain Material (`font:
false`) with the search plugin, and nothing else: no theme features, no palette, no Markdown
extensions beyond the three MkDocs always loads (toc, tables, fenced_code), no macros, no hooks,
no `data/`, no `custom_dir`, no extra CSS or JavaScript. It has one page per page of ours, at the
same path, made from the text of our built page (headings, paragraphs, lists, tables and code
blocks), so both sites carry the same article text and the difference is what our theme
settings and our machinery cost. The search plugin keeps our settings (languages, separator):
both sites index the same text the same way, Chinese segmented by jieba, so both pay for the
same search. `rich=True` gives the earlier, richer twin (our features, palette and Markdown
extensions), for comparison. Nothing is written inside the repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
MKDOCS = Path(sys.executable).with_name("mkdocs")
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}

BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "dt", "dd", "summary", "label", "caption"}
SKIP = {"script", "style", "template", "button", "svg", "noscript"}
VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "source"}


@dataclass
class Profile:
    """What one built page of ours holds, in reading order, as Markdown blocks."""

    path: str  # e.g. "subjects/index.html"
    blocks: list[str] = field(default_factory=list)
    folder: bool = False  # other pages live below this one: its source is <dir>/index.md

    @property
    def source(self) -> str:
        """Where the bare twin's Markdown goes, so it is served at the same URL."""
        if self.path == "index.html" or self.folder:
            return self.path.removesuffix(".html") + ".md"
        return self.path.removesuffix("/index.html") + ".md"

    @property
    def markdown(self) -> str:
        return "\n\n".join(self.blocks) + "\n"


def _escape(text: str) -> str:
    out = " ".join(text.split())
    for ch in "\\`*_[]<>|#":
        out = out.replace(ch, "\\" + ch)
    return out


class _Article(HTMLParser):
    """Turns the `<article>` of a built Material page back into plain Markdown blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.depth = 0  # inside <article> when > 0
        self.skip = 0
        self.stack: list[tuple[str, list[str]]] = []  # open text blocks
        self.pre: list[str] | None = None
        self.table: list[list[str]] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.depth += 1
            return
        if not self.depth or tag in VOID:
            return
        cls = dict(attrs).get("class") or ""
        if self.skip or tag in SKIP or (tag == "a" and "headerlink" in cls):
            self.skip += 1
        elif tag == "pre":
            self.pre = []
        elif tag == "table":
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = []
        elif tag in BLOCKS and self.cell is None and self.pre is None:
            self.stack.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.depth -= 1
            return
        if not self.depth or tag in VOID:
            return
        if self.skip:
            self.skip -= 1
        elif tag == "pre" and self.pre is not None:
            code = "".join(self.pre).strip("\n")
            self.blocks.append(f"```text\n{code}\n```")
            self.pre = None
        elif tag in ("td", "th") and self.cell is not None and self.table:
            self.table[-1].append(_escape("".join(self.cell)))
            self.cell = None
        elif tag == "table" and self.table is not None:
            rows = [r for r in self.table if r]
            if rows:
                width = max(len(r) for r in rows)
                rows = [r + [""] * (width - len(r)) for r in rows]
                lines = ["| " + " | ".join(r) + " |" for r in rows]
                lines.insert(1, "|" + "---|" * width)
                self.blocks.append("\n".join(lines))
            self.table = None
        elif self.stack and self.stack[-1][0] == tag:
            _, parts = self.stack.pop()
            text = _escape("".join(parts))
            if text:
                if tag[0] == "h" and tag[1:].isdigit():
                    text = "#" * int(tag[1:]) + " " + text
                elif tag == "li":
                    text = "- " + text
                self.blocks.append(text)

    def handle_data(self, data: str) -> None:
        if not self.depth or self.skip:
            return
        if self.pre is not None:
            self.pre.append(data)
        elif self.cell is not None:
            self.cell.append(data)
        elif self.stack:
            self.stack[-1][1].append(data)
        elif data.strip():  # Loose text (e.g. inside a <div>) becomes a paragraph of its own.
            self.blocks.append(_escape(data))


def pages(site: Path) -> list[str]:
    """Every page of a built site, as paths of its index.html files (so new pages count), but
    the small pages that only send a reader on to where a page moved (a refresh, no content)."""
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("index.html")
        if 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")
    )


def profile(site: Path, page: str) -> Profile:
    parser = _Article()
    parser.feed((site / page).read_text(encoding="utf-8"))
    return Profile(page, parser.blocks)


def article_chars(site: Path, page: str) -> int:
    """Visible characters in a page's article: checks that both twins carry as much text."""
    return sum(len(b) for b in profile(site, page).blocks)


@dataclass
class _Tagged:
    """A YAML value with a tag we pass through untouched (`!!python/name:...`, `!relative`)."""

    tag: str
    value: Any


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """mkdocs' `!ENV VAR` / `!ENV [VAR, ..., default]`: the first set variable, else default."""
    if isinstance(node, yaml.ScalarNode):
        return os.environ.get(loader.construct_scalar(node))
    items = loader.construct_sequence(node)  # type: ignore[arg-type]
    names, default = (items[:-1], items[-1]) if len(items) > 1 else (items, None)
    return next((os.environ[n] for n in names if n in os.environ), default)


def _other(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> _Tagged:
    if isinstance(node, yaml.ScalarNode):
        return _Tagged(node.tag, loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return _Tagged(node.tag, loader.construct_sequence(node))
    return _Tagged(node.tag, loader.construct_mapping(node))  # type: ignore[arg-type]


def _represent(dumper: yaml.SafeDumper, data: _Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, data.value)


_Loader.add_constructor("!ENV", _env)
_Loader.add_multi_constructor("!", _other)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _other)
_Dumper.add_representer(_Tagged, _represent)


def _load_yaml(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


def _nav(ours: Any, sources: list[str]) -> list[Any] | None:
    """Our nav, with pages it does not list (generated ones) filed under their folder's index."""
    if not ours:
        return None
    listed: set[str] = set()

    def walk(items: Any) -> None:
        for item in items:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                walk(value)
            else:
                listed.add(value)

    walk(ours)
    nav = []
    for item in ours:
        if isinstance(item, dict):
            title, value = next(iter(item.items()))
            if isinstance(value, str) and value.endswith("/index.md"):
                folder = value.removesuffix("index.md")
                extra = [s for s in sources if s.startswith(folder) and s not in listed]
                if extra:
                    item = {title: [value, *sorted(extra)]}
                    listed.update(extra)
        nav.append(item)
    nav.extend(s for s in sources if s not in listed)
    return nav


def site_nav(nav: Any) -> Any:
    """Our nav as our hooks make it: one section per database of the data, one page per rule
    (the package's own function, so that both sites carry the same nav on every page)."""
    from casme3_compliance import load_family
    from casme3_compliance.render.pages import site_nav

    return site_nav(load_family(), nav)


def bare_config(sources: list[str], rich: bool = False) -> dict[str, Any]:
    """The twin's mkdocs.yml: plain Material (`font: false`, our language) with the search
    plugin as we set it, our `site_name`, `site_url` and nav; with `rich`, also our theme's
    features and palette and our Markdown extensions."""
    ours = _load_yaml(REPO / "mkdocs.yml")
    our_theme = dict(ours.get("theme") or {"name": "material"})
    theme: dict[str, Any] = {"name": our_theme.get("name", "material"), "font": False}
    if "language" in our_theme:
        theme["language"] = our_theme["language"]
    if rich:
        theme = our_theme
        theme.pop("custom_dir", None)
        for ours_only in ("logo", "favicon"):  # files of ours: the twin keeps Material's own
            theme.pop(ours_only, None)
        theme.setdefault("font", False)
    search: Any = "search"
    for plugin in ours.get("plugins") or []:
        if isinstance(plugin, dict) and "search" in plugin:
            search = {"search": plugin["search"]}
    config: dict[str, Any] = {
        "site_name": ours.get("site_name", "Bare"),
        "theme": theme,
        "plugins": [search],
    }
    if rich:
        config["markdown_extensions"] = ours.get("markdown_extensions") or []
    if ours.get("site_url"):
        config["site_url"] = ours["site_url"]
    nav = _nav(site_nav(ours.get("nav")), sources)
    if nav:
        config["nav"] = nav
    return config


def build_command(config: Path, dest: Path) -> list[str]:
    return [str(MKDOCS), "build", "--strict", "--quiet", "-f", str(config), "-d", str(dest)]


def build(config: Path, dest: Path) -> None:
    """One strict build; raises with mkdocs' own output when it fails."""
    proc = subprocess.run(
        build_command(config, dest), cwd=config.parent, env=ENV, capture_output=True, text=True
    )
    if proc.returncode:
        raise RuntimeError(f"{' '.join(build_command(config, dest))} failed:\n{proc.stderr}")


INDEX = "search/search_index.json"


def split_search(site: Path, editions: list[str], ours: Path) -> None:
    """Split the twin's one search index as our hooks split ours: the root keeps the default
    edition's pages, each edition's folder (`zh/`) gets its own, with the search languages our
    index of that edition asks for (each costs a worker script), so a first visit to a page of
    either site downloads the same kind of index."""
    import json

    index = json.loads((site / INDEX).read_text("utf-8"))
    own: dict[str, list[Any]] = {e: [] for e in ["", *editions]}
    for entry in index["docs"]:
        edition = next((e for e in editions if entry["location"].startswith(e)), "")
        own[edition].append({**entry, "location": entry["location"].removeprefix(edition)})
    for edition, docs in own.items():
        (site / edition / INDEX).parent.mkdir(parents=True, exist_ok=True)
        config = json.loads((ours / edition / INDEX).read_text("utf-8"))["config"]
        out = {"config": {**index["config"], "lang": config["lang"]}, "docs": docs}
        text = json.dumps(out, separators=(",", ":"), default=str)
        (site / edition / INDEX).write_text(text, "utf-8")


def build_ours(dest: Path) -> Path:
    build(REPO / "mkdocs.yml", dest)
    return dest


def write_bare_project(our_site: Path, root: Path, rich: bool = False) -> Path:
    """Write the twin of our built site under `root` (plain, or `rich`); return its mkdocs.yml."""
    paths = pages(our_site)
    profiles = [profile(our_site, p) for p in paths]
    for prof in profiles:
        folder = prof.path.removesuffix("index.html")
        prof.folder = any(p != prof.path and p.startswith(folder) for p in paths)
    for prof in profiles:
        target = root / "docs" / prof.source
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(prof.markdown, encoding="utf-8")
    config = root / "mkdocs.yml"
    cfg = bare_config([p.source for p in profiles], rich)
    text = yaml.dump(cfg, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    config.write_text(text, encoding="utf-8")
    return config
