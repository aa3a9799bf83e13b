"""Every page as a visitor loads it: 200, no console error, nothing off the site, axe clean."""

from __future__ import annotations

import re
from urllib.request import urlopen

import pytest
import yaml
from conftest import DATA, ROOT

import casme3_compliance as c3

from .conftest import open_tab

pytestmark = pytest.mark.browser


def _nav() -> list[str]:
    """The URL of every page in mkdocs.yml's nav, as directory URLs relative to the site root."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!ENV", lambda loader, node: None)

    def files(entry: object) -> list[str]:  # nav entries nest as titles, lists and file names
        if isinstance(entry, str):
            return [entry]
        items = entry.values() if isinstance(entry, dict) else entry
        return [f for item in items for f in files(item)]

    config = yaml.load((ROOT / "mkdocs.yml").read_text("utf-8"), Loader)
    urls = []
    for file in files(config["nav"]):
        if "://" in file:  # an external link in the nav
            continue
        page = file.removesuffix(".md").removesuffix("index")
        urls.append(page if page == "" or page.endswith("/") else f"{page}/")
    return urls


NAV = _nav()
# The hooks generate one page per scan rule; the nav lists them from the data.
PAGES = [*NAV, *(f"rules/{r.code}/" for r in c3.load(DATA).rules)]


def test_the_sweep_covers_every_page_of_the_sitemap(base_url):
    with urlopen(base_url + "sitemap.xml") as response:
        sitemap = re.findall(r"<loc>([^<]*)</loc>", response.read().decode("utf-8"))
    assert sorted(url.removeprefix(base_url) for url in sitemap) == sorted(PAGES)


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
    assert sweep.page.locator(".la-notice").is_visible()
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
