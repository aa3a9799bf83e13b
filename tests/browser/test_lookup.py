"""The subject lookup against the package: every subject, the shared vectors, keystrokes."""

from __future__ import annotations

import random

import pytest
from conftest import FAMILY, VECTORS

import casme3_compliance as c3
from casme3_compliance.knowledge.model import anchor_for
from casme3_compliance.render import widgets
from casme3_compliance.render.markdown import verdict_headings

VERDICT_HEADINGS = verdict_headings(FAMILY.db())

pytestmark = pytest.mark.browser

# Sets the field and fires `input` for each text, as typing would; one round trip for hundreds.
LOOK_UP = """(texts) => {
  const field = document.querySelector('#subject-lookup');
  const out = document.querySelector('#subject-lookup-result');
  return texts.map((text) => {
    field.value = text;
    field.dispatchEvent(new Event('input', {bubbles: true}));
    return answer(out);
  });
}"""
ANSWER = """(out) => {
  const link = out.querySelector('a');
  return {
    verdict: out.dataset.verdict ?? null,
    part: out.dataset.part ?? null,
    number: out.dataset.number ? Number(out.dataset.number) : null,
    why: out.dataset.why ?? null,
    text: out.textContent,
    href: link ? link.href : null,
  };
}"""


def install(page) -> None:
    page.evaluate(f"() => {{ window.answer = {ANSWER}; }}")


def look_up(page, texts: list[str]) -> list[dict]:
    install(page)
    return page.evaluate(LOOK_UP, texts)


def expected(text: str, kb) -> dict:
    """What the package says about `text`: a verdict with its clause (or, for an agreement that
    is not public, with how to ask the issuer), or why it is no subject."""
    try:
        v = c3.verdict(text, kb)
    except c3.RefError as e:
        return {"verdict": "invalid", "part": None, "number": None, "message": str(e)}
    return {
        "verdict": v.verdict,
        "part": v.part,
        "number": v.number,
        "message": v.message,
        "note": v.note,
        "href": f"{kb.id}/terms/#{anchor_for(v.clause)}" if v.clause else f"{kb.id}/#not-public",
    }


def assert_same(got: dict, text: str, kb, base_url: str, named: bool = False) -> None:
    """`got` says what the package says of `text` in `kb`; `named`: after the heading, the
    answer names its database (another than the one chosen)."""
    want = expected(text, kb)
    assert (got["verdict"], got["part"], got["number"]) == (
        want["verdict"],
        want["part"],
        want["number"],
    ), text
    heading = VERDICT_HEADINGS[want["verdict"]]
    said = f"{kb.name}: {want['message']}" if named else want["message"]
    if want["verdict"] == "invalid":
        assert got["text"] == f"{heading} {said}", text
        assert got["href"] is None, text
    else:
        assert got["text"].startswith(f"{heading} {said} "), text
        assert got["text"].endswith(f" {want['note']}" if want["note"] else "."), text
        assert got["href"] == f"{base_url}{want['href']}", text


def tab_to(page, selector: str) -> None:
    """Reach an element with the Tab key alone, as a keyboard user would."""
    target = page.locator(selector).first
    for _ in range(300):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_every_subject_of_both_parts(tab, kb, base_url):
    tab.goto(f"{kb.id}/subjects/")
    texts = []
    for part in kb.subjects.parts:
        for n in part.numbers():
            texts += [f"spNO.{n}", str(n)] if part.key == "AB" else [f"C{n}", f"Part C {n}"]
    answers = look_up(tab.page, texts)
    for text, got in zip(texts, answers, strict=True):
        assert_same(got, text, kb, base_url)
    verdicts = {a["verdict"] for a in answers}
    assert verdicts == {"restricted", "allowed"}


def test_allowed_says_where_images_may_be_used_and_the_conditions(tab, kb):
    tab.goto(f"{kb.id}/subjects/")
    refs = [f"spNO.{n}" for n in kb.subjects.part("AB").numbers()]
    refs += [f"C{n}" for n in kb.subjects.part("C").numbers()]
    allowed = [r for r in refs if not c3.verdict(r, kb).restricted]
    for ref, got in zip(allowed, look_up(tab.page, allowed), strict=True):
        assert got["verdict"] == "allowed", ref
        assert "may be used in paper writing and academic presentation" in got["text"], ref
        assert "under conditions A, B and C" in got["text"], ref


