"""The comparison: every agreement's clauses side by side, topic by topic; the databases the
address names, when it names some."""

from __future__ import annotations

import pytest

from casme3_compliance.render import pages

pytestmark = pytest.mark.browser

CELLS = """() => [...document.querySelectorAll('.la-compare__cell')]
  .filter((c) => c.getClientRects().length > 0).map((c) => c.dataset.db)"""


def test_every_database_in_every_row_until_the_address_names_some(tab, base_url, site_family):
    tab.goto("compare/")
    ids = list(site_family.ids)
    assert tab.page.evaluate(CELLS) == ids * len(pages.COMPARE)
    assert "Every database is shown" in tab.page.text_content("#compare-shown")
    chosen = [ids[-1], ids[0]]
    tab.goto("compare/?" + "&".join(f"db={d}" for d in [*chosen, "nosuchdb"]))
    assert tab.page.evaluate(CELLS) == [i for i in ids if i in chosen] * len(pages.COMPARE)
    shown = tab.page.text_content("#compare-shown")
    assert all(site_family.db(d).name in shown for d in chosen)
    tab.page.get_by_role("link", name="Show every database.").click()
    tab.page.wait_for_url(base_url + "compare/")
    tab.wait_for_tools()
    assert tab.page.evaluate(CELLS) == ids * len(pages.COMPARE)


def test_each_cell_leads_to_its_clause_verbatim(tab, base_url, site_family):
    """A clause number in a cell opens its agreement's terms at that clause, whose verbatim text
    is the one the cell summarises."""
    tab.goto("compare/")
    for db in site_family.databases:
        if db.agreement is None:
            cell = tab.page.locator(f"#commercial + .la-compare .la-compare__cell[data-db={db.id}]")
            assert "not public" in cell.inner_text()
            continue
        topic = next((t for t in pages.COMPARE if db.agreement.with_topic(t)), None)
        assert topic is not None, db.id
        clause = db.agreement.with_topic(topic)[0]
        cell = tab.page.locator(f"[id='{topic}'] + .la-compare .la-compare__cell[data-db={db.id}]")
        cell.get_by_role("link", name=clause.id, exact=True).click()
        tab.page.wait_for_url(f"{base_url}{db.id}/terms/#{clause.anchor}")
        tab.wait_for_tools()
        text = " ".join(tab.page.locator(f"[id='{clause.anchor}'] blockquote").inner_text().split())
        assert " ".join(clause.text.split()).split("<")[0].strip() in text
        tab.goto("compare/")
