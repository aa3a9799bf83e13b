"""The site's other editions (Chinese, and any language added as files): every page of the
default edition has its twin under /<code>/ with the same ids, the page's language in <html
lang>, a language switch to the twin, a nav, notices, search index and sitemap of its own, the
theme's and our words in its language, and no English prose of ours.

Built with CASME3_PREVIEW_LANGUAGES naming every language of data/i18n/languages.yaml: a draft
(zh until its translation is complete) is built only when a build names it (macros/hooks.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import DATA, FAMILY
from test_site import _targets, mkdocs_build

import casme3_compliance as c3
from casme3_compliance.knowledge.i18n import fields
from casme3_compliance.knowledge.paths import database_ids
from casme3_compliance.render import api, checklist, pages, widgets

LANGUAGES = yaml.safe_load((DATA / "i18n/languages.yaml").read_text("utf-8"))
DEFAULT = LANGUAGES["default"]
OTHERS = [x for x in LANGUAGES["languages"] if x["code"] != DEFAULT]
EDITIONS = [
    {**x, "prefix": "" if x["code"] == DEFAULT else f"{x['code']}/"}
    for x in sorted(LANGUAGES["languages"], key=lambda x: x["code"] != DEFAULT)
]
PREVIEW = {"CASME3_PREVIEW_LANGUAGES": ",".join(x["code"] for x in OTHERS)}
SITE_URL = "https://example.org/project/"
SOURCE = "https://example.org/casme3-compliance"
MATERIAL = Path(__import__("material").__file__).parent / "templates"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The project's data, every language built."""
    out = tmp_path_factory.mktemp("site-editions") / "site"
    env = {**PREVIEW, "CASME3_SITE_URL": SITE_URL, "CASME3_SOURCE_URL": SOURCE}
    result = mkdocs_build(out, env)
    assert result.returncode == 0, result.stderr
    return out


def families() -> dict:
    return {x["code"]: c3.load_family(DATA, cache=False, lang=x["code"]) for x in EDITIONS}


FAMILIES = families()


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def page_paths(site: Path, prefix: str) -> list[str]:
    """The pages of one edition (its sitemap's), as paths below the edition's folder."""
    xml = (site / prefix / "sitemap.xml").read_text("utf-8")
    locs = re.findall(r"<loc>([^<]*)</loc>", xml)
    return sorted(loc.removeprefix(SITE_URL + prefix) for loc in locs)


def built_file(site: Path, url_path: str) -> Path:
    return (
        site / url_path / "index.html"
        if url_path.endswith("/") or not url_path
        else site / url_path
    )


def twins(site: Path):
    """(edition, page path below its folder, the built file) for every page of every edition."""
    for edition in EDITIONS:
        for path in page_paths(site, edition["prefix"]):
            yield edition, path, built_file(site, edition["prefix"] + path)


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_a_language_is_built_when_complete_or_named_for_a_preview(tmp_path):
    """A draft is never shipped: the plain build has only the complete languages; a build that
    names a language languages.yaml does not list fails with one line."""
    out = tmp_path / "plain"
    result = mkdocs_build(out, {"CASME3_SOURCE_URL": ""})
    assert result.returncode == 0, result.stderr
    for x in OTHERS:
        assert (out / x["code"] / "index.html").is_file() == (x["status"] == "complete"), x
        assert not (out / "docs" / x["code"]).exists()
    result = mkdocs_build(tmp_path / "bad", {"CASME3_PREVIEW_LANGUAGES": "xx"})
    assert result.returncode != 0
    assert "CASME3_PREVIEW_LANGUAGES: no language 'xx' in i18n/languages.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_page_has_its_twin_in_every_edition(site):
    default = page_paths(site, "")
    assert default and "" in default and "usage/cli/" in default
    for edition in EDITIONS[1:]:
        assert page_paths(site, edition["prefix"]) == default, edition["code"]
        for path in default:
            assert built_file(site, edition["prefix"] + path).is_file(), (edition["code"], path)
    # The downloads and the data for tools too, each edition's own (the legacy root
    # downloads/CITATION.cff of the default database aside).
    files = {
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if p.is_file() and p.relative_to(site).parts[0] in ("api", "downloads")
    } - {"downloads/CITATION.cff"}
    assert files
    for edition in EDITIONS[1:]:
        for name in files:
            assert (site / edition["prefix"] / name).is_file(), (edition["code"], name)


def test_each_page_says_its_language(site):
    for edition, path, file in twins(site):
        html = soup_of(file).find("html")
        assert html["lang"] == edition["html"], (edition["code"], path)


