"""The home page: the subject lookup first, then the four jobs as cards that go where they say."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# Each card's link text, where it leads, and what must be there.
CARDS = [
    ("Subject tables", "subjects/", "table.la-subjects--ab td[id]"),
    ("Publication self-check", "self-check/", "#self-check-subjects"),
    ("Copy the BibTeX", "cite/#bibtex", "#bibtex ~ div.highlight button.md-code__button"),
    ("Who signs, the steps", "apply/", "#who-signs"),
]

FIRST_THINGS = """() => [...document.querySelectorAll('article > *')]
  .filter((e) => !['H1', 'P', 'NOSCRIPT'].includes(e.tagName))
  .slice(0, 2).map((e) => e.className)"""


def test_lookup_comes_first_then_the_four_job_cards(tab):
    tab.goto("")
    first = tab.page.evaluate(FIRST_THINGS)
    assert "la-lookup" in first[0] and "grid cards" in first[1], first
    cards = tab.page.locator(".grid.cards > ul > li")
    assert [c.locator("p").last.inner_text().rstrip(" →") for c in cards.all()] == [
        text for text, _, _ in CARDS
    ]
    assert tab.page.locator("article .admonition").count() == 0  # no disclaimer box up top


@pytest.mark.parametrize(("text", "target", "there"), CARDS)
def test_each_card_leads_where_it_says(tab, base_url, text, target, there):
    tab.goto("")
    card = tab.page.locator(".grid.cards > ul > li", has_text=text)
    card.scroll_into_view_if_needed()
    title = card.locator("p").first.bounding_box()  # anywhere on the card follows its link
    tab.page.mouse.click(title["x"] + title["width"] / 2, title["y"] + title["height"] / 2)
    tab.page.wait_for_url(base_url + target)
    tab.page.locator(there).first.wait_for(state="visible")  # the new page's content is in
    tab.wait_for_tools()
