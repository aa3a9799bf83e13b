"""The built site: strict build, anchors, tables, downloads and data for tools, no foreign hosts."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from conftest import DATA, DB, FAMILY, ROOT

from casme3_compliance.knowledge.verdicts import templates
from casme3_compliance.render import api, checklist, citation
from casme3_compliance.render.markdown import verdict_headings

VERDICT_HEADINGS = verdict_headings(FAMILY.db())

PAGES = ["", "terms/", "at-a-glance/", "subjects/", "self-check/", "cite/", "checklist/", "apply/"]


def mkdocs_build(site: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        timeout=300,
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    result = mkdocs_build(out, {"CASME3_SOURCE_URL": ""})
    assert result.returncode == 0, result.stderr
    return out


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text("utf-8"), "html.parser")


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_no_template_syntax_or_macro_error_survives(site):
    for path in html_pages(site):
        text = path.read_text("utf-8")
        for bad in ("{{", "{%", "{#", "Macro Rendering Error", "Macro Syntax Error", "Traceback"):
            assert bad not in text, f"{path.relative_to(site)} holds {bad!r}"


def _squash(text: str) -> str:
    return " ".join(text.split())


ALL_PAGES = [*PAGES, "usage/cli/", "rules/"]


def test_every_page_carries_the_notice_once(site, kb):
    """One notice per page: not the LA, clause numbers are ours, which LA text, and a link to
    the verbatim terms (on the terms page, to where its text comes from)."""
    a = kb.agreement
    for url in [*ALL_PAGES, *(f"rules/{r.code}/" for r in kb.rules)]:
        soup = page(site, url)
        notes = soup.select(".la-notice")
        assert len(notes) == 1, url
        text = _squash(notes[0].get_text())
        for piece in (kb.disclaimer, a.numbering, a.provenance.line()):
            assert _squash(piece) in text, (url, piece[:30])
        article = _squash(soup.select_one("article").get_text())
        assert article.count(_squash(kb.disclaimer)) == 1, url  # no second disclaimer
        hrefs = [urljoin(f"/{url}", a["href"]) for a in notes[0].find_all("a", href=True)]
        assert hrefs == (["/terms/#provenance"] if url == "terms/" else ["/terms/"]), url


def test_no_page_claims_a_version_the_la_does_not_have(site, kb):
    for path in html_pages(site):
        text = path.read_text("utf-8")
        assert not re.search(r"LA version|version LA-|\bLA-\d{4}", text), path


def test_terms_has_every_clause_verbatim_with_its_anchor_and_place(site, kb):
    soup = page(site, "terms/")
    for clause in kb.agreement.clauses():
        block = soup.find(id=clause.anchor)
        assert block is not None, clause.id
        quote = _squash(block.select_one("blockquote").get_text(" "))
        paragraph = block.select_one("blockquote p")
        shown = _squash(paragraph.get_text()) if paragraph else ""
        assert _squash(re.sub(r"<(https?://[^>]+)>", r"\1", clause.text)) == shown or (
            clause.fields
            and [li.get_text() for li in block.select("blockquote li")] == list(clause.fields)
        ), clause.id
        for item in clause.items:
            assert item in quote
        text = _squash(block.get_text(" "))
        assert _squash(clause.summary) in text and "Our reading" in text
        assert block.select_one(".la-where").get_text() == str(clause.where), clause.id
    assert soup.find(id="clause-3-4") is not None
    # Clause numbers are said to be ours, and the provenance is shown.
    body = _squash(soup.select_one("article").get_text(" "))
    assert _squash(kb.agreement.numbering) in body
    pdf = kb.agreement.provenance.pdf
    assert soup.find("a", href=pdf.url) and pdf.created in body and pdf.sha256 in body


def test_terms_links_the_las_upload_link_lists_the_form_and_says_the_link_is_reported_dead(
    site, kb
):
    app = kb.agreement.application
    soup = page(site, "terms/")
    block = soup.find(id=kb.agreement.clause(app.la_clause).anchor)
    assert block.select_one(f'blockquote a[href="{app.la_url}"]') is not None
    assert _squash(app.la_status) in _squash(block.get_text(" "))
    form = next(c for c in kb.agreement.clauses() if c.fields)
    items = [li.get_text() for li in soup.find(id=form.anchor).select("blockquote li")]
    assert items == list(form.fields)


def test_the_ambiguous_sentence_is_shown_with_both_readings_and_ours(site, kb):
    ambiguous = [c for c in kb.agreement.clauses() if c.readings]
    assert ambiguous
    for url in ("terms/", "apply/"):
        text = _squash(page(site, url).select_one("article").get_text(" "))
        for clause in ambiguous:
            assert _squash(clause.text) in text, url
            assert f"admits {len(clause.readings.options)} readings" in text, url
            for piece in (clause.readings.why, *clause.readings.options, clause.readings.ours):
                assert _squash(piece) in text, (url, piece[:30])
            assert "ours, not the LA" in text


def test_subject_tables_have_one_cell_and_anchor_per_restricted_subject(site, kb):
    soup = page(site, "subjects/")
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
    text = " ".join(page(site, "subjects/").select_one("article").get_text(" ").split())
    for source in kb.subjects.sources.values():
        assert text.count(" ".join(source.note.split())) == 1, source.note
        assert text.count(source.where) == 1, source.where


def test_pages_about_subjects_keep_the_las_limit_on_images(site, kb):
    """The LA: restricted images "should not be published"; others "may be used in paper writing
    and academic presentation" under conditions A-C. Never "may be published" or "may appear"."""
    loose = re.compile(r"\bmay (?:not )?(?:be published|appear)", re.I)
    for url in ("", "subjects/"):
        text = " ".join(page(site, url).select_one("article").get_text(" ").split())
        assert not loose.search(text), (url, loose.search(text))
        assert "should not be published" in text, url
    text = " ".join(page(site, "subjects/").select_one("article").get_text(" ").split())
    for part in kb.subjects.parts:
        assert templates(kb, part)["allowed"].split("{label}")[-1].strip() in text, part.key
    for clause in (kb.agreement.clause(c) for p in kb.subjects.parts for c in p.conditions):
        assert " ".join(clause.text.split()) in text, clause.id


