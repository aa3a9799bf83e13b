"""Every page as a visitor loads it: 200, no console error, nothing off the site, axe clean."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.request import urlopen

import pytest
from test_site import family_pages, grown_family

from .conftest import open_tab

pytestmark = pytest.mark.browser

GROWN = grown_family()
"""The family the served site shows: data/ and the two synthetic databases."""
PAGES = family_pages(GROWN)
"""Every page: the home, the paper's check, the comparison, each database's page set, the
command line, the rules and one page per rule, all from the data."""
NAV = [p for p in PAGES if not p.startswith("rules/") or p == "rules/"]
"""The pages a reader meets from the nav without opening the rules' section."""


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


def test_tools_start_after_instant_navigation(tab, kb):
    """Material swaps the page without reloading scripts: the tools start from document$."""
    tab.goto("")
    start = tab.page.evaluate("() => performance.timeOrigin")
    tab.page.locator("#choose-" + kb.id).locator("xpath=..").get_by_role(
        "link", name="Subjects"
    ).click()
    tab.page.wait_for_url(f"**/{kb.id}/subjects/")
    tab.page.locator("table.la-subjects").first.wait_for()  # the new page's content is in
    tab.wait_for_tools()
    tab.page.fill("#subject-lookup", "spNO.131")
    assert tab.page.get_attribute("#subject-lookup-result", "data-verdict") == "restricted"
    # Same document: the navigation was instant, not a reload.
    assert tab.page.evaluate("() => performance.timeOrigin") == start
    section = tab.page.locator(".md-nav--primary li.md-nav__item--nested", has_text=kb.name).first
    section.locator("a.md-nav__link", has_text="Apply").click()
    tab.page.wait_for_url(f"**/{kb.id}/apply/")
    tab.page.locator("#apply-signer-name").wait_for(state="attached")
    tab.wait_for_tools()
    tab.page.fill("#apply-signer-name", "Jane Doe")
    assert "Jane Doe" in tab.page.text_content("#apply-filename")
    tab.page.go_back()  # back to the subjects page, in the same document: its lookup restarts
    tab.page.wait_for_url(f"**/{kb.id}/subjects/")
    tab.page.locator("table.la-subjects").first.wait_for()
    tab.wait_for_tools()
    tab.page.fill("#subject-lookup", "spNO.21")
    assert tab.page.get_attribute("#subject-lookup-result", "data-verdict") == "allowed"
    assert tab.page.evaluate("() => performance.timeOrigin") == start


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
    sweep.goto("self-check/")
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


def _needs(path: str) -> tuple[set[str], set[str]]:
    """The API documents a page fetches as it loads, and once the reader turns to its tools:
    none as it loads; once turned to, the apply helper's agreement (where the data gives it a
    helper) and the subjects of the database a lookup or the paper's check answers for at
    first (the default one on the home page and the paper's check); nothing else, and never a
    checklist."""
    default = GROWN.default
    if path in ("", "self-check/"):
        return set(), {f"api/{default}/subjects.json"}
    for db in GROWN.databases:
        if path == f"{db.id}/subjects/":
            return set(), {f"api/{db.id}/subjects.json"}
        if path == f"{db.id}/apply/" and _helper(db):
            return set(), {f"api/{db.id}/agreement.json"}
    return set(), set()


@pytest.mark.parametrize("path", PAGES)
def test_each_page_fetches_only_the_documents_its_tools_need(browser, base_url, path):
    """A first visit: another database's documents, any checklist, and the subjects of a tool
    the reader has not turned to wait until asked for."""
    context = browser.new_context()
    tab = open_tab(context, base_url)
    tab.page.goto(base_url + path)
    tab.page.wait_for_load_state("networkidle")
    fetched = {u.removeprefix(base_url) for u in tab.requests if "/api/" in u}
    on_load, turned = _needs(path)
    assert fetched == on_load, path
    assert _scripts(tab, base_url) == _scripts_needed(path, turned=False), path
    tab.wait_for_tools()
    tab.page.wait_for_load_state("networkidle")
    fetched = {u.removeprefix(base_url) for u in tab.requests if "/api/" in u}
    assert fetched == turned, path
    assert _scripts(tab, base_url) == _scripts_needed(path, turned=True), path
    context.close()


def _helper(db) -> bool:
    """Whether the database's apply page has the helper: where the data says who signs or how
    the signed file is named."""
    app = db.agreement.application if db.agreement else None
    return bool(app and (app.who_signs or app.filename))


def _scripts(tab, base_url: str) -> set[str]:
    """Our own scripts the page fetched (the theme's are not ours to split)."""
    mine = re.compile(r"assets/javascripts/(casme3[\w-]*\.js)$")
    return {m[1] for u in tab.requests if (m := mine.search(u.removeprefix(base_url)))}


def _scripts_needed(path: str, turned: bool) -> set[str]:
    """casme3.js everywhere; a tool's own script on its page once the reader turns to it (the
    apply helper, the paper's check); the subject parser once a tool that reads subjects is
    turned to."""
    out = {"casme3.js"}
    if turned and any(path == f"{db.id}/apply/" and _helper(db) for db in GROWN.databases):
        out.add("casme3-apply.js")
    if turned and path == "self-check/":
        out.add("casme3-check.js")
    if turned and any(d.endswith("/subjects.json") for d in _needs(path)[1] - _needs(path)[0]):
        out.add("casme3-parse.js")
    return out
