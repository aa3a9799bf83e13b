"""Never more, never less than the LA: what we write is as strong as the clause it reads.

These look at everything a user reads: the built pages, the API documents, the downloads, the
command-line page and our own texts in data/ (summaries, labels, checklist items, rule texts).
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from conftest import DATA, ROOT
from test_site import _squash, html_pages, page

from casme3_compliance.render import checklist, citation
from casme3_compliance.render.markdown import url

# Phrases that drop the LA's limit on where sample images may be used (clause 3.7), or its
# "should": an allowed verdict says where and under which conditions, never just "published".
OVERSTATED = re.compile(r"may (?:be published|appear)|publishable|can be published", re.I)


def _our_texts() -> list[tuple[str, str]]:
    """(where, text) for every text of ours in data/: not the verbatim `text` and `items`."""
    out: list[tuple[str, str]] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key not in ("text", "items", "la_sentence") or "checklists" in path:
                    walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")
        elif isinstance(node, str):
            out.append((path, node))

    for file in sorted(DATA.glob("*.yaml")):
        walk(yaml.safe_load(file.read_text("utf-8")), file.name)
    return out


def test_our_texts_in_data_never_overstate():
    for where, text in _our_texts():
        assert not OVERSTATED.search(text), (where, text)


def test_nothing_a_user_reads_overstates(site):
    for path in html_pages(site):
        text = page(site, str(path.parent.relative_to(site))).select_one("article")
        if text is not None:
            assert not OVERSTATED.search(text.get_text(" ")), path
    for path in site.glob("api/**/*.json"):
        document = json.loads(path.read_text("utf-8"))
        # A database whose agreement is not public: "we do not know whether ... may appear".
        if isinstance(document, dict):
            document.pop("unknown", None)
        assert not OVERSTATED.search(json.dumps(document, ensure_ascii=False)), path
    for path in site.glob("downloads/**/*.md"):
        assert not OVERSTATED.search(path.read_text("utf-8")), path
    for path in (ROOT / "README.md", ROOT / "docs" / "usage" / "cli.md"):
        assert not OVERSTATED.search(path.read_text("utf-8")), path


def _clause_with(kb, words: str):
    return next(c for c in kb.agreement.clauses() if words in c.text)


def test_the_publication_checklist_covers_every_obligation_on_a_publication(kb):
    """Images only in paper writing and academic presentation, no commercial use (screenshots in
    advertisements included), no distribution in any form (derived forms included), the name and
    the citation in papers and presentations."""
    items = kb.checklist("publish").items

    def covering(clause_id: str) -> list[str]:
        return [i.text for i in items if clause_id in i.clauses]

    permission = kb.subjects.parts[0].permission
    assert any("paper writing and academic presentation" in t for t in covering(permission))
    for part in kb.subjects.parts:
        assert covering(part.clause), part.key
    for condition in {kb.agreement.clause(c) for p in kb.subjects.parts for c in p.conditions}:
        assert covering(condition.id), condition.id
    commercial = _clause_with(kb, "commercial purpose")
    assert any("advertisement" in t for t in covering(commercial.id))
    distribution = _clause_with(kb, "distribute")
    assert any("derived" in t for t in covering(distribution.id))
    name = _clause_with(kb, "refer the data")
    texts = covering(name.id)
    assert any("refers to it as" in t for t in texts) and any("cites" in t for t in texts)
    assert all("presentation" in t and "poster" in t for t in texts)


def test_the_distribution_summary_leaves_room_for_sample_images(kb):
    distribution = _clause_with(kb, "distribute")
    permission = kb.subjects.parts[0].permission
    assert permission in distribution.summary and "publish" not in distribution.summary


def test_one_reading_of_who_signs_everywhere(kb):
    """The ambiguous sentence's cautious reading is the one the summary, the at-a-glance label,
    the checklist and the helper's table follow; no rule the LA lacks is added."""
    clause = next(c for c in kb.agreement.clauses() if c.readings)
    who = kb.agreement.application.who_signs
    assert clause.id in who.clauses
    # The table: a student has a supervisor sign, with or without a work email.
    student = next(r for r in who.roles if "student" in r.label.lower())
    assert {student.with_email, student.without_email} == {"supervisor"}
    texts = [clause.summary, *(g.label for g in clause.glance)]
    texts += [i.text for c in kb.checklists for i in c.items if clause.id in i.clauses]
    for text in texts:
        assert "student" in text and "supervisor" in text, text
        # The other reading: the email condition applied to students as well.
        assert not re.search(r"students? (?:and|or) temporary employees? without", text), text
    everything = json.dumps(_our_texts()) + (ROOT / "src").joinpath(
        "casme3_compliance", "render", "widgets.py"
    ).read_text("utf-8")
    assert "Only students and temporary employees may" not in everything


def test_no_claim_that_a_file_name_cannot_hold_the_superscript():
    for path in [*DATA.glob("*.yaml"), *(ROOT / "src").rglob("*.py"), *(ROOT / "docs").rglob("*")]:
        if path.is_file() and path.suffix in (".yaml", ".py", ".md", ".js", ".html"):
            assert "cannot hold" not in path.read_text("utf-8"), path


def test_apply_page_gives_the_labs_route_beside_the_las_link(site, kb):
    app = kb.agreement.application
    soup = page(site, url(kb, "apply"))
    text = _squash(soup.select_one("article").get_text(" "))
    steps = soup.find(id="steps")
    hrefs = {a["href"] for a in soup.select("article a[href]")}
    for step in app.current_steps:
        assert _squash(step.text) in text
        if step.url:
            assert step.url in hrefs
    source = app.current_source
    assert source.url in hrefs and source.read in text and source.commit in text
    assert app.la_url in hrefs and _squash(app.la_status) in text
    assert steps is not None
    for form in (app.filename.text, app.filename.pdf):
        assert form in text
    # The lab's route comes first: a reader following the steps does not start at a dead link.
    assert text.index(_squash(app.current_steps[0].text)) < text.index(app.la_url)


def test_the_checklist_sends_applicants_to_the_working_route(kb):
    app = kb.agreement.application
    items = [i for c in kb.checklists for i in c.items if app.la_clause in i.clauses]
    item = next(i for i in items if "upload" in i.text)
    assert "reported unreachable" in item.text and "application form" in item.text
    assert app.filename.text in item.text and app.filename.pdf in item.text


def test_cite_page_claims_only_what_was_checked(site, kb):
    text = _squash(page(site, url(kb, "cite")).select_one("article").get_text(" "))
    for checked in kb.citation.checked:
        assert _squash(checked.fields) in text and _squash(checked.where) in text
    assert not re.search(r"(?<!not read by us in )IEEE Xplore", text)
    assert "9774929" not in text


@pytest.mark.parametrize("fmt", citation.FORMATS)
def test_an_unconfirmed_given_name_is_printed_as_its_initial_in_every_format(kb, fmt):
    initials_only = [a for a in kb.citation.authors if re.fullmatch(r"[A-Z]\.", a.given)]
    assert initials_only, "the data no longer marks an unconfirmed given name"
    out = citation.render(kb.citation, fmt)
    for author in initials_only:
        assert author.family in out
    assert "Yinhuan" not in out


def test_downloads_say_which_la_text_they_follow(kb):
    line = kb.agreement.provenance.line()
    assert line in checklist.render(kb, "md")
    assert json.loads(checklist.render(kb, "json"))["la_source"]["line"] == line
