"""Material's search finds subjects and terms, a subject's verdict first; the copy button copies
the package's BibTeX."""

from __future__ import annotations

import pytest

import casme3_compliance as c3
from casme3_compliance.render import citation, pages, widgets

from .test_pages import axe_violations

pytestmark = pytest.mark.browser

FOUND = """([prefix]) => [...document.querySelectorAll('.md-search-result__item a')]
  .some((a) => a.href.startsWith(prefix))"""


def test_search_finds_subjects_and_terms(tab, base_url, kb):
    tab.goto("")
    box = tab.page.locator(".md-search__input")
    for query, page in [
        ("131", f"{kb.id}/subjects/"),
        ("spNO.131", f"{kb.id}/subjects/"),
        ("commercial", f"{kb.id}/terms/"),
        ("supervisor", f"{kb.id}/terms/"),
    ]:
        box.click()
        box.fill("")
        tab.page.keyboard.type(query)
        # Results render after the worker answers; wait for a link to the page, then check it.
        tab.page.wait_for_function(FOUND, arg=[base_url + page])
        assert tab.page.evaluate(FOUND, [base_url + page]), query
        tab.page.keyboard.press("Escape")


# The state of the search after casme3.js judged `query`: Material's results with ours first.
SEARCHED = """([query]) => {
  const results = document.querySelector('[data-md-component="search-result"]');
  const meta = results.querySelector('.md-search-result__meta').textContent.trim();
  if (results.dataset.laPlaced !== query || !/[0-9]|No matching/.test(meta)) return null;
  const items = [...results.querySelectorAll('.md-search-result__list > li')];
  const first = items[0]?.querySelector('a');
  return {
    ours: items.filter((li) => li.matches('.la-search-subject')).length,
    href: first ? first.href : null,
    text: first ? first.textContent.replace(/\\s+/g, ' ').trim() : null,
    items: items.length,
    meta,
  };
}"""


def subject_result(query, kb) -> tuple[str, str] | tuple[None, None]:
    """Where the first result must lead for `query`, and the sentence it must say. The links
    themselves are held to the subjects page by tests/test_site.py."""
    try:
        v = c3.verdict(query, kb)
    except c3.RefError:
        return None, None
    part = v.part if kb.subjects is not None else ""
    return pages.subject_links(kb)[part][v.verdict].replace("{n}", str(v.number)), v.message


def test_search_puts_a_subjects_verdict_first(tab, base_url, kb):
    tab.goto(f"{kb.id}/terms/")
    box = tab.page.locator(".md-search__input")
    # `Part C subject 27` gets a verdict once the package's grammar reads it, and none before.
    queries = ["131", "Part C 27", "C5", "spNO.131", "spNo 131", "21", "Part C subject 27"]
    for query in [*queries, "commercial", "2023", "3.5"]:
        box.click()
        box.fill("")
        tab.page.keyboard.type(query)
        state = tab.page.wait_for_function(SEARCHED, arg=[query]).json_value()
        link, message = subject_result(query, kb)
        if link is None:
            assert state["ours"] == 0, (query, state)
        else:
            assert state["ours"] == 1 and state["href"] == base_url + link, (query, state)
            assert message in state["text"], (query, state)
        if state["items"] - state["ours"] < 10:  # Material rendered all of its results at once
            # (it renders ten, the rest as one scrolls): the count says how many there are
            words = {0: "No matching documents", 1: "1 matching document"}
            assert state["meta"] == words.get(
                state["items"], f"{state['items']} matching documents"
            )
        tab.page.keyboard.press("Escape")


def test_a_verdict_is_placed_even_when_results_came_before_the_search_module(tab, kb):
    """A fast typist: Material shows its results while casme3-search.js is still on its way."""
    held = []
    tab.page.route("**/casme3-search.js", lambda route: held.append(route))
    tab.goto(f"{kb.id}/terms/")
    tab.page.locator(".md-search__input").click()
    tab.page.keyboard.type("131")
    tab.page.wait_for_function(
        "() => /[0-9]/.test(document.querySelector('.md-search-result__meta').textContent)"
    )
    assert len(held) == 1 and tab.page.locator(".la-search-subject").count() == 0
    held[0].continue_()
    state = tab.page.wait_for_function(SEARCHED, arg=["131"]).json_value()
    assert state["ours"] == 1 and c3.verdict("131", kb).message in state["text"]


def test_a_query_that_names_a_database_gets_its_verdict(tab, base_url, site_family):
    """`<id>:<reference>` in the search, for another database: its verdict first, linking its
    subjects page (or, for an agreement that is not public, how to ask its issuer)."""
    tab.goto("")
    box = tab.page.locator(".md-search__input")
    others = [d for d in site_family.databases if d.id != site_family.default]
    queries = [f"{db.id}:{ref}" for db in others for ref in (widgets.example(db), "7", "x")]
    for query in queries:
        box.click()
        box.fill("")
        tab.page.keyboard.type(query)
        state = tab.page.wait_for_function(SEARCHED, arg=[query]).json_value()
        named, rest = widgets.split_prefix(query, site_family.ids)
        db = site_family.db(named)
        link, message = subject_result(rest, db)
        if link is None:
            assert state["ours"] == 0, (query, state)
        else:
            assert state["ours"] == 1 and state["href"] == base_url + link, (query, state)
            assert message in state["text"] and state["text"].startswith(db.name), (query, state)
        tab.page.keyboard.press("Escape")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_results_with_a_verdict_first_pass_axe(tab, axe, kb, scheme):
    tab.page.emulate_media(color_scheme=scheme)
    tab.goto(f"{kb.id}/terms/")
    tab.page.locator(".md-search__input").click()
    tab.page.keyboard.type("C27")
    assert tab.page.wait_for_function(SEARCHED, arg=["C27"]).json_value()["ours"] == 1
    assert axe_violations(tab.page, axe) == []


def test_copy_button_puts_the_packages_bibtex_on_the_clipboard(tab, kb):
    tab.goto(f"{kb.id}/cite/")
    block = tab.page.locator("xpath=//h2[@id='bibtex']/following::pre[1]")
    block.locator('button.md-code__button[data-md-type="copy"]').click()
    copied = tab.page.evaluate("navigator.clipboard.readText()")
    # The code block holds the BibTeX without the file's final newline.
    assert copied == citation.render(kb.citation, "bibtex").removesuffix("\n")