def test_a_bare_number_says_part_c_has_its_own_numbering(tab, kb):
    tab.goto(f"{kb.id}/subjects/")
    n = kb.subjects.part("C").list[0]
    bare, prefixed = look_up(tab.page, [str(n), f"spNO.{n}"])
    assert (bare["part"], prefixed["part"]) == ("AB", "AB")
    assert f"C{n}" in bare["text"] and f"C{n}" not in prefixed["text"]


@pytest.mark.parametrize("kind", ["valid", "invalid"])
def test_shared_vectors(tab, kb, base_url, kind):
    """The JavaScript parser and the Python one read tests/vectors/subject_refs.json alike."""
    tab.goto(f"{kb.id}/subjects/")
    cases = VECTORS[kind]
    answers = look_up(tab.page, [c["input"] for c in cases])
    for case, got in zip(cases, answers, strict=True):
        if kind == "valid":
            assert (got["part"], got["number"]) == (case["part"], case["number"]), case
            assert got["verdict"] in ("restricted", "allowed"), case
        else:
            assert got["verdict"] == "invalid" and got["part"] is None, case
            assert got["why"] == case["why"], case
        assert_same(got, case["input"], kb, base_url)


def test_shared_vector_lists(tab):
    """Lists split as parse_refs splits them (the self-check reads lists)."""
    tab.goto("self-check/")
    for case in VECTORS["lists"]:
        tab.page.fill("#self-check-subjects", case["input"])
        items = tab.page.locator("#self-check-results > li")
        got = [
            [li.get_attribute("data-part"), int(li.get_attribute("data-number"))]
            for li in items.all()
        ]
        assert got == case["refs"], case["input"]


def test_random_text_is_read_as_python_reads_it(tab, kb, base_url):
    """Unicode digits and spaces, long numbers, odd cases: both parsers give the same answer."""
    alphabet = [
        *"spnoSPNOcC.-_ 0127930",
        "part",
        "Part ",
        "spNO",
        "\t",
        "\u00a0",  # no-break space: a space to both
        "\u0085",  # a space to Python only, unless the grammar says so
        "\u001c",
        "\ufeff",  # a space to JavaScript's trim(), not to Python
        "\uff11",  # full-width 1
        "\u0663",  # Arabic-Indic 3
        "\U0001d7cf",  # mathematical bold 1
        "\u017f",  # long s: folds to s
        "\u212a",  # Kelvin sign
        "'",
        '"',
        "\\",
        "x",
    ]
    rng = random.Random(20231)
    texts = ["".join(rng.choices(alphabet, k=rng.randint(0, 9))) for _ in range(1500)]
    # And text shaped like references, so that most of it gets past the syntax check.
    prefixes = ["", "spNO", "spNo.", "sp no ", "\u017fpno", "C", "c ", "Part C ", "part_c-", "D"]
    spaces = ["", " ", "\t", "\u00a0", "\u0085", "\u001c", "\u3000", "\ufeff"]
    digits = [*"0123456789", "\uff11", "\u0663", "\U0001d7cf"]
    for _ in range(1500):
        number = "".join(rng.choices(digits, k=rng.choice([1, 1, 2, 2, 3, 3, 4, 6, 7, 9])))
        texts.append(
            rng.choice(spaces)
            + rng.choice(prefixes)
            + number
            + rng.choice(["", "", " ", "a"])
            + rng.choice(spaces)
        )
    tab.goto(f"{kb.id}/subjects/")
    for text, got in zip(texts, look_up(tab.page, texts), strict=True):
        assert_same(got, text, kb, base_url)


