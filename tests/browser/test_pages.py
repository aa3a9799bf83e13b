"""Every page as a visitor loads it: 200, no console error, nothing off the site, axe clean."""

from __future__ import annotations

import re
from pathlib import Path
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
    # Evaluated through the DevTools protocol: the page's security policy forbids inline
    # scripts, which is what add_script_tag would insert.
    page.evaluate(Path(axe).read_text("utf-8") + "\n;0")
    # Colours are judged as they end: a fading search result is not a contrast failure.
    page.wait_for_function("() => document.getAnimations().every((a) => a.playState !== 'running')")
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


def test_every_page_has_a_strict_content_security_policy(sweep, base_url):
    """No inline script of ours, the theme's allowed by hash only, everything from this host;
    the sweep above shows the pages run under it without a console error."""
    for path in PAGES:
        sweep.goto(path)
        policy = sweep.page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content")
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'self'"
        script = directives["script-src"].split()
        assert script[0] == "'self'" and all(s.startswith("'sha256-") for s in script[1:]), path
        assert "unsafe" not in policy and "*" not in policy and "http" not in policy, path


def test_the_policy_blocks_an_injected_inline_script(sweep):
    sweep.goto("subjects/")
    sweep.clear()
    ran = sweep.page.evaluate(
        """() => new Promise((resolve) => {
          window.__injected = false;
          document.addEventListener('securitypolicyviolation', () => resolve(window.__injected),
                                    {once: true});
          const s = document.createElement('script');
          s.textContent = 'window.__injected = true';
          document.body.append(s);
        })"""
    )
    assert ran is False
    assert any("Content Security Policy" in e for e in sweep.errors)
    sweep.clear()
