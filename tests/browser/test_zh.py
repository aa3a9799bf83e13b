"""Every other edition of the site (Chinese: /zh/) in the browser as the English one is tested:
every page loads cleanly and passes axe, the search finds in Chinese, the lookup, the paper's
check, the apply helper and the comparison speak Chinese, and the language switch keeps the
page and its anchor, with or without JavaScript."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from conftest import DATA
from test_site import family_pages, grown_family

import casme3_compliance as c3
from casme3_compliance.knowledge.model import anchor_for
from casme3_compliance.render import pages, widgets

from .conftest import open_tab, other_languages
from .test_pages import axe_violations
from .test_search_cite import SEARCHED

pytestmark = pytest.mark.browser

EDITIONS = other_languages()
HOME = yaml.safe_load((DATA / "i18n/languages.yaml").read_text("utf-8"))
HOME = next(x for x in HOME["languages"] if x["code"] == HOME["default"])
"""The default language, at the site's root."""
GROWN = grown_family()
IDS = [e["code"] for e in EDITIONS]
PAGES = [(e["code"], e["prefix"] + p) for e in EDITIONS for p in family_pages(GROWN)]
"""Every page of every other edition: the same pages as the default one's, in its folder."""
MATERIAL = Path(__import__("material").__file__).parent / "templates" / "partials/languages"


@pytest.fixture(scope="module")
def families(site_data) -> dict:
    """The family the served site shows, in each edition's language."""
    return {e["code"]: c3.load_family(site_data, cache=False, lang=e["code"]) for e in EDITIONS}


def material(edition: dict, key: str) -> str:
    text = (MATERIAL / f"{edition['theme']}.html").read_text("utf-8")
    return json.loads(text.split(f'"{key}": ', 1)[1].split(",\n", 1)[0])


def glossary(edition: dict) -> dict[str, str]:
    """The edition's word for each English term of its glossary."""
    path = DATA / "i18n" / edition["code"] / "glossary.yaml"
    return {t["en"]: t[edition["code"]] for t in yaml.safe_load(path.read_text("utf-8"))["terms"]}


@pytest.fixture(scope="module")
def sweep(browser, base_url):
    context = browser.new_context()
    yield open_tab(context, base_url)
    context.close()


@pytest.mark.parametrize(("code", "path"), PAGES)
def test_every_page_of_an_edition_loads_cleanly_and_passes_axe(sweep, axe, code, path):
    edition = next(e for e in EDITIONS if e["code"] == code)
    sweep.clear()
    response = sweep.goto(path)
    assert response.status == 200
    assert sweep.page.evaluate("document.documentElement.lang") == edition["html"]
    assert sweep.page.locator(".la-notice").is_visible()
    assert sweep.page.locator(".la-lang__link").count() == len(EDITIONS)
    policy = sweep.page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content")
    script = dict(d.strip().split(" ", 1) for d in policy.split(";"))["script-src"].split()
    assert script[0] == "'self'" and all(s.startswith("'sha256-") for s in script[1:])
    assert axe_violations(sweep.page, axe) == []
    assert sweep.errors == []
    assert sweep.foreign_requests() == []


def _search(tab, query: str) -> None:
    """Types `query` as a reader would: Material searches on each key it hears, and a Chinese
    word comes whole from the input method."""
    box = tab.page.locator(".md-search__input")
    box.click()
    box.fill(query)
    tab.page.keyboard.press("End")


ANSWERED = SEARCHED.replace("/[0-9]|No matching/", "/[0-9]/")
"""Material's results with ours first, once the count is written (in any language)."""

FIRST = """([query]) => {
  const results = document.querySelector('[data-md-component="search-result"]');
  const meta = results.querySelector('.md-search-result__meta').textContent;
  const first = results.querySelector('.md-search-result__list > li a');
  return results.dataset.laPlaced === query && /[0-9]/.test(meta) && first ? first.href : null;
}"""
"""The first result's link, once the results are those of `query`."""