def test_verdict_follows_every_keystroke(tab, kb, base_url):
    tab.goto(f"{kb.id}/subjects/")
    install(tab.page)
    tab_to(tab.page, "#subject-lookup")
    out = tab.page.locator("#subject-lookup-result")
    typed = ""
    steps = [*"spNO.131", "Backspace", "Backspace", *"20", "Backspace", "Backspace", "Backspace"]
    steps += ["Backspace"] * 5 + [*"C27", "Backspace", "7", "Backspace", "Backspace", "Backspace"]
    for step in steps:
        if step == "Backspace":
            tab.page.keyboard.press("Backspace")
            typed = typed[:-1]
        else:
            tab.page.keyboard.type(step)
            typed += step
        assert tab.page.input_value("#subject-lookup") == typed
        assert_same(out.evaluate("answer"), typed, kb, base_url)
    assert typed == ""


def test_compact_lookup_on_the_home_page(tab, kb, base_url):
    tab.goto("")
    assert tab.page.input_value("#subject-lookup-db") == kb.id  # the default database
    field = tab.page.get_by_label("Subject", exact=True)
    assert field.is_visible()
    assert tab.page.get_attribute("#subject-lookup-result", "aria-live") == "polite"
    field.press_sequentially("spNo 131")
    install(tab.page)
    got = tab.page.locator("#subject-lookup-result").evaluate("answer")
    assert got["verdict"] == "restricted"
    assert_same(got, "spNo 131", kb, base_url)
    tab.page.locator("#subject-lookup-result a").click()
    tab.page.wait_for_url(f"{base_url}{kb.id}/terms/#clause-3-5")


def _subjects_documents(tab) -> list[str]:
    return sorted(
        u.removeprefix(tab.base_url) for u in tab.requests if u.endswith("/subjects.json")
    )


def test_the_home_lookup_answers_for_the_database_chosen(tab, base_url, site_family):
    """Another database's grammar and sentences, fetched when it is chosen and not before; a
    database whose agreement is not public answers "unknown", never "allowed"."""
    tab.goto("")
    assert _subjects_documents(tab) == [f"api/{site_family.default}/subjects.json"]
    for db in site_family.databases:
        if db.id == site_family.default or (db.public and db.subjects is None):
            continue
        tab.page.select_option("#subject-lookup-db", db.id)
        hint = tab.page.locator(f"#subject-lookup-hint .la-hint[data-db={db.id}]")
        assert (
            hint.is_visible()
            and tab.page.locator("#subject-lookup-hint .la-hint:visible").count() == 1
        )
        texts = [f"{n}" for n in range(0, 25)] + ["x", "", " 007 ", "spNO.131"]
        if db.subjects is not None:
            texts += [db.subjects.parts[0].name_of(n) for n in range(1, 25)]
        tab.page.fill("#subject-lookup", "1")  # wait for the database's grammar to arrive
        tab.page.wait_for_function(  # an answer of this database, not the one chosen before
            "(db) => document.querySelector('#subject-lookup-result').dataset.db === db",
            arg=db.id,
        )
        answers = look_up(tab.page, texts)
        for text, got in zip(texts, answers, strict=True):
            assert_same(got, text, db, base_url)
            if db.subjects is None:
                assert got["verdict"] in ("unknown", "invalid"), text
        assert f"api/{db.id}/subjects.json" in _subjects_documents(tab)


def test_a_reference_may_name_its_database_first(tab, base_url, site_family, kb):
    """`<id>:<reference>`: that database answers, whichever is chosen, and the answer names it."""
    tab.goto("")
    others = [
        db for db in site_family.databases if db.id != kb.id and (db.subjects or not db.public)
    ]
    assert others
    for db in others:
        ref = widgets.example(db)
        texts = [f"{db.id}:{ref}", f"{db.id.upper()} : {ref}", f"{db.id}:"]
        tab.page.fill("#subject-lookup", texts[0])
        tab.page.wait_for_function(
            "(db) => document.querySelector('#subject-lookup-result').dataset.db === db", arg=db.id
        )
        for text, got in zip(texts, look_up(tab.page, texts), strict=True):
            named, rest = widgets.split_prefix(text, site_family.ids)
            assert named == db.id, text
            assert_same(got, rest, db, base_url, named=True)
    # A prefix that names no database is part of the reference, read in the database chosen.
    got = look_up(tab.page, ["nodb:131"])[0]
    assert_same(got, "nodb:131", kb, base_url)
