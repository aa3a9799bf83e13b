"""The paper's check: answers, status, persistence, reset and the Markdown download, for the
default database alone (as before the family) and for several."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import FAMILY

import casme3_compliance as c3
from casme3_compliance.knowledge.model import anchor_for
from casme3_compliance.render import checklist, widgets
from casme3_compliance.render.checklist import clause_refs
from casme3_compliance.render.markdown import verdict_headings

from .conftest import open_tab
from .test_lookup import tab_to

VERDICT_HEADINGS = verdict_headings(FAMILY.db())

pytestmark = pytest.mark.browser

STORAGE_KEY = widgets.STORAGE


def results(page) -> list[dict]:
    return page.eval_on_selector_all(
        "#self-check-results > li",
        "items => items.map(li => ({verdict: li.dataset.verdict, text: li.textContent}))",
    )


def status(page) -> tuple[str, str]:
    box = page.locator("#self-check-status")
    return box.get_attribute("data-status"), box.text_content()


def boxes(page):
    """The check boxes of the chosen databases' checklists (the default one's, when none is)."""
    return page.locator(".la-check-db[data-chosen] fieldset.la-check input[type=checkbox]")


def md_escape(text: str) -> str:
    """The package's own Markdown escape: the site's script must write what it writes."""
    return checklist.md_escape(text)


def test_checklist_items_are_labelled_check_boxes_linked_to_their_clauses(tab, kb, base_url):
    tab.goto("self-check/")
    items = kb.checklist("publish").items
    assert boxes(tab.page).count() == len(items)
    for item in items:
        # Another database's list may hold the same sentence; it is not shown until chosen.
        box = tab.page.get_by_label(item.text, exact=True).filter(visible=True)
        assert box.get_attribute("type") == "checkbox" and not box.is_checked()
        links = box.locator("xpath=ancestor::li[1]//a").evaluate_all("as => as.map(a => a.href)")
        assert links == [f"{base_url}{kb.id}/terms/#{anchor_for(c)}" for c in item.clauses]
        assert box.get_attribute("id") == f"self-check-{item.id}"  # the ids of before


def test_each_subject_answered_and_the_status_names_what_blocks(tab, kb):
    tab.goto("self-check/")
    entries = ["131", "spNO.21", "C27", "abc", "C40"]
    tab.page.fill("#self-check-subjects", "131, spNO.21; C27\nabc\n\nC40")
    got = results(tab.page)
    assert len(got) == len(entries)
    for entry, answer in zip(entries, got, strict=True):
        try:
            v = c3.verdict(entry, kb)
        except c3.RefError as e:
            assert answer == {
                "verdict": "invalid",
                "text": f"{VERDICT_HEADINGS['invalid']} {e}",
            }
        else:
            assert answer["verdict"] == ("restricted" if v.restricted else "allowed")
            assert answer["text"].startswith(f"{VERDICT_HEADINGS[answer['verdict']]} {v.message}")
    state, text = status(tab.page)
    n = len(kb.checklist("publish").items)
    assert state == "not-ready"
    assert "spNO.131" in text and "'abc'" in text and "'C40'" in text
    assert "spNO.21" not in text and f"{n} of {n}" in text

    # Only ticks missing once no subject is restricted.
    tab.page.fill("#self-check-subjects", "21; C27")
    state, text = status(tab.page)
    assert state == "not-ready" and "spNO" not in text and f"{n} of {n}" in text

    # Keyboard alone: Tab to the first box, Space ticks it.
    tab_to(tab.page, "fieldset.la-check input[type=checkbox]")
    tab.page.keyboard.press("Space")
    assert boxes(tab.page).first.is_checked()
    assert f"{n - 1} of {n}" in status(tab.page)[1]
    for i in range(1, n):
        boxes(tab.page).nth(i).check()
    assert status(tab.page)[0] == "ready"


def test_answers_survive_a_reload_and_reset_clears_them(tab, kb):
    tab.goto("self-check/")
    tab.page.fill("#self-check-subjects", "21; C27")
    for i in range(boxes(tab.page).count()):
        boxes(tab.page).nth(i).check()
    boxes(tab.page).nth(2).uncheck()
    before = status(tab.page)

    tab.page.reload()
    tab.wait_for_tools()
    assert tab.page.input_value("#self-check-subjects") == "21; C27"
    ticked = [boxes(tab.page).nth(i).is_checked() for i in range(boxes(tab.page).count())]
    assert ticked == [i != 2 for i in range(len(ticked))]
    assert status(tab.page) == before
    assert [r["verdict"] for r in results(tab.page)] == ["allowed", "allowed"]

    tab.page.click("#self-check-reset")
    assert tab.page.input_value("#self-check-subjects") == ""
    assert not any(boxes(tab.page).nth(i).is_checked() for i in range(len(ticked)))
    assert results(tab.page) == [] and status(tab.page)[0] == "not-ready"
    assert tab.page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')") is None
    tab.page.reload()
    tab.wait_for_tools()
    assert tab.page.input_value("#self-check-subjects") == ""
    assert boxes(tab.page).first.is_checked() is False


def test_download_is_the_filled_checklist_as_markdown(tab, kb):
    tab.goto("self-check/")
    loaded = len(tab.requests)
    tab.page.fill("#self-check-subjects", "spNO.131\n21\nPart C 27\nxyz")
    items = kb.checklist("publish").items
    unticked = items[3].id
    for item in items:
        if item.id != unticked:
            tab.page.check(f"#self-check-{item.id}")
    days = {dt.date.today().isoformat()}
    with tab.page.expect_download() as info:
        tab.page.click("#self-check-download")
    days.add(dt.date.today().isoformat())
    download = info.value
    text = Path(download.path()).read_text("utf-8")
    (day,) = [d for d in days if download.suggested_filename == f"self-check-{d}.md"]

    assert text.startswith("# ")
    assert day in text and md_escape(kb.agreement.provenance.line()) in text
    lines = text.splitlines()
    for item in items:
        mark = " " if item.id == unticked else "x"
        refs = md_escape(f"{kb.name}, {clause_refs(item)}")
        assert f"- [{mark}] {md_escape(item.text)} ({refs})" in lines
    for ref in ("spNO.131", "21", "Part C 27"):
        v = c3.verdict(ref, kb)
        heading = VERDICT_HEADINGS["restricted" if v.restricted else "allowed"]
        said = f"{v.message} {v.note}" if v.note else v.message
        assert (
            f"- {md_escape(kb.name)} {md_escape(v.subject)}: {heading} {md_escape(said)}" in lines
        )
    with pytest.raises(c3.RefError) as e:
        c3.parse_ref("xyz", kb)
    assert (
        f"- {md_escape(kb.name)} 'xyz': {VERDICT_HEADINGS['invalid']} {md_escape(str(e.value))}"
        in lines
    )
    assert any(line.startswith("Status:") and "spNO.131" in line for line in lines)
    # Nothing left the browser: since the page loaded, at most the site's own checklist document
    # was fetched (plain GET, no query), and the file itself is a blob: URL.
    later = [u for u in tab.requests[loaded:] if u.startswith("http")]
    assert all(u == tab.base_url + f"api/{kb.id}/checklists.json" for u in later), later


HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "![x](http://example.org/x.png)",
    "&amp entity &#60 without their semicolons (a separator here)",
    "{{ config }} {% raw %}",
    "`code` *em* _em_ \\ <http://example.org>",
]


def test_the_download_shows_hostile_input_literally_in_every_renderer(tab):
    """What a user types into the subjects box is text in the Markdown file, never HTML or a
    link, in Python-Markdown (MkDocs), CommonMark and GitHub's flavour alike."""
    import markdown
    from bs4 import BeautifulSoup
    from markdown_it import MarkdownIt

    tab.goto("self-check/")
    tab.page.fill("#self-check-subjects", "\n".join(HOSTILE))
    with tab.page.expect_download() as info:
        tab.page.click("#self-check-download")
    text = Path(info.value.path()).read_text("utf-8")
    renderers = {
        "python-markdown": lambda s: markdown.markdown(s, extensions=["pymdownx.tasklist"]),
        "commonmark": MarkdownIt("commonmark").render,
        "gfm": MarkdownIt("gfm-like").render,
    }
    for name, render in renderers.items():
        soup = BeautifulSoup(render(text), "html.parser")
        assert soup.find(["img", "script", "code", "em"]) is None, name
        # GitHub links a bare URL in text; a link is never built from the input's own syntax.
        assert all(a["href"] == a.get_text() for a in soup.find_all("a")), name
        assert not any("javascript" in a["href"] for a in soup.find_all("a")), name
        shown = " ".join(soup.get_text().split())
        for entry in HOSTILE:
            assert " ".join(entry.split()) in shown, (name, entry)


