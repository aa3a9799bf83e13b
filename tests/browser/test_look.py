"""How every page looks: it fits 1280 px and 390 px, passes axe in the dark palette too, and
uses one check box style. Screenshots of each page at both widths go to pytest's tmp dir."""

from __future__ import annotations

import pytest

from .conftest import open_tab
from .test_pages import PAGES, axe_violations

pytestmark = pytest.mark.browser

# What sticks out sideways: the page wider than the window, or anything in the article reaching
# past the content column (Material's code blocks and tables may bleed to the column's edge on
# phones, no further), or any box in the article that scrolls sideways.
OVERFLOW = """() => {
  const out = [];
  const root = document.documentElement;
  if (root.scrollWidth > innerWidth) out.push(`page ${root.scrollWidth} > ${innerWidth}`);
  const column = document.querySelector('.md-content').getBoundingClientRect();
  const [left, right] = [column.left, column.right].map(Math.round);
  const name = (el) => el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '')
    + (typeof el.className === 'string' && el.className ? `.${el.className}` : '');
  for (const el of document.querySelectorAll('article *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (el.closest('.la-vh')) continue;  // text for screen readers, clipped to 1 px
    if (box.left < left - 1 || box.right > right + 1) {
      const at = [box.left, box.right].map(Math.round);
      out.push(`${name(el)} at [${at}] outside the column [${left},${right}]`);
    }
    const sideways = ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    if (sideways && el.scrollWidth > el.clientWidth + 1) {
      out.push(`${name(el)} scrolls sideways (${el.scrollWidth} > ${el.clientWidth})`);
    }
  }
  return out.slice(0, 10);
}"""


WIDTHS = {"desktop": (1280, "light"), "phone": (390, "dark")}


@pytest.fixture(scope="module")
def tabs(browser, base_url):
    """One page per width, reused for the whole sweep: 1280 px light and 390 px dark."""
    contexts, tabs = [], {}
    for name, (width, scheme) in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        contexts.append(context)
        tabs[name] = open_tab(context, base_url)
    yield tabs
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


@pytest.mark.parametrize("path", PAGES)
def test_page_fits_its_column_at_1280_and_390_px(tabs, shots, path):
    for name, (width, _) in WIDTHS.items():
        tab = tabs[name]
        tab.clear()
        tab.goto(path)
        stem = (path.strip("/").replace("/", "-") or "home") + f"-{width}"
        tab.page.screenshot(path=shots / f"{stem}.jpeg", full_page=True, type="jpeg", quality=40)
        assert tab.page.evaluate(OVERFLOW) == [], (width, path)
        assert tab.errors == [] and tab.foreign_requests() == []


@pytest.mark.parametrize("path", PAGES)
def test_dark_palette_passes_axe(tabs, axe, path):
    """The phone follows a dark system preference; axe checks the whole page in that palette."""
    tab = tabs["phone"]
    tab.goto(path)
    assert tab.page.evaluate("document.body.dataset.mdColorScheme") == "slate"
    assert axe_violations(tab.page, axe) == []


def test_palette_follows_the_system_and_the_toggle_switches_it(browser, base_url):
    scheme = "() => document.body.dataset.mdColorScheme"
    for system, expected, other in [("light", "default", "slate"), ("dark", "slate", "default")]:
        context = browser.new_context(color_scheme=system)
        tab = open_tab(context, base_url)
        tab.goto("")
        assert tab.page.evaluate(scheme) == expected, system
        tab.page.locator("form[data-md-component=palette] label:visible").click()
        tab.page.wait_for_function(f"({scheme})() === '{other}'")
        tab.page.reload()  # the reader's choice outlives the page
        assert tab.page.evaluate(scheme) == other, system
        assert tab.errors == []
        context.close()


# Computed look of a check box: the self-check's <input> and the task lists' drawn box.
BOX = """([selector, pseudo]) => {
  const style = getComputedStyle(document.querySelector(selector), pseudo);
  return ['width', 'height', 'border-top-width', 'border-top-style', 'border-top-color',
    'border-top-left-radius', 'background-color', 'background-image', 'mask-image']
    .map((p) => `${p}: ${style.getPropertyValue(p)}`);
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_one_check_box_style_across_the_site(tab, kb, scheme):
    tab.page.emulate_media(color_scheme=scheme)
    looks = {}
    for checked in (False, True):
        tab.goto(f"{kb.id}/checklist/")
        if checked:  # the read-only lists never show a tick: draw one the way pymdownx would
            tab.page.evaluate("document.querySelector('.task-list-control input').checked = true")
        task = tab.page.evaluate(
            BOX, [".task-list-control input + .task-list-indicator", "::before"]
        )
        tab.goto("self-check/")
        box = tab.page.locator(".la-check__items input[type=checkbox]").first
        box.set_checked(checked)
        box.blur()
        real = tab.page.evaluate(BOX, [".la-check__items input[type=checkbox]", None])
        assert task == real, (scheme, checked)
        db = tab.page.locator("#self-check-databases input[type=checkbox]").first
        db.set_checked(checked)
        db.blur()
        assert tab.page.evaluate(BOX, ["#self-check-databases input[type=checkbox]", None]) == real
        tab.goto("")
        choice = tab.page.locator("form.la-choose input[type=checkbox]").first
        choice.set_checked(checked)
        choice.blur()
        assert tab.page.evaluate(BOX, ["form.la-choose input[type=checkbox]", None]) == real
        looks[checked] = real
    assert looks[False] != looks[True]


def test_scan_rules_keep_code_and_finding_in_view_on_a_phone(tabs, kb):
    tab = tabs["phone"]
    tab.goto("rules/")
    rows = tab.page.locator(".la-rules tbody tr")
    assert rows.count() == len(kb.rules)
    for row, rule in zip(rows.all(), kb.rules, strict=True):
        code, finds = row.locator("td").first, row.locator("td").last
        assert code.inner_text() == rule.code and finds.inner_text() == rule.summary
        for cell in (code, finds):
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (rule.code, box)
            assert cell.is_visible()