def test_at_a_glance_has_three_columns_linking_clauses(site, kb):
    soup = page(site, "at-a-glance/")
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


def test_downloads_and_api_are_the_packages_output(site, kb):
    assert (site / "downloads/casme3.bib").read_text("utf-8") == citation.render(
        kb.citation, "bibtex"
    )
    assert (site / "downloads/casme3.ris").read_text("utf-8") == citation.render(kb.citation, "ris")
    assert (site / "downloads/CITATION.cff").read_text("utf-8") == citation.render(
        kb.citation, "cff"
    )
    assert (site / "downloads/casme3-checklist.md").read_text("utf-8") == checklist.render(kb, "md")
    assert (site / "downloads/casme3-checklist.pdf").read_bytes()[:5] == b"%PDF-"
    for name, build in api.DOCUMENTS.items():
        assert json.loads((site / f"api/{name}.json").read_text("utf-8")) == json.loads(
            api.dumps(build(kb))
        )


def test_links_to_downloads_resolve(site):
    for url in ("", "cite/", "checklist/"):
        for a in page(site, url).find_all("a", href=re.compile(r"downloads/")):
            target = (site / url / a["href"]).resolve()
            assert target.is_file(), (url, a["href"])


def test_cite_page_shows_the_bibtex_in_a_copyable_block(site, kb):
    soup = page(site, "cite/")
    block = soup.find(id="bibtex").find_next("pre")
    assert block.get_text().strip() == citation.render(kb.citation, "bibtex").strip()


def test_no_request_to_another_host(site):
    """Nothing the browser fetches by itself points off the site (links a person clicks may)."""
    external = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
    fetched = {"script": "src", "img": "src", "iframe": "src", "source": "src", "video": "src"}
    for path in html_pages(site):
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        for tag, attr in fetched.items():
            for el in soup.find_all(tag):
                assert not external.match(el.get(attr, "")), (path, str(el)[:120])
        for el in soup.find_all("link", href=True):
            if not {"canonical", "alternate"} & set(el.get("rel", [])):
                assert not external.match(el["href"]), (path, str(el)[:120])
    for css in site.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", css.read_text("utf-8")), css