def _named(db, subject: str) -> str:
    return f"{db.name} {subject}"


def test_a_paper_that_uses_several_databases(tab, site_family, kb):
    """Tick the databases; each subject is answered in the database it names, or in the one
    ticked; each chosen database's checklist shows, its items counted; an agreement that is not
    public blocks with "unknown", never passes."""
    public = next(db for db in site_family.databases if db.id != kb.id and db.subjects)
    hidden = next(db for db in site_family.databases if not db.public)
    tab.goto("self-check/")
    tab.page.check(f"#self-check-db-{kb.id}")
    tab.page.check(f"#self-check-db-{public.id}")
    part = public.subjects.parts[0]
    restricted = part.name_of(part.restricted()[0])
    allowed = next(part.name_of(n) for n in range(1, 99) if not part.is_restricted(n))
    entries = [f"{kb.id}:spNO.131", f"{public.id}:{restricted}", f"{public.id}:{allowed}", "12"]
    tab.page.fill("#self-check-subjects", ", ".join(entries))
    tab.page.wait_for_function(
        "() => document.querySelectorAll('#self-check-results > li').length === 4"
    )
    got = tab.page.eval_on_selector_all(
        "#self-check-results > li",
        """items => items.map(li => ({db: li.dataset.db || null, verdict: li.dataset.verdict,
          why: li.dataset.why || null, text: li.textContent}))""",
    )
    for entry, answer in zip(entries[:3], got, strict=False):
        db_id, ref = entry.split(":")
        db = site_family.db(db_id)
        v = c3.verdict(ref, db)
        assert (answer["db"], answer["verdict"]) == (db_id, v.verdict), entry
        assert answer["text"].startswith(f"{VERDICT_HEADINGS[v.verdict]} {db.name}: {v.message}")
    # With several ticked, a subject that names no database is not guessed.
    assert got[3]["verdict"] == "invalid" and got[3]["why"] == "ambiguous" and got[3]["db"] is None
    assert f"{kb.id}:12" in got[3]["text"]
    shown = tab.page.locator(".la-check-db:visible").evaluate_all("s => s.map(x => x.dataset.db)")
    assert shown == [kb.id, public.id]
    state, text = status(tab.page)
    total = len(kb.checklist("publish").items) + len(public.checklist("publish").items)
    assert state == "not-ready" and f"{total} of {total}" in text
    assert _named(kb, "spNO.131") in text and _named(public, restricted) in text
    assert _named(public, allowed) not in text and "'12'" in text

    # Ids of the second database's boxes carry its id; ticking every shown box leaves the
    # subjects as the only block.
    for item in public.checklist("publish").items:
        assert tab.page.locator(f"#self-check-{public.id}-{item.id}").count() == 1
    for box in tab.page.locator(".la-check-db:visible input[type=checkbox]").all():
        box.check()
    tab.page.fill("#self-check-subjects", f"{public.id}:{allowed}; {kb.id}:21")
    assert status(tab.page)[0] == "ready"

    # A database whose agreement is not public: its subjects are unknown, which blocks.
    tab.page.fill("#self-check-subjects", f"{public.id}:{allowed}; {hidden.id}:006")
    tab.page.wait_for_function(
        """(db) => [...document.querySelectorAll('#self-check-results > li')]
          .some(li => li.dataset.db === db)""",
        arg=hidden.id,
    )
    state, text = status(tab.page)
    assert state == "not-ready" and _named(hidden, "006") in text
    verdicts = tab.page.eval_on_selector_all(
        "#self-check-results > li", "l => l.map(x => x.dataset.verdict)"
    )
    assert verdicts == ["allowed", "unknown"]
    assert tab.page.locator(f".la-check-db[data-db={hidden.id}]").is_visible()  # named: shown

    # The download names each database, the agreement text it was checked against, and each
    # item's database and clauses; only the chosen databases' checklists were fetched.
    tab.clear()
    with tab.page.expect_download() as info:
        tab.page.click("#self-check-download")
    lines = Path(info.value.path()).read_text("utf-8").splitlines()
    assert f"- {md_escape(kb.name)}: {md_escape(kb.agreement.provenance.line())}" in lines
    assert f"- {md_escape(public.name)}: {md_escape(public.agreement.provenance.line())}" in lines
    assert f"- {md_escape(hidden.name)}: its agreement is not public" in lines
    for db in (kb, public):
        for item in db.checklist("publish").items:
            refs = md_escape(f"{db.name}, {clause_refs(item)}")
            assert f"- [x] {md_escape(item.text)} ({refs})" in lines
    fetched = sorted(u.removeprefix(tab.base_url) for u in tab.requests if u.startswith("http"))
    assert fetched == sorted(f"api/{db.id}/checklists.json" for db in (kb, public))