def test_each_page_switches_to_the_same_page_in_each_other_language(site):
    for edition, path, file in twins(site):
        here = "/" + edition["prefix"] + path
        switch = soup_of(file).select_one(".md-header [data-la-languages]")
        assert switch is not None, here
        assert urljoin(here, switch["data-la-here"]) == "/" + edition["prefix"], here
        links = switch.select("a")
        others = [e for e in EDITIONS if e is not edition]
        assert len(links) == len(others), here
        for a, other in zip(links, others, strict=True):
            assert urljoin(here, a["href"]) == "/" + other["prefix"] + path, here
            assert urljoin(here, a["data-la-root"]) == "/" + other["prefix"], here
            assert a["hreflang"] == a["lang"] == other["html"], here
            assert a.get_text(strip=True) == other["name"], here
            # A whole page load: Material's instant navigation keeps its first page's edition.
            assert a["target"] == "_self", here


def test_ids_and_anchors_are_the_same_in_every_edition(site):
    """A link to #clause-3-5 or #lookup works in every language: every element id of the
    content and every heading's id, in the same order."""
    for path in page_paths(site, ""):
        english = soup_of(built_file(site, path))
        ids = [el["id"] for el in english.select("article [id]")]
        assert ids, path
        for edition in EDITIONS[1:]:
            twin = soup_of(built_file(site, edition["prefix"] + path))
            assert [el["id"] for el in twin.select("article [id]")] == ids, (edition, path)
            toc = [a["href"] for a in twin.select(".md-sidebar--secondary a.md-nav__link")]
            assert toc == [a["href"] for a in english.select(".md-sidebar--secondary a")], path


def _resolved(here: str, ref: str) -> str | None:
    if re.match(r"^[a-z][a-z0-9+.-]*:", ref) or ref.startswith(("//", "#")):
        return None
    return urlsplit(urljoin(here, ref)).path


def test_every_link_of_an_edition_stays_in_it(site):
    """The nav (only the edition's pages), the logo, the footer's previous and next, the notice
    and every link of the content lead to the same edition; only the switch leaves it."""
    for edition, path, file in twins(site):
        here = "/" + edition["prefix"] + path
        soup = soup_of(file)
        for switch in soup.select("[data-la-languages]"):
            switch.decompose()
        refs = [a["href"] for a in soup.select("a[href]")]
        refs += [f["action"] for f in soup.select("form[action]")]
        refs += [b["formaction"] for b in soup.select("[formaction]")]
        for ref in refs:
            target = _resolved(here, ref)
            if target is None or target.startswith("/assets/"):
                continue
            within = [e for e in EDITIONS[1:] if target.startswith("/" + e["prefix"])]
            assert within == ([edition] if edition["prefix"] else []), (here, ref)
        nav = soup.select("nav.md-nav--primary a.md-nav__link[href]")
        assert len(nav) > 5, here


def test_the_themes_own_page_is_the_default_editions(site):
    """404.html (served for any missing address) has the default edition's nav only."""
    soup = soup_of(site / "404.html")
    hrefs = [a["href"] for a in soup.select("nav.md-nav--primary a[href]")]
    root = urlsplit(SITE_URL).path
    assert len(hrefs) > 5
    for edition in EDITIONS[1:]:
        assert not [h for h in hrefs if h.startswith(root + edition["prefix"])], edition["code"]


def test_every_link_of_an_edition_leads_somewhere_that_exists(site):
    targets = _targets(site)
    for edition, page_path, path in twins(site):
        here = "/" + edition["prefix"] + page_path
        soup = soup_of(path)
        refs = [a["href"] for a in soup.select("article a[href], .la-notice a[href]")]
        refs += [a["href"] for a in soup.select(".md-header a[href], .md-footer a[href]")]
        refs += [f["action"] for f in soup.select("article form[action]")]
        for ref in refs:
            target = _resolved(here, ref)
            if target is None:
                continue
            name = target.lstrip("/")
            if name == "" or name.endswith("/"):
                name += "index.html"
            assert (site / name).is_file(), (here, ref)
            fragment = urlsplit(ref).fragment
            if fragment and name in targets:
                assert fragment in targets[name], (here, ref)