@pytest.mark.parametrize("edition", EDITIONS, ids=IDS)
def test_search_finds_the_right_page_first_in_the_editions_language(
    tab, base_url, families, edition
):
    """受限 (restricted), 引用 (citation), 签署 (sign), 商业 (commercial): the glossary's words,
    each found first on the page of the edition that is about it."""
    kb = families[edition["code"]].db()
    root = base_url + edition["prefix"]
    words = glossary(edition)
    right = {
        "restricted": [f"{kb.id}/subjects/"],
        "citation": [f"{kb.id}/cite/"],
        "sign": [f"{kb.id}/apply/", "compare/", f"{kb.id}/terms/"],
        "commercial": ["compare/", f"{kb.id}/terms/", f"{kb.id}/at-a-glance/"],
    }
    tab.goto(edition["prefix"] + f"{kb.id}/terms/")
    for term, places in right.items():
        _search(tab, words[term])
        first = tab.page.wait_for_function(FIRST, arg=[words[term]]).json_value()
        page = first.split("?")[0].split("#")[0]
        assert page in [root + p for p in places], (words[term], first)
        tab.page.keyboard.press("Escape")


@pytest.mark.parametrize("edition", EDITIONS, ids=IDS)
def test_a_subject_in_the_search_gets_its_verdict_first_in_the_editions_language(
    tab, base_url, families, edition
):
    """The verdict casme3-search.js puts first speaks the page's language and links the
    subjects page of the same edition; Material's count is in its words too."""
    kb = families[edition["code"]].db()
    tab.goto(edition["prefix"] + f"{kb.id}/cite/")
    for query in ("spNO.131", "131", "C27"):
        _search(tab, query)
        state = tab.page.wait_for_function(ANSWERED, arg=[query]).json_value()
        v = c3.verdict(query, kb)
        link = pages.subject_links(kb)[v.part][v.verdict].replace("{n}", str(v.number))
        assert state["ours"] == 1 and state["href"] == base_url + edition["prefix"] + link
        heading = kb.texts[f"verdict.{v.verdict}"]
        assert state["text"] == v.subject + heading + widgets.gap(kb) + v.message, state
        if state["items"] - state["ours"] < 10:  # every result shown: the count says them all
            n = state["items"]
            count = material(edition, "search.result.one" if n == 1 else "search.result.other")
            assert state["meta"] == count.replace("#", str(n)), state
        tab.page.keyboard.press("Escape")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_search_in_chinese_passes_axe(tab, axe, families, scheme):
    edition = EDITIONS[0]
    kb = families[edition["code"]].db()
    tab.page.emulate_media(color_scheme=scheme)
    tab.goto(edition["prefix"] + f"{kb.id}/terms/")
    word = glossary(edition)["restricted"]
    _search(tab, word)
    tab.page.wait_for_function(FIRST, arg=[word])
    assert axe_violations(tab.page, axe) == []


@pytest.mark.parametrize("edition", EDITIONS, ids=IDS)
def test_the_lookup_answers_in_the_editions_language(tab, base_url, families, edition):
    fam = families[edition["code"]]
    kb = fam.db()
    gap = widgets.gap(kb)
    tab.goto(edition["prefix"] + f"{kb.id}/subjects/")
    label = tab.page.locator("label[for=subject-lookup]").text_content()
    assert label == fam.t("ui.lookup.subject")
    for ref in ("spNO.131", "21", "C27", "x"):
        tab.page.fill("#subject-lookup", ref)
        result = tab.page.locator("#subject-lookup-result")
        text = result.text_content()
        try:
            v = c3.verdict(ref, kb)
        except c3.RefError:
            assert result.get_attribute("data-verdict") == "invalid"
            assert text.startswith(kb.texts["verdict.invalid"] + gap), text
            continue
        assert text.startswith(kb.texts[f"verdict.{v.verdict}"] + gap + v.message), text
        link = result.locator("a")
        assert link.text_content() == fam.t("ui.answer.clause", id=v.clause)
        href = f"{base_url}{edition['prefix']}{kb.id}/terms/#{anchor_for(v.clause)}"
        assert link.get_attribute("href") == href
    # The home page's lookup, for another database named first: its name as the edition writes.
    tab.goto(edition["prefix"])
    other = next(db for db in widgets.lookup_databases(fam) if db.id != kb.id and db.subjects)
    tab.page.fill("#subject-lookup", f"{other.id}:{widgets.example(other)}")
    name = tab.page.locator("#subject-lookup-result .la-answer__db").text_content()
    assert name == fam.t("ui.answer.database", name=other.name)