def test_one_database_ticked_reads_every_subject_in_it(tab, site_family, kb):
    db = next(d for d in site_family.databases if d.id != kb.id and d.subjects)
    tab.goto("self-check/")
    tab.page.check(f"#self-check-db-{db.id}")
    assert tab.page.locator(f"#self-check-subjects-hint .la-hint[data-db={db.id}]").is_visible()
    ref = widgets.example(db)
    tab.page.fill("#self-check-subjects", ref)
    tab.page.wait_for_function(
        "(db) => document.querySelector('#self-check-results > li')?.dataset.db === db", arg=db.id
    )
    assert results(tab.page)[0]["verdict"] == c3.verdict(ref, db).verdict
    shown = tab.page.locator(".la-check-db:visible").evaluate_all("s => s.map(x => x.dataset.db)")
    assert shown == [db.id]  # the default's checklist is not asked for
    tab.page.reload()
    tab.wait_for_tools()
    assert tab.page.is_checked(f"#self-check-db-{db.id}")
    assert tab.page.input_value("#self-check-subjects") == ref


def test_ticks_saved_before_the_family_belong_to_the_default_database(tab, kb):
    """Local storage written by the check of before (item ids without a database)."""
    tab.goto("self-check/")
    first = kb.checklist("publish").items[0].id
    state = {"subjects": "C27", "ticked": [first]}
    tab.page.evaluate("([k, v]) => localStorage.setItem(k, v)", [STORAGE_KEY, json.dumps(state)])
    tab.page.reload()
    tab.wait_for_tools()
    assert tab.page.is_checked(f"#self-check-{first}")
    assert tab.page.input_value("#self-check-subjects") == "C27"
    assert results(tab.page)[0]["verdict"] == "allowed"