def test_each_edition_is_a_site_of_its_own_for_the_themes_scripts(site):
    """Material's scripts take an edition's folder for the root: its search index (its pages
    only, with its languages), its sitemap (instant navigation stays in the edition)."""
    for edition, path, file in twins(site):
        config = json.loads(soup_of(file).find("script", id="__config").string)
        here = "/" + edition["prefix"] + path
        assert urljoin(here, config["base"]) == "/" + edition["prefix"], here
        assert config["translations"]["clipboard.copy"] == _material(edition, "clipboard.copy")
    for edition in EDITIONS:
        index = json.loads((site / edition["prefix"] / "search/search_index.json").read_text())
        wanted = list(dict.fromkeys([EDITIONS[0]["search"], edition["search"]]))
        assert index["config"]["lang"] == wanted
        pages_here = {loc.split("#")[0] for loc in (d["location"] for d in index["docs"])}
        assert pages_here == set(page_paths(site, edition["prefix"])), edition["code"]
        assert "\\u200b" in index["config"]["separator"]  # jieba's segments are words


def test_the_sitemaps_name_every_page_in_every_language(site):
    for edition in EDITIONS:
        xml = (site / edition["prefix"] / "sitemap.xml").read_text("utf-8")
        for entry in re.findall(r"<url>.*?</url>", xml, re.S):
            loc = re.search(r"<loc>([^<]*)</loc>", entry)[1]
            rest = loc.removeprefix(SITE_URL + edition["prefix"])
            alternates = re.findall(r'hreflang="([^"]+)" href="([^"]+)"', entry)
            assert alternates == [(e["html"], SITE_URL + e["prefix"] + rest) for e in EDITIONS]


def _material(edition: dict, key: str) -> str:
    """What Material's own template for the edition's theme language says for `key`."""
    text = (MATERIAL / "partials/languages" / f"{edition['theme']}.html").read_text("utf-8")
    return json.loads(re.search(rf'"{re.escape(key)}": ("[^"]*")', text)[1])


def test_the_frame_of_each_page_speaks_its_editions_language(site):
    """The theme's words (Material's translation for the edition), the site's name, description,
    footer, palette toggles, the link to the source and the tools' words (ui.yaml)."""
    for edition, path, file in twins(site):
        family = FAMILIES[edition["code"]]
        soup = soup_of(file)
        here = (edition["code"], path)
        search = soup.select_one(".md-search__input")
        assert search["placeholder"] == _material(edition, "search.placeholder"), here
        assert soup.select_one(".md-header__topic .md-ellipsis").get_text(strip=True) == (
            family.t("ui.site.name")
        ), here
        description = soup.find("meta", attrs={"name": "description"})
        assert description["content"] == family.t("ui.site.description"), here
        assert family.t("ui.site.copyright") in _squash(soup.select_one(".md-copyright").text)
        names = [i["aria-label"] for i in soup.select("[data-md-component=palette] input")]
        assert names == [family.t(f"ui.site.palette.{s}") for s in ("default", "slate")], here
        source = soup.select_one(".md-header a.la-source")
        assert source["href"] == SOURCE and source["title"] == family.t("ui.site.source_title")
        assert source.get_text(strip=True) == family.t("ui.site.source"), here
        ui = json.loads(soup.select_one("header[data-la-ui]")["data-la-ui"])
        assert ui == widgets.ui(family), here
        la = json.loads(soup.select_one("[data-la-search]")["data-la-search"])
        assert la == json.loads(json.dumps(widgets.search(family))), here


def test_each_page_carries_its_editions_notice(site):
    for edition, path, file in twins(site):
        family = FAMILIES[edition["code"]]
        db = next((d for d in family.databases if path.startswith(f"{d.id}/")), None)
        notice = pages.notice(db) if db else pages.family_notice(family)
        aside = soup_of(file).select(".la-notice")
        assert len(aside) == 1, (edition["code"], path)
        text = _squash(BeautifulSoup(aside[0].decode(), "html.parser").get_text())
        expected = BeautifulSoup(notice["title"] + notice["text"], "html.parser").get_text()
        assert _squash(expected).replace(" ", "") in text.replace(" ", ""), (edition, path)


def test_the_tools_of_each_edition_are_rendered_in_its_language(site):
    """The lookup, the paper's check and the apply helper: their labels and the sentences their
    scripts fill in (data-la-text) are the edition's messages."""
    for edition in EDITIONS:
        family = FAMILIES[edition["code"]]
        kb = family.db()
        home = soup_of(site / edition["prefix"] / "index.html")
        label = home.select_one("label[for=subject-lookup]").get_text()
        assert label == family.t("ui.lookup.subject"), edition["code"]
        check = soup_of(site / edition["prefix"] / "self-check/index.html")
        texts = json.loads(check.select_one("[data-la-widget=self-check]")["data-la-text"])
        assert texts["ready"] == family.t("ui.check.ready")
        assert texts["restricted"] == kb.texts["verdict.restricted"]
        assert check.select_one("#self-check-download").get_text() == family.t("ui.check.download")
        apply = soup_of(site / edition["prefix"] / kb.id / "apply/index.html")
        texts = json.loads(apply.select_one("[data-la-widget=apply]")["data-la-text"])
        assert texts["empty"] == family.t("ui.apply.empty")
        assert apply.select_one("button[data-copy]").get_text() == family.t("ui.apply.copy")


