"""The built site: strict build, anchors, tables, downloads and data for tools, no foreign hosts;
every database's page set from its data, the redirects of the pages that moved.

Two sites are built: the project's own data, and a copy of it with two databases the code has
never seen (`with_site_family`): the two synthetic ones of tests/family_support.py, one public
and one whose agreement is not public. Whatever the second shows, no code names.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from conftest import DATA, DB, FAMILY, ROOT, mkdocs_build
from family_support import PRIVATE, SYNTHETIC, with_synthetic

import casme3_compliance as c3
from casme3_compliance.knowledge.paths import database_ids
from casme3_compliance.knowledge.verdicts import templates
from casme3_compliance.render import api, checklist, citation, csp, pages, widgets
from casme3_compliance.render.markdown import url, verdict_headings

VERDICT_HEADINGS = verdict_headings(FAMILY.db())

NOT_PUBLIC = PRIVATE


def with_site_family(tmp_path: Path) -> Path:
    """A copy of data/ with the synthetic databases of tests/family_support.py: one public, one
    whose agreement is not public, listed last; returns its folder."""
    data = with_synthetic(tmp_path)
    assert database_ids(data)[-2:] == [SYNTHETIC, NOT_PUBLIC]
    return data


def grown_family():
    """The family of with_site_family, loaded from a copy that is gone once it is read."""
    with tempfile.TemporaryDirectory() as tmp:
        return c3.load_family(with_site_family(Path(tmp)), cache=False)


def family_pages(family) -> list[str]:
    """Every documentation page's URL from the site's root, as the data says it has them."""
    urls = ["", "self-check/", "compare/", "usage/cli/", "rules/"]
    urls += [f"rules/{r.code}/" for r in family.rules]
    urls += [url(db, slug) for db in family.databases for slug, _ in pages.page_set(db)]
    urls += ["policy/"] if any(pages.has_policy(db) for db in family.databases) else []
    return urls


PAGES = family_pages(FAMILY)
OLD_PAGES = ["terms/", "at-a-glance/", "subjects/", "cite/", "checklist/", "apply/"]
"""The default database's pages as they were before the family, at the site's root."""


@pytest.fixture(scope="session")
def family_data(tmp_path_factory) -> Path:
    return with_site_family(tmp_path_factory.mktemp("family-data"))


@pytest.fixture(scope="session")
def grown(family_data):
    """The family of the copy: the project's databases and the two synthetic ones."""
    return c3.load_family(family_data, cache=False)


@pytest.fixture(scope="session")
def family_site(tmp_path_factory, family_data) -> Path:
    out = tmp_path_factory.mktemp("family-site") / "site"
    result = mkdocs_build(out, {"CASME3_SOURCE_URL": "", "CASME3_DATA_DIR": str(family_data)})
    assert result.returncode == 0, result.stderr
    return out


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text("utf-8"), "html.parser")


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def _squash(text: str) -> str:
    return " ".join(text.split())


def _article(soup: BeautifulSoup) -> str:
    return _squash(soup.select_one("article").get_text(" "))


@pytest.mark.parametrize("which", ["site", "family_site"])
def test_no_template_syntax_or_macro_error_survives(request, which):
    built = request.getfixturevalue(which)
    for path in html_pages(built):
        text = path.read_text("utf-8")
        for bad in ("{{", "{%", "{#", "Macro Rendering Error", "Macro Syntax Error", "Traceback"):
            assert bad not in text, f"{path.relative_to(built)} holds {bad!r}"


def test_the_sitemap_lists_every_page_the_data_has_and_no_redirect(site, family_site, grown):
    for built, family in ((site, FAMILY), (family_site, grown)):
        xml = (built / "sitemap.xml").read_text("utf-8")
        listed = {urlsplit(u).path.lstrip("/") for u in re.findall(r"<loc>([^<]*)</loc>", xml)}
        assert listed == set(family_pages(family))
        assert not listed & set(OLD_PAGES)


