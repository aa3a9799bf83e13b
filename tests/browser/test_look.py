"""How the site looks: light and dark palettes that follow the system, one check box style."""

from __future__ import annotations

import pytest

from .conftest import open_tab

pytestmark = pytest.mark.browser


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
def test_one_check_box_style_across_the_site(tab, scheme):
    tab.page.emulate_media(color_scheme=scheme)
    looks = {}
    for checked in (False, True):
        tab.goto("checklist/")
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
        looks[checked] = real
    assert looks[False] != looks[True]