def test_a_database_whose_subjects_cannot_load_is_said_so_and_blocks(
    browser, base_url, site_family
):
    """Its document gone (offline, a broken deploy): its subjects are answered as not checked,
    the others still are, and the status is not ready."""
    db = next(d for d in site_family.databases if d.id != site_family.default and d.subjects)
    context = browser.new_context()
    context.route(f"**/api/{db.id}/subjects.json", lambda route: route.abort())
    tab = open_tab(context, base_url)
    tab.goto("self-check/")
    tab.page.fill("#self-check-subjects", f"{db.id}:{widgets.example(db)}; C27")
    tab.page.wait_for_function(
        "() => document.querySelectorAll('#self-check-results > li').length === 2"
    )
    got = results(tab.page)
    assert (
        got[0]["verdict"] == "invalid"
        and f"no rule for the subjects of {db.name}" in got[0]["text"]
    )
    assert got[1]["verdict"] == "allowed"
    assert status(tab.page)[0] == "not-ready"
    context.close()


def test_the_check_shows_at_once_and_keeps_what_was_done_before_its_script_came(
    browser, base_url, kb
):
    """A first visit shows the form and the status as rendered; the script that checks comes
    when the reader turns to the check, and keeps a tick made meanwhile."""
    context = browser.new_context()
    held = []
    context.route("**/casme3-check.js", lambda route: held.append(route))
    tab = open_tab(context, base_url)
    tab.page.goto(base_url + "self-check/")
    n = len(kb.checklist("publish").items)
    tab.page.locator("#self-check-subjects").wait_for()  # shown without the check's script
    state, text = status(tab.page)
    assert state == "not-ready" and text.endswith(f"Items not ticked: {n} of {n}.")
    assert held == []
    boxes(tab.page).first.check()  # the pointer on the checklist asks for the script
    for _ in range(100):
        if held:
            break
        tab.page.wait_for_timeout(20)
    assert len(held) == 1
    held[0].continue_()
    tab.wait_for_tools()
    assert boxes(tab.page).first.is_checked()
    assert status(tab.page)[1].endswith(f"Items not ticked: {n - 1} of {n}.")
    context.close()