def test_every_page_carries_the_notice_once(site, family_site, grown):
    """One notice per page: not the agreement, clause numbers are ours, which agreement text,
    and a link to the verbatim terms (on a terms page, to where its text comes from); for a
    database whose agreement is not public, that none of its terms is shown; on the pages about
    every database, where each one's terms are."""
    for built, family in ((site, FAMILY), (family_site, grown)):
        for path in family_pages(family):
            soup = page(built, path)
            notes = soup.select(".la-notice")
            assert len(notes) == 1, path
            text = _squash(notes[0].get_text())
            db = next((d for d in family.databases if path.startswith(f"{d.id}/")), None)
            hrefs = [urljoin(f"/{path}", a["href"]) for a in notes[0].find_all("a", href=True)]
            assert _squash(family.db().disclaimer) in text, path
            article = _article(soup)
            assert article.count(_squash(family.db().disclaimer)) == 1, path  # no second one
            if db is None:
                assert "each database's pages say which agreement text they follow" in text
                assert hrefs == ["/#databases"], path
            elif db.agreement is None:
                assert f"{db.name}'s agreement is not public" in text, path
                assert hrefs == [f"/{db.id}/#not-public"], path
            else:
                a = db.agreement
                for piece in (a.numbering, a.provenance.line()):
                    assert _squash(piece) in text, (path, piece[:30])
                terms = url(db, "terms")
                expected = f"/{terms}#provenance" if path == terms else f"/{terms}"
                assert hrefs == [expected], path


def test_no_page_claims_a_version_the_la_does_not_have(site):
    for path in html_pages(site):
        text = path.read_text("utf-8")
        assert not re.search(r"LA version|version LA-|\bLA-\d{4}", text), path


def test_terms_has_every_clause_verbatim_with_its_anchor_and_place(site, family_site, grown):
    for built, family in ((site, FAMILY), (family_site, grown)):
        for db in (d for d in family.databases if d.agreement):
            soup = page(built, url(db, "terms"))
            for clause in db.agreement.clauses():
                block = soup.find(id=clause.anchor)
                assert block is not None, clause.id
                quote = _squash(block.select_one("blockquote").get_text(" "))
                paragraph = block.select_one("blockquote p")
                shown = _squash(paragraph.get_text()) if paragraph else ""
                assert _squash(re.sub(r"<(https?://[^>]+)>", r"\1", clause.text)) == shown or (
                    clause.fields
                    and [li.get_text() for li in block.select("blockquote li")]
                    == list(clause.fields)
                ), clause.id
                for item in clause.items:
                    assert item in quote
                text = _squash(block.get_text(" "))
                assert _squash(clause.summary) in text and "Our reading" in text
                assert block.select_one(".la-where").get_text() == str(clause.where), clause.id
            body = _article(soup)
            assert _squash(db.agreement.numbering) in body
            pdf = db.agreement.provenance.pdf
            assert soup.find("a", href=pdf.url) and pdf.created in body and pdf.sha256 in body


def test_terms_links_the_las_upload_link_lists_the_form_and_says_the_link_is_reported_dead(
    site, kb
):
    app = kb.agreement.application
    soup = page(site, url(kb, "terms"))
    block = soup.find(id=kb.agreement.clause(app.la_clause).anchor)
    assert block.select_one(f'blockquote a[href="{app.la_url}"]') is not None
    assert _squash(app.la_status) in _squash(block.get_text(" "))
    form = next(c for c in kb.agreement.clauses() if c.fields)
    items = [li.get_text() for li in soup.find(id=form.anchor).select("blockquote li")]
    assert items == list(form.fields)


def test_the_ambiguous_sentence_is_shown_with_both_readings_and_ours(site, kb):
    ambiguous = [c for c in kb.agreement.clauses() if c.readings]
    assert ambiguous
    for path in (url(kb, "terms"), url(kb, "apply")):
        text = _article(page(site, path))
        for clause in ambiguous:
            assert _squash(clause.text) in text, path
            assert f"admits {len(clause.readings.options)} readings" in text, path
            for piece in (clause.readings.why, *clause.readings.options, clause.readings.ours):
                assert _squash(piece) in text, (path, piece[:30])
            assert "ours, not the LA" in text


