"""Yesterday's addresses: each page that moved under its database's folder sends the reader on,
anchor and query included; without JavaScript, to the page itself."""

from __future__ import annotations

import pytest
from test_site import OLD_PAGES

from casme3_compliance.render import pages

pytestmark = pytest.mark.browser

# Anchors of yesterday's pages that links, bookmarks and papers point at.
ANCHORED = [
    ("terms/", "clause-3-4"),
    ("terms/", "provenance"),
    ("subjects/", "spno-131"),
    ("subjects/", "part-c-27"),
    ("at-a-glance/", "limitations"),
    ("cite/", "bibtex"),
    ("checklist/", "publish"),
    ("apply/", "file-name"),
]

TARGET = "() => document.querySelector(':target')?.id ?? null"


def test_every_old_page_is_a_redirect(site_family):
    assert sorted(pages.redirects(site_family)) == sorted(OLD_PAGES)


@pytest.mark.parametrize(("old", "anchor"), ANCHORED)
def test_an_old_address_lands_on_the_new_page_at_its_anchor(
    tab, base_url, site_family, old, anchor
):
    new = pages.redirects(site_family)[old]
    tab.page.goto(f"{base_url}{old}#{anchor}")
    tab.page.wait_for_url(f"{base_url}{new}#{anchor}")
    tab.wait_for_tools()
    assert tab.page.evaluate(TARGET) == anchor
    box = tab.page.locator(f"[id='{anchor}']").bounding_box()
    assert 0 <= box["y"] < tab.page.viewport_size["height"], box  # scrolled to it
    # The redirect replaced itself in the history: "back" does not bounce off it again.
    assert tab.page.evaluate("() => history.length") == 2


def test_the_query_travels_too(tab, base_url, site_family, kb):
    tab.page.goto(f"{base_url}subjects/?from=paper#spno-131")
    tab.page.wait_for_url(f"{base_url}{kb.id}/subjects/?from=paper#spno-131")
    tab.wait_for_tools()


@pytest.mark.parametrize("old", OLD_PAGES)
def test_without_javascript_the_refresh_leads_to_the_page(browser, base_url, site_family, old):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    new = pages.redirects(site_family)[old]
    page.goto(f"{base_url}{old}")
    page.wait_for_url(f"{base_url}{new}")
    assert page.locator("h1").is_visible()
    # The page itself, before the refresh fires, is a link to the new address.
    response = page.request.get(f"{base_url}{old}")
    assert f'href="../{new}"' in response.text()
    context.close()
