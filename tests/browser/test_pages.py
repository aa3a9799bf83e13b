"""Every page as a visitor loads it: 200, no console error, nothing off the site, axe clean."""

from __future__ import annotations

import pytest
from conftest import DATA

import casme3_compliance as c3

from .conftest import open_tab

pytestmark = pytest.mark.browser

NAV = ["", "terms/", "at-a-glance/", "subjects/", "self-check/", "cite/", "checklist/", "apply/"]
PAGES = [*NAV, "rules/", *(f"rules/{r.code}/" for r in c3.load(DATA).rules)]


@pytest.fixture(scope="module")
def sweep(browser, base_url):
    """One page reused for the whole sweep; each test clears what it recorded."""
    context = browser.new_context()
    yield open_tab(context, base_url)
    context.close()


def axe_violations(page, axe: str) -> list[str]:
    page.add_script_tag(path=axe)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(", ".join(n["target"]) for n in v["nodes"])
        for v in result["violations"]
    ]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly_and_passes_axe(sweep, axe, path):
    sweep.clear()
    response = sweep.goto(path)
    assert response.status == 200
    assert sweep.page.locator(".la-version").is_visible()
    assert axe_violations(sweep.page, axe) == []
    assert sweep.errors == []
    assert sweep.foreign_requests() == []
    assert any(url.endswith(path or "/") for url in sweep.requests)


def test_tools_start_after_instant_navigation(tab):
    """Material swaps the page without reloading scripts: the tools start from document$."""
    tab.goto("")
    start = tab.page.evaluate("() => performance.timeOrigin")
    tab.page.locator(".md-nav--primary a.md-nav__link", has_text="Subjects").first.click()
    tab.page.wait_for_url("**/subjects/")
    tab.wait_for_tools()
    tab.page.fill("#subject-lookup", "spNO.131")
    assert tab.page.get_attribute("#subject-lookup-result", "data-verdict") == "restricted"
    # Same document: the navigation was instant, not a reload.
    assert tab.page.evaluate("() => performance.timeOrigin") == start
    tab.page.locator(".md-nav--primary a.md-nav__link", has_text="Apply").first.click()
    tab.page.wait_for_url("**/apply/")
    tab.wait_for_tools()
    tab.page.fill("#apply-signer-name", "Jane Doe")
    assert "Jane Doe" in tab.page.text_content("#apply-filename")