def test_subject_tables_have_one_cell_and_anchor_per_restricted_subject(site, kb):
    soup = page(site, url(kb, "subjects"))
    ab, c = kb.subjects.part("AB"), kb.subjects.part("C")
    for n in ab.numbers():
        cell = soup.find(id=f"spno-{n}")
        if ab.is_restricted(n):
            assert cell is not None and cell.name in ("td", "th") and cell.get_text() == f"spNO.{n}"
            # In the row of its tens, under its last digit.
            row = cell.find_parent("tr")
            low, high = (int(x) for x in row.find("th").get_text().split("–"))
            assert low <= n <= high and low // 10 == n // 10
            assert row.find_all("td").index(cell) == n % 10
        else:
            assert cell is None, n
    assert len(soup.select("table.la-subjects--ab td[id]")) == 108
    label = templates(kb, c)["label"]
    for n in c.numbers():
        cell = soup.find(id=f"part-c-{n}")
        verdict = "restricted" if c.is_restricted(n) else "allowed"
        assert cell.name == "li" and cell["data-verdict"] == verdict, n
        heading = VERDICT_HEADINGS[verdict].rstrip(".")
        assert " ".join(cell.get_text(" ").split()) == f"{label.replace('{n}', str(n))} {heading}"
    assert len(soup.select(".la-cgrid > li[id]")) == len(c.numbers())
    for section in ("lookup", "parts-a-b", "part-c", "sources"):  # links from elsewhere
        assert soup.find(id=section) is not None, section


def test_subjects_page_names_each_source_once(site, kb):
    text = _article(page(site, url(kb, "subjects")))
    for source in kb.subjects.sources.values():
        assert text.count(" ".join(source.note.split())) == 1, source.note
        assert text.count(source.where) == 1, source.where


def test_pages_about_subjects_keep_the_las_limit_on_images(site, kb):
    """The LA: restricted images "should not be published"; others "may be used in paper writing
    and academic presentation" under conditions A-C. Never "may be published" or "may appear"."""
    loose = re.compile(r"\bmay (?:be published|appear)", re.I)
    for path in ("", url(kb, "subjects")):
        text = _article(page(site, path))
        assert not loose.search(text), (path, loose.search(text))
    text = _article(page(site, url(kb, "subjects")))
    assert "should not be published" in text
    for part in kb.subjects.parts:
        assert templates(kb, part)["allowed"].split("{label}")[-1].strip() in text, part.key
    for clause in (kb.agreement.clause(c) for p in kb.subjects.parts for c in p.conditions):
        assert " ".join(clause.text.split()) in text, clause.id


def test_at_a_glance_has_three_columns_linking_clauses(site, kb):
    soup = page(site, url(kb, "at-a-glance"))
    columns = soup.select(".la-glance__col")
    assert [col.find("h2").get_text(strip=True).rstrip("¶") for col in columns] == [
        "Permissions",
        "Conditions",
        "Limitations",
    ]
    linked = {
        a["href"].split("#")[1]
        for col in columns
        for a in col.find_all("a", href=True)
        if "#clause-" in a["href"]
    }
    expected = {c.anchor for c in kb.agreement.clauses() if c.glance}
    assert linked == expected


def test_downloads_and_api_are_the_packages_output(site, family_site, grown):
    for built, family in ((site, FAMILY), (family_site, grown)):
        for db in family.databases:
            assert (built / f"downloads/{db.id}.bib").read_text("utf-8") == citation.render(
                db.citation, "bibtex"
            )
            assert (built / f"downloads/{db.id}.ris").read_text("utf-8") == citation.render(
                db.citation, "ris"
            )
            cff = (built / f"downloads/{db.id}/CITATION.cff").read_text("utf-8")
            assert cff == citation.render(db.citation, "cff")
            lists = built / f"downloads/{db.id}-checklist.md"
            assert lists.is_file() == bool(db.checklists), db.id
            if db.checklists:
                assert lists.read_text("utf-8") == checklist.render(db, "md")
                pdf = built / f"downloads/{db.id}-checklist.pdf"
                assert pdf.read_bytes()[:5] == b"%PDF-"
            for name, build in api.DOCUMENTS.items():
                path = built / f"api/{db.id}/{name}.json"
                assert path.is_file() == (name in api.documents(db)), (db.id, name)
                if path.is_file():
                    assert json.loads(path.read_text("utf-8")) == json.loads(api.dumps(build(db)))
        listed = json.loads((built / "api/databases.json").read_text("utf-8"))
        assert listed == json.loads(api.dumps(api.databases(family)))
        assert [d["id"] for d in listed["databases"]] == list(family.ids)
        for d in listed["databases"]:
            for path in d["api"].values():
                assert (built / path).is_file(), path
            for path in d["pages"].values():
                assert (built / path / "index.html").is_file(), path


