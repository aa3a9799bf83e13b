"""The home page: which databases does your work use? Then the subject lookup, first among the
tools, then the other tools as cards that go where they say."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# Each card's link text, where it leads, and what must be there.
CARDS = [
    ("The paper's check", "self-check/", "#self-check-subjects"),
    ("Side by side", "compare/", ".la-compare__cell"),
    ("The command line", "usage/cli/", "#install"),
]

FIRST_THINGS = """() => [...document.querySelectorAll('article > *')]
  .filter((e) => !['H1', 'P', 'NOSCRIPT'].includes(e.tagName))
  .slice(0, 5).map((e) => e.id || e.className)"""


def test_the_choice_of_databases_first_then_the_lookup_then_the_cards(tab, site_family):
    tab.goto("")
    first = tab.page.evaluate(FIRST_THINGS)
    assert first[0] == "databases" and "la-choose" in first[1], first
    assert first[2] == "lookup" and "la-lookup" in first[3], first
    choices = tab.page.locator("form.la-choose input[name=db]")
    assert choices.evaluate_all("bs => bs.map(b => b.value)") == list(site_family.ids)
    for db in site_family.databases:  # each named, as a label a click on which ticks it
        tab.page.locator("form.la-choose").get_by_label(db.name, exact=True).check()
    assert choices.evaluate_all("bs => bs.every(b => b.checked)")
    cards = tab.page.locator(".grid.cards > ul > li")
    texts = [c.locator("p").last.inner_text().rstrip(" →") for c in cards.all()]
    assert texts[: len(CARDS)] == [text for text, _, _ in CARDS]
    assert tab.page.locator("article .admonition").count() == 0  # no disclaimer box up top


@pytest.mark.parametrize("button", ["Check a paper that uses them", "Compare their agreements"])
def test_the_choice_goes_to_the_paper_check_or_the_comparison(tab, base_url, site_family, button):
    """A plain form: the ticked databases travel in the address, and the page they reach shows
    those databases."""
    chosen = [site_family.ids[1], site_family.ids[-1]]
    tab.goto("")
    for db in chosen:
        tab.page.check(f"#choose-{db}")
    tab.page.get_by_role("button", name=button).click()
    target = "self-check/" if button.startswith("Check") else "compare/"
    query = "&".join(f"db={db}" for db in chosen)
    tab.page.wait_for_url(f"{base_url}{target}?{query}")
    tab.wait_for_tools()
    if target == "self-check/":
        ticked = tab.page.locator("#self-check-databases input:checked")
        assert ticked.evaluate_all("bs => bs.map(b => b.value)") == chosen
        shown = tab.page.locator(".la-check-db:visible")
    else:
        shown = tab.page.locator(".la-compare__cell:visible")
    assert sorted(set(shown.evaluate_all("cs => cs.map(c => c.dataset.db)"))) == sorted(chosen)


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


def test_each_database_links_its_own_pages(tab, base_url, site_family):
    from casme3_compliance.render import pages
    from casme3_compliance.render.markdown import url

    tab.goto("")
    for db in site_family.databases:
        item = tab.page.locator(f"#choose-{db.id}").locator("xpath=..")
        hrefs = item.locator("a").evaluate_all("as => as.map(a => a.href)")
        assert hrefs == [base_url + url(db, slug) for slug, _ in pages.page_set(db)]