def test_the_data_for_tools_and_the_downloads_are_in_the_editions_language(site):
    for edition in EDITIONS[1:]:
        family = FAMILIES[edition["code"]]
        for name, content in api.files(family).items():
            assert (site / edition["prefix"] / name).read_text("utf-8") == content, name
        for db in family.databases:
            if db.checklists:
                path = site / edition["prefix"] / f"downloads/{db.id}-checklist.md"
                assert path.read_text("utf-8") == checklist.render(db, "md"), db.id


def test_every_message_of_the_site_has_its_translation_in_every_language():
    """The frame's and the tools' words (ui.*): a text in every language, even a draft's."""
    english = {k for k in FAMILIES[DEFAULT].texts if k.startswith("ui.")}
    for x in OTHERS:
        path = DATA / "i18n" / x["code"] / "messages/ui.yaml"
        own = set(yaml.safe_load(path.read_text("utf-8")))
        assert own == english, (x["code"], sorted(english ^ own)[:5])


# --- No English prose of ours on a page of another edition ------------------------------------

RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,.;:()&/]+[A-Za-z][A-Za-z'’-]*)*")
"""A run of Latin words: a phrase of English, a name, an acronym."""

OURS_LANG = EDITIONS[1:]
"""The editions whose prose must not be English: every language but the default."""

NAMES = [
    "Material for MkDocs",
    "GitHub Actions",
    "GitHub",
    "pre-commit",
    "Pandoc",
    "biber",
    "arXiv",
    "Python",
    "Markdown",
    "LaTeX",
    "BibTeX",
    "BibLaTeX",
    "git",
    "MiB",
    "GiB",
    "KiB",
    "Croissant",
    "ODRL",
    "JSON-LD",
    "SPARQL",
    "Dublin Core",
    "schema.org",
]
"""Names of programs, formats, products and units a page writes so in any language."""


def _strings(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, (*path, i))
    elif isinstance(node, str):
        yield path, node


def verbatim() -> tuple[list[str], list[re.Pattern]]:
    """What stays as it is in every language: every string of the data that is not ours
    (data/i18n/fields.yaml): the agreements' words, names, titles, the citation's record, file
    names, URLs; each longest first; a subject's label (`spNO.{n}`) as a pattern. An
    enum-like single word (a clause's kind, a rule's shape) is ours to put in words: not here."""
    ours_fields = yaml.safe_load((DATA / "i18n/fields.yaml").read_text("utf-8"))
    files = [DATA / "rules.yaml"] + [
        p for db in database_ids(DATA) for p in sorted((DATA / db).glob("*.yaml"))
    ]
    texts, patterns = set(), []
    for path in files:
        data = yaml.safe_load(path.read_text("utf-8"))
        kind = path.stem
        ours = {p for pattern in ours_fields.get(kind, []) for p, _ in fields(data, pattern)}
        for where, text in _strings(data):
            if where in ours or (re.fullmatch(r"[a-z][a-z-]*", text) and where[-1] != "name"):
                continue
            text = _squash(re.sub(r"<(https?://[^>]+)>", r"\1", text))
            if "{n}" in text:  # a subject's label: the number is any
                regex = re.escape(text).replace(re.escape("{n}"), r"\d+")
                patterns.append(re.compile(regex))
            elif len(text) > 1 and not re.search(r"\{[a-z_]+\}", text):
                texts.add(text)
    return sorted(texts, key=len, reverse=True), patterns


def our_latin_runs(code: str) -> list[str]:
    """The Latin phrases our texts in `code` keep as they are (Part C, README, a source's
    title): each of their messages and translated fields that is not the English itself."""
    family = FAMILIES[code]
    english = FAMILIES[DEFAULT]
    own = [t for k, t in family.texts.items() if english.texts.get(k) != t]
    own += list(family.memory.values())
    return sorted({r for t in own for r in RUN.findall(t)}, key=len, reverse=True)


def page_text(soup: BeautifulSoup) -> str:
    """What a reader of the page meets in words: the text of the page and the attributes that
    are read out, without code, verbatim quotes, the agreements' titles, and what is marked as
    being in another language (the language switch)."""
    for el in soup.select("script, style, svg, pre, code, kbd, blockquote, .la-title"):
        el.decompose()
    for el in soup.select(".md-nav--secondary"):  # the tables of contents: the headings again
        el.decompose()
    for el in soup.select(".la-vh"):  # `spNO.` read out before a number shown alone
        el.replace_with(el.get_text())
    soup.smooth()
    for el in soup.select("[lang]"):
        if el.name != "html" and not el["lang"].startswith(soup.find("html")["lang"]):
            el.decompose()
    said = [soup.title.get_text() if soup.title else ""]
    for attr in ("aria-label", "title", "placeholder", "alt"):
        said += [el[attr] for el in soup.find_all(attrs={attr: True})]
    return _squash(" ".join([*said, soup.body.get_text(" ")]))


_PATTERNS: dict = {}


def kept(texts: list[str], patterns: list[re.Pattern], ours: list[str]) -> re.Pattern:
    """One pattern for what a page keeps as it is: the verbatim texts and labels, the names,
    the phrases our translation keeps; each whole (never inside a word), the longest first."""
    key = (len(texts), len(patterns), len(ours))
    if key not in _PATTERNS:
        words = sorted({*texts, *NAMES, *ours}, key=len, reverse=True)
        pieces = [p.pattern for p in patterns] + [re.escape(t) for t in words]
        _PATTERNS[key] = re.compile(r"(?<![A-Za-z])(?:" + "|".join(pieces) + r")(?![A-Za-z])")
    return _PATTERNS[key]


def english_prose(text: str, texts: list[str], patterns: list[re.Pattern], ours: list[str]) -> list:
    """The English of ours left in `text`: runs of Latin words that are neither the data's own
    words (whole, or a quoted piece of them), nor names, acronyms or ids, nor a phrase our
    translation keeps itself."""

    def quote(m: re.Match) -> str:
        piece = _squash(next(q for q in m.groups() if q))
        return " " if any(piece in t for t in texts) else m[0]

    text = kept(texts, patterns, ours).sub(" ", text)
    text = kept(texts, patterns, ours).sub(
        " ", re.sub(r"“([^”]+)”|\"([^\"]+)\"|‘([^’]+)’", quote, text)
    )
    text = re.sub(r"https?://\S+|\S*[0-9_@/\\]\S*", " ", text)  # URLs, ids, paths, versions
    found = []
    for run in RUN.findall(text):
        words = [
            w
            for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", run)
            if len(w) > 1 and not re.fullmatch(r"[A-Z][A-Z-]*", w)
        ]
        if words:
            found.append(run)
    return found


def test_no_english_prose_of_ours_on_a_page_of_another_language(site):
    """On a Chinese page, English is the agreements' words (quoted verbatim, in their own
    blocks), code, names and ids, and nothing of ours: every heading, label, sentence, nav
    entry, notice and button is Chinese."""
    texts, patterns = verbatim()
    for edition in OURS_LANG:
        ours = our_latin_runs(edition["code"])
        leftovers = {}
        for path in page_paths(site, edition["prefix"]):
            file = built_file(site, edition["prefix"] + path)
            found = english_prose(page_text(soup_of(file)), texts, patterns, ours)
            if found:
                leftovers[path or "/"] = found[:4]
        assert not leftovers, f"{len(leftovers)} pages: " + json.dumps(
            dict(list(leftovers.items())[:8]), ensure_ascii=False, indent=1
        )


def test_the_prose_check_finds_english(site):
    """The check above is not blind: the English page fails it, and an English sentence of
    ours added to a Chinese page is found, while the page's verbatim clauses are not."""
    texts, patterns = verbatim()
    ours = our_latin_runs(OURS_LANG[0]["code"])
    prefix = OURS_LANG[0]["prefix"]
    kb = FAMILY.db()
    english = page_text(soup_of(built_file(site, f"{kb.id}/subjects/")))
    assert english_prose(english, texts, patterns, ours)
    terms = page_text(soup_of(built_file(site, f"{prefix}{kb.id}/terms/")))
    clause = _squash(next(iter(kb.agreement.clauses())).text)
    assert not english_prose(clause, texts, patterns, ours)
    found = english_prose(terms + " 而且 The answer appears as you type.", texts, patterns, ours)
    assert any("appears as you type" in run for run in found), found
