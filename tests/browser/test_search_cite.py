"""Material's search finds subjects and terms; the copy button copies the package's BibTeX."""

from __future__ import annotations

import pytest

from casme3_compliance import citation

pytestmark = pytest.mark.browser

FOUND = """([prefix]) => [...document.querySelectorAll('.md-search-result__item a')]
  .some((a) => a.href.startsWith(prefix))"""


def test_search_finds_subjects_and_terms(tab, base_url):
    tab.goto("")
    box = tab.page.locator(".md-search__input")
    for query, page in [
        ("131", "subjects/"),
        ("spNO.131", "subjects/"),
        ("commercial", "terms/"),
        ("supervisor", "terms/"),
    ]:
        box.click()
        box.fill("")
        tab.page.keyboard.type(query)
        # Results render after the worker answers; wait for a link to the page, then check it.
        tab.page.wait_for_function(FOUND, arg=[base_url + page])
        assert tab.page.evaluate(FOUND, [base_url + page]), query
        tab.page.keyboard.press("Escape")


def test_copy_button_puts_the_packages_bibtex_on_the_clipboard(tab, kb):
    tab.goto("cite/")
    block = tab.page.locator("xpath=//h2[@id='bibtex']/following::pre[1]")
    block.locator('button.md-code__button[data-md-type="copy"]').click()
    copied = tab.page.evaluate("navigator.clipboard.readText()")
    # The code block holds the BibTeX without the file's final newline.
    assert copied == citation.render(kb.citation, "bibtex").removesuffix("\n")