@pytest.mark.parametrize("edition", EDITIONS, ids=IDS)
def test_the_papers_check_speaks_the_editions_language(tab, families, edition):
    fam = families[edition["code"]]
    kb = fam.db()
    other = next(db for db in widgets.lookup_databases(fam) if db.id != kb.id and db.subjects)
    tab.goto(edition["prefix"] + "self-check/")
    assert tab.page.locator("#self-check-download").text_content() == fam.t("ui.check.download")
    tab.page.check(f"#self-check-db-{kb.id}")
    tab.page.check(f"#self-check-db-{other.id}")
    tab.page.fill("#self-check-subjects", f"{kb.id}:spNO.131, x9")
    tab.page.wait_for_function(
        "() => document.querySelectorAll('#self-check-results > li').length === 2"
    )
    v = c3.verdict("spNO.131", kb)
    named = fam.t("ui.answer.named", name=kb.name, label=v.subject)
    invalid = fam.t("ui.check.quoted", input="x9")
    unticked = len([i for c in (kb, other) for i in _publish(c)])
    blocks = [
        fam.t("ui.check.not_ready"),
        fam.t("ui.check.restricted_block", list=named),
        fam.t("ui.check.invalid_block", list=invalid),
        fam.t("ui.check.unticked_block", n=unticked, total=unticked),
    ]
    status = tab.page.locator("#self-check-status").text_content()
    assert status == widgets.join(kb, "ui.join.sentences", blocks)
    answers = tab.page.locator("#self-check-results > li").all_text_contents()
    assert answers[0].startswith(kb.texts["verdict.restricted"]) and v.message in answers[0]
    why = fam.t("ui.check.ambiguous", example=f"{kb.id}:x9")
    assert fam.t("ui.check.entry", input="x9", message=why) in answers[1]
    with tab.page.expect_download() as download:
        tab.page.click("#self-check-download")
    text = Path(download.value.path()).read_text("utf-8")
    date = dt.date.today().isoformat()
    assert download.value.suggested_filename == fam.t("ui.check.md_file", date=date)
    head = f"# {fam.t('ui.check.md_title')}\n\n{fam.t('ui.check.md_meta', date=date)}\n"
    assert text.startswith(head), text
    assert f"\n{fam.t('ui.check.md_status', status=status)}\n" in text


def _publish(db) -> tuple:
    return next((c.items for c in db.checklists if c.id == widgets.PUBLISH), ())


@pytest.mark.parametrize("edition", EDITIONS, ids=IDS)
def test_the_apply_helper_speaks_the_editions_language(tab, families, edition):
    fam = families[edition["code"]]
    kb = next(db for db in fam.databases if db.agreement and db.agreement.application.who_signs)
    tab.goto(edition["prefix"] + f"{kb.id}/apply/")
    who = kb.agreement.application.who_signs
    role = who.roles[0]
    tab.page.check(f"#apply-role-{role.id}")
    tab.page.check("#apply-email-yes")
    shown = tab.page.locator("#apply-signer [data-case]:not([hidden])").text_content()
    assert who.outcomes[role.with_email].text in shown
    tab.page.fill("#apply-signer-name", "a/b")
    assert tab.page.locator("#apply-filename-error").text_content() == fam.t(
        "ui.apply.forbidden", chars="“/”"
    )
    tab.page.fill("#apply-signer-name", "张三")
    copy = tab.page.locator("#apply-filename-copy")
    assert copy.text_content() == fam.t("ui.apply.copy")
    copy.click()
    name = tab.page.locator("#apply-filename").text_content()
    assert tab.page.evaluate("navigator.clipboard.readText()") == name
    # The status is written once the clipboard has taken the name.
    tab.page.wait_for_function("() => document.querySelector('#apply-copy-status').textContent")
    assert tab.page.locator("#apply-copy-status").text_content() == fam.t(
        "ui.apply.copied", filename=name
    )


