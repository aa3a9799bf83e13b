"""JavaScript off: every page still reads (tables, checklists, steps), and no control is dead."""

from __future__ import annotations

import pytest

from casme3_compliance.render import pages

from .test_pages import NAV

pytestmark = pytest.mark.browser

# Playwright's text selectors skip <noscript>, which Chromium shows when scripts are off.
NOTE = "noscript > p"

# Visible controls in the page's content that need a script to do anything: text fields,
# buttons, outputs, our tools. Check boxes and radio buttons work without one, and so does a
# button that submits a form to a page of the site.
DEAD = """() => [...document.querySelectorAll(`.md-content :is(input:not([type=checkbox]):not(
  [type=radio]), textarea, button:not([type=submit]), select, output, [data-la-widget])`)]
  .filter((e) => e.getClientRects().length > 0).map((e) => e.outerHTML.slice(0, 120))"""


@pytest.fixture(scope="module")
def page(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("path", NAV)
def test_no_dead_control_without_javascript(page, base_url, path):
    assert page.goto(base_url + path).status == 200
    assert page.evaluate(DEAD) == []
    assert page.locator("h1").is_visible()


def test_tables_checklists_and_steps_are_static(page, base_url, kb, site_family):
    page.goto(base_url + f"{kb.id}/subjects/")
    ab, c = kb.subjects.part("AB"), kb.subjects.part("C")
    assert page.locator("table.la-subjects--ab td[id]").count() == len(ab.restricted())
    assert page.locator(".la-cgrid > li[id]").count() == len(c.numbers())
    note = page.locator(NOTE)
    assert note.is_visible() and "look the subject up in the tables" in note.text_content()

    page.goto(base_url + f"{kb.id}/checklist/")
    total = sum(len(cl.items) for cl in kb.checklists)
    assert page.locator("li.task-list-item:visible").count() == total

    page.goto(base_url + "self-check/")
    for db in site_family.databases:  # every database's checklist, or why it has none
        section = page.locator(f".la-check-db[data-db={db.id}]")
        assert section.is_visible(), db.id
        for item in next((c.items for c in db.checklists if c.id == "publish"), ()):
            box = section.get_by_label(item.text, exact=True)
            assert box.is_visible() and box.is_enabled()  # a plain form: ticks work, unsaved
    note = page.locator(NOTE)
    assert note.is_visible() and "subjects are not checked" in note.text_content()

    page.goto(base_url + "compare/")
    assert page.locator(".la-compare__cell:visible").count() == len(site_family.ids) * len(
        pages.COMPARE
    )

    page.goto(base_url + f"{kb.id}/apply/")
    app = kb.agreement.application
    steps = page.locator("#steps ~ ol").first.locator("li").all_text_contents()
    assert [" ".join(s.split()) for s in steps] == [
        f"{s.text} {s.url}" if s.url else s.text for s in app.current_steps
    ]
    la_steps = page.locator("#la-steps ~ ol").first.locator("li").all_text_contents()
    assert la_steps == list(kb.agreement.clause(app.la_clause).steps)
    assert page.locator("#who-signs").is_visible() and page.locator("#file-name").is_visible()
    note = page.locator(NOTE)
    assert note.is_visible() and "who signs" in note.text_content()

    page.goto(base_url)
    note = page.locator(NOTE)
    assert note.is_visible() and "look the subject up in the subject tables" in note.text_content()
    hrefs = note.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert hrefs == [f"{db.id}/subjects/" for db in site_family.databases if db.subjects]


def test_the_choice_of_databases_works_as_a_plain_form(page, base_url, site_family):
    page.goto(base_url)
    chosen = list(site_family.ids[:2])
    for db in chosen:
        page.check(f"#choose-{db}")
    page.get_by_role("button", name="Compare their agreements").click()
    page.wait_for_url(base_url + "compare/?" + "&".join(f"db={d}" for d in chosen))
    assert page.locator("h1").is_visible()


def test_a_tool_whose_data_cannot_load_gives_way_to_what_to_use_instead(browser, base_url, kb):
    """The data of a tool is fetched when the reader turns to it (the lookup's field, the list
    of subjects, the apply helper's name); when it cannot load, the tool goes and its
    <noscript> text shows, with no dead control left behind."""
    context = browser.new_context()
    context.route("**/api/**", lambda route: route.abort())
    page = context.new_page()
    for path, field, words in [
        ("", "#subject-lookup", "look the subject up in the subject tables"),
        (f"{kb.id}/subjects/", "#subject-lookup", "look the subject up in the tables below"),
        ("self-check/", "#self-check-subjects", "subjects are not checked"),
        (f"{kb.id}/apply/", "#apply-signer-name", "who signs"),
    ]:
        page.goto(base_url + path)
        if field:
            page.locator(field).focus()
        note = page.locator(".la-fallback")
        note.wait_for()
        assert words in note.text_content(), path
        assert page.evaluate(DEAD) == [], path
    context.close()