def test_yesterdays_downloads_and_api_are_the_default_databases(site):
    """/api/*.json, downloads/CITATION.cff and the checklist and citation files keep the
    addresses they had before the family, holding the default database's."""
    kb = FAMILY.db()
    for name in api.documents(kb):
        assert (site / f"api/{name}.json").read_bytes() == (
            site / f"api/{kb.id}/{name}.json"
        ).read_bytes()
    cff = (site / "downloads/CITATION.cff").read_text("utf-8")
    assert cff == citation.render(kb.citation, "cff")
    for name in ("checklist.md", "checklist.json", "checklist.pdf"):
        assert (site / f"downloads/{kb.id}-{name}").is_file()


def _targets(built: Path) -> dict[str, set[str]]:
    """Each page of a built site by its path, with the ids its anchors may name."""
    out = {}
    for path in html_pages(built):
        rel = path.relative_to(built).as_posix()
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        out[rel] = {el["id"] for el in soup.find_all(id=True)}
    return out


@pytest.mark.parametrize("which", ["site", "family_site"])
def test_every_link_and_form_on_the_site_leads_somewhere_that_exists(request, which):
    """Every link, form action and button's formaction between pages (anchors included), to
    downloads and to /api/ resolves to a file of the built site."""
    built = request.getfixturevalue(which)
    targets = _targets(built)
    for path in html_pages(built):
        here = "/" + path.relative_to(built).as_posix()
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        refs = [a["href"] for a in soup.select("article a[href], .la-notice a[href]")]
        refs += [f["action"] for f in soup.select("article form[action]")]
        refs += [b["formaction"] for b in soup.select("article [formaction]")]
        for ref in refs:
            if re.match(r"^[a-z][a-z0-9+.-]*:", ref) or ref.startswith("//"):
                continue
            split = urlsplit(urljoin(here, ref))
            target = unquote(split.path).lstrip("/")
            if target == "" or target.endswith("/"):
                target += "index.html"
            assert (built / target).is_file(), (here, ref)
            if split.fragment and target in targets:
                assert split.fragment in targets[target], (here, ref)


def test_cite_page_shows_the_bibtex_in_a_copyable_block(site, family_site, grown):
    for built, family in ((site, FAMILY), (family_site, grown)):
        for db in family.databases:
            soup = page(built, url(db, "cite"))
            block = soup.find(id="bibtex").find_next("pre")
            assert block.get_text().strip() == citation.render(db.citation, "bibtex").strip()


def test_no_request_to_another_host(site, family_site):
    """Nothing the browser fetches by itself points off the site (links a person clicks may)."""
    external = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
    fetched = {"script": "src", "img": "src", "iframe": "src", "source": "src", "video": "src"}
    for built in (site, family_site):
        for path in html_pages(built):
            soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
            for tag, attr in fetched.items():
                for el in soup.find_all(tag):
                    assert not external.match(el.get(attr, "")), (path, str(el)[:120])
            for el in soup.find_all("link", href=True):
                if not {"canonical", "alternate"} & set(el.get("rel", [])):
                    assert not external.match(el["href"]), (path, str(el)[:120])
        for css in built.rglob("*.css"):
            assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", css.read_text("utf-8")), css


def test_search_index_holds_subject_numbers(site, kb):
    index = json.loads((site / "search/search_index.json").read_text("utf-8"))
    separator = index["config"]["separator"]
    docs = {d["location"]: d["text"] for d in index["docs"]}
    subjects_text = " ".join(t for loc, t in docs.items() if loc.startswith(url(kb, "subjects")))
    tokens = set(re.split(separator, subjects_text))
    assert {"131", "spNO"} <= tokens
    assert set(re.split(separator, "spNO.131")) - {""} <= tokens