@pytest.mark.parametrize("edition", EDITIONS, ids=IDS)
def test_the_comparison_names_the_chosen_databases_in_the_editions_language(tab, families, edition):
    fam = families[edition["code"]]
    dbs = fam.databases[:2]
    tab.goto(edition["prefix"] + "compare/?" + "&".join(f"db={db.id}" for db in dbs))
    shown = tab.page.locator("#compare-shown").text_content()
    names = widgets.join(fam.db(), "ui.join.list", [db.name for db in dbs])
    assert shown.startswith(fam.t("site.compare.some", list=names)), shown


@pytest.mark.parametrize("edition", EDITIONS, ids=IDS)
def test_the_copy_button_is_labelled_in_the_editions_language(tab, families, edition):
    kb = families[edition["code"]].db()
    tab.goto(edition["prefix"] + f"{kb.id}/cite/")
    button = tab.page.locator('button.md-code__button[data-md-type="copy"]').first
    assert button.get_attribute("title") == material(edition, "clipboard.copy")


def _switch(tab, to: dict):
    """The switch's link to the edition `to`."""
    return tab.page.locator(f'.la-lang__link[hreflang="{to["html"]}"]')


@pytest.mark.parametrize("edition", EDITIONS, ids=IDS)
def test_the_language_switch_keeps_the_page_and_its_anchor(tab, base_url, families, edition):
    kb = families[edition["code"]].db()
    clause = anchor_for(next(iter(kb.agreement.clauses())).id)
    tab.goto(edition["prefix"] + f"{kb.id}/terms/#{clause}")
    _switch(tab, HOME).click()
    tab.page.wait_for_url(f"{base_url}{kb.id}/terms/#{clause}")
    assert tab.page.evaluate("document.documentElement.lang") == HOME["html"]
    tab.page.wait_for_load_state()
    _switch(tab, edition).click()  # and back
    tab.page.wait_for_url(f"{base_url}{edition['prefix']}{kb.id}/terms/#{clause}")
    assert tab.page.evaluate("document.documentElement.lang") == edition["html"]
    # Instant navigation inside the edition: the switch follows the page shown, and its anchor.
    start = tab.page.evaluate("performance.timeOrigin")
    title = dict(pages.page_set(kb))["subjects"]
    section = tab.page.locator(".md-nav--primary li.md-nav__item--nested", has_text=kb.name)
    section.first.locator("a.md-nav__link", has_text=title).click()
    tab.page.wait_for_url(f"**/{edition['prefix']}{kb.id}/subjects/")
    tab.page.locator("table.la-subjects").first.wait_for()
    assert tab.page.evaluate("performance.timeOrigin") == start
    tab.page.locator('a.headerlink[href$="#lookup"]').click()
    _switch(tab, HOME).hover()
    assert _switch(tab, HOME).get_attribute("href") == f"{base_url}{kb.id}/subjects/#lookup"
    _switch(tab, HOME).click()
    tab.page.wait_for_url(f"{base_url}{kb.id}/subjects/#lookup")
    # A query is kept too (the paper's check's databases, from the home page).
    tab.goto(f"self-check/?db={kb.id}")
    _switch(tab, edition).click()
    tab.page.wait_for_url(f"{base_url}{edition['prefix']}self-check/?db={kb.id}")


def test_the_language_switch_works_without_javascript(browser, base_url, families):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    for edition in EDITIONS:
        kb = families[edition["code"]].db()
        for here, there, to in (
            (f"{kb.id}/apply/", f"{edition['prefix']}{kb.id}/apply/", edition),
            (f"{edition['prefix']}rules/", "rules/", HOME),
            (edition["prefix"], "", HOME),
        ):
            page.goto(base_url + here)
            page.locator(f'.la-lang__link[hreflang="{to["html"]}"]').click()
            page.wait_for_url(base_url + there)
    context.close()