def test_search_index_holds_subject_numbers(site):
    index = json.loads((site / "search/search_index.json").read_text("utf-8"))
    separator = index["config"]["separator"]
    docs = {d["location"]: d["text"] for d in index["docs"]}
    subjects_text = " ".join(t for loc, t in docs.items() if loc.startswith("subjects/"))
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


def test_each_rule_has_a_page_from_its_metadata(site, kb):
    index = page(site, "rules/")
    for rule in kb.rules:
        assert index.find("a", href=re.compile(rf"{rule.code}/$")), rule.code
        soup = page(site, f"rules/{rule.code}/")
        text = " ".join(soup.select_one("article").get_text(" ").split())
        assert soup.find("h1").get_text(strip=True).startswith(f"{rule.code} {rule.name}")
        for field in (rule.summary, rule.detects, rule.why, rule.fix):
            assert " ".join(field.split()) in text, (rule.code, field[:40])
        codes = [pre.get_text() for pre in soup.select("article pre")]
        assert any(rule.good.content in c for c in codes)
        hrefs = {a["href"] for a in soup.select("article a[href]")}
        for clause_id in kb.clauses_for(rule):
            anchor = kb.agreement.clause(clause_id).anchor
            assert f"../../terms/#{anchor}" in hrefs, (rule.code, clause_id)


def test_own_script_and_style_sheet_are_served_minified(site):
    import rcssmin
    import rjsmin

    for path, minify in [
        ("assets/javascripts/casme3.js", rjsmin.jsmin),
        ("assets/javascripts/casme3-search.js", rjsmin.jsmin),
        ("assets/stylesheets/casme3.css", rcssmin.cssmin),
    ]:
        source = (ROOT / "docs" / path).read_text("utf-8")
        served = (site / path).read_text("utf-8")
        assert served == minify(source) and len(served) < 0.8 * len(source), path


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
    for url in PAGES:
        assert page(site, url).select(".md-header a.la-source") == [], url
    source = "https://example.org/casme3-compliance"
    out = tmp_path / "site"
    result = mkdocs_build(out, {"CASME3_SOURCE_URL": source})
    assert result.returncode == 0, result.stderr
    for url in PAGES:
        soup = page(out, url)
        links = soup.select(".md-header a.la-source")
        assert len(links) == 1 and links[0]["href"] == source, url
        assert links[0].get_text(strip=True) == "Source code" and links[0].find("svg")
        # Not Material's repo_url source box, whose script asks GitHub's API for the repo's facts.
        assert soup.select("[data-md-component=source]") == [], url


def test_search_sends_every_subject_to_its_place_on_the_subjects_page(site, kb):
    """The links casme3.js puts first in the search results, from the search partial."""
    links = json.loads(page(site, "").select_one("[data-la-search]")["data-la-search"])["links"]
    subjects = page(site, "subjects/")
    for part in kb.subjects.parts:
        label = templates(kb, part)["label"]
        for n in part.numbers():
            href = links[part.key]["restricted" if part.is_restricted(n) else "allowed"]
            path, _, anchor = href.replace("{n}", str(n)).partition("#")
            target = subjects.find(id=anchor)
            assert path == "subjects/" and target is not None, (part.key, n, href)
            text = " ".join(target.get_text().split())
            if target.name == "h2":  # no cell of its own: the section of its part
                assert part.name in text and not part.is_restricted(n), (part.key, n)
            else:
                assert text.startswith(label.replace("{n}", str(n))), (part.key, n, text)


def test_cite_page_shows_each_form_of_the_name_as_written_once_escaped(site, kb):
    codes = [c.get_text() for c in page(site, "cite/").select("#name ~ p code")]
    for key, form in kb.citation.name_forms.items():
        if key != "unicode":  # the name itself is in the sentence, the others are code
            assert form in codes, form  # `CAS(ME)<sup>3</sup>` reads as itself, not `&lt;sup&gt;`