def test_bad_data_fails_the_build_with_file_and_line(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / DB.name / "subjects.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("130, 131, 134", "130, 131, 131"), "utf-8")
    line = text[: text.index("130, 131, 134")].count("\n") + 1
    out = tmp_path / "site"
    result = mkdocs_build(out, {"CASME3_DATA_DIR": str(data)})
    assert result.returncode != 0
    assert f"subjects.yaml:{line}:" in result.stderr and "listed twice" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (out / "index.html").exists()


@pytest.mark.parametrize("taken", ["api", "terms"])
def test_a_database_named_like_a_page_of_the_site_fails_the_build(tmp_path, taken):
    """A database whose id is a folder of the site (`api`) or a moved page (`terms`) would
    overwrite it: the build stops and says so."""
    data = with_synthetic(tmp_path)
    (data / SYNTHETIC).rename(data / taken)
    meta = data / taken / "database.yaml"
    meta.write_text(meta.read_text("utf-8").replace(f"id: {SYNTHETIC}", f"id: {taken}"), "utf-8")
    listing = data / "databases.yaml"
    listing.write_text(listing.read_text("utf-8").replace(SYNTHETIC, taken), "utf-8")
    out = tmp_path / "site"
    result = mkdocs_build(out, {"CASME3_DATA_DIR": str(data)})
    assert result.returncode != 0 and f"'{taken}'" in result.stderr
    assert "name the site's own pages" in result.stderr and "Traceback" not in result.stderr


def test_each_rule_has_a_page_from_its_metadata(site, family_site, grown):
    for built, family in ((site, FAMILY), (family_site, grown)):
        index = page(built, "rules/")
        for rule in family.rules:
            assert index.find("a", href=re.compile(rf"{rule.code}/$")), rule.code
            soup = page(built, f"rules/{rule.code}/")
            text = _article(soup)
            assert soup.find("h1").get_text(strip=True).startswith(f"{rule.code} {rule.name}")
            for field in (rule.summary, rule.detects, rule.why, rule.fix):
                assert " ".join(field.split()) in text, (rule.code, field[:40])
            codes = [pre.get_text() for pre in soup.select("article pre")]
            assert any(rule.good.content in c for c in codes)
            hrefs = {a["href"] for a in soup.select("article a[href]")}
            for db in family.databases:
                for clause_id in db.clauses_for(rule):
                    anchor = db.agreement.clause(clause_id).anchor
                    assert f"../../{db.id}/terms/#{anchor}" in hrefs, (rule.code, clause_id)
                    assert _squash(db.agreement.clause(clause_id).text) in text


def test_own_script_and_style_sheet_are_served_minified(site):
    import rcssmin
    import rjsmin

    for path, minify in [
        ("assets/javascripts/casme3.js", rjsmin.jsmin),
        ("assets/javascripts/casme3-search.js", rjsmin.jsmin),
        ("assets/javascripts/casme3-check.js", rjsmin.jsmin),
        ("assets/javascripts/casme3-parse.js", rjsmin.jsmin),
        ("assets/javascripts/casme3-apply.js", rjsmin.jsmin),
        ("assets/stylesheets/casme3.css", rcssmin.cssmin),
    ]:
        source = (ROOT / "docs" / path).read_text("utf-8")
        served = (site / path).read_text("utf-8")
        if path.endswith(".css"):  # the palette's rules come first (test_the_palette_...)
            served = served.removeprefix(_palette_rules(site))
        assert served == minify(source) and len(served) < 0.8 * len(source), path


def _palette_rules(site: Path) -> str:
    (sheet,) = (site / "assets" / "stylesheets").glob("palette.*.min.css")
    return sheet.read_text("utf-8")


def test_the_palette_rules_are_our_colors_only_and_in_our_style_sheet(site):
    """Material's palette sheet offers every color; the site's pages get the rules of the two
    schemes and the one color mkdocs.yml names, at the head of our own style sheet, and link
    no palette sheet (one request less that blocks rendering)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("site_hooks", ROOT / "macros" / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    import material

    (theirs,) = (Path(material.__file__).parent / "templates/assets/stylesheets").glob(
        "palette.*.min.css"
    )
    full = theirs.read_text("utf-8")
    ours = _palette_rules(site)
    assert (site / "assets/stylesheets/casme3.css").read_text("utf-8").startswith(ours)
    colors = set(re.findall(r"data-md-color-(?:primary|accent|scheme)=([\w-]+)", ours))
    assert colors == {"indigo", "slate"}
    assert "--md-default-bg-color:" in ours and len(ours) < 0.3 * len(full)
    # A selector list keeps the selectors that can match: `red` out, `indigo` in.
    css = "[data-md-color-primary=red],[data-md-color-primary=indigo] a{color:red}"
    used = {"primary": {"indigo"}}
    assert hooks.palette_subset(css, used) == "[data-md-color-primary=indigo] a{color:red}"
    media = "@media screen{[data-md-color-accent=red]{x:y}}[data-md-color-switching] *{z:0}"
    assert hooks.palette_subset(media, {"accent": {"indigo"}}) == "[data-md-color-switching] *{z:0}"
    for file in html_pages(site):
        if file.name != "404.html":
            assert not re.search(r"stylesheets/palette\.", file.read_text("utf-8")), file


def test_pages_come_without_blank_lines_and_keep_their_code_as_written(site):
    text = (site / "usage" / "cli" / "index.html").read_text("utf-8")
    outside = re.sub(r"<(pre|textarea|script|style|code)\b.*?</\1>", "<kept>", text, flags=re.S)
    assert not re.search(r"\n[ \t]*\n", outside) and not re.search(r"\n[ \t]+<", outside)
    # A code block keeps its lines and indents, as the Markdown source has them.
    blocks = re.findall(r"<pre[^>]*>(.*?)</pre>", text, re.S)
    assert any("\n" in b for b in blocks)


def test_no_file_names_a_path_of_a_build_machine():
    """Sources say where things are relative to the project, never on one machine."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    machine = re.compile(rb"(?<![\w.])/(?:work|root|home/\w+|Users/\w+|opt/[\w-]+)/")
    for name in filter(None, listed):
        path = ROOT / os.fsdecode(name)
        if path.is_file() and not name.endswith(b"package-lock.json"):
            assert not machine.search(path.read_bytes()), name.decode()


def test_logo_and_favicon_are_our_own_small_svgs(site):
    soup = page(site, "")
    for href, name in [
        (soup.find("link", rel="icon")["href"], "favicon.svg"),
        (soup.select_one(".md-header .md-logo img")["src"], "logo.svg"),
    ]:
        path = (site / href).resolve()
        assert path.name == name and path.is_file(), href
        svg = path.read_bytes()
        assert len(svg) < 600, (name, len(svg))
        root = ElementTree.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert b"href" not in svg and b"<text" not in svg  # nothing fetched, no font needed


def test_light_and_dark_palettes_follow_the_system(site):
    inputs = page(site, "").select("form[data-md-component=palette] input")
    assert [(i["data-md-color-media"], i["data-md-color-scheme"]) for i in inputs] == [
        ("(prefers-color-scheme: light)", "default"),
        ("(prefers-color-scheme: dark)", "slate"),
    ]


def test_header_links_the_source_only_when_a_source_url_is_set(site, tmp_path):
    for path in PAGES:
        assert page(site, path).select(".md-header a.la-source") == [], path
    source = "https://example.org/casme3-compliance"
    out = tmp_path / "site"
    result = mkdocs_build(out, {"CASME3_SOURCE_URL": source})
    assert result.returncode == 0, result.stderr
    for path in PAGES:
        soup = page(out, path)
        links = soup.select(".md-header a.la-source")
        assert len(links) == 1 and links[0]["href"] == source, path
        assert links[0].get_text(strip=True) == "Source code" and links[0].find("svg")
        # Not Material's repo_url source box, whose script asks GitHub's API for the repo's facts.
        assert soup.select("[data-md-component=source]") == [], path


def test_search_sends_every_subject_to_its_place_on_its_subjects_page(family_site, grown):
    """The links casme3-search.js puts first in the search results, from /api/databases.json."""
    listed = json.loads((family_site / "api/databases.json").read_text("utf-8"))
    for db, d in zip(grown.databases, listed["databases"], strict=True):
        links = d["subject_links"]
        if db.subjects is None:
            assert links == ({"": {"unknown": f"{db.id}/#not-public"}} if not db.public else {})
            assert page(family_site, url(db)).find(id="not-public") is not None
            continue
        subjects = page(family_site, url(db, "subjects"))
        for part in db.subjects.parts:
            label = templates(db, part)["label"]
            numbers = part.numbers() or range(1, max(part.list, default=1) + 3)
            for n in numbers:
                href = links[part.key]["restricted" if part.is_restricted(n) else "allowed"]
                path, _, anchor = href.replace("{n}", str(n)).partition("#")
                target = subjects.find(id=anchor)
                assert path == url(db, "subjects") and target is not None, (part.key, n, href)
                text = _squash(target.get_text())
                if target.name == "h2":  # not on its part's list: the section of its part
                    assert part.name in text and n not in part.list, (part.key, n)
                else:
                    assert text.startswith(label.replace("{n}", str(n).zfill(part.pad)))


def test_cite_page_shows_each_form_of_the_name_as_written_once_escaped(site, kb):
    codes = [c.get_text() for c in page(site, url(kb, "cite")).select("#name ~ p code")]
    for key, form in kb.citation.name_forms.items():
        if key != "unicode":  # the name itself is in the sentence, the others are code
            assert form in codes, form  # `CAS(ME)<sup>3</sup>` reads as itself, not `&lt;sup&gt;`


# --- The family: a database is data --------------------------------------------------------


def test_a_database_the_code_has_never_seen_gets_its_page_set_from_its_data(family_site, grown):
    """The synthetic database has terms, subjects, cite and checklist pages (its agreement has
    no at-a-glance labels and says nothing on how to apply, so it has none of those); the one
    whose agreement is not public has its home and its citation, and no term of any kind."""
    db = grown.db(SYNTHETIC)
    assert [s for s, _ in pages.page_set(db)] == ["", "terms", "subjects", "cite", "checklist"]
    for slug in ("at-a-glance", "apply"):
        assert not (family_site / db.id / slug).exists()
    home = _article(page(family_site, url(db)))
    assert db.full_name in home and db.agreement.provenance.line() in home
    subjects = page(family_site, url(db, "subjects"))
    part = db.subjects.parts[0]
    for n in part.list:
        assert subjects.find(id=part.anchor(n)).get_text() == part.name_of(n)
    terms = page(family_site, url(db, "terms"))
    for clause in db.agreement.clauses():
        assert _squash(clause.text) in _article(terms)
        if clause.subjects:  # the clause that holds a list links each subject in its table
            listed = db.subjects.part(clause.subjects)
            links = terms.find(id=clause.anchor).select(".la-clause__subjects a[href*='#']")
            assert [(a.get_text(), a["href"].split("#")[1]) for a in links] == [
                (listed.name_of(n), listed.anchor(n)) for n in listed.restricted()
            ]
    checklist_page = _article(page(family_site, url(db, "checklist")))
    for item in db.checklists[0].items:
        assert _squash(item.text) in checklist_page
    hidden = grown.db(NOT_PUBLIC)
    assert [s for s, _ in pages.page_set(hidden)] == ["", "cite"]
    assert sorted(p.name for p in (family_site / hidden.id).iterdir()) == ["cite", "index.html"]
    soup = page(family_site, url(hidden))
    text = _article(soup)
    assert soup.find(id="not-public") is not None and hidden.ask in text
    assert "agreement is not public" in text and "clause" not in text.lower()
    assert not (family_site / f"api/{hidden.id}/agreement.json").exists()
    unknown = json.loads((family_site / f"api/{hidden.id}/subjects.json").read_text("utf-8"))
    assert unknown["parts"] == [] and "{subject}" in unknown["unknown"]
    assert hidden.ask in unknown["unknown"]


def test_each_database_has_a_nav_section_with_its_pages(family_site, grown):
    """Every page's nav names each database (a link to its home); on a database's own pages its
    section lists its pages. Only that part of the nav is in the page (navigation.prune)."""
    sections = page(family_site, "").select("nav.md-nav--primary > ul > li.md-nav__item--nested")
    names = {_squash(li.get_text(" ")): li.find("a")["href"] for li in sections}
    for db in grown.databases:
        assert names[db.name] == url(db), db.id
        for slug, _ in pages.page_set(db):
            nav = page(family_site, url(db, slug)).select_one("nav.md-nav--primary")
            section = next(
                li
                for li in nav.select("li.md-nav__item--nested")
                if li.find("label") and _squash(li.find("label").get_text()) == db.name
            )
            hrefs = [
                urljoin(f"/{url(db, slug)}", a["href"])
                for a in section.select("a.md-nav__link")
                if "#" not in a["href"]
            ]
            assert hrefs == [f"/{url(db, s)}" for s, _ in pages.page_set(db)], (db.id, slug)


def test_home_asks_which_databases_and_sends_the_choice_on(family_site, grown):
    soup = page(family_site, "")
    first = soup.select_one("article h2")
    assert first["id"] == "databases" and "Which databases" in first.get_text()
    form = soup.select_one("form.la-choose")
    assert form["method"] == "get" and form["action"] == "self-check/"
    assert form.select_one("button[formaction]")["formaction"] == "compare/"
    boxes = form.select("input[type=checkbox][name=db]")
    assert [b["value"] for b in boxes] == list(grown.ids)
    for db in grown.databases:
        item = form.find("input", id=f"choose-{db.id}").find_parent("li")
        assert [a["href"] for a in item.select("a")] == [
            url(db, slug) for slug, _ in pages.page_set(db)
        ]
    # The lookup comes right after, first among the tools, and can answer for every database.
    tools = soup.select("article h2")
    assert tools[1]["id"] == "lookup" and tools[1].find_next(class_="la-lookup")
    options = [o["value"] for o in soup.select("#subject-lookup-db option")]
    assert options == [d.id for d in widgets.lookup_databases(grown)]
    assert soup.select_one("#subject-lookup-db option[selected]")["value"] == grown.default


def test_the_comparison_puts_each_topic_of_every_agreement_side_by_side(family_site, grown):
    """Each row is a clause topic; each database has a cell in it, holding its clauses of that
    topic (our summary, linked to the clause), or saying it has none, or that its agreement is
    not public."""
    soup = page(family_site, "compare/")
    for topic in pages.COMPARE:
        row = soup.find(id=topic).find_next(class_="la-compare")
        cells = row.select(":scope > .la-compare__cell")
        assert [c["data-db"] for c in cells] == list(grown.ids), topic
        for db, cell in zip(grown.databases, cells, strict=True):
            text = _squash(cell.get_text(" "))
            if db.agreement is None:
                assert "not public" in text and cell.find("a", href=f"../{db.id}/#not-public")
                continue
            clauses = db.agreement.with_topic(topic)
            hrefs = [a["href"] for a in cell.select("li a")]
            assert hrefs == [f"../{db.id}/terms/#{c.anchor}" for c in clauses], (topic, db.id)
            for clause in clauses:
                assert _squash(clause.summary) in text
            if not clauses:
                assert "No clause" in text, (topic, db.id)


# --- Moved pages ------------------------------------------------------------------------------


def test_every_page_that_moved_redirects_keeping_its_anchor(site, kb):
    """Each of yesterday's pages is a small page: its script sends the reader on with the
    anchor and query (allowed by its policy, by hash), a refresh inside <noscript> and a link do
    without JavaScript; the new page has every anchor the old one had."""
    moved = pages.redirects(FAMILY)
    assert sorted(moved) == sorted(OLD_PAGES)
    scripts = set()
    for old, new in moved.items():
        assert new == f"{kb.id}/{old}"
        html = (site / old / "index.html").read_text("utf-8")
        soup = BeautifulSoup(html, "html.parser")
        link = soup.select_one("a#la-moved")
        assert urljoin(f"/{old}", link["href"]) == f"/{new}"
        refresh = BeautifulSoup(soup.select_one("head noscript").decode_contents(), "html.parser")
        assert refresh.find("meta", attrs={"http-equiv": "refresh"})["content"] == (
            f"0; url={link['href']}"
        )
        script = soup.select_one("script:not([src])").string
        assert "location.hash" in script and "location.search" in script
        policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy and policy == csp.policy(html)
        assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
        scripts.add(script)
        assert (site / new / "index.html").is_file()
    assert len(scripts) == 1  # one script, one hash
    # Anchors that links elsewhere used: they are all on the pages the redirects lead to.
    for old, anchor in [
        ("terms/", "clause-3-4"),
        ("subjects/", "spno-131"),
        ("subjects/", "part-c-27"),
        ("apply/", "file-name"),
        ("apply/", "who-signs"),
        ("cite/", "bibtex"),
        ("checklist/", "publish"),
    ]:
        assert page(site, moved[old]).find(id=anchor) is not None, (old, anchor)
